"""The PDF builder and its print theme."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx

# The builder (and Sphinx) is imported by setup_pdf only: the rendering processes and the merge
# import modules of this package without loading Sphinx (half a second, and its memory).

THEME_DIR = Path(__file__).parent.parent / "themes" / "print"


def setup_pdf(app: Sphinx) -> None:
    from .answers import setup_answers
    from .builder import THEME, PdfBuilder, keep_outputs

    app.add_builder(PdfBuilder)
    app.connect("build-finished", keep_outputs)
    app.add_html_theme(THEME, str(THEME_DIR))
    setup_answers(app)
