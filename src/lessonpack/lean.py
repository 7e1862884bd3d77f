"""Builds that do not grow with the book: documents read in parallel, pages written one at a time.

`make` reads with ``sphinx-build -j`` (the Makefile's ``SPHINX_READERS``): workers read chunks
of documents and hand back their environment, so no build keeps every doctree it read until it
writes. Sphinx would then also write in parallel, and a parallel write resolves a whole chunk of
doctrees (tens of pages) in the main process before a writer process takes it, holding up to two
chunks at once, more as the book grows. Each builder is told it may not write in parallel
(``allow_parallel``, the builder's public switch), so the pages are written one at a time: one
doctree in memory at once. The bytes are the same either way.

A few documents (an edit: ``SERIAL_READ_MAX`` or fewer) are read in the main process: a worker
would cost more than it saves (a fork, the whole environment pickled there and back, merged),
and a few doctrees hold little memory. Sphinx's ``-j`` (``app.parallel``) is set to 1 for the
read and given back when it ends.

A worker keeps every log record of its chunk until it hands them back, debug records included,
though the build shows none below its verbosity: Sphinx logs each event it emits at debug level,
with the event's arguments (a document's whole source, for ``source-read``), some twenty records
a document, 4.5 MB in a worker that read 44 documents. The ``sphinx`` logger is set to the lowest
level any of its handlers shows (``drop_unshown_records``), so a record no handler would show is
never made; every message shown or kept is as before.

Once read, the environment lives until the build ends: it is frozen out of the cycle collector
(``collector.freeze``, as what Sphinx made at set-up), so the full collections of the writing
phase no longer walk it again and again: they grew with the book on both counts, more of them
and each longer (a 64-lesson PDF build, read in one process: 16 of 55 s in full collections;
frozen, 9 of 45 s).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sphinx.util.logging import NAMESPACE

from .collector import freeze

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

# Read in workers only above this many documents (Sphinx's own rule before 7.3).
SERIAL_READ_MAX = 5
_ASKED = "lessonpack_parallel"  # the -j a build was started with, while it reads serially


def write_one_at_a_time(app: Sphinx) -> None:
    """builder-inited: a serial write, whatever ``-j`` says (reading stays parallel)."""
    app.builder.allow_parallel = False  # type: ignore[misc]


def drop_unshown_records(app: Sphinx) -> None:
    """builder-inited: the ``sphinx`` logger makes no record below what its handlers show."""
    logger = logging.getLogger(NAMESPACE)
    levels = [handler.level for handler in logger.handlers]
    if levels and min(levels) > logger.level:
        logger.setLevel(min(levels))


def read_few_serially(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """env-before-read-docs: a few documents are read in this process."""
    if app.parallel > 1 and len(docnames) <= SERIAL_READ_MAX:
        setattr(app, _ASKED, app.parallel)
        app.parallel = 1


def restore_parallel(app: Sphinx, env: Any) -> None:
    """env-updated: ``-j`` as the build was started with, once reading is over."""
    asked = getattr(app, _ASKED, None)
    if asked is not None:
        app.parallel = asked
        delattr(app, _ASKED)


def freeze_environment(_app: Sphinx, _env: Any) -> None:
    """env-updated, last: what is alive now (the environment, read and merged) is left out of
    later full collections; ``collector.py`` unfreezes everything when the build ends."""
    freeze()


def setup_lean(app: Sphinx) -> None:
    app.connect("builder-inited", write_one_at_a_time)
    app.connect("builder-inited", drop_unshown_records)
    app.connect("env-before-read-docs", read_few_serially)
    app.connect("env-updated", restore_parallel, priority=100)
    app.connect("env-updated", freeze_environment, priority=950)
