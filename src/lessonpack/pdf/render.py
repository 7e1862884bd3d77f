"""WeasyPrint, one HTML page at a time: local files only, stylesheets parsed once per process.

This module runs in the rendering processes (pool.py) and knows nothing of Sphinx: warnings
are collected and handed back, and the builder turns them into Sphinx warnings.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import mimetypes
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# A made-up origin: the PDF never records where on disk it was built, and nothing is fetched
# from anywhere but the build folder.
BASE_URL = "https://book.invalid/"

PAPER_SIZES = {"a4": "A4", "letter": "letter", "a5": "A5", "slide": "960pt 540pt"}  # slide: 16:9
# The pseudo-elements whose text is the stylesheet's, not the link's words (leaders, page numbers).
_PSEUDO = ("::before", "::after", "::marker")
# Python's cycle collector during a layout: WeasyPrint makes boxes by the hundred thousand, and
# at the default thresholds (700 new objects) a collection ran every few milliseconds, each
# walking every box alive: a third of a piece's CPU. Collected this rarely, a 28-page piece
# runs a handful of collections; its garbage is freed at the end of each render, as before.
LAYOUT_GC_THRESHOLD = (50_000, 20, 100)


def make_fetcher(root: Path):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):
        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if not url.startswith(BASE_URL):
                raise ValueError(f"refusing to fetch {url}: the book may only use its own files")
            path = (root / url.removeprefix(BASE_URL).split("#")[0].split("?")[0]).resolve()
            if root.resolve() not in path.parents or not path.is_file():
                raise ValueError(f"no such file in the build: {url}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    return LocalFetcher()


class _Collect(logging.Handler):
    """Keeps WeasyPrint's warnings and errors, to be reported by the builder (-W fails on them)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def collected_logs() -> Iterator[list[str]]:
    wp_logger = logging.getLogger("weasyprint")
    handler = _Collect()
    wp_logger.addHandler(handler)
    old_propagate = wp_logger.propagate
    wp_logger.propagate = False
    try:
        yield handler.messages
    finally:
        wp_logger.removeHandler(handler)
        wp_logger.propagate = old_propagate


@dataclass
class Rendered:
    """What one render produced: its page count, the page of every anchor, any warnings."""

    pages: int
    anchors: dict[str, int] = field(default_factory=dict)  # id -> 0-based page in this PDF
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"pages": self.pages, "anchors": self.anchors, "warnings": self.warnings}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rendered:
        return cls(data["pages"], data["anchors"], data["warnings"])


# Sheets given as text that a rendering process keeps: the paper's sheets recur for every
# handout, a piece's own page numbers never do.
TEXT_SHEETS_KEPT = 8


class Styles:
    """The stylesheets of one build folder, parsed once per process and reused for every page.

    Parsing the print and component stylesheets (and registering their fonts) costs about as
    much as laying out a few pages, so a process rendering many pieces parses them once. They
    are keyed by content, so a later build with changed styles never reuses stale ones. Sheets
    given as text (the paper and first page number, the page numbers a piece shows) differ
    from piece to piece of a book: only the last :data:`TEXT_SHEETS_KEPT` are kept (all of them
    were: a rendering process grew by every piece it laid out, 24 MB more at 128 lessons than
    at 64).
    """

    _by_root: dict[str, Styles] = {}  # noqa: RUF012 (one per process)

    def __init__(self, root: Path) -> None:
        from weasyprint.text.fonts import FontConfiguration

        self.root = root
        self.fetcher = make_fetcher(root)
        self.fonts = FontConfiguration()
        self._sheets: dict[tuple[str, str], Any] = {}
        self._texts: OrderedDict[str, Any] = OrderedDict()  # the least recently used first

    @classmethod
    def of(cls, root: Path) -> Styles:
        key = str(root.resolve())
        if key not in cls._by_root:
            cls._by_root[key] = cls(root)
        return cls._by_root[key]

    def sheet(self, href: str) -> Any:
        from weasyprint import CSS

        path = self.root / href.split("?")[0]
        data = path.read_bytes()
        key = (href, hashlib.sha256(data).hexdigest())
        if key not in self._sheets:
            self._sheets[key] = CSS(
                string=data.decode("utf-8"),
                base_url=BASE_URL + href,
                url_fetcher=self.fetcher,
                font_config=self.fonts,
            )
        return self._sheets[key]

    def text(self, css: str) -> Any:
        from weasyprint import CSS

        sheet = self._texts.pop(css, None)
        if sheet is None:
            sheet = CSS(string=css, font_config=self.fonts)
        self._texts[css] = sheet
        if len(self._texts) > TEXT_SHEETS_KEPT:
            self._texts.popitem(last=False)
        return sheet


def page_css(paper: str, first_page: int = 1) -> str:
    """The paper size, and the number of the first page when a piece does not start a book."""
    css = f"@page {{ size: {PAPER_SIZES[paper]}; }}"
    if first_page != 1:
        css += f"\n@page :first {{ counter-reset: page {first_page}; }}"
    return css


