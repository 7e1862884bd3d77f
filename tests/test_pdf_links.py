"""Links in a book laid out piece by piece: real destinations, one tagged annotation each."""

from __future__ import annotations

import re

import pikepdf
from pypdf import PdfReader

from test_pdf_builder import two_chapters

CONF = 'lessonpack_pdf_basename = "t"\nlessonpack_pdf_papers = ["a4"]\n'
# A link long enough to break across lines: each of its annotations is named by all its words.
LONG = (
    "a link whose words are long enough to run from one line of the page onto the next, "
    "which a reader should still hear whole"
)


def sources() -> dict[str, str]:
    files = two_chapters()
    words = "Some words before the link, to push it along the line: "
    files["one.md"] = files["one.md"].replace("Intro 1,", f"{words}[{LONG}](#timeline-2). Intro 1,")
    return files


def _links(pdf: pikepdf.Pdf) -> list[tuple[int, pikepdf.Dictionary]]:
    return [
        (number, annot)
        for number, page in enumerate(pdf.pages)
        for annot in page.obj.get("/Annots", [])
        if annot.get("/Subtype") == "/Link"
    ]


def _page_of(pdf: pikepdf.Pdf, name: str) -> int:
    names = pdf.Root.Names.Dests.Names
    for i in range(0, len(names), 2):
        if str(names[i]) == name:
            page = names[i + 1][0].objgen
            return next(n for n, p in enumerate(pdf.pages) if p.obj.objgen == page)
    raise AssertionError(f"no destination {name}")


def test_each_link_is_one_tagged_annotation_named_by_its_words(build, capfd):
    result = build(sources(), edition="teacher", builder="lessonpdf", conf=CONF)
    assert result.warnings == ""
    # Progress, one whole line per step, even under -q (the Makefile's): pieces, merge, PDFs.
    progress = [line for line in capfd.readouterr().err.splitlines() if line.startswith("pdf: ")]
    name = "pdf: t-teacher-a4.pdf:"
    assert progress == [
        "pdf: 1 PDFs to write (4 pieces), 1 process(es)",
        f"{name} piece 1/4 laid out, 3 pages",
        f"{name} piece 2/4 laid out, 1 pages",
        f"{name} piece 3/4 laid out, 1 pages",
        f"{name} piece 4/4 laid out, 1 pages",
        # The contents again, with the page numbers the rest found.
        f"{name} piece 1/4 laid out again (round 2), 3 pages",
        f"{name} merging 4 pieces, 6 pages",
        "pdf: 1/1 PDFs done, 1 process(es)",
    ]
    pdf = pikepdf.open(result.outdir / "t-teacher-a4.pdf")
    tree = pdf.Root.StructTreeRoot.ParentTree.Nums
    owners = {int(tree[i]): tree[i + 1] for i in range(0, len(tree), 2)}
    links = _links(pdf)
    assert links
    seen: set[tuple[int, tuple[int, ...], str]] = set()
    words = []
    for number, link in links:
        rect = tuple(round(float(v)) for v in link.Rect)
        where = (number, rect, str(link.get("/Dest", "")))
        assert where not in seen, f"a second annotation for the same link: {where}"
        seen.add(where)
        # Owned by the link's structure element, never by NonStruct or nothing.
        assert str(owners[int(link.StructParent)].S) == "/Link"
        # Links between pieces are named destinations the book holds, not addresses.
        assert "/A" not in link and str(link.Dest) in {
            str(n) for n in pdf.Root.Names.Dests.Names[::2]
        }
        text = str(link.Contents)
        assert text != str(link.Dest) and "invalid" not in text and "#" not in text
        words.append(text)
    # The link's words as the reader sees them, without the leader and page number.
    assert "the other timeline" in words
    assert "Chapter 2" in words
    assert words.count(LONG) >= 2
    assert not any(".." in w for w in words)
    # The contents shows the page each of its links leads to (from the pieces laid out after).
    reader = PdfReader(result.outdir / "t-teacher-a4.pdf")
    contents = next(p.extract_text() for p in reader.pages if "Contents" in p.extract_text())
    for name, title in (("document-one", "Chapter 1"), ("document-two", "Chapter 2")):
        shown = re.search(rf"{title}\W*(\d+)", contents)
        assert shown, contents
        assert int(shown.group(1)) == _page_of(pdf, name) + 1
