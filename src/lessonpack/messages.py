"""Each warning printed once, though `make` runs the four builds side by side.

The website, EPUB and both PDF builds read the same sources, so a fault in a lesson is found by
each of them. When the builds share a cache folder (``lessonpack_cache_dir``, which the Makefile
sets, and whose ``messages.txt`` it deletes as each run starts), a filter on Sphinx's warning
handler records each printed message in that file, under an exclusive lock, and drops a message
another build of the run has already printed. The filter runs after Sphinx has counted the
warning, so a build whose messages were all printed by another still fails under ``-W``.
Without a cache folder (``sphinx-build`` run by hand, the tests' in-process builds, the live
preview) every message is printed.
"""

from __future__ import annotations

import fcntl
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

FILE_NAME = "messages.txt"


def message_key(record: logging.LogRecord) -> str:
    """The message as it is printed: location, level and text, on one line."""
    try:
        text = record.msg % record.args if record.args else str(record.msg)
    except (TypeError, ValueError):
        text = str(record.msg)
    location = getattr(record, "location", "") or ""
    return " ".join(f"{location}: {record.levelname}: {text}".split())


def first_time(path: Path, key: str) -> bool:
    """Whether ``key`` is new in the shared file at ``path`` (it is then added)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.seek(0)
            if key in handle.read().splitlines():
                return False
            handle.write(key + "\n")
            handle.flush()
            return True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class PrintOnce(logging.Filter):
    """Drops a message another build of the same `make` run has printed."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            return first_time(self.path, message_key(record))
        except OSError:
            return True  # never lose a message because the shared file cannot be written


def print_once(app: Sphinx, config: Config) -> None:
    """config-inited: with a shared cache folder, each message is printed by one build."""
    from sphinx.util.logging import NAMESPACE, WarningStreamHandler

    if not config.lessonpack_cache_dir:
        return
    path = Path(config.lessonpack_cache_dir) / FILE_NAME
    for handler in logging.getLogger(NAMESPACE).handlers:
        # Sphinx's filters run first: the warning is counted, then located, then passed here.
        if isinstance(handler, WarningStreamHandler):
            handler.addFilter(PrintOnce(path))


def note(app: Sphinx, text: str, location: tuple[str, int | None]) -> None:
    """Advice that must not fail a strict build, yet must be seen under `make` (which runs
    Sphinx with -q, hiding info messages): ``file:line: note: text`` on standard error, once per
    `make` run like every other message."""
    docname, line = location
    where = f"{app.env.doc2path(docname)}:{line}" if line else str(app.env.doc2path(docname))
    key = " ".join(f"{where}: note: {text}".split())
    cache = app.config.lessonpack_cache_dir
    try:
        fresh = first_time(Path(cache) / FILE_NAME, key) if cache else True
    except OSError:
        fresh = True
    if fresh:
        print(key, file=sys.stderr, flush=True)


def setup_messages(app: Sphinx) -> None:
    app.connect("config-inited", print_once)
