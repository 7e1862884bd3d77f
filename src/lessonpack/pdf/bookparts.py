"""A book assembled one piece at a time, and each piece's HTML kept for the next build.

Sphinx's single-page builder inlines every document into one tree; for a book of 64 lessons
that tree held hundreds of MB, and after an edit to one lesson every piece was assembled and
written again. Here the root document is the front (cover, contents, its own text) and each
document its toctrees name is a part, assembled alone (inlined with the documents below it,
references resolved) in two passes:

1. In reading order, every part's ids as read (``ids_in_order``), from the part's record when
   its documents and the build's inputs (reuse.py) are those of an earlier build, else from
   the part assembled now (and pickled to disk for pass 2, so one part is in memory at a time).
   The whole book's ids are then renamed as :func:`ids.make_ids_unique` renames them in one
   tree, so every part knows what any other part's ids are called.
2. Each part in order: its HTML kept from an earlier build when its documents, the book's ids
   and the numbers of exercises and answers before it are the same; else renamed, labelled
   (worksheets numbered on from the parts before), its solutions taken out for the answer key,
   and written. Then the answer key (every part's solutions, kept as pickles beside the HTML)
   and the front, which lists every worksheet and shows the contents.

The HTML is the same, byte for byte, as that of the book assembled as one tree and cut into
pieces (``tests/test_pdf_bookparts.py``).
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.nodes import inline_all_toctrees

from ..report import is_lesson_doc
from .answers import Worksheet, answer_key_pieces, label_exercises, take_solutions
from .front import FrontPiece, contents_tree, piece_context, split_front
from .ids import IdRenamer, fix_references, ids_in_order, set_ids, walk_with_owner
from .pieces import ids_in, mark_links
from .reuse import documents_of, images_of

if TYPE_CHECKING:
    from .builder import Page, PdfBuilder

logger = logging.getLogger(__name__)


class slot(nodes.Element):
    """Where a toctree of the root document stood: each document it names becomes a part."""


def slots_for_toctrees(front: nodes.document) -> None:
    """Replace each toctree of the root document by a slot naming its documents."""
    for toctree in list(front.findall(addnodes.toctree)):
        toctree.replace_self(slot(includefiles=[str(f) for f in toctree["includefiles"]]))


def remove_slots(front: nodes.document) -> None:
    for node in list(front.findall(slot)):
        node.parent.remove(node)


@dataclass
class Part:
    """A document the root's toctrees name, with those it inlines: one piece of the book."""

    docname: str
    recto: bool
    key: str  # its documents and the build's inputs (reuse.py)
    docs: list[str]  # the documents it inlines, in order (itself first)
    ids: list[tuple[str, str]]  # (document, id as read), in reading order
    tree: Path | None = None  # the assembled part, pickled in pass 1
    before: list[str] = field(default_factory=list)  # the documents inlined before it


def id_digest(sequence: list[tuple[str, str]], renamed: list[str]) -> str:
    """What the book's ids are called: a part's HTML is kept only while this is the same."""
    return hashlib.sha256(json.dumps([sequence, renamed]).encode()).hexdigest()


class _Pickler(pickle.Pickler):
    """Nodes keep the document they were read into (with the build's settings and
    environment): each is written as a reference, loaded as the piece's own document."""

    def persistent_id(self, obj: Any) -> str | None:
        return "document" if isinstance(obj, nodes.document) else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BufferedIOBase, document: nodes.document) -> None:
        super().__init__(file)
        self.document = document

    def persistent_load(self, pid: Any) -> nodes.document:
        return self.document


def save_nodes(items: list[nodes.Node], path: Path) -> None:
    """Write nodes (detached from their parent) to ``path``, without their document."""
    parents = [item.parent for item in items]
    for item in items:
        item.parent = None
    buffer = io.BytesIO()
    _Pickler(buffer, pickle.HIGHEST_PROTOCOL).dump(items)
    for item, parent in zip(items, parents, strict=True):
        item.parent = parent
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def load_nodes(path: Path, document: nodes.document) -> list[nodes.Node]:
    """Nodes written by :func:`save_nodes`, their document ``document``."""
    with path.open("rb") as file:
        return _Unpickler(file, document).load()


