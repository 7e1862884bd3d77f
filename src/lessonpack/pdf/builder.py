"""The PDF builder: book, lesson packs and handouts as print-styled HTML, rendered by WeasyPrint.

One builder serves every PDF: each configured output (pdf/outputs.py) assembles a doctree (the
whole book, or one document with the worksheets its toctree holds) and writes it through the one
print template with a body class for its mode; a book is written as pieces (pieces.py). Then
every PDF, once per paper size, is a job for the rendering processes (pool.py), which reuse
whatever an earlier build rendered from the same HTML (cache.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx import addnodes
from sphinx._cli.util.colour import darkgreen
from sphinx.builders.singlehtml import SingleFileHTMLBuilder
from sphinx.environment.adapters.toctree import global_toctree_for_doc
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.display import progress_message
from sphinx.util.nodes import inline_all_toctrees
from sphinx.writers.html5 import HTML5Translator

from ..confcheck import setting_location
from ..config import pdf_subtitle
from ..images import shrink_copies
from ..organiser import GridScopeMixin
from ..report import is_lesson_doc
from ..translator import CitationRoleMixin
from .answers import Worksheet, collect_answer_key, exercise_labels, label_exercises
from .cache import RenderCache, code_salt, resources_digest
from .contents import fix_contents_references, prune_contents
from .handout import add_writing_lines, keep_questions_only, unlink_missing
from .ids import fix_references, make_ids_unique
from .jobs import Job
from .outputs import Output, parse_outputs
from .pieces import split_book
from .pool import job_count, run_jobs
from .quizpaper import drop_quizzes, keep_quizzes_only, make_paper
from .render import PAPER_SIZES

if TYPE_CHECKING:
    from collections.abc import Set

    from docutils import nodes
    from docutils.nodes import Element
    from sphinx.builders import Builder

logger = logging.getLogger(__name__)
THEME = "lessonpack-print"


class PrintTranslator(GridScopeMixin, CitationRoleMixin, HTML5Translator):
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
        # Lessons get a class of their own: the full pack starts each on a right-hand page.
        lesson = " lp-lesson-chapter" if is_lesson_doc(self.builder.env, node["docname"]) else ""
        self.body.append(f'<div class="lp-chapter{lesson}" id="document-{node["docname"]}">\n')

    def depart_start_of_file(self, node: Element) -> None:
        self.body.append("</div>\n")
        self.section_level = self._saved_levels.pop()
        self.docnames.pop()


@dataclass
class Page:
    """One output's HTML, written for WeasyPrint, and the PDFs (per paper size) made from it.

    A book is written as pieces (``pieces``: one HTML file each, ``recto``: whether each starts
    on a right-hand page); a pack or handout is the one file ``html``.
    """

    output: Output
    docname: str
    title: str
    html: Path
    targets: dict[str, Path] = field(default_factory=dict)
    pieces: list[Path] = field(default_factory=list)
    recto: list[bool] = field(default_factory=list)


class PdfBuilder(SingleFileHTMLBuilder):
    """Writes every output of ``lessonpack_pdf_outputs`` for this edition, per paper size."""

    name = "lessonpdf"
    epilog = __("The PDF files are in %(outdir)s.")
    default_translator_class = PrintTranslator
    search = False
    copysource = False
    _id_map: dict[tuple[str, str], str]
    _current: Page | None = None
    _piece: int = 0  # which piece of a book is being written (0: the front)
    _worksheets: list[Worksheet]
    _answer_key = ""
    _labels: dict[tuple[str, int], str]

    def get_theme_config(self) -> tuple[str, dict[str, Any]]:
        return THEME, {}

    def init(self) -> None:
        super().init()
        self.pages: list[Page] = []
        self._worksheets = []
        unknown = [p for p in self.config.lessonpack_pdf_papers if p not in PAPER_SIZES]
        if unknown:
            logger.warning(
                "unknown paper size(s) %s; known: %s",
                ", ".join(unknown),
                ", ".join(PAPER_SIZES),
                location=setting_location(self.confdir, "lessonpack_pdf_papers"),
                type="lessonpack",
                subtype="config",
            )
        try:
            self.outputs = parse_outputs(self.config)
        except ValueError as err:
            where = setting_location(self.confdir, "lessonpack_pdf_outputs")
            logger.warning("%s", err, location=where, type="lessonpack", subtype="config")
            self.outputs = []

    def assemble_doctree(self) -> nodes.document:
        tree = super().assemble_doctree()
        return self._finish_tree(tree, self.config.root_doc, "book")

    def assemble_document(self, docname: str, mode: str, version: str = "") -> nodes.document:
        """One document and the documents its toctrees hold, as one tree (a pack or handout);
        a quiz paper: the document's quizzes as ``version``."""
        tree = self.env.get_doctree(docname)
        if mode == "handout":
            keep_questions_only(tree)
        if mode == "quiz":
            keep_quizzes_only(tree)
        tree = inline_all_toctrees(self, set(), docname, tree, darkgreen, [docname])
        if mode == "handout":
            drop_quizzes(tree)
        if mode == "quiz" and make_paper(tree, version):
            logger.warning(
                "lessonpack_pdf_outputs: a quiz of %s has no version %s",
                docname,
                version,
                type="lessonpack",
                subtype="config",
            )
        tree["docname"] = docname
        self.env.resolve_references(tree, docname, self)
        # Wrapped like an inlined document, so the pack's first page is a chapter as in the book.
        wrapper = addnodes.start_of_file(docname=docname)
        wrapper.extend(list(tree.children))
        tree.clear()
        tree += wrapper
        return self._finish_tree(tree, docname, mode)

    def _finish_tree(self, tree: nodes.document, docname: str, mode: str) -> nodes.document:
        self._id_map = make_ids_unique(tree, docname)
        fix_references(tree, docname, self._id_map)
        self._worksheets = label_exercises(tree, docname, self._labels)
        # A book is laid out in pieces, in order: its exercises cannot show the page of an
        # answer-key entry further on, so they say where the key is instead.
        self._answer_key = collect_answer_key(tree, numbered=mode != "book")
        if mode in ("handout", "quiz"):
            add_writing_lines(tree)
        if mode != "book":
            unlink_missing(tree)
        return tree

    def write_documents(self, _docnames: Set[str]) -> None:
        # Sphinx keeps every document it read in this run, as nodes, for the writers that ask
        # for them one by one; this builder reads the pickles instead (one tree at a time), so
        # the nodes would only hold memory (hundreds of MB for a book of 64 lessons).
        self.env._write_doc_doctree_cache.clear()
        self.prepare_writing(self.env.all_docs.keys())
        self.env.toc_secnumbers = self.assemble_toc_secnumbers()
        self.env.toc_fignumbers = self.assemble_toc_fignumbers()
        order = self._book_order()
        self._labels = exercise_labels((d, self.env.get_doctree(d)) for d in order)
        for output in self.outputs:
            docs = [self.config.root_doc]
            if output.mode != "book":
                docs = [d for d in order if output.matches(d)]
                if not docs:
                    logger.warning(
                        "lessonpack_pdf_outputs: no document matches %s",
                        ", ".join(output.documents),
                        type="lessonpack",
                        subtype="config",
                    )
            for docname, version in [(d, v) for d in docs for v in self._versions(output, d)]:
                with progress_message(__("assembling %s %s") % (output.mode, docname)):
                    tree = (
                        self.assemble_doctree()
                        if output.mode == "book"
                        else self.assemble_document(docname, output.mode, version)
                    )
                title = self.env.titles[docname].astext() if output.mode != "book" else ""
                if version:
                    title = f"{title}, version {version}"
                page = Page(output, docname, title, Path(self.outdir) / f"_{output.mode}")
                if output.mode != "book":
                    name = f"{docname}-{version}" if version else docname
                    page.html = Path(self.outdir) / f"_{output.mode}" / f"{name}.html"
                self._current = page
                self.write_doc_serialized(docname, tree)  # images are copied from here
                if output.mode == "book":
                    self._write_pieces(page, docname, tree)
                else:
                    self.write_doc(docname, tree)
                self._current = None
                page.targets = {
                    paper: Path(self.outdir) / output.filename(self.config, paper, docname, version)
                    for paper in self.config.lessonpack_pdf_papers
                    if paper in PAPER_SIZES
                }
                self.pages.append(page)

    def _versions(self, output: Output, docname: str) -> list[str]:
        """A quiz paper's versions (those of the document's quizzes); one unnamed otherwise."""
        if output.mode != "quiz":
            return [""]
        from ..quiz import quiz

        found = sorted(
            {v for q in self.env.get_doctree(docname).findall(quiz) for v in q["versions"]}
        )
        if not found:
            logger.warning(
                "lessonpack_pdf_outputs: %s holds no {quiz}",
                docname,
                type="lessonpack",
                subtype="config",
            )
        return found

    def _write_pieces(self, page: Page, docname: str, tree: nodes.document) -> None:
        """Write a book as one HTML file per piece (pieces.py), in reading order."""
        pieces = split_book(tree, lambda doc: is_lesson_doc(self.env, doc))
        folder = page.html
        for index, piece in enumerate(pieces):
            self._piece = index
            page.html = folder / f"{index:03d}.html"
            self.write_doc(docname, piece.tree)
            page.pieces.append(page.html)
            page.recto.append(piece.recto)
        self._piece = 0

    def _book_order(self) -> list[str]:
        """Every document in reading order (the root's toctrees, depth first)."""
        order: list[str] = []

        def visit(doc: str) -> None:
            if doc in order:
                return
            order.append(doc)
            for child in self.env.toctree_includes.get(doc, []):
                visit(child)

        visit(self.config.root_doc)
        return order

    def get_output_path(self, page_name: str) -> Path:
        # Every output is written aside, one folder per mode (a book's pieces in _book/).
        if self._current is not None:
            return self._current.html
        return super().get_output_path(page_name)

    def get_doc_context(self, docname: str, body: str, metatags: str) -> dict[str, Any]:
        context = super().get_doc_context(docname, body, metatags)
        page = self._current
        mode = page.output.mode if page else "book"
        context["mode"] = mode
        context["pdf_title"] = page.title if page else ""
        context["author"] = self.config.author
        context["edition"] = self.config.lessonpack_edition
        context["subtitle"] = pdf_subtitle(self.config)
        context["worksheets"] = self._worksheets
        context["answer_key"] = self._answer_key
        context["front"] = self._piece == 0
        if mode != "book" or self._piece != 0:
            return context
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
        return context

    def copy_image_files(self) -> None:
        super().copy_image_files()
        shrink_copies(self)  # very large images scaled down for print (images.py)

    def finish(self) -> None:
        super().finish()
        self.render_all()

    def render_all(self) -> None:
        """Every PDF of this build, on every core; WeasyPrint's warnings become Sphinx's."""
        root = Path(self.outdir)
        cache = Path(self.doctreedir) / "lessonpack-pdf"
        salt = code_salt() + resources_digest(root)
        jobs = []
        for page in self.pages:
            files = page.pieces or [page.html]
            for paper, target in page.targets.items():
                jobs.append(
                    Job(
                        root=str(root),
                        pieces=tuple(str(f.relative_to(root)) for f in files),
                        paper=paper,
                        target=str(target),
                        cache=str(cache),
                        salt=salt,
                        recto=tuple(page.recto),
                    )
                )
        processes = job_count(self.config.lessonpack_pdf_jobs)
        logger.info("rendering %d PDFs in %d process(es)", len(jobs), processes)
        keys: set[str] = set()
        for outcome in run_jobs(jobs, processes):
            keys |= outcome.keys
            name = Path(outcome.target).relative_to(root)
            logger.info(
                "%s: %d pages (%d laid out, %d reused)",
                name,
                outcome.pages,
                outcome.rendered,
                outcome.reused,
            )
            for where, message in outcome.warnings:
                logger.warning(
                    "WeasyPrint: %s",
                    message,
                    location=where,
                    type="lessonpack",
                    subtype="weasyprint",
                )
        if jobs:
            RenderCache(cache, salt).prune(keys)
