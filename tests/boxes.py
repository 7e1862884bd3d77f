"""WeasyPrint page boxes, for layout assertions: what lies where, without reading PDF bytes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from weasyprint.formatting_structure import boxes

from lessonpack.pdf.builder import JOBS_FILE
from lessonpack.pdf.render import lay_out

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def render(root: Path, page: str, paper: str = "a4"):
    """Lay out a page the builder wrote, as the builder does (same stylesheets, same fetcher)."""
    jobs = json.loads((root / JOBS_FILE).read_text(encoding="utf-8"))
    sheets = jobs[0]["stylesheets"] if jobs else ()
    return lay_out(root, (root / page).read_text("utf-8"), paper.lower(), stylesheets=sheets)


def descendants(box) -> Iterator:
    yield box
    for child in getattr(box, "children", []):
        yield from descendants(child)


def body_boxes(page) -> Iterator:
    """Boxes of the page area (the html box), not of its margin boxes."""
    for child in page._page_box.children:
        if not isinstance(child, boxes.MarginBox):
            yield from descendants(child)


def classes(box) -> set[str]:
    element = getattr(box, "element", None)
    return set((element.get("class") or "").split()) if element is not None else set()


def line_owners(page) -> list[str]:
    """The tag of the block holding each line of text on a page, in order."""
    owners: list[str] = []

    def walk(box, block):
        if isinstance(box, boxes.LineBox) and any(
            isinstance(b, boxes.TextBox) and b.text.strip() for b in descendants(box)
        ):
            owners.append(block.element_tag if block is not None else "")
        for child in getattr(box, "children", []):
            walk(child, box if isinstance(box, boxes.BlockBox) else block)

    for child in page._page_box.children:
        if not isinstance(child, boxes.MarginBox):
            walk(child, None)
    return owners


def stranded_heading(page) -> bool:
    """A heading is the last text on a page that holds other text: its section went on over."""
    owners = line_owners(page)
    return bool(owners) and owners[-1] in HEADINGS and not set(owners) <= HEADINGS


def page_of_id(document, element_id: str) -> int:
    """The 1-based page where the element with this id starts."""
    for number, page in enumerate(document.pages, 1):
        for box in body_boxes(page):
            element = getattr(box, "element", None)
            if element is not None and element.get("id") == element_id:
                return number
    raise AssertionError(f"no box for #{element_id}")


def margin_text(page, at_keyword: str) -> str:
    for child in page._page_box.children:
        if isinstance(child, boxes.MarginBox) and child.at_keyword == at_keyword:
            return "".join(b.text for b in descendants(child) if isinstance(b, boxes.TextBox))
    return ""


def render_pieces(root: Path, folder: str = "_book", paper: str = "A4") -> list:
    """Lay out each piece of a book the builder wrote (pieces.py), as it renders them."""
    return [
        render(root, str(p.relative_to(root)), paper)
        for p in sorted((root / folder).glob("*.html"))
    ]


def dest_page(pdf: Path, name: str) -> int:
    """The 1-based page of a named destination (an element id) in a written PDF."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    dest = reader.named_destinations[name]
    return reader.get_destination_page_number(dest) + 1
