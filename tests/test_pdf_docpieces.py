"""A piece per document (pdf/bookparts.py ``split_documents``): a lesson's worksheet is laid out
as a piece of its own, after the lesson's, so an edit of either lays out only its own pages; the
book is the one a clean build writes, its bookmarks nest as in one piece, and links cross the
boundary both ways.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pikepdf
from pypdf import PdfReader

from boxes import dest_page
from test_edit_cache import build, outputs
from test_incremental import course, sphinx

BOOK = "t-teacher-a4.pdf"
LESSON = Path("lessons") / "01-x.md"
SHEET = Path("exercises") / "01-x.md"


def laid_out(status: str) -> dict[str, int]:
    """From the build log: each PDF's pages laid out (not taken from the render cache)."""
    found = re.findall(r"^(\S+\.pdf): (\d+) pages laid out$", status, re.M)
    return {name: int(pages) for name, pages in found}


def printed(pdf: Path, first: int, end: int) -> int:
    """The pages of ``pdf`` from ``first`` up to ``end`` (1-based, end excluded) that show
    something: a blank page before a right-hand lesson is never laid out."""
    with pikepdf.open(pdf) as book:
        return sum("/Contents" in book.pages[n - 1].obj for n in range(first, end))


def test_an_edit_of_one_document_lays_out_only_its_own_pages(tmp_path: Path):
    """Lesson 1 and its worksheet (its toctree's document): an edit of the worksheet lays out
    the worksheet's pages and nothing of the lesson; an edit of the lesson's reading lays out
    the lesson's pages and keeps the worksheet's render (it starts on the same page). Each
    time the PDFs are those a clean build of the edited course writes."""
    src = course(tmp_path)
    doctrees = tmp_path / "doctrees"
    build(src, tmp_path / "one", doctrees, "lessonpdf", "teacher")
    pdf = tmp_path / "one" / BOOK
    lesson, sheet, after = (
        dest_page(pdf, f"document-{doc}")
        for doc in ("lessons/01-x", "exercises/01-x", "lessons/02-x")
    )
    lesson_pages, sheet_pages = printed(pdf, lesson, sheet), printed(pdf, sheet, after)
    assert lesson_pages > 1 and sheet_pages >= 1, (lesson, sheet, after)
    for path, old, new, pages in (
        (SHEET, "Compare the sources.", "Compare the two sources.", sheet_pages),
        (LESSON, "## Section 1.1", "One more sentence.\n\n## Section 1.1", lesson_pages),
    ):
        text = (src / path).read_text(encoding="utf-8")
        (src / path).write_text(text.replace(old, new), encoding="utf-8")
        name = path.stem + "-" + path.parent.name
        status = build(src, tmp_path / name, doctrees, "lessonpdf", "teacher")
        assert laid_out(status)[BOOK] == pages, (path, status)
        build(src, tmp_path / f"{name}-clean", tmp_path / f"{name}-fresh", "lessonpdf", "teacher")
        assert outputs(tmp_path / name) == outputs(tmp_path / f"{name}-clean")


def outline(pdf: Path) -> list[tuple[int, str, int]]:
    """Every bookmark as (depth, title, /Count), in order; each kid's /Parent checked."""
    found: list[tuple[int, str, int]] = []

    def walk(item, depth: int, parent) -> None:
        while item is not None:
            assert item.Parent.objgen == parent.objgen
            found.append((depth, str(item.Title), int(item.get("/Count", 0))))
            if "/First" in item:
                walk(item.First, depth + 1, item)
            item = item.get("/Next")

    with pikepdf.open(pdf) as book:
        walk(book.Root.Outlines.First, 0, book.Root.Outlines)
    return found


def link_pages(pdf: Path, page: int) -> list[int]:
    """The pages the internal links of ``page`` (1-based) go to."""
    reader = PdfReader(pdf)
    found = []
    for annot in reader.pages[page - 1].get("/Annots", []):
        dest = annot.get_object().get("/Dest")
        if dest is not None:
            target = reader.named_destinations[str(dest)]
            found.append(reader.get_destination_page_number(target) + 1)
    return found