def link_words(box: Any) -> str:
    """The words of a link as the reader sees them, without what the stylesheet adds.

    Read from the link's element, so a link broken across lines or pages is named whole in
    each of its annotations; from its boxes (pseudo-elements left out) if it has none.
    """
    element = getattr(box, "element", None)
    if element is not None and hasattr(element, "itertext"):
        return " ".join("".join(element.itertext()).split())
    words: list[str] = []

    def walk(node: Any) -> None:
        if node.element_tag.endswith(_PSEUDO):
            return
        text = getattr(node, "text", None)
        if isinstance(text, str):
            words.append(text)
        for child in getattr(node, "children", ()):
            walk(child)

    walk(box)
    return " ".join("".join(words).split())


def one_annotation_per_link(page: Any) -> list[tuple[Any, str]]:
    """Keep one link annotation per link of ``page``; return each kept link's box and words.

    WeasyPrint hands a link down to every box inside it (the ``<span>`` Sphinx writes in an
    ``<a>``, the ``::after`` that shows a page number), and each would get an annotation of
    its own with the same rectangle and target, outside the link's structure element: a
    screen reader or the Tab key would meet the link twice.
    """
    inner: set[int] = set()
    for *_, box in page.links:
        for below in box.descendants():
            # A box below a link repeats it, unless it is a link of its own.
            if below is not box and getattr(below, "link", None) in (None, box.link):
                inner.add(id(below))
    page.links[:] = [link for link in page.links if id(link[3]) not in inner]
    return [(link[3], link_words(link[3])) for link in page.links]


def lay_out(
    root: Path,
    text: str,
    paper: str,
    first_page: int = 1,
    *,
    stylesheets: Iterable[str] = (),
    css: str = "",
) -> Any:
    """WeasyPrint's laid-out document of one page of HTML, with the build's stylesheets."""
    from weasyprint import HTML

    styles = Styles.of(root)
    sheets = [styles.sheet(href) for href in stylesheets]
    sheets.append(styles.text(page_css(paper, first_page)))
    if css:
        sheets.append(styles.text(css))
    return HTML(string=text, base_url=BASE_URL, url_fetcher=styles.fetcher).render(
        stylesheets=sheets, font_config=styles.fonts
    )


@contextlib.contextmanager
def rare_collections() -> Iterator[None]:
    """Python's cycle collector at :data:`LAYOUT_GC_THRESHOLD` for a render, then as it was."""
    before = gc.get_threshold()
    gc.set_threshold(*LAYOUT_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def render_html(
    root: Path,
    text: str,
    paper: str,
    target: Path,
    first_page: int = 1,
    identifier: str = "",
    *,
    stylesheets: Iterable[str] = (),
    css: str = "",
    elsewhere: Iterable[str] = (),
) -> Rendered:
    """Lay out one page of HTML and write it as tagged PDF/UA-1.

    ``stylesheets`` are the build's files (paths from the root, parsed once per process), ``css``
    is more of them as text (the paper, page numbers of other pieces). ``elsewhere`` names the
    anchors of other pieces of the same book that this page links to: each link is written as a
    link to the named destination, which the merge finds in the piece that holds it.
    """
    with collected_logs() as warnings, rare_collections():
        document = lay_out(root, text, paper, first_page, stylesheets=stylesheets, css=css)
        anchors: dict[str, int] = {}
        for number, page in enumerate(document.pages):
            for name in page.anchors:
                anchors.setdefault(name, number)
        links = [one_annotation_per_link(page) for page in document.pages]
        # WeasyPrint drops a link to an anchor it has not laid out: each anchor of another
        # piece stands on the first page while links are resolved, and leaves the piece's
        # name tree before it is written.
        foreign = sorted(set(elsewhere) - set(anchors))
        if document.pages:
            document.pages[0].anchors.update((name, (0, 0, 0, 0)) for name in foreign)

        def finish(_document: Any, pdf: Any, links: list = links) -> None:
            import pydyf

            for page_links in links:
                for box, words in page_links:
                    annotation = getattr(box, "link_annotation", None)
                    if annotation is not None and words:
                        annotation["Contents"] = pydyf.String(words)
            dests = pdf.catalog.get("Names", {}).get("Dests")
            if dests is not None and foreign:
                names = dests["Names"]
                gone = set(foreign)
                kept = pydyf.Array()
                for index in range(0, len(names), 2):
                    if names[index].string not in gone:
                        kept.extend(names[index : index + 2])
                dests["Names"] = kept

        target.parent.mkdir(parents=True, exist_ok=True)
        # Written uncompressed: tagfix.py saves it again with qpdf, which compresses every
        # stream and makes the object streams; pydyf's own (in Python) were undone at once.
        document.write_pdf(
            target,
            pdf_variant="pdf/ua-1",
            pdf_identifier=(identifier or target.name).encode(),
            finisher=finish,
            uncompressed_pdf=True,
        )
        from .tagfix import fix_pdf

        fix_pdf(target)  # the PDF/UA tagging WeasyPrint leaves undone (tagfix.py)
        result = Rendered(len(document.pages), anchors, list(warnings))
    del document, finish, links
    gc.collect()  # the page boxes of a long piece are large: free them before the next
    return result
