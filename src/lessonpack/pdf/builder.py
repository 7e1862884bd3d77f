"""The PDF builder: book, lesson packs and handouts as print-styled HTML, rendered by WeasyPrint.

One builder serves every PDF: each configured output (pdf/outputs.py) assembles a doctree (the
whole book, or one document with the worksheets its toctree holds) and writes it through the one
print template with a body class for its mode; a book is written as pieces (pieces.py). Then
every PDF, once per paper size, is a job for the rendering processes (pool.py), which reuse
whatever an earlier build rendered from the same HTML (cache.py).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx import addnodes
from sphinx.builders.singlehtml import SingleFileHTMLBuilder
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.display import progress_message
from sphinx.util.nodes import inline_all_toctrees
from sphinx.util.osutil import relative_uri
from sphinx.writers.html5 import HTML5Translator

from ..confcheck import setting_location
from ..config import pdf_subtitle
from ..doctreefiles import write_without_keeping
from ..images import shrink_copies
from ..organiser import GridScopeMixin
from ..records import failed
from ..report import is_lesson_doc
from ..translator import CitationRoleMixin, NumberRangeMixin
from .answers import Worksheet, collect_answer_key, exercise_labels, label_exercises
from .bookparts import Book, BookWriter, piece_name, scratch_folder, split_documents
from .cache import RenderCache, code_salt, resources_digest
from .handout import add_writing_lines, keep_questions_only, unlink_missing
from .ids import fix_references, make_ids_unique
from .jobs import Job
from .outputs import Output, parse_outputs
from .pieces import ids_in, mark_links
from .pool import job_count, run_jobs
from .progress import say
from .quizpaper import drop_quizzes, keep_quizzes_only, make_paper
from .render import PAPER_SIZES
from .reuse import OutputStore, build_key, images_of

if TYPE_CHECKING:
    from collections.abc import Set

    from docutils import nodes
    from docutils.nodes import Element
    from sphinx.application import Sphinx
    from sphinx.builders import Builder

logger = logging.getLogger(__name__)
THEME = "lessonpack-print"
JOBS_FILE = "pdf-jobs.json"  # beside the HTML, in the build folder (never published)


class PrintTranslator(NumberRangeMixin, GridScopeMixin, CitationRoleMixin, HTML5Translator):
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
        if node.get("continued"):
            # The chapter a piece continues (bookparts.split_documents): the chapter's element
            # again, for the stylesheet's nested-chapter rules, without its id or page side.
            self.body.append('<div class="lp-chapter">\n')
            return
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

    A book is written as pieces (pieces.py: one HTML file each, whether each starts on a
    right-hand page, the ids of other pieces it links to and shows the page of); a pack or
    handout is one piece.
    """

    output: Output
    docname: str
    title: str
    pieces: list[Path] = field(default_factory=list)
    targets: dict[str, Path] = field(default_factory=dict)
    recto: list[bool] = field(default_factory=list)
    links: list[tuple[str, ...]] = field(default_factory=list)
    shown: list[tuple[str, ...]] = field(default_factory=list)
    continues: list[bool] = field(default_factory=list)
    total: bool = False  # its pieces show the PDF's page count (a pack in pieces)


@dataclass
class Assembled:
    """An output's doctree, ready to write, with what its template shows beside it."""

    tree: nodes.document
    ids: dict[tuple[str, str], str]  # (document, id as read) -> id in this tree
    worksheets: list[Worksheet]
    answer_key: str  # the answer key's id, or "" without one


def _plain(text: str) -> str:
    return text


