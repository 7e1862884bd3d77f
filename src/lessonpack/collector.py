"""Python's cycle collector during a Sphinx build: what was alive at set-up left out, young objects
collected rarely.

At the interpreter's default thresholds (a collection every 700 new objects, a full one every
hundred) a build's process spent 0.2–0.4 s of its ~2 s of CPU on an edit in the collector,
each full collection walking every object Sphinx, docutils and the extensions had made by then.
At set-up the objects alive are collected once and frozen (they live as long as the build: they
are never walked again), and the young generation is collected every 50,000 new objects; older
generations at the defaults' ratios, so garbage of the build is still freed as it goes. When the
build ends (``build-finished``) both are undone: a process that runs several builds (the tests)
keeps nothing frozen and gets its thresholds back. The rendering processes have their own
setting for a layout (``pdf/render.py``).
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx

THRESHOLD = (50_000, 10, 10)


def settle() -> tuple[int, int, int]:
    """Freeze what is alive, collect young objects rarely; returns the thresholds before."""
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLD)
    return before


def restore(before: tuple[int, int, int]) -> None:
    """Undo :func:`settle`: nothing frozen, the thresholds as they were."""
    gc.unfreeze()
    gc.set_threshold(*before)


def setup_collector(app: Sphinx) -> None:
    before = settle()
    app.connect("build-finished", lambda _app, _exc: restore(before), priority=900)
