"""Builds that do not grow with the book: documents read in parallel, pages written one at a time.

`make` reads with ``sphinx-build -j`` (the Makefile's ``SPHINX_READERS``): workers read chunks
of documents and hand back their environment, so no build keeps every doctree it read until it
writes. Sphinx would then also write in parallel, and a parallel write resolves a whole chunk of
doctrees (tens of pages) in the main process before a writer process takes it, holding up to two
chunks at once, more as the book grows. Each builder is told it may not write in parallel
(``allow_parallel``, the builder's public switch), so the pages are written one at a time: one
doctree in memory at once. The bytes are the same either way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def write_one_at_a_time(app: Sphinx) -> None:
    """builder-inited: a serial write, whatever ``-j`` says (reading stays parallel)."""
    app.builder.allow_parallel = False  # type: ignore[misc]


def setup_lean(app: Sphinx) -> None:
    app.connect("builder-inited", write_one_at_a_time)