def test_a_worksheet_is_a_piece_of_its_own_nested_and_linked_as_in_one(tmp_path: Path):
    """The worksheet is a piece of its own that continues the lesson's chapter: its bookmark is
    the lesson's last kid (after the lesson's sections), the lesson's /Count counts it, and a
    link from the lesson to the worksheet and one back go to the right pages."""
    src = course(tmp_path)
    lesson = src / LESSON
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(
        text.replace("## Section 1.1", "See {doc}`../exercises/01-x`.\n\n## Section 1.1")
    )
    sheet = src / SHEET
    text = sheet.read_text(encoding="utf-8")
    sheet.write_text(
        text.replace("Compare the sources.", "Compare the sources of {ref}`lesson-1`.")
    )
    build(src, tmp_path / "out", tmp_path / "doctrees", "lessonpdf", "teacher")
    out = tmp_path / "out"
    jobs = json.loads((out / "pdf-jobs.json").read_text(encoding="utf-8"))
    book = next(job for job in jobs if job["target"].endswith(BOOK))
    assert len(book["continues"]) == len(book["pieces"])
    continuing = [p for p, c in zip(book["pieces"], book["continues"], strict=True) if c]
    assert len(continuing) == 2, book["pieces"]  # each lesson's worksheet
    html = (out / continuing[0]).read_text(encoding="utf-8")
    assert 'id="document-exercises/01-x"' in html and 'id="document-lessons/01-x"' not in html
    pdf = out / BOOK
    marks = outline(pdf)
    at = marks.index((0, "Lesson 1", 4))
    assert marks[at + 1 : at + 5] == [
        (1, "Section 1.0", 0),
        (1, "Section 1.1", 0),
        (1, "Section 1.2", 0),
        (1, "Worksheet 1", 0),
    ]
    assert marks[at + 5][:2] == (0, "Lesson 2")
    with pikepdf.open(pdf) as merged:
        assert int(merged.Root.Outlines.Count) == len(marks)  # every bookmark shown open
    start = dest_page(pdf, "document-lessons/01-x")
    assert dest_page(pdf, "lesson-1") == start  # the lesson's label, on its first page
    sheet_page = dest_page(pdf, "document-exercises/01-x")
    assert sheet_page > start
    assert sheet_page in link_pages(pdf, start)
    assert start in link_pages(pdf, sheet_page)
    assert PdfReader(pdf).pages[sheet_page - 1].extract_text().split()[-1] == str(sheet_page)


PACK = "packs/01-x-teacher-a4.pdf"


def build_pieced(src: Path, out: Path, doctrees: Path) -> str:
    """A teacher PDF build with its packs a piece per document (not the default)."""
    status, warnings = sphinx(
        src,
        out,
        doctrees,
        "lessonpdf",
        lessonpack_edition="teacher",
        lessonpack_pdf_pack_pieces=True,
    )
    assert warnings == ""
    return status


