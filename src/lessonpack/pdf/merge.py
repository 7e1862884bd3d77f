"""Join the PDFs of a book's pieces into one tagged PDF (pikepdf, which is qpdf).

What WeasyPrint writes into each piece, and how the merge keeps it whole:

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

import warnings
from pathlib import Path


def _shift_struct_parents(pdf, shift: int) -> int:
    """Add ``shift`` to every page's and annotation's key; return the next free key."""
    top = shift
    for page in pdf.pages:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + shift
            top = max(top, int(page.obj.StructParents) + 1)
        for annot in page.obj.get("/Annots", []):
            if "/StructParent" in annot:
                annot.StructParent = int(annot.StructParent) + shift
                top = max(top, int(annot.StructParent) + 1)
    return top


def _outline_items(pdf):
    """The piece's bookmarks as plain data: (title, destination, closed, children)."""

    def read(item):
        return (item.title, item.destination, item.is_closed, [read(c) for c in item.children])

    with pdf.open_outline() as outline:
        return [read(item) for item in outline.root]


def _document_element(tree):
    """The one ``Document`` element WeasyPrint puts at the top of a structure tree."""
    import pikepdf

    top = tree.K
    return top[0] if isinstance(top, pikepdf.Array) else top


def _copy(out, src, obj):
    """``obj`` of ``src`` copied into ``out`` (qpdf copies only indirect objects: wrap others)."""
    return out.copy_foreign(obj if obj.is_indirect else src.make_indirect(obj))


def merge_pdfs(parts: list[Path | None], target: Path) -> None:
    """Write ``parts`` (piece PDFs, ``None`` for a blank page) as one PDF at ``target``."""
    import pikepdf
    from pikepdf import Array, Dictionary, OutlineItem, String

    first = next(p for p in parts if p is not None)
    out = pikepdf.open(first)
    # Start from the first piece's catalogue, without its pages, tree, names and bookmarks.
    while len(out.pages):
        del out.pages[-1]
    root_elem = _document_element(out.Root.StructTreeRoot)
    kids = Array()
    root_elem.K = kids
    nums: list[tuple[int, object]] = []
    dests: dict[bytes, object] = {}
    bookmarks = []
    next_key = 0
    size = None
    for part in parts:
        if part is None:
            out.add_blank_page(page_size=size or (595.28, 841.89))
            continue
        src = pikepdf.open(part)
        shift = next_key
        next_key = _shift_struct_parents(src, shift)
        start = len(out.pages)
        with warnings.catch_warnings():
            # pikepdf warns that named destinations stay behind: they are copied below.
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            out.pages.extend(src.pages)
        box = out.pages[start].mediabox
        size = (float(box[2]) - float(box[0]), float(box[3]) - float(box[1]))
        # Each piece's Document element becomes a Part of the book's Document, whole, so every
        # reference to it (its kids' parent, the parent tree) stays right. Arrays are copied in
        # one call each: qpdf's copier costs the same for a small object as for a large one.
        tree = src.Root.StructTreeRoot
        part_elem = _copy(out, src, _document_element(tree))
        part_elem.S = pikepdf.Name.Part
        part_elem.P = root_elem
        kids.append(part_elem)
        src_nums = _copy(out, src, tree.ParentTree.Nums)
        for i in range(0, len(src_nums), 2):
            nums.append((int(src_nums[i]) + shift, src_nums[i + 1]))
        names = src.Root.get("/Names", {}).get("/Dests", {}).get("/Names")
        if names is not None:
            names = _copy(out, src, names)
            for i in range(0, len(names), 2):
                dests.setdefault(bytes(names[i]), names[i + 1])

        def copy(item, src=src):
            title, dest, closed, children = item
            new = OutlineItem(title, _copy(out, src, dest) if dest is not None else None)
            new.is_closed = closed
            new.children.extend(copy(c) for c in children)
            return new

        bookmarks.extend(copy(item) for item in _outline_items(src))
        src.close()
    tree_root = out.Root.StructTreeRoot
    flat = Array()
    for key, value in sorted(nums, key=lambda kv: kv[0]):
        flat.append(key)
        flat.append(value)
    tree_root.ParentTree = out.make_indirect(Dictionary(Nums=flat))
    tree_root.ParentTreeNextKey = next_key
    names = Array()
    for name in sorted(dests):
        names.append(String(name))
        names.append(dests[name])
    out.Root.Names = Dictionary(Dests=out.make_indirect(Dictionary(Names=names)))
    with out.open_outline() as outline:
        outline.root.clear()
        outline.root.extend(bookmarks)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    out.save(
        tmp,
        deterministic_id=True,
        compress_streams=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    out.close()
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
