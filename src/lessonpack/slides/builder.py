"""The ``lessonslides`` builder: for each lesson, a 16:9 PDF deck and an editable PowerPoint
deck, from this edition's doctrees (a student deck never reads teacher text).

Each lesson's doctree, with the worksheets its toctree holds (for its exit ticket), becomes a
:class:`~.model.Deck`; ``html.py`` writes it as one page for WeasyPrint (``pdf/render.py``: tagged
PDF/UA-1, fonts embedded, a bookmark per slide group) and ``pptx.py`` as PowerPoint. The files go
to ``slides/<lesson>-<edition>.pdf`` and ``.pptx`` below the output folder, recorded for
publishing (records.py) as the format ``slides``. A deck whose inputs did not change since a
build that ended well is copied from there (``kept.py``), not made again.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.builders import Builder
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.display import progress_message
from sphinx.util.nodes import inline_all_toctrees

from ..doctreefiles import write_without_keeping
from ..pdf.cache import PageCache
from ..records import failed
from ..report import is_lesson_doc
from ..typography import for_config
from . import figures, fontfaces
from .directive import BUILDER
from .html import STYLES, deck_html, overflowing, pages
from .kept import DeckStore
from .model import Deck, Slide, build_deck, key_terms
from .pptx import write_pptx

if TYPE_CHECKING:
    from collections.abc import Iterable, Set

    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)
CSS = Path(__file__).with_name("slides.css")


def _plain(text: str) -> str:
    """Sphinx's progress colour for inlined documents: none (the decks' log is plain)."""
    return text


class SlidesBuilder(Builder):
    name = BUILDER
    format = "slides"
    epilog = __("The slide decks are in %(outdir)s/slides.")
    allow_parallel = False
    _font = "serif"  # the body family named in the PowerPoint file
    _cjk = ""  # the family for Chinese, Japanese and Korean text, if the book has one
    # What pdf.reuse.build_key reads of an HTML builder's context: a deck links no stylesheet
    # or script (they are handed to WeasyPrint, and hashed with the package).
    globalcontext: dict[str, Any] = {}  # noqa: RUF012 - read only
    decks: DeckStore | None = None

    def init(self) -> None:
        self.targets: list[Path] = []
        self._definitions: dict[str, nodes.document] = {}
        # Decks and figure PNGs kept by what they are made of: an edit lays out changed decks.
        code = [Path(__file__).with_name("figures.py")]
        self.renders = PageCache(Path(self.doctreedir) / "lessonpack-pdf", code)

    def get_outdated_docs(self) -> Iterable[str]:
        return self.env.found_docs  # every deck is written again; reading stays incremental

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        return ""  # a deck holds no links: references keep their words

    def prepare_writing(self, docnames: Set[str]) -> None:
        pass

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        pass

    def write_doctree(self, docname: str, doctree: nodes.document, **_kw: Any) -> None:
        # Sphinx would keep every document read in this run as nodes for the writers; the decks
        # read the pickles one at a time instead, so the nodes would only hold memory.
        write_without_keeping(self, docname, doctree)

    def write_documents(self, _docnames: Set[str]) -> None:
        root = Path(self.outdir)
        config = self.config
        faces = fontfaces.faces(
            Path(self.confdir), config.lessonpack_fonts, config.lessonpack_cache_dir
        )
        (root / "_static").mkdir(parents=True, exist_ok=True)
        fontfaces.write_css(faces, root / "_static")
        shutil.copyfile(CSS, root / STYLES[1])
        self._font = faces[0].family if faces else "serif"
        self._cjk = next((f.family for f in faces if f.family != self._font), "")
        self.decks = DeckStore(self, [face.path for face in faces])
        for docname in sorted(d for d in self.env.found_docs if is_lesson_doc(self.env, d)):
            with progress_message(__("slides %s") % docname):
                self._keep_or_write_deck(root, docname)

    def _keep_or_write_deck(self, root: Path, docname: str) -> None:
        """The lesson's decks copied from an earlier build with the same inputs, or made."""
        assert self.decks is not None
        edition = self.config.lessonpack_edition
        base = docname.rsplit("/", 1)[-1]
        files = {s: root / "slides" / f"{base}-{edition}{s}" for s in (".pdf", ".pptx")}
        key = self.decks.key(docname)
        kept = self.decks.get(key, files)
        if kept is not None:
            self.targets += [files[".pdf"], files[".pptx"]]
            logger.info("%s: %d slides (kept)", base, kept["slides"])
            return
        count = self._write_deck(root, docname)
        self.decks.stage(key, files, {"slides": count})

    def _write_deck(self, root: Path, docname: str) -> int:
        """One lesson's two decks: the PDF (checked slide by slide) and the PowerPoint file;
        the number of slides."""
        edition = self.config.lessonpack_edition
        teacher = edition == "teacher"
        deck = self._deck(docname)
        base = docname.rsplit("/", 1)[-1]
        pdf = root / "slides" / f"{base}-{edition}.pdf"
        pptx = root / "slides" / f"{base}-{edition}.pptx"
        pictures = self._pictures(deck, root)

        def image_uri(slide: Slide) -> str:
            return pictures[slide.figure.path].as_posix() if slide.figure else ""

        text = deck_html(deck, self.config.language or "en", image_uri, teacher)
        html_file = root / "_deck" / f"{base}.html"
        html_file.parent.mkdir(parents=True, exist_ok=True)
        html_file.write_text(text, encoding="utf-8")
        # The stylesheets are handed to WeasyPrint (parsed once per process), never linked.
        rendered = self.renders.render(root, text, "slide", pdf, pdf.name, STYLES)
        self._check_pages(deck, rendered.pages, rendered.anchors, teacher, docname)
        for message in rendered.warnings:
            logger.warning(
                "WeasyPrint: %s", message, location=docname, type="lessonpack", subtype="weasyprint"
            )
        epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))
        write_pptx(deck, pptx, self._font, self._cjk, self._picture, teacher, epoch)
        self.targets += [pdf, pptx]
        logger.info("%s: %d slides", base, len(deck.slides))
        return len(deck.slides)

    def _deck(self, docname: str) -> Deck:
        tree = self.env.get_doctree(docname)
        tree = inline_all_toctrees(self, set(), docname, tree, _plain, [docname])
        terms = key_terms(tree)
        self.env.resolve_references(tree, docname, self)
        return build_deck(
            tree,
            terms,
            docname,
            self.config.project,
            self.config.lessonpack_edition,
            self._definition,
            self._image_path,
            self._warn,
            self._typeset,
        )

    def _typeset(self, text: str) -> str:
        """Text smartquotes never saw, set as the text it read (``typography.for_config``)."""
        return for_config(self.config)(text)

    def _warn(self, message: str, node: nodes.Node) -> None:
        logger.warning(message, location=node, type="lessonpack", subtype="slides")

    def _image_path(self, image: nodes.image) -> Path | None:
        """The image's file; a graphic's slide-sized variant where it has one (graphics.py)."""
        uri = (
            image.get("slide_image") or image.get("candidates", {}).get("*") or image.get("uri", "")
        )
        if not uri or "://" in uri:
            return None
        path = Path(self.srcdir) / uri
        return path if path.is_file() else None

    def _definition(self, term: str) -> nodes.Element | None:
        """A glossary term's definition (the std domain knows where each term is)."""
        std = self.env.domains.standard_domain
        found = std.objects.get(("term", term)) or next(
            (
                where
                for (kind, name), where in sorted(std.objects.items())
                if kind == "term" and name.lower() == term.lower()
            ),
            None,
        )
        if not found:
            return None
        docname, labelid = found
        if docname not in self._definitions:
            self._definitions[docname] = self.env.get_and_resolve_doctree(
                docname, self, tags=self.tags
            )
        for item in self._definitions[docname].findall(nodes.definition_list_item):
            if any(labelid in t.get("ids", []) for t in item.findall(nodes.term)):
                return next(iter(item.findall(nodes.definition)), None)
        return None

    def _pictures(self, deck: Deck, root: Path) -> dict[Path, Path]:
        """Each figure's file copied into the build, by its source path -> path from root."""
        out: dict[Path, Path] = {}
        for slide in deck.slides:
            if slide.figure is not None and slide.figure.path not in out:
                name = Path("_images") / slide.figure.path.name
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(slide.figure.path, root / name)
                out[slide.figure.path] = name
        return out

    def _check_pages(
        self, deck: Deck, count: int, anchors: dict[str, int], teacher: bool, docname: str
    ) -> None:
        """Every slide on a page of its own: slide N on page N, none running over."""
        shown = pages(deck, teacher)
        number = overflowing(len(shown), count, anchors)
        if number is not None:
            logger.warning(
                "slide %d (%r) does not fit on one page: shorten it or split it with {slide}",
                number,
                shown[number - 1][0].title,
                location=docname,
                type="lessonpack",
                subtype="slides",
            )

    def _picture(self, slide: Slide) -> bytes | None:
        if slide.figure is None:
            return None
        path = slide.figure.path
        data = path.suffix.encode() + b"\0" + path.read_bytes()
        return self.renders.blob(data, ".png", lambda: figures.png(path) or b"") or None

    def finish(self) -> None:
        self.renders.prune()


def keep_decks(app: Sphinx, exception: Exception | None) -> None:
    """build-finished: the decks made now kept for the next build, if this one ended well."""
    decks = getattr(app.builder, "decks", None)
    if isinstance(decks, DeckStore) and exception is None and not failed(app):
        decks.commit()
        decks.prune()
