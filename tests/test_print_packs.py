"""Packs, handouts and the full pack on a small course: layout asserted on WeasyPrint page boxes."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from weasyprint.formatting_structure import boxes as wp

from boxes import (
    body_boxes,
    classes,
    descendants,
    dest_page,
    margin_text,
    render,
    render_pieces,
    stranded_heading,
)
from textutil import normalise

PARAGRAPH = (
    "Students read this long paragraph about harvests, quotas and the village canteen. " * 12
)


def lesson(n: int) -> str:
    sections = "\n\n".join(f"## Section {n}.{s}\n\n{PARAGRAPH}\n\n{PARAGRAPH}" for s in range(3))
    return f"""
(lesson-{n})=
# Lesson {n}

::::{{lesson}}
:central-question: Why did harvest {n} fail?
:duration: One 50-minute period

:::{{objectives}}
- Explain harvest {n}.
:::
::::

::::{{lesson-plan}}
PLAN-SECRET-{n} ten minutes of starter.
::::

{sections}

::::{{discussion}}
:::{{question}}
:lines: 3
What failed in lesson {n}?

```{{guidance}}
GUIDE-SECRET-{n} the harvest.
```
:::

:::{{question}}
Why? Default lines.

```{{guidance}}
GUIDE-SECRET-{n}-B weather and policy.
```
:::
::::

```{{toctree}}
:hidden:
../exercises/0{n}-x
```
"""


def exercise(n: int) -> str:
    return f"""
# Worksheet {n}

::::{{exercise}} Sources for lesson {n}
:kind: worksheet

:::{{question}}
:lines: 6
Compare the sources.

```{{answer}}
ANSWER-SECRET-{n} they disagree.
```
:::

