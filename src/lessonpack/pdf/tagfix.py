"""PDF/UA tagging WeasyPrint leaves undone, fixed in each PDF it writes (pikepdf).

Called once, on every render, before the render is cached (render.py); a book's merge then
joins pieces that are already right. Each fix works on what WeasyPrint wrote, never on this
course:

- running heads and folios (page margin boxes): WeasyPrint marks their text with MCIDs whose
  structure elements no structure tree reaches (WeasyPrint #1836: an Artifact element needs
  PDF 2.0); here the marked content becomes ``/Artifact`` (pagination) and the parent tree
  forgets those MCIDs;
- table header cells get ``/Scope`` (WeasyPrint #2508): ``/Row`` when a data cell of the
  header's own row names it in ``/Headers`` (``<th scope="row">``), ``/Column`` otherwise;
- a list item's kids other than ``Lbl`` (a ``P`` of ``<li><p>``) are wrapped in one ``LBody``;
- font subset tags: WeasyPrint derives a font's tag from its name, so every subset of one face
  in a book's pieces shares a tag (``ZUFEMT+Book-Serif``); each font program gets a tag
  derived from its own bytes (same program, same tag; different programs, different tags).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

LIST_ITEM_KIDS = {"/Lbl", "/LBody"}


def fix_pdf(path: Path) -> None:
    """Fix the tagging of the PDF at ``path`` in place (same bytes for the same input)."""
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        fix(pdf)
        pdf.save(
            path,
            deterministic_id=True,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )


def fix(pdf: Any) -> None:
    root = pdf.Root
    tree = root.get("/StructTreeRoot")
    if tree is not None:
        reached = _reachable(tree)
        _artifact_margins(pdf, tree, reached)
        for element in _elements(tree):
            kind = element.get("/S")
            if kind == "/TH":
                _scope_header(element)
            elif kind == "/LI":
                _wrap_list_body(pdf, element)
    _retag_fonts(pdf)


# The structure tree --------------------------------------------------------------------------


def _kids(element: Any) -> list[Any]:
    import pikepdf

    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _is_element(obj: Any) -> bool:
    import pikepdf

    return isinstance(obj, pikepdf.Dictionary) and "/S" in obj


def _elements(tree: Any) -> Iterator[Any]:
    """Every structure element the tree reaches, parents before their kids."""
    stack = [k for k in reversed(_kids(tree)) if _is_element(k)]
    seen: set[tuple[int, int]] = set()
    while stack:
        element = stack.pop()
        if element.is_indirect:
            if element.objgen in seen:
                continue
            seen.add(element.objgen)
        yield element
        stack.extend(k for k in reversed(_kids(element)) if _is_element(k))


def _reachable(tree: Any) -> set[tuple[int, int]]:
    return {e.objgen for e in _elements(tree) if e.is_indirect}


# Margin boxes as artifacts -------------------------------------------------------------------


def _parent_arrays(tree: Any) -> dict[int, Any]:
    """The parent tree's entries by key (a flat ``Nums`` array, as WeasyPrint and merge write)."""
    nums = tree.get("/ParentTree", {}).get("/Nums", [])
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums) - 1, 2)}


def _artifact_margins(pdf: Any, tree: Any, reached: set[tuple[int, int]]) -> None:
    import pikepdf

    parents = _parent_arrays(tree)
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        entry = parents.get(int(key)) if key is not None else None
        if not isinstance(entry, pikepdf.Array):
            continue
        orphans = {
            mcid
            for mcid, element in enumerate(entry)
            if isinstance(element, pikepdf.Dictionary)
            and element.is_indirect
            and element.objgen not in reached
        }
        if not orphans:
            continue
        _artifact_content(pdf, page, orphans)
        for mcid in orphans:
            entry[mcid] = pikepdf.Object.parse(b"null")


