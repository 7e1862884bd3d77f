"""A Sphinx extension for the benchmark's ``--no-layout`` runs: the PDF builder without layout.

Loaded after the course's own extensions (``-D extensions=...,lessonpack.bench.nolayout``), it
replaces the ``lessonpdf`` builder (``app.add_builder(..., override=True)``) by one that reads,
assembles and writes every output's HTML as the real one does, but starts no rendering process
and lays no PDF out (each PDF an empty file): the Sphinx process alone, in minutes instead of an
hour. The slide decks are laid out as ever (in the Sphinx process itself). Never used by make.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..pdf.builder import PdfBuilder

if TYPE_CHECKING:
    from sphinx.application import Sphinx

EXTENSION = __name__


class UnlaidPdfBuilder(PdfBuilder):
    """The PDF builder up to its rendering jobs: every piece's HTML, and each PDF an empty file
    (the build's output record names them: a build that wrote none fails)."""

    def render_all(self) -> None:
        for page in self.pages:
            for target in page.targets.values():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(b"")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_builder(UnlaidPdfBuilder, override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