def _plain(text: str) -> str:
    return text


@dataclass
class Written:
    """A written piece: its file, whether it starts on a right-hand page, what it links to,
    whether it continues the chapter of the piece before (a lesson's worksheet)."""

    html: Path
    recto: bool = False
    links: tuple[str, ...] = ()
    shown: tuple[str, ...] = ()
    continues: bool = False


def piece_name(html: Path, number: int) -> Path:
    """The HTML of an output's or a part's piece ``number`` (the first has its own name)."""
    return html if number == 0 else html.with_name(f"{html.stem}-{number:03d}.html")


def _only_documents(node: nodes.Node) -> bool:
    """Whether ``node`` shows nothing but inlined documents (a toctree's wrapper of them)."""
    if isinstance(node, addnodes.start_of_file):
        return True
    return (
        isinstance(node, nodes.Element)
        and len(node.children) > 0
        and all(_only_documents(kid) for kid in node.children)
    )


def _documents_in(
    node: nodes.Node, chain: list[nodes.Element]
) -> list[tuple[addnodes.start_of_file, list[nodes.Element]]]:
    """The outermost inlined documents of a node that shows nothing else, each with the
    elements that hold it (``chain``: from the chapter down; parents as found, not as recorded:
    an assembled part's nodes may name another parent)."""
    if isinstance(node, addnodes.start_of_file):
        return [(node, chain)]
    return [found for kid in node.children for found in _documents_in(kid, [*chain, node])]


def trailing_documents(
    chapter: nodes.Element,
) -> list[tuple[addnodes.start_of_file, list[nodes.Element]]]:
    """The documents inlined at the very end of a chapter, after all its own text (a lesson's
    worksheet and quiz, its toctree's last): nothing of the chapter follows them. Each with
    the elements that hold it, from the chapter down."""
    found: list[tuple[addnodes.start_of_file, list[nodes.Element]]] = []
    node: nodes.Element = chapter
    chain = [chapter]
    while True:
        kids = node.children
        start = len(kids)
        while start > 0 and _only_documents(kids[start - 1]):
            start -= 1
        found = [doc for kid in kids[start:] for doc in _documents_in(kid, chain)] + found
        last = kids[start - 1] if start else None
        if not isinstance(last, nodes.Element) or isinstance(last, addnodes.start_of_file):
            return found
        node = last
        chain = [*chain, node]


def split_documents(
    tree: nodes.document, front: nodes.document
) -> list[tuple[nodes.document, bool]]:
    """A part's tree as one tree per document it ends with (see :func:`trailing_documents`),
    each laid out as a piece of its own; the part's own text first. Each with whether it
    continues the chapter before (its bookmarks go below the chapter's: merge.py).

    A document split off keeps its place in the part's elements: it is written inside copies of
    its ancestors, without their ids (each id is in one piece only), the chapter's marked
    ``continued`` (written without its id or right-hand page, :class:`.builder.PrintTranslator`),
    so what the stylesheet says of a chapter in a chapter still holds. Each starts a page
    anyway (every chapter does), so the pages are those of the part laid out whole. The
    ancestors left empty in the part's own tree are taken out. What follows the chapter in the
    tree (a pack's answer key, which starts a page) is a piece of its own, not continuing it.
    """
    trees = [(tree, False)]
    for doc, chain in trailing_documents(tree.children[0]):
        piece = front.copy()
        at: nodes.Element = piece
        for ancestor in chain:
            copy = ancestor.copy()
            copy["ids"] = []
            copy["names"] = []
            if isinstance(copy, addnodes.start_of_file):
                copy["continued"] = True
            at += copy
            at = copy
        chain[-1].remove(doc)
        at += doc
        for holder, above in zip(chain[:0:-1], chain[-2::-1], strict=True):
            if holder.children:
                break
            above.remove(holder)  # a wrapper left empty
        trees.append((piece, True))
    if len(trees) > 1 and len(tree.children) > 1:
        rest = front.copy()
        for node in list(tree.children[1:]):
            tree.remove(node)
            rest += node
        trees.append((rest, False))
    return trees


