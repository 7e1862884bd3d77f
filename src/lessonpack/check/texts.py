"""Text as readers meet it: extracted from PDF pages, EPUB and HTML files, normalised to compare."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from functools import cache
from pathlib import Path

from bs4 import BeautifulSoup
from pypdf import PdfReader

# Running heads and page numbers sit in the page margins; the body lies between these heights.
BODY_BOTTOM_PT = 55
BODY_TOP_MARGIN_PT = 50


def normalise(text: str) -> str:
    """Compare text however lines broke: NFKC, no white space, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


@cache
def pdf_pages(path: Path) -> tuple[str, ...]:
    """The body text of each page, without running heads and footers."""
    pages = []
    for page in PdfReader(path).pages:
        top = float(page.mediabox.height) - BODY_TOP_MARGIN_PT
        parts: list[str] = []

        def visit(text, cm, tm, font, size, parts=parts, top=top):
            y = cm[5] + tm[5] * cm[3]
            if BODY_BOTTOM_PT < y < top or not text.strip():
                parts.append(text)

        page.extract_text(visitor_text=visit)
        # List numbers and bullets come out as lines of their own, often at the end of a page.
        text = re.sub(r"(?m)^\s*(\d+\.|[•◦▪])\s*$", "", "".join(parts))
        pages.append(text)
    return tuple(pages)


def html_text(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text(" ")


def epub_texts(path: Path) -> dict[str, str]:
    """Every entry of an EPUB: markup as text, everything else decoded as it is."""
    out = {}
    with zipfile.ZipFile(path) as epub:
        for name in epub.namelist():
            data = epub.read(name).decode("utf-8", errors="replace")
            out[name] = html_text(data) if name.endswith((".xhtml", ".html")) else data
    return out


def site_texts(root: Path) -> dict[str, str]:
    """Every text file of a website: pages as visible text plus raw markup, scripts raw."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.suffix in {".html", ".js", ".css", ".json", ".txt", ".xml"}:
            raw = path.read_text(encoding="utf-8", errors="replace")
            out[str(path.relative_to(root))] = (
                html_text(raw) + "\n" + raw if path.suffix == ".html" else raw
            )
    return out


def sentences(text: str, minimum: int = 30) -> list[str]:
    """Sentences (or table cells and list items) long enough to be distinctive."""
    pieces = re.split(r"(?<=[.?!:;])\s+|\n+", text)
    return [p.strip() for p in pieces if len(normalise(p)) >= minimum]
