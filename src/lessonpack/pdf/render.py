"""WeasyPrint, in-process: local files only, its warnings forwarded to Sphinx."""

from __future__ import annotations

import contextlib
import logging
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING

from sphinx.util import logging as sphinx_logging

if TYPE_CHECKING:
    from collections.abc import Iterator

logger = sphinx_logging.getLogger(__name__)

# A made-up origin: the PDF never records where on disk it was built, and nothing is fetched
# from anywhere but the build folder.
BASE_URL = "https://book.invalid/"

PAPER_SIZES = {"a4": "A4", "letter": "letter", "a5": "A5"}


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


class _Forward(logging.Handler):
    """Turns a WeasyPrint warning or error into a Sphinx warning, so -W fails the build."""

    def __init__(self, location: str) -> None:
        super().__init__(level=logging.WARNING)
        self.location = location

    def emit(self, record: logging.LogRecord) -> None:
        logger.warning(
            "WeasyPrint: %s",
            record.getMessage(),
            location=self.location,
            type="lessonpack",
            subtype="weasyprint",
        )


@contextlib.contextmanager
def forwarded_logs(location: str) -> Iterator[None]:
    wp_logger = logging.getLogger("weasyprint")
    handler = _Forward(location)
    wp_logger.addHandler(handler)
    old_propagate = wp_logger.propagate
    wp_logger.propagate = False
    try:
        yield
    finally:
        wp_logger.removeHandler(handler)
        wp_logger.propagate = old_propagate


def render_pdfs(root: Path, page: str, targets: dict[str, Path]) -> dict[str, int]:
    """Lay out ``root/page`` once per paper size and write tagged PDF/UA-1; return page counts.

    Sphinx's single-page builders write resource links relative to the output root wherever
    the page itself lands, so the root is the base URL.
    """
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = make_fetcher(root)
    pages: dict[str, int] = {}
    with forwarded_logs(page):
        html = HTML(
            string=(root / page).read_text(encoding="utf-8"), base_url=BASE_URL, url_fetcher=fetcher
        )
        for paper, target in targets.items():
            fonts = FontConfiguration()
            size = CSS(string=f"@page {{ size: {PAPER_SIZES[paper]}; }}", font_config=fonts)
            document = html.render(stylesheets=[size], font_config=fonts)
            pages[paper] = len(document.pages)
            document.write_pdf(target, pdf_variant="pdf/ua-1", pdf_identifier=target.name.encode())
    return pages
