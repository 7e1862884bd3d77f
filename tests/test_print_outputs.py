"""The printed outputs in dist/: every pack and handout exists, is accessible, and is laid out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from boxes import (
    body_boxes,
    classes,
    descendants,
    dest_page,
    render,
    render_pieces,
    stranded_heading,
)
from conftest import BOOK, BUILD, DIST, ROOT, need

LESSONS = sorted(p.stem for p in (ROOT / "lessons").glob("*.md"))
PAPERS = ["a4", "letter"]
PACKS = [DIST / "packs" / f"{doc}-teacher-{paper}.pdf" for doc in LESSONS for paper in PAPERS]
HANDOUTS = [DIST / "packs" / f"{doc}-handout-{paper}.pdf" for doc in LESSONS for paper in PAPERS]
# Each lesson's quiz (exercises/NN-slug-quiz.md), printed in versions A and B (quiz.py).
QUIZZES = [
    DIST / "packs" / f"{doc}-quiz-{version}-{paper}.pdf"
    for doc in LESSONS
    for version in "AB"
    for paper in PAPERS
]
BOOKS = [
    DIST / f"{BOOK}-{edition}-{paper}.pdf" for edition in ("teacher", "student") for paper in PAPERS
]


def test_one_pack_and_one_handout_per_lesson_and_paper():
    assert len(LESSONS) == 4
    assert sorted(p.name for p in (DIST / "packs").glob("*.pdf")) == sorted(
        p.name for p in PACKS + HANDOUTS + QUIZZES
    )


@pytest.mark.parametrize("pdf", PACKS + HANDOUTS + QUIZZES + BOOKS, ids=lambda p: p.stem)
def test_every_pdf_is_tagged_titled_bookmarked_with_embedded_fonts(pdf):
    reader = PdfReader(need(pdf))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()
    title = reader.metadata.title
    suffix = {"teacher": ": Teacher’s pack", "handout": ": Student handout"}
    if "-quiz-" in pdf.stem:
        version = pdf.stem.split("-")[-2]
        assert title.startswith("Quiz ") and title.endswith(f", version {version}: Quiz")
    elif pdf.parent.name == "packs":
        assert title.startswith("Lesson ") and title.endswith(suffix[pdf.stem.split("-")[-2]])
    else:
        assert title.startswith("The Great Leap Forward")
    assert reader.outline
    for page in reader.pages:
        for ref in page.get("/Resources", {}).get("/Font", {}).values():
            font = ref.get_object()
            if font.get("/Subtype") == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font["/FontDescriptor"]
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


@pytest.mark.parametrize("pdf", PACKS + HANDOUTS, ids=lambda p: p.stem)
def test_pack_pages_are_numbered_from_one_and_name_the_lesson(pdf):
    reader = PdfReader(need(pdf))
    count = len(reader.pages)
    lesson = reader.outline[0].title
    assert lesson.startswith("Lesson ")
    for number, page in enumerate(reader.pages, 1):
        footer = page.extract_text()
        assert re.search(rf"\b{number} / {count}\b", footer)
        assert lesson in footer


@pytest.mark.parametrize("paper", PAPERS)
def test_full_pack_starts_each_lesson_on_a_right_hand_page(paper):
    pdf = need(DIST / f"{BOOK}-teacher-{paper}.pdf")
    for doc in LESSONS:
        assert dest_page(pdf, f"document-lessons/{doc}") % 2 == 1, doc


def test_full_pack_never_ends_a_page_with_a_heading():
    need(DIST / f"{BOOK}-teacher-a4.pdf")
    stranded = [
        (n, i)
        for n, piece in enumerate(render_pieces(BUILD / "teacher" / "pdf"))
        for i, page in enumerate(piece.pages, 1)
        if stranded_heading(page)
    ]
    assert stranded == []


def _source_lines(path: Path) -> list[int]:
    """The :lines: of each {question} in a MyST file, in order (4 when not given)."""
    found = []
    for block in re.split(r":::+\{question\}", path.read_text(encoding="utf-8"))[1:]:
        options = re.match(r"(\s*\n(?::[\w-]+:.*\n)*)", block)
        match = re.search(r":lines:\s*(\d+)", options[1] if options else "")
        found.append(int(match[1]) if match else 4)
    return found


@pytest.mark.parametrize("doc", LESSONS)
def test_handout_writing_lines_match_the_lines_option(doc):
    need(DIST / "packs" / f"{doc}-handout-a4.pdf")
    document = render(BUILD / "student" / "pdf", f"_handout/lessons/{doc}.html")
    # A question with many lines may run over a page: count per element, not per box.
    lines: dict[int, int] = {}
    for page in document.pages:
        for box in body_boxes(page):
            if "lp-question" in classes(box):
                count = sum("lp-line" in classes(b) for b in descendants(box))
                lines[id(box.element)] = lines.get(id(box.element), 0) + count
    expected = _source_lines(ROOT / "lessons" / f"{doc}.md")
    expected += _source_lines(ROOT / "exercises" / f"{doc}.md")
    assert list(lines.values()) == expected


@pytest.mark.parametrize("paper", ["A4", "letter"])
@pytest.mark.parametrize("doc", LESSONS)
def test_pack_lesson_plan_fits_on_its_first_page(doc, paper):
    need(DIST / "packs" / f"{doc}-teacher-a4.pdf")
    document = render(BUILD / "teacher" / "pdf", f"_pack/lessons/{doc}.html", paper)
    pages = {
        number
        for number, page in enumerate(document.pages, 1)
        for box in body_boxes(page)
        if classes(box) & {"lp-lesson", "lp-lesson-plan"}
    }
    assert pages == {1}
