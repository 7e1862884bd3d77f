"""Python's cycle collector during a Sphinx build: what was alive at set-up is left out of it.

Each full collection walks every object the collector tracks: at set-up that is everything
Sphinx, docutils and the extensions have made by then (their modules, classes, functions:
about 60,000 objects), which live as long as the build. At set-up these are collected once and
frozen (``gc.freeze``): later collections walk only what the build makes. On an edit each build
spent 0.2–0.4 s of its ~2 s of CPU in the collector, about half as much with this.

The thresholds stay the interpreter's: collecting rarely (a young generation of 50,000 objects,
as ``pdf/render.py`` does during a layout) saved more CPU but let the doctrees a build reads and
drops pile up until the next full collection: the PDF builder's process of a 32-lesson course
peaked at 236 MB instead of 164 MB (``bench --no-layout``). When the build ends
(``build-finished``) nothing stays frozen: a process that runs several builds (the tests) frees
what it no longer uses.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def freeze() -> None:
    """Collect what is garbage now and leave everything alive out of later collections."""
    gc.collect()
    gc.freeze()


def setup_collector(app: Sphinx) -> None:
    freeze()
    app.connect("build-finished", lambda _app, _exc: gc.unfreeze(), priority=900)
