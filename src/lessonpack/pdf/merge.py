"""Join the PDFs of a book's pieces into one tagged PDF, streaming: memory stays flat as books grow.

Each piece is read with pikepdf (qpdf), its objects renumbered past the pieces before it and
written to the file at once (packed into compressed object streams); then the piece is closed.
What a piece becomes in the book (its chunk of the file and what the end needs of it) is kept
beside its render, by the piece's bytes and the numbers it starts from; each piece starts at a
multiple of ``SLACK``, so after an edit that changed one piece by a few objects, every other
piece is copied from its chunk (about 0.2 s for a 195-page book instead of 2 s).
Kept until the end, to be written last: the page list, the parent tree's entries, the named
destinations and the top-level bookmarks. What WeasyPrint writes into each piece, and how the
merge keeps it whole:

- pages, with their content, fonts and annotations: copied in order; a ``None`` part is a blank
  page (the left-hand page before a lesson), with no content at all;
- the structure tree (PDF/UA tags): one ``Document`` element holds each piece's tree as a
  ``Part``, in order; the numbers that tie pages and annotations to the tree
  (``StructParents``, ``StructParent``, the ``ParentTree``) are shifted past the previous
  pieces' numbers;
- named destinations (every id): one sorted name tree of every piece's own; a link to another
  piece is already a link to a named destination (render.py), which this tree resolves;
- bookmarks: each piece's outline, in order; the first two levels are kept out of the chunks
  and written at the end, with every link between them (a piece that continues a chapter, such
  as a lesson's worksheet, puts its bookmarks below the chapter's: ``nested``);
- the catalogue (language, title display, metadata, document information): the first piece's,
  which the template made for the whole book.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zlib
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ..filehash import sha256

# A reference in a PDF object as qpdf writes it, or a string (whose text must be left alone).
_TOKEN = re.compile(rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|(\d+) (\d+) R")
_PAGES, _DOCUMENT = 1, 2  # object numbers the pieces refer to before the book's end is written


def _rounded(number: int) -> int:
    """Where a piece's numbers start: the next multiple of ``SLACK`` (see :data:`SLACK`)."""
    return -(-number // SLACK) * SLACK


# Each piece's object numbers and structure keys start at a multiple of SLACK: a piece that
# changed by a few objects (an edit) leaves the numbers of every piece after it as they were,
# so their chunks are reused. The numbers between are free entries of the cross-reference.
SLACK = 512


class _Objects:
    """Objects numbered from ``first``, written into a buffer: one piece's chunk of the file.

    Objects other than streams are packed a hundred at a time into compressed object streams
    (each chunk packs its own), found through a compressed cross-reference stream (PDF 1.5), as
    qpdf would write them. ``entries``: per object, its cross-reference entry: 1 and its offset
    in the chunk, or 2, the object stream holding it and its index there.
    """

    BATCH = 100

    def __init__(self, first: int) -> None:
        self.data = io.BytesIO()
        self.next = first
        self.entries: list[tuple[int, int, int, int]] = []
        self.batch: list[tuple[int, bytes]] = []

    def reserve(self) -> int:
        self.next += 1
        return self.next - 1

    def put(self, number: int, body: bytes, stream: bytes | None = None) -> None:
        if stream is None:
            self.batch.append((number, body))
            if len(self.batch) >= self.BATCH:
                self._pack()
            return
        self.write(number, body + b"\nstream\n" + stream + b"\nendstream")

    def write(self, number: int, data: bytes) -> None:
        self.entries.append((number, 1, self.data.tell(), 0))
        self.data.write(b"%d 0 obj\n" % number + data + b"\nendobj\n")

    def _pack(self) -> None:
        if not self.batch:
            return
        holder = self.reserve()
        header, bodies, at = [], [], 0
        for index, (number, body) in enumerate(self.batch):
            header.append(b"%d %d" % (number, at))
            bodies.append(body)
            at += len(body) + 1
            self.entries.append((number, 2, holder, index))
        head = b" ".join(header) + b"\n"
        data = zlib.compress(head + b"\n".join(bodies) + b"\n", 6)
        self.write(
            holder,
            b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>"
            % (len(self.batch), len(head), len(data))
            + b"\nstream\n"
            + data
            + b"\nendstream",
        )
        self.batch = []

    def close(self) -> bytes:
        self._pack()
        return self.data.getvalue()


class _Writer:
    """A PDF written chunk by chunk: only where each object went stays in memory."""

    FIRST = 3  # the first object number of the pieces: after _PAGES and _DOCUMENT

    def __init__(self, file: BinaryIO, version: str) -> None:
        self.file = file
        self.digest = hashlib.sha256()
        # Per object number, its cross-reference entry: 1, offset in the file; or 2, the object
        # stream holding it and its index there; 0, free. Arrays: a few bytes an object.
        self.kind = bytearray(3)
        self.where = array("Q", [0, 0, 0])
        self.index = array("H", [0, 0, 0])
        self.size = 0
        self.next = self.FIRST
        self._put(f"%PDF-{max(version, '1.5')}\n".encode() + b"%\xe2\xe3\xcf\xd3\n")

    def _put(self, data: bytes) -> None:
        self.file.write(data)
        self.digest.update(data)
        self.size += len(data)

    def add(self, data: bytes, entries: Iterable[Sequence[int]], after: int) -> None:
        """A chunk (:class:`_Objects`) written at the end of the file; ``after``: its ``next``."""
        start = self.size
        self._put(data)
        for number, kind, where, index in entries:
            self._entry(number, kind, where + start if kind == 1 else where, index)
        self.next = max(self.next, after)

    def _entry(self, number: int, kind: int, where: int, index: int) -> None:
        missing = number + 1 - len(self.kind)
        if missing > 0:
            self.kind.extend(bytes(missing))
            self.where.extend([0] * missing)
            self.index.extend([0] * missing)
        self.kind[number], self.where[number], self.index[number] = kind, where, index

    def finish(self, root: int, info: int | None, xref: int) -> None:
        count = xref + 1
        here = self.size
        self._entry(xref, 1, here, 0)
        packer = zlib.compressobj(6)
        rows = [packer.compress(struct.pack(">BIH", 0, 0, 65535))]
        for number in range(1, count):
            entry = (self.kind[number], self.where[number], self.index[number])
            rows.append(packer.compress(struct.pack(">BIH", *entry)))
        rows.append(packer.flush())
        data = b"".join(rows)
        ident = self.digest.hexdigest()[:32].encode()
        trailer = b"<< /Type /XRef /Size %d /W [ 1 4 2 ] /Root %d 0 R" % (count, root)
        if info is not None:
            trailer += b" /Info %d 0 R" % info
        trailer += b" /ID [ <" + ident + b"> <" + ident + b"> ]"
        trailer += b" /Filter /FlateDecode /Length %d >>" % len(data)
        self._put(b"%d 0 obj\n" % xref + trailer + b"\nstream\n" + data + b"\nendstream\nendobj\n")
        self._put(b"startxref\n%d\n%%%%EOF\n" % here)


def _renumber(data: bytes, numbers: dict[tuple[int, int], int], where: str) -> bytes:
    def swap(match: re.Match[bytes]) -> bytes:
        if match.group(1) is None:
            return match.group(0)
        key = (int(match.group(1)), int(match.group(2)))
        if key not in numbers:
            raise ValueError(f"{where}: a reference to object {key} the merge does not keep")
        return b"%d 0 R" % numbers[key]

    return _TOKEN.sub(swap, data)


def _with(body: bytes, extra: bytes) -> bytes:
    """A dictionary's text with more entries."""
    return body[: body.rindex(b">>")] + extra + b" >>"


def _entries(obj, numbers: dict[tuple[int, int], int], where: str, leave: tuple[str, ...]) -> bytes:
    """A dictionary's entries but ``leave``, as PDF text in the merged file's numbers."""
    import pikepdf

    found = []
    for key in sorted(set(obj.keys()) - set(leave)):
        value = obj[key]
        if isinstance(value, pikepdf.Object):
            text = _renumber(value.unparse(), numbers, where)
        elif isinstance(value, bool):
            text = b"true" if value else b"false"
        else:
            text = str(value).encode()
        found.append(pikepdf.Name(key).unparse() + b" " + text)
    return b" ".join(found)


def _chain(first):
    item = first
    while item is not None:
        yield item
        item = item.get("/Next")


@dataclass
class Chunk:
    """One piece as it is written into the book: its objects (numbered from ``first``, the
    structure keys of its pages and annotations shifted by ``shift``) and what the book's end
    needs of it. Bytes are kept as latin-1 text, so a chunk's record is JSON."""

    first: int
    shift: int
    after: int = 0  # the object number after its last
    next_key: int = 0  # the structure key after its last (``shift`` without any)
    entries: list[tuple[int, int, int, int]] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    part: int = 0  # its Document element, now a Part
    nums: list[tuple[int, str]] = field(default_factory=list)  # parent tree entries
    dests: list[tuple[str, str]] = field(default_factory=list)  # named destinations
    # Top-level bookmarks with their kids, without any link between them (:class:`Mark`).
    tops: list[dict[str, Any]] = field(default_factory=list)
    size: str = ""  # its pages' MediaBox (a blank page after it gets the same)
    version: str = ""  # its PDF version
    # The book's catalogue, structure tree root and Document element, if it is the first piece.
    catalog: str = ""
    tree: str = ""
    document: str = ""
    info: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Chunk:
        chunk = cls(**data)
        chunk.entries = [tuple(e) for e in chunk.entries]  # type: ignore[misc]
        return chunk


# What a bookmark kept out of its chunk is, as a dict (a chunk's record is JSON): ``number``,
# ``body`` (its dictionary without Parent, Prev, Next, First, Last and Count), ``closed``, and
# either ``kids`` (bookmarks kept out too) or ``below`` ([First, Last, Count] of kids that stay in
# the chunk, whose Parent is this bookmark).
Mark = dict[str, Any]
_LINKS = ("/Parent", "/Prev", "/Next", "/First", "/Last", "/Count")


def _shown_below(mark: Mark) -> int:
    """The bookmarks below ``mark`` a reader sees when it is open (the PDF's /Count)."""
    if mark.get("below"):
        return int(mark["below"][2])
    kids = mark.get("kids", [])
    return len(kids) + sum(_shown_below(k) for k in kids if not k["closed"])


def _write_marks(end: _Objects, marks: list[Mark], parent: int) -> None:
    """``marks`` (one level, in order) written with their links, and their kids below them."""
    for index, mark in enumerate(marks):
        links = b" /Parent %d 0 R" % parent
        if index:
            links += b" /Prev %d 0 R" % marks[index - 1]["number"]
        if index + 1 < len(marks):
            links += b" /Next %d 0 R" % marks[index + 1]["number"]
        count = _shown_below(mark)
        sign = -1 if mark["closed"] else 1
        if mark.get("below"):
            first, last, _ = mark["below"]
            links += b" /First %d 0 R /Last %d 0 R" % (first, last)
        elif mark.get("kids"):
            kids = mark["kids"]
            links += b" /First %d 0 R /Last %d 0 R" % (kids[0]["number"], kids[-1]["number"])
            _write_marks(end, kids, mark["number"])
        links += b" /Count %d" % (sign * count)
        end.put(mark["number"], _with(_bytes(mark["body"]), links))


def _text(data: bytes) -> str:
    return data.decode("latin-1")


def _bytes(text: str) -> bytes:
    return text.encode("latin-1")


def make_chunk(part: Path, first: int, shift: int) -> tuple[bytes, Chunk]:
    """One piece's objects renumbered from ``first`` (its structure keys shifted by ``shift``)."""
    import pikepdf

    chunk = Chunk(first, shift, next_key=shift)
    objects = _Objects(first)
    with pikepdf.open(part) as src:
        where = part.name
        root = src.Root
        tree = root.StructTreeRoot
        document = tree.K if isinstance(tree.K, pikepdf.Dictionary) else tree.K[0]
        skip = {root.objgen, root.Pages.objgen, tree.objgen}
        for holder in (tree.get("/ParentTree"), root.get("/Names"), root.get("/Outlines")):
            if holder is not None and holder.is_indirect:
                skip.add(holder.objgen)
        names_dict = root.get("/Names", {}).get("/Dests")
        if names_dict is not None and names_dict.is_indirect:
            skip.add(names_dict.objgen)
        outline = root.get("/Outlines")
        piece_tops = list(_chain(outline.get("/First"))) if outline is not None else []
        piece_kids = [list(_chain(top.get("/First"))) for top in piece_tops]
        numbers: dict[tuple[int, int], int] = {(_PAGES, 0): _PAGES}
        kept = []
        for obj in src.objects:
            if obj.objgen in skip or obj.objgen == (0, 0):
                continue
            if obj.get("/Type") in (pikepdf.Name.ObjStm, pikepdf.Name.XRef):
                continue
            kept.append(obj)
            numbers[obj.objgen] = objects.reserve()
        # What the book's catalogue, structure tree root and Document element are made of, if
        # this piece comes first: its own, but its pages, tree and names.
        chunk.document = _text(_entries(document, numbers, where, ("/K", "/P")))
        chunk.catalog = _text(
            _entries(root, numbers, where, ("/Pages", "/StructTreeRoot", "/Names", "/Outlines"))
        )
        chunk.tree = _text(
            _entries(tree, numbers, where, ("/K", "/ParentTree", "/ParentTreeNextKey"))
        )
        if "/Info" in src.trailer:
            chunk.info = numbers.get(src.trailer.Info.objgen)
        for page in src.pages:
            obj = page.obj
            if "/StructParents" in obj:
                obj.StructParents = int(obj.StructParents) + shift
                chunk.next_key = max(chunk.next_key, int(obj.StructParents) + 1)
            for annot in obj.get("/Annots", []):
                if "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + shift
                    chunk.next_key = max(chunk.next_key, int(annot.StructParent) + 1)
            chunk.pages.append(numbers[obj.objgen])
            del obj["/Parent"]
        chunk.size = _text(src.pages[0].obj.MediaBox.unparse())
        chunk.version = src.pdf_version
        document.S = pikepdf.Name.Part
        del document["/P"]
        chunk.part = numbers[document.objgen]
        # The first two levels of bookmarks stay out of the chunk (see the module's text).
        marks: dict[tuple[int, int], Mark] = {}
        top_keys = {top.objgen for top in piece_tops}
        for item in [*piece_tops, *(kid for kids in piece_kids for kid in kids)]:
            mark: Mark = {"number": numbers[item.objgen], "closed": int(item.get("/Count", 0)) < 0}
            marks[item.objgen] = mark
            if item.objgen in top_keys:
                mark["kids"] = []
            elif "/First" in item:
                mark["below"] = [
                    numbers[item.First.objgen],
                    numbers[item.Last.objgen],
                    abs(int(item.Count)),
                ]
            for key in _LINKS:
                if key in item:
                    del item[key]
        for top, kids in zip(piece_tops, piece_kids, strict=True):
            marks[top.objgen]["kids"] = [marks[kid.objgen] for kid in kids]
            chunk.tops.append(marks[top.objgen])
        for obj in kept:
            number = numbers[obj.objgen]
            if isinstance(obj, pikepdf.Stream):
                raw = obj.read_raw_bytes()
                obj.stream_dict.Length = len(raw)
                body = _renumber(obj.stream_dict.unparse(resolved=True), numbers, where)
                objects.put(number, body, raw)
                continue
            body = _renumber(obj.unparse(resolved=True), numbers, where)
            if obj.get("/Type") == pikepdf.Name.Page:
                body = _with(body, b" /Parent %d 0 R" % _PAGES)
            elif obj.objgen == document.objgen:
                body = _with(body, b" /P %d 0 R" % _DOCUMENT)
            elif obj.objgen in marks:
                marks[obj.objgen]["body"] = _text(body)
                continue
            objects.put(number, body)
        parent = tree.get("/ParentTree")
        entries = parent.Nums if parent is not None else []
        for i in range(0, len(entries), 2):
            value = _renumber(entries[i + 1].unparse(), numbers, where)
            chunk.nums.append((int(entries[i]) + shift, _text(value)))
        if names_dict is not None:
            names = names_dict.Names
            for i in range(0, len(names), 2):
                dest = _renumber(names[i + 1].unparse(), numbers, where)
                chunk.dests.append((_text(bytes(names[i])), _text(dest)))
    data = objects.close()
    chunk.after = objects.next
    chunk.entries = objects.entries
    return data, chunk


def _chunk_key(part: Path, first: int, shift: int) -> str:
    """A kept chunk's key: the piece's file (named by its render's key, whose salt holds this
    module's code) and where its numbers start."""
    material = f"{part.name}\0{sha256(part)}\0{first}\0{shift}"
    return "chunk-" + hashlib.sha256(material.encode()).hexdigest()


def cached_chunk(
    part: Path, first: int, shift: int, cache: Path | None
) -> tuple[bytes, Chunk, str]:
    """:func:`make_chunk`, from ``cache`` when made before (``<key>.chunk`` and its record)."""
    if cache is None:
        return *make_chunk(part, first, shift), ""
    from .cache import checked_record, write_record

    key = _chunk_key(part, first, shift)
    path, meta = cache / f"{key}.chunk", cache / f"{key}.json"
    record = checked_record(meta, path)
    if record is not None:
        try:
            return path.read_bytes(), Chunk.from_json(record["chunk"]), key
        except (KeyError, TypeError):
            pass
    data, chunk = make_chunk(part, first, shift)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    write_record(meta, path, {"chunk": chunk.to_json()})
    return data, chunk, key


def merge_pdfs(
    parts: list[Path | None],
    target: Path,
    cache: Path | None = None,
    nested: Sequence[bool] = (),
) -> set[str]:
    """Write ``parts`` (piece PDFs, ``None`` for a blank page) as one PDF at ``target``.

    ``nested``: per part, whether its top-level bookmarks go below the last top-level bookmark
    of the parts before it (a piece continuing a chapter).

    Streaming: each piece's objects are renumbered and written to the file as a chunk (kept in
    ``cache``, if given, for a later merge with the piece at the same place); what stays in
    memory for the end is the page list, the parent tree's entries, the named destinations and
    the top-level bookmarks, a few bytes each. Returns the keys of the chunks used.
    """
    import pikepdf

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    pages: list[int] = []
    parts_elems: list[int] = []
    nums: list[tuple[int, bytes]] = []
    dests: dict[bytes, bytes] = {}
    tops: list[Mark] = []  # the bookmarks kept out of the chunks, to be linked at the end
    first: Chunk | None = None
    next_key = 0
    size = b"[ 0 0 595.28 841.89 ]"
    used: set[str] = set()
    with tmp.open("wb") as file:
        writer: _Writer | None = None
        for place, part in enumerate(parts):
            if part is None:
                if writer is None:
                    raise ValueError("a book cannot start with a blank page")
                blank = _Objects(writer.next)
                number = blank.reserve()
                blank.write(
                    number,
                    b"<< /Type /Page /Parent %d 0 R /MediaBox %s /Resources << >> >>"
                    % (_PAGES, size),
                )
                writer.add(blank.close(), blank.entries, blank.next)
                pages.append(number)
                continue
            at = writer.next if writer is not None else _Writer.FIRST
            data, chunk, key = cached_chunk(part, _rounded(at), _rounded(next_key), cache)
            if key:
                used.add(key)
            if writer is None:
                writer = _Writer(file, chunk.version)
            writer.add(data, chunk.entries, chunk.after)
            del data
            first = first or chunk
            next_key = max(next_key, chunk.next_key)
            pages += chunk.pages
            parts_elems.append(chunk.part)
            nums += [(k, _bytes(v)) for k, v in chunk.nums]
            for name, dest in chunk.dests:
                dests.setdefault(_bytes(name), _bytes(dest))
            if tops and place < len(nested) and nested[place]:
                tops[-1]["kids"] += chunk.tops
            else:
                tops += chunk.tops
            size = _bytes(chunk.size)
        if writer is None or first is None:
            raise ValueError("nothing to merge")
        # The book's end: page tree, bookmarks, structure tree, names, catalogue.
        end = _Objects(writer.next)
        end.put(
            _PAGES,
            b"<< /Type /Pages /Count %d /Kids [ %s ] >>"
            % (len(pages), b" ".join(b"%d 0 R" % n for n in pages)),
        )
        tree_root = end.reserve()
        end.put(
            _DOCUMENT,
            b"<< %s /P %d 0 R /K [ %s ] >>"
            % (_bytes(first.document), tree_root, b" ".join(b"%d 0 R" % n for n in parts_elems)),
        )
        parent_tree = end.reserve()
        nums.sort(key=lambda kv: kv[0])
        flat = b" ".join(b"%d %s" % (key, value) for key, value in nums)
        nums.clear()  # the book's end holds one copy of what grows with the book at a time
        end.put(parent_tree, b"<< /Nums [ %s ] >>" % flat)
        del flat
        end.put(
            tree_root,
            b"<< %s /K [ %d 0 R ] /ParentTree %d 0 R /ParentTreeNextKey %d >>"
            % (_bytes(first.tree), _DOCUMENT, parent_tree, next_key),
        )
        names_obj = end.reserve()
        listed = b" ".join(
            pikepdf.String(name).unparse() + b" " + dests[name] for name in sorted(dests)
        )
        dests.clear()
        end.put(names_obj, b"<< /Names [ %s ] >>" % listed)
        del listed
        catalog_extra = b" /Names << /Dests %d 0 R >>" % names_obj
        if tops:
            outlines = end.reserve()
            _write_marks(end, tops, outlines)
            end.put(
                outlines,
                b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>"
                % (tops[0]["number"], tops[-1]["number"], _shown_below({"kids": tops})),
            )
            catalog_extra += b" /Outlines %d 0 R" % outlines
        catalog = end.reserve()
        end.put(
            catalog,
            b"<< %s /Pages %d 0 R /StructTreeRoot %d 0 R%s >>"
            % (_bytes(first.catalog), _PAGES, tree_root, catalog_extra),
        )
        data = end.close()
        writer.add(data, end.entries, end.next)
        writer.finish(catalog, first.info, writer.next)
    tmp.replace(target)
    return used


def merge_in_subprocess(
    parts: list[Path | None],
    target: Path,
    cache: Path | None = None,
    nested: Sequence[bool] = (),
) -> set[str]:
    """:func:`merge_pdfs` in a process of its own; returns the keys of the chunks it used.

    qpdf holds every object of the merged book until it is written (about 0.3 MB a page: a
    tagged page has a hundred structure elements), and memory a process has used is not given
    back: a rendering process that merged a long book would stay that big while it renders
    the next pack.
    """
    import subprocess
    import sys

    args = [
        BLANK if p is None else NESTED + str(p) if i < len(nested) and nested[i] else str(p)
        for i, p in enumerate(parts)
    ]
    command = [sys.executable, "-m", "lessonpack.pdf.merge", str(cache or ""), str(target), *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"merging {target.name} failed:\n{done.stderr[-2000:]}")
    return set(done.stdout.split())


BLANK = "-"
NESTED = "+"  # before a part's path: its bookmarks go below the chapter's before it

if __name__ == "__main__":
    import sys

    folder = Path(sys.argv[1]) if sys.argv[1] else None
    parts = [None if a == BLANK else Path(a.removeprefix(NESTED)) for a in sys.argv[3:]]
    nested = [a.startswith(NESTED) for a in sys.argv[3:]]
    print("\n".join(sorted(merge_pdfs(parts, Path(sys.argv[2]), folder, nested))))
