"""The graphic organiser ({organiser}): a sourcing grid prefilled from a lesson's source boxes,
empty cells for students (ruled on a handout), the teacher's model answers in teacher editions."""

from __future__ import annotations

import json

from docutils import nodes
from pypdf import PdfReader

from lessonpack.organiser import HANDOUT_LINES, WRITE_CLASS, add_grid_lines, build_grid
from lessonpack.report import reading_text
from test_directives import LESSON, lesson_files
from textutil import normalise

SECRET = "ORGANISER-SECRET-DELTA"
ORGANISER = f"""
:::::{{organiser}} Sourcing grid
:question: Why did the village go hungry?
:sources: src-letter

Fill in the grid.

```{{answer}} src-letter
{SECRET} the letter claims there is no grain.
```
:::::
"""

PDF_CONF = """
lessonpack_pdf_basename = "t"
lessonpack_pdf_papers = ["a4"]
lessonpack_pdf_outputs = [
    {"name": "packs/{doc}-handout-{paper}", "mode": "handout", "edition": "student",
     "documents": ["lessons/*"]},
    {"name": "packs/{doc}-teacher-{paper}", "mode": "pack", "edition": "teacher",
     "documents": ["lessons/*"]},
]
"""


def with_organiser(organiser: str = ORGANISER) -> str:
    return LESSON.replace("::::{discussion}", organiser + "\n::::{discussion}", 1)


def rules(pdf) -> int:
    """How many filled rectangles (borders, ruled lines) the PDF's pages draw."""
    return sum(page.get_contents().get_data().count(b" re") for page in PdfReader(pdf).pages)


def line_of(text: str, needle: str) -> int:
    """The line of ``needle`` in ``text`` as written (the build fixture drops leading newlines)."""
    text = text.lstrip("\n")
    return text[: text.index(needle)].count("\n") + 1


def test_student_grid_is_prefilled_from_the_source_with_empty_cells_and_no_answers(build):
    result = build(lesson_files(with_organiser()))
    assert result.warnings == ""
    page = result.html("lessons/one")
    grid = page[page.index('class="lp-organiser') :]
    grid = grid[: grid.index("</table>")]
    for head in ("What it claims", "What it leaves out", "How reliable for this question?"):
        assert f'<th scope="col" class="head"><p>{head}</p></th>' in grid
    # The source heads its row group, across the three columns.
    assert '<th scope="rowgroup" class="lp-organiser-source" colspan="3">' in grid
    assert "<strong>A letter</strong>" in grid
    for label, value in (("Who", "A farmer"), ("When", "1959"), ("For whom", "His family")):
        assert f"<strong>{label}: </strong>{value}" in grid
    assert "<strong>Why: </strong>To ask for food" in grid
    assert grid.count(f'<td class="{WRITE_CLASS}"></td>') == 3
    assert "Why did the village go hungry?" in grid
    # The answer is never parsed: no output file and no doctree holds it.
    places = [*result.outdir.rglob("*"), *result.app.doctreedir.rglob("*")]
    for path in (p for p in places if p.is_file()):
        assert SECRET.encode() not in path.read_bytes(), path


def test_teacher_edition_shows_each_answer_under_its_source_title(build):
    result = build(lesson_files(with_organiser()), edition="teacher")
    assert result.warnings == ""
    page = result.html("lessons/one")
    answers = page[page.index("lp-organiser-answers") :]
    assert page.index("</table>", page.index("lp-organiser")) < page.index("lp-organiser-answers")
    assert "Model answer: A letter" in answers and SECRET in answers
    # The leak gate reads the answer as a teacher passage.
    report = json.loads((result.app.doctreedir / "lessonpack-report.json").read_text())
    passages = report["documents"]["lessons/one"]["teacher"]
    assert any(SECRET in p["text"] and p["kind"] == "answer" for p in passages)


def test_the_organiser_is_not_reading(build):
    plain = build(lesson_files())
    report = json.loads((plain.app.doctreedir / "lessonpack-report.json").read_text())
    words = report["documents"]["lessons/one"]["reading_words"]
    result = build(lesson_files(with_organiser()))
    report = json.loads((result.app.doctreedir / "lessonpack-report.json").read_text())
    assert report["documents"]["lessons/one"]["reading_words"] == words
    doctree = result.app.env.get_doctree("lessons/one")
    assert "Fill in the grid" not in reading_text(doctree)
    assert "Why did the village go hungry" not in reading_text(doctree)


def test_unknown_label_is_reported_at_the_fence(build):
    organiser = ORGANISER.replace(":sources: src-letter", ":sources: src-letter src-nowhere")
    lesson = with_organiser(organiser)
    result = build(lesson_files(lesson))
    line = line_of(lesson, ":::::{organiser}")
    assert (
        f"one.md:{line}: WARNING: {{organiser}}: src-nowhere is not the label of a {{source}} "
        "box in this document" in result.warnings
    ), result.warnings


def test_missing_answer_is_reported_at_the_fence_when_answers_are_required(build):
    organiser = ORGANISER.replace("```{answer} src-letter", "```{answer} src-other")
    lesson = with_organiser(organiser)
    for edition in ("student", "teacher"):
        result = build(
            lesson_files(lesson), edition=edition, conf="lessonpack_require_answers = True\n"
        )
        fence = line_of(lesson, ":::::{organiser}")
        answer = line_of(lesson, "```{answer}")
        assert (
            f"one.md:{fence}: WARNING: {{organiser}} has no {{answer}} for src-letter"
            in result.warnings
        ), result.warnings
        assert (
            f"one.md:{answer}: WARNING: {{answer}} in an {{organiser}} names src-other, which is "
            "not in :sources:" in result.warnings
        ), result.warnings


def test_handout_cells_get_writing_lines():
    box = nodes.container()
    grid = build_grid([box])
    assert add_grid_lines(grid, lines=5) == 15
    cells = [c for c in grid.findall(nodes.entry) if WRITE_CLASS in c["classes"]]
    assert len(cells) == 3
    for cell in cells:
        [lines] = cell.children
        assert lines["classes"] == ["lp-lines"] and len(lines.children) == 5


def test_handout_prints_the_grid_without_answers_and_the_teacher_pack_with_them(build):
    def text(result, name: str) -> str:
        pages = PdfReader(result.outdir / name).pages
        return normalise(" ".join(p.extract_text() for p in pages))

    student = build(lesson_files(with_organiser()), builder="lessonpdf", conf=PDF_CONF)
    assert student.warnings == ""
    handout = text(student, "packs/one-handout-a4.pdf")
    for words in ("Sourcing grid", "What it leaves out", "Who: A farmer", "For whom: His family"):
        assert normalise(words) in handout, handout
    assert SECRET not in handout and "Model answer" not in handout
    # Writing space: the grid's three cells add 3 x 5 ruled lines to the handout's drawing.
    ruled = rules(student.outdir / "packs/one-handout-a4.pdf")
    plain = build(lesson_files(), builder="lessonpdf", conf=PDF_CONF)  # the same folder
    assert ruled - rules(plain.outdir / "packs/one-handout-a4.pdf") >= 3 * HANDOUT_LINES
    teacher = build(
        lesson_files(with_organiser()), builder="lessonpdf", conf=PDF_CONF, edition="teacher"
    )
    assert teacher.warnings == ""
    pack = text(teacher, "packs/one-teacher-a4.pdf")
    assert normalise(f"{SECRET} the letter claims there is no grain.") in pack
    assert normalise("Model answer: A letter") in pack
