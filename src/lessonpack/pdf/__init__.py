"""The PDF builder and its print theme."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .builder import THEME, PdfBuilder, keep_outputs

if TYPE_CHECKING:
    from sphinx.application import Sphinx

THEME_DIR = Path(__file__).parent.parent / "themes" / "print"


def setup_pdf(app: Sphinx) -> None:
    app.add_builder(PdfBuilder)
    app.connect("build-finished", keep_outputs)
    app.add_html_theme(THEME, str(THEME_DIR))
