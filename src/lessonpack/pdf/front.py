"""A book's front (cover, contents, list of worksheets, the root page's own text) in pieces of
a bounded number of entries.

WeasyPrint holds every page of a piece until it writes it, and a contents line with a dotted
leader is a hundred boxes (one per dot): the front of a 64-lesson book, one piece of 29 pages,
took 380 MB to lay out, more the longer the book. So a front with more entries (contents lines
and worksheets) than ``lessonpack_pdf_front_entries`` is cut into pieces of at most that many
(the contents between top-level entries, a longer entry alone), each laid out alone: the
contents continue from a new page, the page numbers run on (jobs.py). A front within the limit
is one piece, as before. A continued list has no heading of its own (one bookmark, one
heading), and names its list in the running head as the first piece does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.environment.adapters.toctree import global_toctree_for_doc

from .contents import fix_contents_references, prune_contents
from .pieces import mark_links

if TYPE_CHECKING:
    from .answers import Worksheet
    from .bookparts import Book
    from .builder import PdfBuilder


@dataclass
class FrontPiece:
    """What one piece of the front shows; the defaults are a front in one piece."""

    contents: nodes.Element | None  # the contents entries it lists (None: none)
    worksheets: list[Worksheet] = field(default_factory=list)
    cover: bool = True
    contents_first: bool = True  # the contents' heading
    contents_last: bool = True  # the answer key's line, which ends the contents
    worksheets_first: bool = True  # the worksheets' heading
    body: bool = True  # the root page's own text

    @property
    def entries(self) -> int:
        listed = count_entries(self.contents) if self.contents is not None else 0
        return listed + len(self.worksheets)


def count_entries(node: nodes.Node) -> int:
    """Lines of a contents tree (or one of its entries): its list items at any depth."""
    own = 1 if isinstance(node, nodes.list_item) else 0
    return own + sum(1 for _ in node.findall(nodes.list_item, include_self=False))


def contents_tree(builder: PdfBuilder, ids: dict[tuple[str, str], str]) -> nodes.Element | None:
    """The book's contents: every level, then pruned (documents kept and lifted, sections cut at
    the configured depth), each link to the id it has in the book."""
    toctree = global_toctree_for_doc(
        builder.env,
        builder.config.root_doc,
        builder,
        tags=builder.tags,
        collapse=False,
        maxdepth=-1,
        includehidden=True,
    )
    if toctree is None:
        return None
    fix_contents_references(toctree, ids)
    prune_contents(toctree, builder.config.lessonpack_pdf_toc_depth)
    return toctree


def _units(toc: nodes.Element) -> Iterator[tuple[nodes.bullet_list, nodes.Element, list]]:
    """Each top-level entry: its list, itself, and what comes before its list (a caption) when
    it is the list's first."""
    heads: list[nodes.Node] = []
    for child in toc.children:
        if isinstance(child, nodes.bullet_list):
            for number, item in enumerate(child.children):
                yield child, item, heads if number == 0 else []
            heads = []
        else:
            heads.append(child)


def split_contents(toc: nodes.Element, limit: int) -> list[nodes.Element]:
    """``toc`` (captions and bullet lists) cut between top-level entries into copies of at most
    ``limit`` entries each (an entry longer than that alone); ``[toc]`` when it fits."""
    groups: list[list[tuple[nodes.bullet_list, nodes.Element, list]]] = []
    count = 0
    for unit in _units(toc):
        size = count_entries(unit[1])
        if groups and count + size <= limit:
            groups[-1].append(unit)
            count += size
        else:
            groups.append([unit])
            count = size
    if len(groups) <= 1:
        return [toc]
    chunks = []
    for group in groups:
        chunk = toc.copy()
        source: nodes.bullet_list | None = None
        target = nodes.bullet_list()
        for blist, item, heads in group:
            for head in heads:
                chunk += head.deepcopy()
            if blist is not source:
                source, target = blist, blist.copy()
                chunk += target
            target += item.deepcopy()
        chunks.append(chunk)
    return chunks


def split_front(
    toc: nodes.Element | None, worksheets: list[Worksheet], limit: int
) -> list[FrontPiece]:
    """The front's pieces: one when its entries are at most ``limit`` (or ``limit`` is 0), else
    the contents and then the worksheets in pieces of at most ``limit`` entries, the cover on
    the first piece and the root page's own text on the last."""
    whole = FrontPiece(toc, list(worksheets))
    if limit <= 0 or whole.entries <= limit:
        return [whole]
    pieces = [
        FrontPiece(chunk, contents_first=n == 0, contents_last=False, body=False)
        for n, chunk in enumerate(split_contents(toc, limit) if toc is not None else [])
    ]
    if pieces:
        pieces[-1].contents_last = True
    else:
        pieces.append(FrontPiece(None, body=False))
    sheets = [worksheets[i : i + limit] for i in range(0, len(worksheets), limit)]
    for n, chunk in enumerate(sheets):
        pieces.append(
            FrontPiece(None, chunk, contents_first=False, worksheets_first=n == 0, body=False)
        )
    for piece in pieces[1:]:
        piece.cover = False
    pieces[-1].body = True
    return pieces


def piece_context(
    builder: PdfBuilder, book: Book, piece: FrontPiece, own: set[str]
) -> tuple[dict[str, Any], tuple[set[str], set[str]]]:
    """The template's context for one piece of the front, and the ids of other pieces it
    links to and shows the page of."""
    listed = [s.id for s in piece.worksheets]
    if book.answer_key and piece.contents_last:
        listed.append(book.answer_key)
    elsewhere = {i for i in listed if i not in own}
    context: dict[str, Any] = {
        "front": True,
        "elsewhere": elsewhere,
        "worksheets": piece.worksheets,
        "answer_key": book.answer_key,
        "front_cover": piece.cover,
        "contents_first": piece.contents_first,
        "contents_last": piece.contents_last,
        "worksheets_first": piece.worksheets_first,
    }
    targets, shown = set(elsewhere), set(elsewhere)
    if piece.contents is not None:
        toc_targets, toc_shown = mark_links(piece.contents, own, all_shown=True)
        targets |= toc_targets
        shown |= toc_shown
        context["pdf_toc"] = builder.render_partial(piece.contents)["fragment"]
    return context, (targets, shown)
