"""WeasyPrint, one HTML page at a time: local files only, stylesheets parsed once per process.

This module runs in the rendering processes (pool.py) and knows nothing of Sphinx: warnings
are collected and handed back, and the builder turns them into Sphinx warnings.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import html as html_lib
import logging
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# A made-up origin: the PDF never records where on disk it was built, and nothing is fetched
# from anywhere but the build folder.
BASE_URL = "https://book.invalid/"

PAPER_SIZES = {"a4": "A4", "letter": "letter", "a5": "A5", "slide": "960pt 540pt"}  # slide: 16:9

# The stylesheet links the print template writes, one per line.
_LINK = re.compile(r'<link rel="stylesheet" href="([^"]+)">\n?')


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


class Styles:
    """The stylesheets of one build folder, parsed once per process and reused for every page.

    Parsing the print and component stylesheets (and registering their fonts) costs about as
    much as laying out a few pages, so a process rendering many pieces parses them once. They
    are keyed by content, so a later build with changed styles never reuses stale ones.
    """

    _by_root: dict[str, Styles] = {}  # noqa: RUF012 (one per process)

    def __init__(self, root: Path) -> None:
        from weasyprint.text.fonts import FontConfiguration

        self.root = root
        self.fetcher = make_fetcher(root)
        self.fonts = FontConfiguration()
        self._sheets: dict[tuple[str, str], Any] = {}

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

        key = ("", css)
        if key not in self._sheets:
            self._sheets[key] = CSS(string=css, font_config=self.fonts)
        return self._sheets[key]


def page_css(paper: str, first_page: int = 1) -> str:
    """The paper size, and the number of the first page when a piece does not start a book."""
    css = f"@page {{ size: {PAPER_SIZES[paper]}; }}"
    if first_page != 1:
        css += f"\n@page :first {{ counter-reset: page {first_page}; }}"
    return css


def render_html(
    root: Path, text: str, paper: str, target: Path, first_page: int = 1, identifier: str = ""
) -> Rendered:
    """Lay out one page of HTML and write it as tagged PDF/UA-1.

    Sphinx's single-page builders write resource links relative to the output root wherever
    the page itself lands, so the root is the base URL.
    """
    from weasyprint import HTML

    from .tagfix import fix_pdf

    styles = Styles.of(root)
    sheets = []

    def parse_once(link: re.Match[str]) -> str:
        # A stylesheet of the build is parsed once per process; any other link is left for
        # WeasyPrint to refuse (the fetcher serves the build's own files only).
        href = html_lib.unescape(link.group(1))
        if "://" in href or not (root / href.split("?")[0]).is_file():
            return link.group(0)
        sheets.append(styles.sheet(href))
        return ""

    text = _LINK.sub(parse_once, text)
    sheets.append(styles.text(page_css(paper, first_page)))
    with collected_logs() as warnings:
        document = HTML(string=text, base_url=BASE_URL, url_fetcher=styles.fetcher).render(
            stylesheets=sheets, font_config=styles.fonts
        )
        anchors: dict[str, int] = {}
        for number, page in enumerate(document.pages):
            for name in page.anchors:
                anchors.setdefault(name, number)
        target.parent.mkdir(parents=True, exist_ok=True)
        document.write_pdf(
            target, pdf_variant="pdf/ua-1", pdf_identifier=(identifier or target.name).encode()
        )
        fix_pdf(target)  # the PDF/UA tagging WeasyPrint leaves undone (tagfix.py)
        result = Rendered(len(document.pages), anchors, list(warnings))
    del document
    gc.collect()  # the page boxes of a long piece are large: free them before the next
    return result