class PdfBuilder(SingleFileHTMLBuilder):
    """Writes every output of ``lessonpack_pdf_outputs`` for this edition, per paper size."""

    name = "lessonpdf"
    epilog = __("The PDF files are in %(outdir)s.")
    default_translator_class = PrintTranslator
    search = False
    copysource = False

    def get_theme_config(self) -> tuple[str, dict[str, Any]]:
        return THEME, {}

    def init(self) -> None:
        super().init()
        self.pages: list[Page] = []
        self.labels: dict[tuple[str, int], str] = {}
        self.kept: OutputStore | None = None
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

    def get_doc_context(self, docname: str, body: str, metatags: str) -> dict[str, Any]:
        """The single-page builder's page context without its ``toc``: that is the whole book's
        toctree, resolved and rendered for every piece written (time and memory growing with
        the book, for each of a number of pieces growing with it), and the print template
        never shows it (the contents are ``pdf_toc``, front.py)."""
        return {
            "parents": [],
            "prev": None,
            "next": None,
            "docstitle": None,
            "title": self.config.html_title,
            "meta": None,
            "body": body,
            "metatags": metatags,
            "rellinks": [],
            "sourcename": "",
            "toc": "",
            "display_toc": False,
        }

    def write_doctree(self, docname: str, doctree: nodes.document, **_kw: Any) -> None:
        # Sphinx would keep every document it read in this run, as nodes, for the writers that
        # ask for them one by one; this builder reads the pickles instead (one tree at a time),
        # so the nodes would only hold memory (hundreds of MB for a book of 64 lessons).
        write_without_keeping(self, docname, doctree)

    def assemble_document(self, docname: str, mode: str, version: str = "") -> Assembled:
        """One document and the documents its toctrees hold, as one tree (a pack or handout);
        a quiz paper: the document's quizzes as ``version``."""
        tree = self.env.get_doctree(docname)
        if mode == "handout":
            keep_questions_only(tree)
        if mode == "quiz":
            keep_quizzes_only(tree)
        tree = inline_all_toctrees(self, set(), docname, tree, _plain, [docname])
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

    def _finish_tree(self, tree: nodes.document, docname: str, mode: str) -> Assembled:
        id_map = make_ids_unique(tree, docname)
        fix_references(tree, docname, id_map)
        worksheets = label_exercises(tree, docname, self.labels)
        # A book is laid out in pieces, in order: its exercises cannot show the page of an
        # answer-key entry further on, so they say where the key is instead.
        answer_key = collect_answer_key(tree, numbered=mode != "book")
        if mode in ("handout", "quiz"):
            add_writing_lines(tree)
        if mode != "book":
            unlink_missing(tree)
        return Assembled(tree, id_map, worksheets, answer_key)

    def write_documents(self, _docnames: Set[str]) -> None:
        self.prepare_writing(self.env.all_docs.keys())
        self.env.toc_secnumbers = self.assemble_toc_secnumbers()
        self.env.toc_fignumbers = self.assemble_toc_fignumbers()
        order = self._book_order()
        self.labels = exercise_labels((d, self.env.get_doctree(d)) for d in order)
        # Packs, handouts and quiz papers made from what an earlier build made them from are
        # not assembled again: their HTML is kept (reuse.py).
        folder = Path(self.doctreedir) / "lessonpack-html"
        self.kept = OutputStore(folder, build_key(self, self.labels))
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
                if output.mode == "book":
                    page = Page(output, docname, "")
                    with progress_message(__("assembling the book, a piece at a time")):
                        BookWriter(self, page).write()
                    self._add_page(page, version)
                    continue
                if self._reuse(output, docname, version):
                    continue
                with progress_message(__("assembling %s %s") % (output.mode, docname)):
                    book = self.assemble_document(docname, output.mode, version)
                title = self.env.titles[docname].astext()
                if version:
                    title = f"{title}, version {version}"
                page = Page(output, docname, title)
                self.write_doc_serialized(docname, book.tree)  # images are copied from here
                html = self._html_path(output, docname, version)
                record: dict[str, Any] = {
                    "title": title,
                    "images": images_of(book.tree, self.images),
                }
                key = self.kept.key(self, output.mode, docname, version)
                if output.mode == "pack" and self.config.lessonpack_pdf_pack_pieces:
                    record["pieces"] = self._write_pieces(page, book, html, key)
                else:
                    self.write_html(page, book, book.tree, html)
                    page.pieces.append(html)
                self.kept.stage(key, html, record)
                self._add_page(page, version)

    def _write_pieces(
        self, page: Page, book: Assembled, html: Path, key: str
    ) -> list[dict[str, Any]]:
        """A pack as a piece per document it ends with (bookparts.split_documents: a lesson's
        worksheet and quiz), so an edit lays out only the edited document's pages; each piece
        shows the pack's page count (``Page.total``). Returns what the kept record needs."""
        trees = split_documents(book.tree, book.tree)
        pieced = len(trees) > 1
        kept = []
        for number, (tree, continues) in enumerate(trees):
            name = piece_name(html, number)
            targets, shown = mark_links(tree, ids_in(tree)) if pieced else (set(), set())
            self.write_html(page, book, tree, name, pieced=pieced)
            if number:
                self.kept.stage(self.kept.derived(key, "piece", str(number)), name, {})
            links, shows = sorted(targets), sorted(shown)
            self._add_piece(page, name, links, shows, continues)
            kept.append({"links": links, "shown": shows, "continues": continues})
        page.total = pieced
        return kept if pieced else []

    @staticmethod
    def _add_piece(
        page: Page, name: Path, links: list[str], shown: list[str], continues: bool
    ) -> None:
        page.pieces.append(name)
        page.recto.append(False)
        page.links.append(tuple(links))
        page.shown.append(tuple(shown))
        page.continues.append(continues)

    def _html_path(self, output: Output, docname: str, version: str) -> Path:
        name = f"{docname}-{version}" if version else docname
        return Path(self.outdir) / f"_{output.mode}" / f"{name}.html"

    def _add_page(self, page: Page, version: str) -> None:
        page.targets = {
            paper: Path(self.outdir)
            / page.output.filename(self.config, paper, page.docname, version)
            for paper in self.config.lessonpack_pdf_papers
            if paper in PAPER_SIZES
        }
        self.pages.append(page)

    def _reuse(self, output: Output, docname: str, version: str) -> bool:
        """An output kept from an earlier build of the same inputs: its HTML written again."""
        key = self.kept.key(self, output.mode, docname, version)
        html = self._html_path(output, docname, version)
        record = self.kept.get(key, html)
        if record is None:
            return False
        page = Page(output, docname, record["title"])
        pieces = record.get("pieces", [])
        for number in range(1, len(pieces)):
            found = self.kept.derived(key, "piece", str(number))
            if self.kept.get(found, piece_name(html, number)) is None:
                return False
        self.images.update(record["images"])  # copied into _images as for an assembled tree
        if not pieces:
            page.pieces.append(html)
        for number, piece in enumerate(pieces):
            name = piece_name(html, number)
            self._add_piece(page, name, piece["links"], piece["shown"], piece["continues"])
        page.total = bool(pieces)
        self._add_page(page, version)
        logger.info("%s: HTML kept from an earlier build", html.name)
        return True

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

    def write_html(
        self, page: Page, book: Assembled | Book, tree: nodes.document, outfile: Path, **extra: Any
    ) -> None:
        """Write ``tree`` through the print template to ``outfile``."""
        docname = page.docname
        tree.settings = self.docsettings
        self.secnumbers = self.env.toc_secnumbers.get(docname, {})
        self.fignumbers = self.env.toc_fignumbers.get(docname, {})
        self.imgpath = relative_uri(self.get_target_uri(docname), "_images")
        self.dlpath = relative_uri(self.get_target_uri(docname), "_downloads")
        self.current_docname = docname
        visitor = self.create_translator(tree, self)
        tree.walkabout(visitor)
        context = self.get_doc_context(docname, "".join(visitor.fragment), "")
        context.update(
            mode=page.output.mode,
            pdf_title=page.title,
            author=self.config.author,
            edition=self.config.lessonpack_edition,
            subtitle=pdf_subtitle(self.config),
            worksheets=book.worksheets,
            answer_key=book.answer_key,
            front=False,
            elsewhere=set(),
            pieced=False,
        )
        context.update(extra)
        self.handle_page(docname, context, event_arg=tree, outfilename=outfile)

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

    def copy_image_files(self) -> None:
        super().copy_image_files()
        shrink_copies(self)  # very large images scaled down for print (images.py)

    def finish(self) -> None:
        super().finish()
        self.render_all()

    def _stylesheets(self) -> tuple[str, ...]:
        """The build's stylesheets, in the order a page would link them (paths from the root)."""
        found = []
        for css in self.globalcontext.get("css_files", []):
            name = str(getattr(css, "filename", css)).split("?")[0]
            if "://" not in name and (Path(self.outdir) / name).is_file():
                found.append(name)
            else:
                logger.warning(
                    "refusing to load stylesheet %s: the PDFs may only use files of the build",
                    name,
                    type="lessonpack",
                    subtype="weasyprint",
                )
        return tuple(found)

    def render_all(self) -> None:
        """Every PDF of this build, on every core; WeasyPrint's warnings become Sphinx's."""
        root = Path(self.outdir)
        cache = Path(self.doctreedir) / "lessonpack-pdf"
        salt = code_salt() + resources_digest(root)
        stylesheets = self._stylesheets()
        jobs = []
        for page in self.pages:
            for paper, target in page.targets.items():
                jobs.append(
                    Job(
                        root=str(root),
                        pieces=tuple(str(f.relative_to(root)) for f in page.pieces),
                        paper=paper,
                        target=str(target),
                        cache=str(cache),
                        salt=salt,
                        stylesheets=stylesheets,
                        recto=tuple(page.recto),
                        targets=tuple(page.links),
                        shown=tuple(page.shown),
                        continues=tuple(page.continues),
                        total=page.total,
                    )
                )
        # What each PDF is made of, for a person (or a test) to lay out a piece as the jobs do.
        record = [asdict(job) for job in jobs]
        (root / JOBS_FILE).write_text(json.dumps(record, indent=1, sort_keys=True), "utf-8")
        processes = min(job_count(self.config.lessonpack_pdf_jobs), max(len(jobs), 1))
        pieces = sum(len(job.pieces) for job in jobs)
        say(f"{len(jobs)} PDFs to write ({pieces} pieces), {processes} process(es)")
        keys: set[str] = set()
        outcomes = []
        for done, outcome in enumerate(run_jobs(jobs, processes), 1):
            keys |= outcome.keys
            outcomes.append(outcome)
            name = Path(outcome.target).relative_to(root)
            say(f"{done}/{len(jobs)} PDFs done, {processes} process(es)")
            logger.info(
                "%s: %d pages (%d laid out, %d reused)",
                name,
                outcome.pages,
                outcome.rendered,
                outcome.reused,
            )
            logger.info("%s: %d pages laid out", name, outcome.rendered_pages)
        # Warnings in the order of the jobs, however the processes finished.
        for outcome in sorted(outcomes, key=lambda o: o.target):
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
        if self.kept is not None:
            self.kept.prune()


def keep_outputs(app: Sphinx, exception: Exception | None) -> None:
    """build-finished: the outputs this build assembled are kept for the next (reuse.py), only
    if it ended without an error or a warning (a kept output must warn nothing when reused)."""
    builder = app.builder
    if not isinstance(builder, PdfBuilder) or builder.kept is None:
        return
    if exception is None and not failed(app):
        builder.kept.commit()
    shutil.rmtree(scratch_folder(builder), ignore_errors=True)
