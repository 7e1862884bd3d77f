"""Progress lines of the PDF builds, one per step, whole lines a person can follow.

``pdf: book-teacher-a4.pdf: piece 14/40 laid out, 6 pages`` and ``pdf: 3/12 PDFs done, 2
processes``: written to standard error in one ``write`` each (shorter than a pipe's atomic
size), so lines from several rendering processes never mix, and make's ``--output-sync`` prints
them with the rest of the build's output. Sphinx's ``-q`` (the Makefile's) silences its own
progress, not these: a long PDF build would otherwise say nothing for minutes.
"""

from __future__ import annotations

import os

PREFIX = "pdf: "


def say(text: str) -> None:
    """Write one progress line."""
    line = (PREFIX + " ".join(text.split()))[:1000] + "\n"
    os.write(2, line.encode("utf-8", "replace"))
