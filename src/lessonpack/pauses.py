"""Points where a test can hold a build still, to kill it there (the publish step, a PDF's merge).

If the environment variable names a file, the process writes its id there and waits until the
file is removed (at most two minutes): a test waits for the file, then kills the build. Unset,
nothing happens.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PUBLISH = "LESSONPACK_PUBLISH_PAUSE"  # publish.py: the new dist/ staged, not swapped in
PDF = "LESSONPACK_PDF_PAUSE"  # pdf/jobs.py: a book's pieces laid out, not merged


def pause_for_tests(variable: str) -> None:
    marker = os.environ.get(variable)
    if not marker:
        return
    Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    deadline = time.monotonic() + 120
    while Path(marker).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