def test_a_pack_is_laid_out_a_piece_per_document(tmp_path: Path):
    """Lesson 1's teacher pack: an edit of the lesson's reading lays out the reading's pages
    only (the worksheet's and the answer key's renders are kept: each page shows the pack's
    page count, which did not change), the pack is the one a clean build writes, its bookmarks
    those of the pack laid out whole, and every page's footer counts the whole pack."""
    src = course(tmp_path)
    doctrees = tmp_path / "doctrees"
    build_pieced(src, tmp_path / "one", doctrees)
    pdf = tmp_path / "one" / PACK
    sheet = dest_page(pdf, "document-exercises/01-x")
    total = len(PdfReader(pdf).pages)
    assert 1 < sheet < total
    lesson = src / LESSON
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("## Section 1.1", "One more sentence.\n\n## Section 1.1"))
    status = build_pieced(src, tmp_path / "two", doctrees)
    assert laid_out(status)[PACK] == sheet - 1, status
    build_pieced(src, tmp_path / "clean", tmp_path / "fresh")
    assert outputs(tmp_path / "two") == outputs(tmp_path / "clean")
    edited = tmp_path / "two" / PACK
    marks = outline(edited)
    assert marks[0][:2] == (0, "Lesson 1") and (1, "Worksheet 1", 0) in marks
    assert marks[-1] == (0, "Answer key", 0)  # after the worksheet's piece, not below it
    for number, page in enumerate(PdfReader(edited).pages, 1):
        assert f"{number} / {total}" in page.extract_text(), number
    # Laid out whole (lessonpack_pdf_pack_pieces = False, the default): the same pixels.
    _, warnings = sphinx(
        src,
        tmp_path / "whole",
        tmp_path / "whole-doctrees",
        "lessonpdf",
        lessonpack_edition="teacher",
        lessonpack_pdf_pack_pieces=False,
    )
    assert warnings == ""
    whole = pixels(tmp_path / "whole" / PACK)
    assert len(whole) == total and whole == pixels(edited)


def pixels(pdf: Path) -> list[bytes]:
    """Every page of ``pdf`` as a PNG (poppler's pdftoppm, at 40 dpi)."""
    folder = pdf.with_suffix(".pages")
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", "40", "-png", pdf, folder / "p"], check=True)
    return [p.read_bytes() for p in sorted(folder.glob("*.png"))]


def test_a_pdf_of_pieces_lays_out_each_once_after_an_edit_and_copies_an_unchanged_merge(
    tmp_path: Path, monkeypatch
):
    """A job of two pieces that show the PDF's page count (a pack in pieces): a cold run lays
    each out until the count is known; run again, nothing is laid out or merged (the merge is
    copied from the cache); after an edit of the second piece, only it is laid out, once (the
    first round starts from the count the last run settled on), and merged."""
    from lessonpack.pdf import jobs

    merges: list[str] = []
    merge = jobs.merge_in_subprocess

    def counting(parts, target, cache, nested):
        merges.append(target.name)
        return merge(parts, target, cache, nested)

    monkeypatch.setattr(jobs, "merge_in_subprocess", counting)
    style = (
        "<style>@page { @bottom-right { content: counter(page) ' / ' counter(lp-pages) } }"
        "h1 { break-before: page }</style>"
    )
    page = '<!DOCTYPE html><html lang="en"><head><title>t</title>{}</head><body>{}</body></html>'
    words = "<p>Words of a paragraph about the harvest.</p>" * 60
    (tmp_path / "one.html").write_text(page.format(style, "<h1>One</h1>" + words))
    second = tmp_path / "two.html"
    second.write_text(page.format(style, "<h1>Two</h1>" + words))
    job = jobs.Job(
        root=str(tmp_path),
        pieces=("one.html", "two.html"),
        paper="a4",
        target=str(tmp_path / "out" / "pack.pdf"),
        cache=str(tmp_path / "cache"),
        salt="salt",
        continues=(False, True),
        total=True,
    )
    cold = jobs.run(job)
    assert cold.pages > 2 and cold.rendered == 4 and merges == ["pack.pdf"]  # two rounds
    first = Path(job.target).read_bytes()
    texts = [p.extract_text() for p in PdfReader(job.target).pages]
    assert all(f"{n} / {cold.pages}" in t for n, t in enumerate(texts, 1)), texts
    again = jobs.run(job)
    assert (again.rendered, merges) == (0, ["pack.pdf"])
    assert Path(job.target).read_bytes() == first
    second.write_text(page.format(style, "<h1>Two, edited</h1>" + words))
    edited = jobs.run(job)
    assert edited.rendered == 1 and merges == ["pack.pdf", "pack.pdf"]
    assert "Two, edited" in "".join(p.extract_text() for p in PdfReader(job.target).pages)
