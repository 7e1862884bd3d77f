"""Slide decks, one per lesson: a model from the doctree, two writers (PDF, PowerPoint)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup_slides(app: Sphinx) -> None:
    from .builder import SlidesBuilder, keep_decks
    from .directive import setup_directives

    setup_directives(app)
    app.add_builder(SlidesBuilder)
    app.connect("build-finished", keep_decks, priority=800)  # before records (900)