# A marked-content start as WeasyPrint writes it: "/Span <</MCID 7>> BDC" (its text is in hex
# strings, so no literal string can hold this pattern).
MARKED = re.compile(rb"/[A-Za-z0-9]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
ARTIFACT = b"/Artifact <</Type /Pagination>> BDC"


def _artifact_content(pdf: Any, page: Any, orphans: set[int]) -> None:
    """Mark the orphans' content as pagination artifacts: by pattern in WeasyPrint's one
    content stream (fast), else through pikepdf's content parser."""
    import pikepdf

    contents = page.obj.get("/Contents")
    if isinstance(contents, pikepdf.Stream):
        data = contents.read_bytes()
        if b"(" not in data:

            def swap(match: re.Match[bytes]) -> bytes:
                return ARTIFACT if int(match.group(1)) in orphans else match.group(0)

            contents.write(MARKED.sub(swap, data))
            return
    artifact = pikepdf.Dictionary(Type=pikepdf.Name.Pagination)
    changed = False
    instructions = []
    for operands, operator in pikepdf.parse_content_stream(page):
        if (
            str(operator) == "BDC"
            and len(operands) == 2
            and isinstance(operands[1], pikepdf.Dictionary)
            and "/MCID" in operands[1]
            and int(operands[1].MCID) in orphans
        ):
            instructions.append(([pikepdf.Name.Artifact, artifact], operator))
            changed = True
        else:
            instructions.append((operands, operator))
    if changed:
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))


# Table headers and list items ----------------------------------------------------------------


def _attributes(element: Any) -> Any:
    """The element's ``/Table`` attribute dictionary (made when it has none)."""
    import pikepdf

    found = element.get("/A")
    candidates = list(found) if isinstance(found, pikepdf.Array) else [found]
    for attrs in candidates:
        if isinstance(attrs, pikepdf.Dictionary) and attrs.get("/O") == "/Table":
            return attrs
    attrs = pikepdf.Dictionary(O=pikepdf.Name.Table)
    if found is None:
        element.A = attrs
    elif isinstance(found, pikepdf.Array):
        found.append(attrs)
    else:
        element.A = pikepdf.Array([found, attrs])
    return attrs


def _scope_header(header: Any) -> None:
    import pikepdf

    attrs = _attributes(header)
    if "/Scope" in attrs:
        return
    ident = header.get("/ID")
    row = header.get("/P")
    scope = pikepdf.Name.Column
    if ident is not None and row is not None:
        for cell in _kids(row):
            if not (_is_element(cell) and cell.get("/S") == "/TD"):
                continue
            named = _attributes(cell).get("/Headers", [])
            if any(bytes(n) == bytes(ident) for n in named):
                scope = pikepdf.Name.Row
                break
    attrs.Scope = scope


def _wrap_list_body(pdf: Any, item: Any) -> None:
    import pikepdf

    kids = _kids(item)
    loose = [k for k in kids if _is_element(k) and k.get("/S") not in LIST_ITEM_KIDS]
    if not loose:
        return
    body = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.LBody, P=item)
    )
    if "/Pg" in item:
        body.Pg = item.Pg
    body.K = pikepdf.Array(loose)
    for kid in loose:
        kid.P = body
    kept: list[Any] = []
    for kid in kids:
        if any(kid is k or (kid.is_indirect and kid.objgen == k.objgen) for k in loose):
            if body not in kept:
                kept.append(body)
        else:
            kept.append(kid)
    item.K = pikepdf.Array(kept)


# Font subset tags ----------------------------------------------------------------------------


def _font_program(font: Any) -> Any:
    """The embedded font program of a font dictionary (composite or simple), or None."""
    descendants = font.get("/DescendantFonts")
    target = descendants[0] if descendants is not None else font
    descriptor = target.get("/FontDescriptor")
    if descriptor is None:
        return None
    for name in ("/FontFile2", "/FontFile3", "/FontFile"):
        if name in descriptor:
            return descriptor[name]
    return None


def subset_tag(program: bytes) -> str:
    """Six capital letters from a font program's bytes."""
    digest = hashlib.sha256(program).digest()
    return "".join(chr(65 + b % 26) for b in digest[:6])


def _retag(name: Any, tag: str) -> Any:
    import pikepdf

    text = str(name).lstrip("/")
    base = text.split("+", 1)[1] if len(text) > 7 and text[6] == "+" else text
    return pikepdf.Name("/" + tag + "+" + base)


def _fonts(pdf: Any) -> Iterator[Any]:
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        fonts = page.obj.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            if font.is_indirect and font.objgen in seen:
                continue
            seen.add(font.objgen)
            yield font


def _retag_fonts(pdf: Any) -> None:
    for font in _fonts(pdf):
        program = _font_program(font)
        if program is None:
            continue
        tag = subset_tag(program.read_bytes())
        font.BaseFont = _retag(font.BaseFont, tag)
        descendants = font.get("/DescendantFonts")
        target = descendants[0] if descendants is not None else font
        if target is not font:
            target.BaseFont = _retag(target.BaseFont, tag)
        descriptor = target.get("/FontDescriptor")
        if descriptor is not None and "/FontName" in descriptor:
            descriptor.FontName = _retag(descriptor.FontName, tag)
