"""A book cut into pieces that WeasyPrint lays out one at a time, and the links between them.

WeasyPrint holds every page of a document in memory (about 1 MB a page) until it writes the
PDF, and a change anywhere means laying out everything again. So the book is written as one
HTML page per piece: the front (cover, contents, list of worksheets and the root page's own
text), each document the root's toctrees inline (with the documents below it; those it ends
with, such as a lesson's worksheets, pieces of their own: bookparts.split_documents), and the
answer key. Each piece is rendered with the page number it
starts on, and the PDFs are joined afterwards (merge.py).

The pieces are assembled one at a time (bookparts.py). All of this is read from the doctrees
before any HTML is written: the ids each piece holds, and its links to ids in other pieces.
Such a link gets the class ``lp-elsewhere``; it is laid out as a link to a named destination
that the merge finds in the piece holding it (render.py), and where the stylesheet prints the
target's page number (contents, page references), the number comes from a stylesheet made for
each layout round (:func:`numbers_css`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from docutils import nodes
from sphinx import addnodes

ELSEWHERE = "lp-elsewhere"  # the class of a link to another piece
PAGE_REF = "lp-pageref"  # the class of a link followed by its target's page number
CHAPTER_ID = "document-{}"  # the id the print translator gives each document's chapter
PAGE_COUNTER = "lp-page"  # the counter print.css shows after a link to another piece
TOTAL_COUNTER = "lp-pages"  # the counter print.css shows as the page count of a pack in pieces


def ids_in(tree: nodes.Node) -> set[str]:
    """Every id a tree's HTML will hold: its elements' ids and its documents' chapters."""
    found: set[str] = set()
    for node in tree.findall(nodes.Element):
        found.update(node.get("ids", []))
        if isinstance(node, addnodes.start_of_file) and not node.get("continued"):
            found.add(CHAPTER_ID.format(node["docname"]))
    return found


def link_target(node: nodes.reference) -> str | None:
    """The id an internal link points to, as its HTML ``href`` will (``None``: not internal)."""
    if node.get("refid"):
        return node["refid"]
    uri = node.get("refuri", "")
    return uri[1:] if uri.startswith("#") and len(uri) > 1 else None


def mark_links(
    tree: nodes.Node, own: set[str], all_shown: bool = False
) -> tuple[set[str], set[str]]:
    """Give every link out of ``own`` the class ``lp-elsewhere``; return its targets and shown.

    A link shows its target's page number when it is a page reference, or ``all_shown`` (the
    contents).
    """
    targets: set[str] = set()
    shown: set[str] = set()
    for node in tree.findall(nodes.reference):
        target = link_target(node)
        if target is None or target in own:
            continue
        targets.add(target)
        if ELSEWHERE not in node["classes"]:
            node["classes"].append(ELSEWHERE)
        if all_shown or PAGE_REF in node["classes"]:
            shown.add(target)
    return targets, shown


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ") + '"'


def total_css(total: int | None) -> str:
    """The page count of the PDF a piece is part of, as the counter print.css shows (none if
    not known yet: it shows 0 for this round)."""
    return f"@page {{ counter-set: {TOTAL_COUNTER} {total}; }}" if total is not None else ""


def numbers_css(shown: Iterable[str], numbers: Mapping[str, int]) -> str:
    """The page numbers a piece shows of other pieces' ids, as counters of their links.

    An id whose page is not known yet gets no rule: its number shows as 0 for this round.
    """
    rules = [
        f"a.{ELSEWHERE}[href={css_string('#' + target)}] "
        f"{{ counter-reset: {PAGE_COUNTER} {numbers[target]}; }}"
        for target in sorted(set(shown))
        if target in numbers
    ]
    return "\n".join(rules)
