"""HTML output fixes shared by every HTML-family builder (site, EPUB, PDF)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sphinx.writers.html5 import HTML5Translator

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx


class CitationRoleMixin:
    """Bibliography entries as ``role="listitem"``.

    docutils marks them ``doc-biblioentry``, a role DPUB-ARIA 1.1 deprecates: EPUBCheck warns
    (RSC-017) and accessibility checkers flag it. The entries already sit in a ``role="list"``.
    """

    body: list[str]

    def visit_citation(self, node: nodes.Element) -> None:
        if not isinstance(node.previous_sibling(), type(node)):
            self.body.append('<div role="list" class="citation-list">\n')
        self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))  # type: ignore[attr-defined]


class BookTranslator(CitationRoleMixin, HTML5Translator):
    pass


def setup_translators(app: Sphinx) -> None:
    # Themes (pydata-sphinx-theme) wrap whatever translator is registered, so this stays in effect.
    for builder in ("html", "dirhtml", "epub", "singlehtml"):
        app.set_translator(builder, BookTranslator, override=True)
