"""PDF accessibility: every teacher's pack is tagged, titled, in a language, with alt text."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from . import Outcome, Site


def figures(reader: PdfReader) -> list[str | None]:
    """The alt text of every Figure element in the structure tree (None where there is none)."""
    found: list[str | None] = []
    stack = [reader.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop().get_object()
        if not isinstance(node, dict):
            continue
        if node.get("/S") == "/Figure":
            alt = node.get("/Alt")
            found.append(str(alt) if alt else None)
        kids = node.get("/K")
        kids = kids if isinstance(kids, list) else [kids] if kids is not None else []
        stack.extend(kid for kid in kids if hasattr(kid, "get_object"))
    return found


def problems_of(pdf: Path) -> tuple[int, list[str]]:
    reader = PdfReader(pdf)
    root = reader.trailer["/Root"]
    problems = []
    if not ("/MarkInfo" in root and bool(root["/MarkInfo"].get("/Marked"))):
        problems.append(f"{pdf.name}: not marked as tagged")
    if "/StructTreeRoot" not in root:
        return 0, [*problems, f"{pdf.name}: no structure tree"]
    if not root.get("/Lang"):
        problems.append(f"{pdf.name}: no document language")
    if not (reader.metadata and reader.metadata.title):
        problems.append(f"{pdf.name}: no title")
    alts = figures(reader)
    missing = sum(alt is None or not alt.strip() for alt in alts)
    if missing:
        problems.append(f"{pdf.name}: {missing} of {len(alts)} figures without alt text")
    return len(alts), problems


def shows_images(site: Site) -> bool:
    """Whether the book has images: a page of the website shows one (then its PDFs must tag
    them as figures; a course without images has none to check)."""
    pages = (p for p in site.html.rglob("*.html") if "_static" not in p.parts)
    return any("<img " in page.read_text(encoding="utf-8", errors="replace") for page in pages)


def check(site: Site) -> Outcome:
    pdfs = [p for f in ("pdf", "slides") for p in site.published(f) if p.suffix == ".pdf"]
    problems = [] if pdfs else ["no PDF in dist/"]
    total = 0
    for pdf in pdfs:
        count, found = problems_of(pdf)
        total += count
        problems += found
    if pdfs and total == 0 and shows_images(site):
        problems.append("no figure in any PDF's structure tree: alt text cannot be checked")
    return Outcome(
        "pdf-tags", f"{len(pdfs)} PDFs tagged, {total} figures, all with alt text", problems
    )