@dataclass
class Book:
    """What the front and the answer key show of the whole book (the template's context)."""

    tree: nodes.document
    ids: dict[tuple[str, str], str]
    worksheets: list[Worksheet] = field(default_factory=list)
    answer_key: str = ""


def scratch_folder(builder: PdfBuilder) -> Path:
    """Where a build keeps assembled parts between the passes, and what it will keep: removed
    when the build ends."""
    return Path(builder.doctreedir) / "lessonpack-parts"


class BookWriter:
    """Writes one book output of ``builder`` as pieces into ``page`` (see the module's text)."""

    def __init__(self, builder: PdfBuilder, page: Page) -> None:
        self.builder = builder
        self.env = builder.env
        self.root = builder.config.root_doc
        self.page = page
        self.folder = Path(builder.outdir) / f"_{page.output.mode}"
        self.scratch = scratch_folder(builder)
        self.counts = {"pieces laid out": 0, "assembled": 0, "kept": 0}

    @property
    def kept(self):
        return self.builder.kept

    def write(self) -> None:
        front = self.env.get_doctree(self.root).deepcopy()
        slots_for_toctrees(front)
        front["docname"] = self.root
        self.env.resolve_references(front, self.root, self.builder)
        # Pass 1: every id of the book, in reading order, and who holds it (0: the front).
        parts: list[Part] = []
        sequence: list[tuple[str, str]] = []
        owners: list[int] = []
        traversed = [self.root]
        for node, doc in walk_with_owner(front, self.root):
            if isinstance(node, slot):
                for name in node["includefiles"]:
                    if name not in traversed:
                        part = self._plan(name, traversed, front)
                        if part is not None:
                            parts.append(part)
                            sequence += part.ids
                            owners += [len(parts)] * len(part.ids)
            elif isinstance(node, nodes.Element):
                for old in node.get("ids", []):
                    sequence.append((doc, old))
                    owners.append(0)
        renamer = IdRenamer(self.root, (d for part in parts for d in part.docs))
        renamed = [renamer.rename(doc, old) for doc, old in sequence]
        mine: dict[int, list[str]] = {}
        for owner, new in zip(owners, renamed, strict=True):
            mine.setdefault(owner, []).append(new)
        digest = id_digest(sequence, renamed)
        used = set(renamed)
        book = Book(front, renamer.mapping)
        set_ids(front, self.root, iter(mine.get(0, [])))
        remove_slots(front)
        fix_references(front, self.root, book.ids)
        labels = self.builder.labels
        book.worksheets = label_exercises(front, self.root, labels, used)
        entries = take_solutions(front, used, 0, numbered=False)
        groups = [list(entries)]  # the answer key's entries, per part (the front's first)
        # Pass 2: each part, kept or written, in order.
        written = []
        for index, part in enumerate(parts, 1):
            name = self.folder / f"{index:03d}.html"
            state = (digest, str(len(book.worksheets)), str(len(entries)))
            key = self.kept.derived(part.key, *state)
            found = self._reuse(key, name, front)
            if found is None:
                found = self._write_part(
                    part, key, name, front, book, mine.get(index, []), used, len(entries)
                )
                self.counts["assembled"] += 1
            else:
                self.counts["kept"] += 1
            sheets, part_entries, pieces = found
            for sheet in sheets:
                used.add(sheet.id)
            for entry in part_entries:
                used.update(entry["ids"])
            book.worksheets += sheets
            entries += part_entries
            groups.append(part_entries)
            written += pieces
        written += self._write_answer_key(front, book, groups, used, len(parts) + 1)
        for piece in [*self._write_front(front, book), *written]:
            self.page.pieces.append(piece.html)
            self.page.recto.append(piece.recto)
            self.page.links.append(piece.links)
            self.page.shown.append(piece.shown)
            self.page.continues.append(piece.continues)
        logger.info(
            "book: %d parts assembled, %d kept from an earlier build",
            self.counts["assembled"],
            self.counts["kept"],
        )

    def _plan(self, name: str, traversed: list[str], front: nodes.document) -> Part | None:
        """Pass 1 for one part: its ids as read, from its record or assembled now."""
        before = sorted(set(documents_of(self.builder, name)) & set(traversed))
        key = self.kept.key(self.builder, "book-part", name, json.dumps(before))
        recto = is_lesson_doc(self.env, name)
        found = self.kept.find(key, ".ids.json")
        if found is not None:
            record = json.loads(found[0].read_text(encoding="utf-8"))
            part = Part(name, recto, key, record["docs"], [(d, i) for d, i in record["ids"]])
            part.before = list(traversed)
            traversed += record["docs"]
            return part
        start = len(traversed)
        tree = self._assemble(name, traversed, front)
        if tree is None:
            return None
        ids = ids_in_order(tree.children[0], self.root)  # the chapter: not the document's own
        part = Part(name, recto, key, traversed[start:], ids)
        part.tree = self.scratch / f"{key}.pickle"
        save_nodes(list(tree.children), part.tree)
        record = self.scratch / f"{key}.ids.json"
        record.write_text(json.dumps({"docs": part.docs, "ids": part.ids}), encoding="utf-8")
        self.kept.stage(key, record, {}, ".ids.json")
        return part

    def _assemble(
        self, name: str, traversed: list[str], front: nodes.document
    ) -> nodes.document | None:
        """One part as Sphinx's single-page builder inlines it, references resolved."""
        traversed.append(name)
        try:
            tree = inline_all_toctrees(
                self.builder, set(), name, self.env.get_doctree(name), _plain, traversed, " "
            )
        except Exception:
            logger.warning(
                __("toctree contains ref to nonexisting file %r"),
                name,
                location=self.root,
                type="toc",
                subtype="not_readable",
            )
            return None
        chapter = addnodes.start_of_file(docname=name)
        chapter.children = tree.children
        for section in chapter.findall(nodes.section):
            if "docname" not in section:
                section["docname"] = name
        piece = front.copy()
        piece += chapter
        self.env.resolve_references(piece, self.root, self.builder)
        return piece

    def _reuse(
        self, key: str, name: Path, front: nodes.document
    ) -> tuple[list[Worksheet], list[nodes.Element], list[Written]] | None:
        record = self.kept.get(key, name)
        if record is None:
            return None
        found = self.kept.find(record["entries"], ".pickle")
        if found is None:
            return None
        pieces = []
        for number, piece in enumerate(record["pieces"]):
            html = piece_name(name, number)
            if number and self.kept.get(self.kept.derived(key, "piece", str(number)), html) is None:
                return None
            links, shown = tuple(piece["links"]), tuple(piece["shown"])
            pieces.append(Written(html, record["recto"] and not number, links, shown, number > 0))
        self.builder.images.update(record["images"])
        entries = load_nodes(found[0], front)
        sheets = [Worksheet(*sheet) for sheet in record["worksheets"]]
        return sheets, entries, pieces

    def _write_part(
        self,
        part: Part,
        key: str,
        name: Path,
        front: nodes.document,
        book: Book,
        renamed: list[str],
        used: set[str],
        answers_before: int,
    ) -> tuple[list[Worksheet], list[nodes.Element], list[Written]]:
        if part.tree is not None and part.tree.is_file():
            tree = front.copy()
            tree.extend(load_nodes(part.tree, tree))
            part.tree.unlink()
        else:
            tree = self._assemble(part.docname, list(part.before), front)
            assert tree is not None  # read in pass 1
        set_ids(tree.children[0], self.root, iter(renamed))
        fix_references(tree, self.root, book.ids)
        sheets = label_exercises(tree, self.root, self.builder.labels, used, len(book.worksheets))
        entries = take_solutions(tree, used, answers_before, numbered=False)
        for entry in entries:  # kept for the answer key: not the part's tree with them
            for node in entry.findall(nodes.Node):
                node.document = front
        pieces = []
        trees = split_documents(tree, front)
        for number, (piece_tree, _continues) in enumerate(trees):
            html = piece_name(name, number)
            if number:
                piece = self._write_tree(piece_tree, html, book, continues=True)
                self.kept.stage(self.kept.derived(key, "piece", str(number)), html, {})
            else:
                piece = self._write_tree(piece_tree, html, book, recto=part.recto)
            pieces.append(piece)
        shows: dict[str, str] = {}  # the images its pieces show (written: copied to _images)
        for piece_tree, _continues in trees:
            shows.update(images_of(piece_tree, self.builder.images))
        images = dict(sorted(shows.items()))
        entries_key = self.kept.derived(key, "entries")
        pickled = self.scratch / f"{entries_key}.pickle"
        save_nodes(entries, pickled)
        self.kept.stage(entries_key, pickled, {}, ".pickle")
        record = {
            "title": "",
            "images": images,
            "worksheets": [[s.id, s.label] for s in sheets],
            "entries": entries_key,
            "recto": part.recto,
            "pieces": [{"links": list(p.links), "shown": list(p.shown)} for p in pieces],
        }
        self.kept.stage(key, name, record)
        return sheets, entries, pieces

    def _write_answer_key(
        self,
        front: nodes.document,
        book: Book,
        groups: list[list[nodes.Element]],
        used: set[str],
        number: int,
    ) -> list[Written]:
        """The answer key: one piece, or pieces of a bounded number of entries (answers.py), cut
        between parts; ``book.answer_key`` its id (the first piece's section)."""
        limit = self.builder.config.lessonpack_pdf_answer_entries
        written = []
        for n, section in enumerate(answer_key_pieces(groups, used, limit)):
            if n == 0:
                book.answer_key = section["ids"][0]
            tree = front.copy()
            tree += section
            name = self.folder / (f"{number:03d}.html" if n == 0 else f"{number:03d}-{n:03d}.html")
            written.append(self._write_tree(tree, name, book))
        return written

    def _write_front(self, front: nodes.document, book: Book) -> list[Written]:
        """The front: one piece, or pieces of a bounded number of entries (front.py), the
        root page's own text on the last."""
        toc = contents_tree(self.builder, book.ids)
        limit = self.builder.config.lessonpack_pdf_front_entries
        pieces = split_front(toc, book.worksheets, limit)
        written = []
        for number, piece in enumerate(pieces):
            name = self.folder / ("000.html" if number == 0 else f"000-{number:03d}.html")
            tree = front if piece.body else front.copy()
            written.append(self._write_tree(tree, name, book, front=piece))
        return written

    def _write_tree(
        self,
        tree: nodes.document,
        name: Path,
        book: Book,
        *,
        front: FrontPiece | None = None,
        recto: bool = False,
        continues: bool = False,
    ) -> Written:
        """Write one piece's tree (its images recorded first) and say what it links to."""
        self.builder.write_doc_serialized(self.root, tree)
        own = ids_in(tree)
        targets, shown = mark_links(tree, own)
        extra: dict[str, Any] = {}
        if front is not None:
            extra, (more, more_shown) = piece_context(self.builder, book, front, own)
            targets |= more
            shown |= more_shown
        self.builder.write_html(self.page, book, tree, name, **extra)
        self.counts["pieces laid out"] += 1
        return Written(name, recto, tuple(sorted(targets)), tuple(sorted(shown)), continues)
