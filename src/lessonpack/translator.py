"""HTML output fixes shared by every HTML-family builder (site, EPUB, PDF)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.writers.html5 import HTML5Translator

from . import nodes as lp
from .organiser import GridScopeMixin
from .site import SITE_BUILDERS
from .typography import NUMBER_RANGE, nowrap_ranges

if TYPE_CHECKING:
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


class SourceVersionsMixin:
    """An excerpt's two versions (sourcebox.py) as labelled groups; on the website the original
    is a ``<details>`` whose ``<summary>`` is its label, a click away.

    The EPUB shows the original after the adapted version, under its label (many readers do not
    support ``<details>``). Other builders (the PDF's) render the nodes as ``<div>`` and ``<p>``.
    """

    body: list[str]
    builder: Any
    _lp_label_id = ""
    _lp_versions = 0

    def _lp_details(self) -> bool:
        return self.builder.name != "epub"

    def _lp_group(self, node: nodes.Element) -> str:
        self._lp_versions += 1
        self._lp_label_id = f"lp-version-{self._lp_versions}"
        attributes = {"role": "group", "aria-labelledby": self._lp_label_id}
        return self.starttag(node, "div", CLASS="docutils container", **attributes)  # type: ignore[attr-defined]

    def visit_adapted(self, node: nodes.Element) -> None:
        self.body.append(self._lp_group(node))

    def depart_adapted(self, node: nodes.Element) -> None:
        self.body.append("</div>\n")

    def visit_original(self, node: nodes.Element) -> None:
        if self._lp_details():
            self.body.append(self.starttag(node, "details"))  # type: ignore[attr-defined]
        else:
            self.body.append(self._lp_group(node))

    def depart_original(self, node: nodes.Element) -> None:
        self.body.append("</details>\n" if self._lp_details() else "</div>\n")

    def visit_version_label(self, node: nodes.Element) -> None:
        if self._lp_details() and isinstance(node.parent, lp.original):
            self.body.append(self.starttag(node, "summary", ""))  # type: ignore[attr-defined]
        else:
            self.body.append(self.starttag(node, "p", "", ids=[self._lp_label_id]))  # type: ignore[attr-defined]

    def depart_version_label(self, node: nodes.Element) -> None:
        summary = self._lp_details() and isinstance(node.parent, lp.original)
        self.body.append("</summary>\n" if summary else "</p>\n")


class CaptionLevelMixin:
    """A table of contents' caption (``<p role="heading">``) with the ``aria-level`` the role
    requires (ARIA; Ace and the Nu checker flag it): one below the section it sits in."""

    body: list[str]
    context: list[str]
    section_level: int

    def visit_title(self, node: nodes.Element) -> None:
        parent = node.parent
        if isinstance(parent, addnodes.compact_paragraph) and parent.get("toctree"):
            level = str(min(max(self.section_level + 1, 2), 6))
            attributes = {"CLASS": "caption", "role": "heading", "aria-level": level}
            self.body.append(self.starttag(node, "p", "", **attributes))  # type: ignore[attr-defined]
            self.body.append('<span class="caption-text">')
            self.context.append("</span></p>\n")
            return
        super().visit_title(node)  # type: ignore[misc]


class PageSectionMixin:
    """On the website, a page's top-level section (its title the page's ``<h1>``) as a ``<div>``:
    inside a ``<section>`` the ``<h1>`` reads as a nested heading (the Nu checker's "h1 ...
    top-level heading only"); the sections below it stay sections. The EPUB and the PDF keep
    theirs (the print stylesheet starts chapters on them)."""

    body: list[str]
    builder: Any
    section_level: int

    def _lp_page_section(self) -> bool:
        return self.section_level == 0 and self.builder.name in SITE_BUILDERS

    def visit_section(self, node: nodes.Element) -> None:
        if self._lp_page_section():
            self.section_level += 1
            self.body.append(self.starttag(node, "div"))  # type: ignore[attr-defined]
            return
        super().visit_section(node)  # type: ignore[misc]

    def depart_section(self, node: nodes.Element) -> None:
        if self.section_level == 1 and self.builder.name in SITE_BUILDERS:
            self.section_level -= 1
            self.body.append("</div>\n")
            return
        super().depart_section(node)  # type: ignore[misc]


class NumberRangeMixin:
    """A number range ("1959–1961", "1958–62") stays on one line wherever it is: in a title (a
    page's ``<h1>``, the titles of its sections, tables and boxes, which the theme also prints in
    the previous/next links), a table-of-contents entry (the site's navigation, where titles come
    as plain text) and the body text. Each range is a ``<span class="lp-nowrap">`` (lessonpack.css,
    print.css), as the PDF's covers and running heads have it (``typography.title``). Only the
    markup changes: the text, the search index (read from the doctree), ``<title>`` (which strips
    tags), what is copied and what a screen reader says are as before. Code keeps its own
    markup (Sphinx already keeps inline code's words whole)."""

    body: list[str]
    protect_literal_text: int

    def visit_Text(self, node: nodes.Text) -> None:
        if self.protect_literal_text or not NUMBER_RANGE.search(node.astext()):
            super().visit_Text(node)  # type: ignore[misc]
            return
        start = len(self.body)
        super().visit_Text(node)  # type: ignore[misc]
        self.body[start:] = [nowrap_ranges(part) for part in self.body[start:]]


class BookTranslator(
    NumberRangeMixin,
    PageSectionMixin,
    CaptionLevelMixin,
    GridScopeMixin,
    SourceVersionsMixin,
    CitationRoleMixin,
    HTML5Translator,
):
    pass


def setup_translators(app: Sphinx) -> None:
    # Themes (pydata-sphinx-theme) wrap whatever translator is registered, so this stays in effect.
    for builder in ("html", "dirhtml", "epub", "singlehtml"):
        app.set_translator(builder, BookTranslator, override=True)
