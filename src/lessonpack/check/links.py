"""Links: every internal link and anchor resolves, in the website, the EPUB, the PDFs and the
cartridges for learning platforms (dist/lms/)."""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup
from pypdf import PdfReader
from pypdf.generic import ArrayObject, IndirectObject

from . import Outcome, Site

LINKING = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src"}
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)


def links_and_ids(markup: str, parser: str) -> tuple[list[str], set[str]]:
    soup = BeautifulSoup(markup, parser)
    links = [
        tag[attr] for name, attr in LINKING.items() for tag in soup.find_all(name) if tag.get(attr)
    ]
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    ids |= {tag["name"] for tag in soup.find_all("a", attrs={"name": True})}
    return links, ids


def broken_links(
    pages: dict[str, tuple[list[str], set[str]]], exists: Callable[[str], bool]
) -> tuple[int, list[str]]:
    """(links checked, broken ones) for pages keyed by their path (POSIX, relative to the root)."""
    checked = 0
    broken = []
    for page, (links, _ids) in pages.items():
        for link in links:
            if EXTERNAL.match(link) or link == "#":
                continue
            checked += 1
            parts = urlsplit(link)
            target = page
            if parts.path:
                target = posixpath.normpath(
                    posixpath.join(posixpath.dirname(page), unquote(parts.path))
                )
                if target.endswith("/") or not posixpath.splitext(target)[1]:
                    target = posixpath.join(target, "index.html")
                if not exists(target):
                    broken.append(f"{page}: {link} (no file {target})")
                    continue
            fragment = unquote(parts.fragment)
            if fragment and target in pages and fragment not in pages[target][1]:
                broken.append(f"{page}: {link} (no anchor #{fragment} in {target})")
    return checked, broken


def html_links(root: Path) -> tuple[int, list[str]]:
    pages = {
        p.relative_to(root).as_posix(): links_and_ids(p.read_text(encoding="utf-8"), "html.parser")
        for p in sorted(root.rglob("*.html"))
    }
    return broken_links(pages, lambda target: (root / target).is_file())


def epub_links(epub: Path) -> tuple[int, list[str]]:
    with zipfile.ZipFile(epub) as book:
        names = set(book.namelist())
        pages = {
            n: links_and_ids(book.read(n).decode("utf-8"), "html.parser")
            for n in sorted(names)
            if n.endswith((".xhtml", ".html"))
        }
    checked, broken = broken_links(pages, lambda target: target in names)
    return checked, [f"{epub.name}/{b}" for b in broken]


def pdf_links(pdf: Path) -> tuple[int, list[str]]:
    reader = PdfReader(pdf)
    names = set(reader.named_destinations)
    pages = {page.indirect_reference.idnum for page in reader.pages}
    checked = 0
    broken = []
    for number, page in enumerate(reader.pages, 1):
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            action = action.get_object() if action is not None else None
            if action is not None and action.get("/S") == "/URI":
                uri = str(action["/URI"])
                if not re.match(r"^(?:https?|mailto):", uri):
                    broken.append(f"{pdf.name} p.{number}: link to {uri}")
                continue
            dest = annot.get("/Dest") if action is None else action.get("/D")
            checked += 1
            if isinstance(dest, IndirectObject):
                dest = dest.get_object()
            if isinstance(dest, ArrayObject):
                ok = isinstance(dest[0], IndirectObject) and dest[0].idnum in pages
            else:
                ok = dest is not None and str(dest) in names
            if not ok:
                broken.append(f"{pdf.name} p.{number}: link to missing destination {dest}")
    return checked, broken


def check(site: Site) -> Outcome:
    html_count, problems = 0, []
    for root in site.websites:  # the student's website and the teacher's
        count, broken = html_links(root)
        html_count += count
        problems += [f"{root.name}/{problem}" for problem in broken]
    epub_count = pdf_count = 0
    for epub in site.published("epub"):
        count, broken = epub_links(epub)
        epub_count += count
        problems += broken
    # A cartridge for a learning platform (dist/lms/) is a zip of pages like an EPUB.
    for cartridge in [p for p in site.published("lms") if p.suffix == ".imscc"]:
        count, broken = epub_links(cartridge)
        epub_count += count
        problems += broken
    for pdf in [p for f in ("pdf", "slides") for p in site.published(f) if p.suffix == ".pdf"]:
        count, broken = pdf_links(pdf)
        pdf_count += count
        problems += broken
    figure = (
        f"{len(problems)} broken of {html_count} HTML, {epub_count} EPUB and cartridge, and "
        f"{pdf_count} PDF internal links"
    )
    if min(html_count, epub_count, pdf_count) == 0:
        problems.append("an edition has no internal link at all: nothing was checked")
    return Outcome("links", figure, problems)
