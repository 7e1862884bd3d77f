"""The teacher's pack builder: the book as one print-styled HTML page, rendered by WeasyPrint."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.builders.singlehtml import SingleFileHTMLBuilder
from sphinx.environment.adapters.toctree import global_toctree_for_doc
from sphinx.locale import __
from sphinx.util import logging
from sphinx.writers.html5 import HTML5Translator

from ..translator import CitationRoleMixin
from .contents import fix_contents_references, prune_contents
from .ids import fix_references, make_ids_unique
from .render import PAPER_SIZES, render_pdfs

if TYPE_CHECKING:
    from docutils import nodes
    from docutils.nodes import Element
    from sphinx.builders import Builder

logger = logging.getLogger(__name__)
THEME = "lessonpack-print"


class PrintTranslator(CitationRoleMixin, HTML5Translator):
    """Wraps each document in a chapter element that carries the document's id.

    Sphinx marks a document's start with an empty ``<span id>`` before its heading; a page break
    on the heading would leave that span (and every contents link to it) on the page before.

    Each document also restarts heading levels, so its title is an ``<h1>`` however deep its
    toctree sits: running heads and PDF bookmarks follow the documents.
    """

    def __init__(self, document: nodes.document, builder: Builder) -> None:
        super().__init__(document, builder)
        self._saved_levels: list[int] = []

    def visit_start_of_file(self, node: Element) -> None:
        self.docnames.append(node["docname"])
        self._saved_levels.append(self.section_level)
        self.section_level = 0
        self.body.append(f'<div class="lp-chapter" id="document-{node["docname"]}">\n')

    def depart_start_of_file(self, node: Element) -> None:
        self.body.append("</div>\n")
        self.section_level = self._saved_levels.pop()
        self.docnames.pop()


class PdfBuilder(SingleFileHTMLBuilder):
    """Writes ``<basename>-<edition>-<paper>.pdf`` for each configured paper size."""

    name = "lessonpdf"
    epilog = __("The PDF files are in %(outdir)s.")
    default_translator_class = PrintTranslator
    search = False
    copysource = False
    _id_map: dict[tuple[str, str], str]

    def get_theme_config(self) -> tuple[str, dict[str, Any]]:
        return THEME, {}

    def init(self) -> None:
        super().init()
        unknown = [p for p in self.config.lessonpack_pdf_papers if p not in PAPER_SIZES]
        if unknown:
            logger.warning(
                "unknown paper size(s) %s; known: %s",
                ", ".join(unknown),
                ", ".join(PAPER_SIZES),
                type="lessonpack",
                subtype="config",
            )

    def assemble_doctree(self) -> nodes.document:
        tree = super().assemble_doctree()
        root = self.config.root_doc
        self._id_map = make_ids_unique(tree, root)
        fix_references(tree, root, self._id_map)
        return tree

    def get_doc_context(self, docname: str, body: str, metatags: str) -> dict[str, Any]:
        context = super().get_doc_context(docname, body, metatags)
        # Every level, then pruned: documents (worksheets under a lesson's last section) are kept
        # and lifted; sections are cut at the configured depth.
        toctree = global_toctree_for_doc(
            self.env,
            self.config.root_doc,
            self,
            tags=self.tags,
            collapse=False,
            maxdepth=-1,
            includehidden=True,
        )
        if toctree is not None:
            fix_contents_references(toctree, self._id_map)
            prune_contents(toctree, self.config.lessonpack_pdf_toc_depth)
            context["pdf_toc"] = self.render_partial(toctree)["fragment"]
        context["author"] = self.config.author
        context["edition"] = self.config.lessonpack_edition
        context["subtitle"] = self.config.lessonpack_pdf_subtitle
        return context

    def finish(self) -> None:
        super().finish()
        basename = self.config.lessonpack_pdf_basename
        edition = self.config.lessonpack_edition
        targets = {
            paper: Path(self.outdir) / f"{basename}-{edition}-{paper}.pdf"
            for paper in self.config.lessonpack_pdf_papers
            if paper in PAPER_SIZES
        }
        logger.info("rendering %s", ", ".join(p.name for p in targets.values()))
        page = self.get_outfilename(self.config.root_doc)
        pages = render_pdfs(Path(self.outdir), str(Path(page).relative_to(self.outdir)), targets)
        for paper, count in pages.items():
            logger.info("%s: %d pages", targets[paper].name, count)
