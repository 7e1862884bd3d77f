"""A book cut into pieces that WeasyPrint lays out one at a time, and the links between them.

WeasyPrint holds every page of a document in memory (about 1 MB a page) until it writes the
PDF, and a change anywhere means laying out everything again. So the book is written as one
HTML page per piece: the front (cover, contents, list of worksheets and the root page's own
text), each document the root's toctrees inline (with the documents below it, such as a
lesson's worksheets), and the answer key. Each piece is rendered with the page number it
starts on, and the PDFs are joined afterwards (merge.py).

A link to an id in another piece would be a missing anchor to WeasyPrint, so it is pointed at
a made-up address that the merge turns back into a link to the named destination; where the
stylesheet prints the target's page number (contents, page references), the number is written
into the link as ``data-page``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from docutils import nodes
from sphinx import addnodes

from .answers import ANSWER_KEY_ID

# Links to other pieces point here; merge.py makes them named destinations again.
PIECE_URL = "https://piece.invalid/#"

_ID = re.compile(r'\bid="([^"]+)"')
_A_TAG = re.compile(r"<a\s[^>]*>")
_HREF = re.compile(r'\shref="#([^"]+)"')
_CLASS = re.compile(r'\sclass="([^"]*)"')
# The contents and the list of worksheets: <nav> elements, never nested, that the template writes.
_CONTENTS = re.compile(r'<nav class="lp-contents.*?</nav>', re.DOTALL)
UNKNOWN = "?"


@dataclass(frozen=True)
class Piece:
    """One piece of a book: its doctree, and whether it starts on a right-hand page."""

    name: str
    tree: nodes.document
    recto: bool = False


def _top_level_files(node: nodes.Element) -> Iterator[tuple[nodes.Element, addnodes.start_of_file]]:
    """Each inlined document not inside another one, with the element that holds it."""
    for child in node.children:
        if isinstance(child, addnodes.start_of_file):
            yield node, child
        elif isinstance(child, nodes.Element):
            yield from _top_level_files(child)


def split_book(tree: nodes.document, recto: Callable[[str], bool]) -> list[Piece]:
    """Cut an assembled book into pieces: the front, each top-level document, the answer key.

    ``tree`` is emptied of what the pieces take; what stays (the root document's own text)
    becomes the front piece, which the template gives the cover and contents.
    """
    found = list(_top_level_files(tree))
    key = [c for c in tree.children if ANSWER_KEY_ID in " ".join(c.get("ids", []))]
    for parent, child in found:
        parent.children.remove(child)
    for section in key:
        tree.children.remove(section)
    pieces = [Piece("front", tree)]
    for _, child in found:
        piece = tree.copy()
        piece.children = []
        piece += child
        pieces.append(Piece(child["docname"], piece, recto(child["docname"])))
    for section in key:
        piece = tree.copy()
        piece.children = []
        piece += section
        pieces.append(Piece("answer-key", piece))
    return pieces


def ids_in(text: str) -> set[str]:
    """Every element id of an HTML page (unescaped)."""
    return {html.unescape(i) for i in _ID.findall(text)}


def page_ref_classes(tag: str) -> bool:
    """Whether the stylesheet prints the target's page number after this link."""
    match = _CLASS.search(tag)
    return bool(match) and "lp-pageref" in match.group(1).split()


@dataclass
class Linked:
    """A piece's HTML with its outgoing links fixed, the page numbers it shows, its targets."""

    text: str
    shown: dict[str, str]  # target id -> the number written (``?``: not known yet)
    targets: set[str]  # every id outside the piece that a link points to


def link_piece(text: str, own: set[str], numbers: dict[str, int]) -> Linked:
    """Point links that leave the piece at PIECE_URL, with page numbers where they are shown.

    ``numbers`` maps ids to the page they are on, as far as is known. A page number is shown
    after every link of the contents pages and after page references (``lp-pageref``).
    """
    used: dict[str, str] = {}
    targets: set[str] = set()
    lists = [(m.start(), m.end()) for m in _CONTENTS.finditer(text)]

    def fix(match: re.Match[str]) -> str:
        tag = match.group(0)
        href = _HREF.search(tag)
        if href is None:
            return tag
        target = html.unescape(href.group(1))
        if target in own:
            return tag
        targets.add(target)
        new = tag.replace(href.group(0), f' href="{PIECE_URL}{href.group(1)}"', 1)
        in_contents = any(start <= match.start() < end for start, end in lists)
        if in_contents or page_ref_classes(tag):
            number = str(numbers[target]) if target in numbers else UNKNOWN
            used[target] = number
            new = new[:-1].rstrip("/").rstrip() + f' data-page="{number}">'
        return new

    return Linked(_A_TAG.sub(fix, text), used, targets)
