"""Join the PDFs of a book's pieces into one tagged PDF, streaming: memory stays flat as books grow.

Each piece is read with pikepdf (qpdf), its objects renumbered past the pieces before it and
written to the file at once (packed into compressed object streams); then the piece is closed.
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
- bookmarks: each piece's outline, in order;
- the catalogue (language, title display, metadata, document information): the first piece's,
  which the template made for the whole book.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from array import array
from pathlib import Path
from typing import BinaryIO

# A reference in a PDF object as qpdf writes it, or a string (whose text must be left alone).
_TOKEN = re.compile(rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|(\d+) (\d+) R")
_PAGES, _DOCUMENT = 1, 2  # object numbers the pieces refer to before the book's end is written


class _Writer:
    """A PDF written object by object: only where each object went stays in memory.

    Objects other than streams are packed a hundred at a time into compressed object streams,
    found through a compressed cross-reference stream (PDF 1.5), as qpdf would write them.
    """

    BATCH = 100

    def __init__(self, file: BinaryIO, version: str) -> None:
        self.file = file
        self.digest = hashlib.sha256()
        # Per object number, its cross-reference entry: 1, offset in the file; or 2, the object
        # stream holding it and its index there. Arrays: a few bytes an object, however many.
        self.kind = bytearray(3)
        self.where = array("Q", [0, 0, 0])
        self.index = array("H", [0, 0, 0])
        self.batch: list[tuple[int, bytes]] = []
        self.size = 0
        self.next = 3  # after _PAGES and _DOCUMENT
        self._put(f"%PDF-{max(version, '1.5')}\n".encode() + b"%\xe2\xe3\xcf\xd3\n")

    def _put(self, data: bytes) -> None:
        self.file.write(data)
        self.digest.update(data)
        self.size += len(data)

    def reserve(self) -> int:
        self.next += 1
        return self.next - 1

    def put(self, number: int, body: bytes, stream: bytes | None = None) -> None:
        if stream is None:
            self.batch.append((number, body))
            if len(self.batch) >= self.BATCH:
                self._pack()
            return
        self._write(number, body + b"\nstream\n" + stream + b"\nendstream")

    def _entry(self, number: int, kind: int, where: int, index: int) -> None:
        missing = number + 1 - len(self.kind)
        if missing > 0:
            self.kind.extend(bytes(missing))
            self.where.extend([0] * missing)
            self.index.extend([0] * missing)
        self.kind[number], self.where[number], self.index[number] = kind, where, index

    def _write(self, number: int, data: bytes) -> None:
        self._entry(number, 1, self.size, 0)
        self._put(b"%d 0 obj\n" % number + data + b"\nendobj\n")

    def _pack(self) -> None:
        if not self.batch:
            return
        holder = self.reserve()
        header, bodies, at = [], [], 0
        for index, (number, body) in enumerate(self.batch):
            header.append(b"%d %d" % (number, at))
            bodies.append(body)
            at += len(body) + 1
            self._entry(number, 2, holder, index)
        head = b" ".join(header) + b"\n"
        data = zlib.compress(head + b"\n".join(bodies) + b"\n", 6)
        self._write(
            holder,
            b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>"
            % (len(self.batch), len(head), len(data))
            + b"\nstream\n"
            + data
            + b"\nendstream",
        )
        self.batch = []

    def finish(self, root: int, info: int | None) -> None:
        self._pack()
        xref = self.reserve()
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
        self._write(xref, trailer + b"\nstream\n" + data + b"\nendstream")
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


def merge_pdfs(parts: list[Path | None], target: Path) -> None:
    """Write ``parts`` (piece PDFs, ``None`` for a blank page) as one PDF at ``target``.

    Streaming: each piece's objects are copied to the file as it is read, renumbered, and the
    piece is closed; what stays in memory for the end is the page list, the parent tree's
    entries, the named destinations and the top-level bookmarks, a few bytes each.
    """
    import pikepdf

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    pages: list[int] = []
    parts_elems: list[int] = []
    nums: list[tuple[int, bytes]] = []
    dests: dict[bytes, bytes] = {}
    tops: list[bytes] = []  # top-level bookmarks, without Parent, Prev and Next
    top_numbers: list[int] = []
    first_catalog = first_tree = first_document = b""
    open_below = 0  # bookmarks shown open below the top-level ones
    info: int | None = None
    next_key = 0
    size = b"[ 0 0 595.28 841.89 ]"
    with tmp.open("wb") as file:
        writer: _Writer | None = None
        for part in parts:
            if part is None:
                if writer is None:
                    raise ValueError("a book cannot start with a blank page")
                number = writer.reserve()
                writer.put(
                    number,
                    b"<< /Type /Page /Parent %d 0 R /MediaBox %s /Resources << >> >>"
                    % (_PAGES, size),
                )
                pages.append(number)
                continue
            with pikepdf.open(part) as src:
                if writer is None:
                    writer = _Writer(file, src.pdf_version)
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
                numbers: dict[tuple[int, int], int] = {(_PAGES, 0): _PAGES}
                kept = []
                for obj in src.objects:
                    if obj.objgen in skip or obj.objgen == (0, 0):
                        continue
                    if obj.get("/Type") in (pikepdf.Name.ObjStm, pikepdf.Name.XRef):
                        continue
                    kept.append(obj)
                    numbers[obj.objgen] = writer.reserve()
                # The book's catalogue, structure tree root and Document element are the first
                # piece's, with what the merge makes instead of their pages, tree and names.
                if not pages:
                    first_document = _entries(document, numbers, where, ("/K", "/P"))
                    first_catalog = _entries(
                        root, numbers, where, ("/Pages", "/StructTreeRoot", "/Names", "/Outlines")
                    )
                    first_tree = _entries(
                        tree, numbers, where, ("/K", "/ParentTree", "/ParentTreeNextKey")
                    )
                    if "/Info" in src.trailer:
                        info = numbers.get(src.trailer.Info.objgen)
                shift = next_key
                for page in src.pages:
                    obj = page.obj
                    if "/StructParents" in obj:
                        obj.StructParents = int(obj.StructParents) + shift
                        next_key = max(next_key, int(obj.StructParents) + 1)
                    for annot in obj.get("/Annots", []):
                        if "/StructParent" in annot:
                            annot.StructParent = int(annot.StructParent) + shift
                            next_key = max(next_key, int(annot.StructParent) + 1)
                    pages.append(numbers[obj.objgen])
                    del obj["/Parent"]
                box = src.pages[0].obj.MediaBox
                size = box.unparse()
                document.S = pikepdf.Name.Part
                del document["/P"]
                parts_elems.append(numbers[document.objgen])
                top_keys = {item.objgen for item in piece_tops}
                for item in piece_tops:
                    open_below += max(int(item.get("/Count", 0)), 0)
                    for key in ("/Parent", "/Prev", "/Next"):
                        if key in item:
                            del item[key]
                for obj in kept:
                    number = numbers[obj.objgen]
                    if isinstance(obj, pikepdf.Stream):
                        raw = obj.read_raw_bytes()
                        obj.stream_dict.Length = len(raw)
                        body = _renumber(obj.stream_dict.unparse(resolved=True), numbers, where)
                        writer.put(number, body, raw)
                        continue
                    body = _renumber(obj.unparse(resolved=True), numbers, where)
                    if obj.get("/Type") == pikepdf.Name.Page:
                        body = _with(body, b" /Parent %d 0 R" % _PAGES)
                    elif obj.objgen == document.objgen:
                        body = _with(body, b" /P %d 0 R" % _DOCUMENT)
                    elif obj.objgen in top_keys:
                        tops.append(body)
                        top_numbers.append(number)
                        continue
                    writer.put(number, body)
                parent = tree.get("/ParentTree")
                entries = parent.Nums if parent is not None else []
                for i in range(0, len(entries), 2):
                    value = _renumber(entries[i + 1].unparse(), numbers, where)
                    nums.append((int(entries[i]) + shift, value))
                if names_dict is not None:
                    names = names_dict.Names
                    for i in range(0, len(names), 2):
                        dest = _renumber(names[i + 1].unparse(), numbers, where)
                        dests.setdefault(bytes(names[i]), dest)
                del kept, numbers
        if writer is None:
            raise ValueError("nothing to merge")
        # The book's end: page tree, bookmarks, structure tree, names, catalogue.
        writer.put(
            _PAGES,
            b"<< /Type /Pages /Count %d /Kids [ %s ] >>"
            % (len(pages), b" ".join(b"%d 0 R" % n for n in pages)),
        )
        tree_root = writer.reserve()
        writer.put(
            _DOCUMENT,
            b"<< %s /P %d 0 R /K [ %s ] >>"
            % (first_document, tree_root, b" ".join(b"%d 0 R" % n for n in parts_elems)),
        )
        parent_tree = writer.reserve()
        nums.sort(key=lambda kv: kv[0])
        flat = b" ".join(b"%d %s" % (key, value) for key, value in nums)
        writer.put(parent_tree, b"<< /Nums [ %s ] >>" % flat)
        writer.put(
            tree_root,
            b"<< %s /K [ %d 0 R ] /ParentTree %d 0 R /ParentTreeNextKey %d >>"
            % (
                first_tree,
                _DOCUMENT,
                parent_tree,
                next_key,
            ),
        )
        names_obj = writer.reserve()
        listed = b" ".join(
            pikepdf.String(name).unparse() + b" " + dests[name] for name in sorted(dests)
        )
        writer.put(names_obj, b"<< /Names [ %s ] >>" % listed)
        catalog_extra = b" /Names << /Dests %d 0 R >>" % names_obj
        if tops:
            outlines = writer.reserve()
            for index, (number, body) in enumerate(zip(top_numbers, tops, strict=True)):
                links = b" /Parent %d 0 R" % outlines
                if index:
                    links += b" /Prev %d 0 R" % top_numbers[index - 1]
                if index + 1 < len(top_numbers):
                    links += b" /Next %d 0 R" % top_numbers[index + 1]
                writer.put(number, _with(body, links))
            writer.put(
                outlines,
                b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>"
                % (top_numbers[0], top_numbers[-1], len(tops) + open_below),
            )
            catalog_extra += b" /Outlines %d 0 R" % outlines
        catalog = writer.reserve()
        writer.put(
            catalog,
            b"<< %s /Pages %d 0 R /StructTreeRoot %d 0 R%s >>"
            % (
                first_catalog,
                _PAGES,
                tree_root,
                catalog_extra,
            ),
        )
        writer.finish(catalog, info)
    tmp.replace(target)


def merge_in_subprocess(parts: list[Path | None], target: Path) -> None:
    """:func:`merge_pdfs` in a process of its own.

    qpdf holds every object of the merged book until it is written (about 0.3 MB a page: a
    tagged page has a hundred structure elements), and memory a process has used is not given
    back: a rendering process that merged a long book would stay that big while it renders
    the next pack.
    """
    import subprocess
    import sys

    args = [str(p) if p is not None else BLANK for p in parts]
    command = [sys.executable, "-m", "lessonpack.pdf.merge", str(target), *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"merging {target.name} failed:\n{done.stderr[-2000:]}")


BLANK = "-"

if __name__ == "__main__":
    import sys

    merge_pdfs([None if a == BLANK else Path(a) for a in sys.argv[2:]], Path(sys.argv[1]))