:::{{solution}}
KEY-SECRET-{n} marking notes.
:::
::::
"""


FILES = {
    "front.md": f"# Front\n\n{PARAGRAPH}\n",
    **{f"lessons/0{n}-x.md": lesson(n) for n in (1, 2)},
    **{f"exercises/0{n}-x.md": exercise(n) for n in (1, 2)},
}
CONF = """
lessonpack_pdf_basename = "t"
lessonpack_pdf_papers = ["a4"]
lessonpack_pdf_outputs = [
    {"name": "{basename}-{edition}-{paper}", "mode": "book"},
    {"name": "packs/{doc}-teacher-{paper}", "mode": "pack", "edition": "teacher",
     "documents": ["lessons/*"]},
    {"name": "packs/{doc}-handout-{paper}", "mode": "handout", "edition": "student",
     "documents": ["lessons/*"]},
]
"""
SECRETS = ["PLAN-SECRET-1", "GUIDE-SECRET-1", "ANSWER-SECRET-1", "KEY-SECRET-1"]


def files() -> dict[str, str]:
    # The exercises are reached through each lesson's hidden toctree, not from the index.
    pages = ["front", "lessons/01-x", "lessons/02-x", "bibliography"]
    index = "# Index\n\n```{toctree}\n" + "\n".join(pages) + "\n```\n"
    return {"index.md": index, **FILES}


@pytest.fixture(scope="module")
def teacher(tmp_path_factory):
    return _build(tmp_path_factory, "teacher")


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    return _build(tmp_path_factory, "student")


def _build(factory, edition):
    from conftest import build as build_fixture

    run = build_fixture.__wrapped__(factory.mktemp(edition))
    result = run(files(), edition=edition, builder="lessonpdf", conf=CONF)
    assert result.warnings == ""
    return result


def test_teacher_build_writes_the_book_and_one_pack_per_lesson(teacher):
    out = teacher.outdir
    assert (out / "t-teacher-a4.pdf").exists()
    assert sorted(p.name for p in (out / "packs").glob("*.pdf")) == [
        "01-x-teacher-a4.pdf",
        "02-x-teacher-a4.pdf",
    ]
    assert not list(out.glob("**/*handout*.pdf"))


def test_student_build_writes_the_student_book_and_handouts_only(student):
    out = student.outdir
    assert (out / "t-student-a4.pdf").exists()
    assert sorted(p.name for p in (out / "packs").glob("*.pdf")) == [
        "01-x-handout-a4.pdf",
        "02-x-handout-a4.pdf",
    ]


def test_full_pack_lessons_start_on_odd_pages_and_no_heading_ends_a_page(teacher):
    pdf = teacher.outdir / "t-teacher-a4.pdf"
    for n in (1, 2):
        assert dest_page(pdf, f"document-lessons/0{n}-x") % 2 == 1
    pieces = render_pieces(teacher.outdir)
    # front, front.md, two lessons and their worksheets, bibliography, answer key
    assert len(pieces) == 8
    stranded = [
        (n, i) for n, d in enumerate(pieces) for i, p in enumerate(d.pages) if stranded_heading(p)
    ]
    assert stranded == []


def test_answer_key_points_back_to_the_page_of_each_exercise(teacher):
    path = teacher.outdir / "t-teacher-a4.pdf"
    pdf = PdfReader(path)
    text = normalise("".join(page.extract_text() for page in pdf.pages))
    for n in (1, 2):
        page = dest_page(path, f"lp-exercise-{n}")
        assert normalise(f"Worksheet {n}: Sources for lesson {n}, page {page}") in text
        assert normalise(f"KEY-SECRET-{n}") in text
    assert dest_page(path, "lp-answer-key") > dest_page(path, "lp-exercise-2")


def test_each_pack_restarts_its_page_numbers_and_names_its_lesson(teacher):
    for n in (1, 2):
        document = render(teacher.outdir, f"_pack/lessons/0{n}-x.html")
        count = len(document.pages)
        for number, page in enumerate(document.pages, 1):
            assert margin_text(page, "@bottom-right") == f"{number} / {count}"
            footer = margin_text(page, "@bottom-left")  # the course (short title) and the lesson
            assert footer.startswith("Test course") and footer.endswith(f" · Lesson {n}")
        pages = PdfReader(teacher.outdir / f"packs/0{n}-x-teacher-a4.pdf").pages
        assert len(pages) == count
        text = normalise(
            "".join(
                PdfReader(teacher.outdir / f"packs/0{n}-x-teacher-a4.pdf").pages[i].extract_text()
                for i in range(count)
            )
        )
        for secret in SECRETS:
            assert normalise(secret.replace("-1", f"-{n}")) in text
        # Worksheets keep their number in the book: lesson 2's pack has worksheet 2.
        assert normalise(f"Worksheet {n}: Sources for lesson {n}, page") in text
        other = 2 if n == 1 else 1
        assert normalise(f"Lesson {other}") not in text


def test_handout_has_writing_lines_fields_and_no_reading(student):
    document = render(student.outdir, "_handout/lessons/01-x.html")
    lines = []
    for page in document.pages:
        for box in body_boxes(page):
            if "lp-question" in classes(box):
                lines.append(sum("lp-line" in classes(b) for b in descendants(box)))
    # :lines: 3, the default 4, then the worksheet's :lines: 6
    assert lines == [3, 4, 6]
    first = list(body_boxes(document.pages[0]))
    assert any("lp-handout-fields" in classes(b) for b in first)
    sizes = {
        b.style["font_size"]
        for page in document.pages
        for b in body_boxes(page)
        if isinstance(b, wp.TextBox) and b.text.strip()
    }
    assert min(sizes) >= 10 * 4 / 3  # 10 pt in CSS pixels
    text = normalise(
        "".join(
            p.extract_text() for p in PdfReader(student.outdir / "packs/01-x-handout-a4.pdf").pages
        )
    )
    assert normalise("What failed in lesson 1?") in text
    assert normalise("Compare the sources.") in text
    assert normalise("Students read this long paragraph") not in text
    assert "secret" not in text


def test_student_book_has_no_teacher_text_and_no_answer_key(student):
    text = normalise(
        "".join(p.extract_text() for p in PdfReader(student.outdir / "t-student-a4.pdf").pages)
    )
    assert normalise("Sources for lesson 1") in text
    assert "secret" not in text
    assert normalise("Answer key") not in text


def test_a_handout_must_be_made_from_the_student_edition(build):
    conf = 'lessonpack_pdf_outputs = [{"name": "h", "mode": "handout", "documents": ["one"]}]\n'
    result = build(
        {"one.md": "# One\n\nText.\n"}, edition="teacher", builder="lessonpdf", conf=conf
    )
    assert "a handout needs 'edition': 'student' [lessonpack.config]" in result.warnings
    assert not list(result.outdir.glob("*.pdf"))


def test_merged_book_has_one_whole_structure_tree(teacher):
    """The pieces' tags are one tree: every page and link is tied to it, nothing dangles."""
    import pikepdf

    with pikepdf.open(teacher.outdir / "t-teacher-a4.pdf") as pdf:
        tree = pdf.Root.StructTreeRoot
        nums = tree.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        assert keys == sorted(set(keys)) and int(tree.ParentTreeNextKey) == max(keys) + 1
        pages = {page.obj.objgen for page in pdf.pages}
        used = set()
        for page in pdf.pages:
            if "/StructParents" in page.obj:
                used.add(int(page.obj.StructParents))
            for annot in page.obj.get("/Annots", []):
                used.add(int(annot.StructParent))
                assert "/Dest" in annot and "/A" not in annot  # links between pieces joined
        assert used == set(keys)
        document = tree.K[0] if isinstance(tree.K, pikepdf.Array) else tree.K
        assert document.S == "/Document"
        seen, stack = 0, [document]
        while stack:
            element = stack.pop()
            if not isinstance(element, pikepdf.Dictionary):
                continue
            if "/Pg" in element:
                assert element.Pg.objgen in pages
                seen += 1
            kids = element.get("/K")
            stack.extend(kids if isinstance(kids, pikepdf.Array) else [kids])
        assert seen > 50
        # One outline entry per chapter, in reading order.
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
        assert titles.index("Lesson 1") < titles.index("Lesson 2") < titles.index("Answer key")
