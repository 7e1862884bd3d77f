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
what it no longer uses; with two applications at once, when the last one ends (``BUILDING``).
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx


# Sphinx applications made in this process (set up through to `builder-inited`, the end of
# their construction) whose build has not finished. A process may make a second one before the
# first finishes (a test that holds one app while it builds another, a process that prepares
# the next build): only the first freezes (a second freeze would also freeze what the first
# build has made so far, its doctrees, until the last build ends), and only the last to finish
# unfreezes (the first to finish would otherwise unfreeze the other's start). An application
# whose construction failed (a bad conf.py) is not counted: it froze at set-up, and the next
# build to finish in this process unfreezes it. One made and never built keeps the count up:
# nothing is unfrozen in that process (what was frozen stays alive, as it would anyway).
BUILDING = 0


def freeze() -> None:
    """Collect what is garbage now and leave everything alive out of later collections."""
    gc.collect()
    gc.freeze()


def _made(_app: Sphinx) -> None:
    global BUILDING
    BUILDING += 1


def _finished(_app: Sphinx, _exception: Exception | None) -> None:
    global BUILDING
    BUILDING = max(BUILDING - 1, 0)
    if BUILDING == 0:
        gc.unfreeze()


def setup_collector(app: Sphinx) -> None:
    if BUILDING == 0:
        freeze()
    app.connect("builder-inited", _made, priority=100)
    app.connect("build-finished", _finished, priority=900)
