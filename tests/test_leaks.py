"""The most important test: teacher text is in the teacher's pack and in no student output.

The passages come from the teacher edition's own doctrees (every {teacher-note}, {lesson-plan},
{guidance}, {answer}, {solution} and {teacher-only}), recorded by the build in its report. The
logic is the release gate's (lessonpack.check.leaks), so the test and `make check` agree.
"""

from __future__ import annotations

import pytest

from conftest import BOOK, BUILD, DIST, ROOT, need
from lessonpack.check import Site
from lessonpack.check.leaks import find_leaks, missing_from, student_outputs, teacher_sentences
from lessonpack.check.texts import normalise

TEACHER_PDFS = [f"{BOOK}-teacher-a4.pdf", f"{BOOK}-teacher-letter.pdf"]
SITE = Site(ROOT, BUILD, DIST)
PAPERS = ("a4", "letter")
LESSONS = ("01-soviet-origins", "02-collectivization", "03-famine", "04-culpability-memory")
STUDENT_PDFS = [f"{BOOK}-student-{paper}.pdf" for paper in PAPERS] + [
    f"packs/{doc}-handout-{paper}.pdf" for doc in LESSONS for paper in PAPERS
]


@pytest.fixture(scope="module")
def passages(teacher_report):
    found, public = teacher_sentences(teacher_report)
    # Non-vacuous: the book has teacher material in every lesson.
    docs = {doc for doc, _ in found}
    assert len(found) > 300, len(found)
    assert {f"lessons/0{n}" for n in range(1, 5)} <= {d[:10] for d in docs}
    return found, public


@pytest.mark.parametrize("pdf", TEACHER_PDFS)
def test_every_teacher_passage_is_in_the_teachers_pack(passages, pdf):
    assert missing_from(need(DIST / pdf), passages[0]) == []


@pytest.mark.parametrize("doc", LESSONS)
@pytest.mark.parametrize("paper", PAPERS)
def test_every_lesson_pack_holds_its_lessons_teacher_passages(passages, doc, paper):
    """A lesson's pack: the teacher text of the lesson and of its worksheets, all of it."""
    own = [(d, s) for d, s in passages[0] if d in (f"lessons/{doc}", f"exercises/{doc}")]
    assert len(own) > 40
    assert missing_from(need(DIST / "packs" / f"{doc}-teacher-{paper}.pdf"), own) == []


def test_no_teacher_passage_in_any_student_output(passages):
    found, public = passages
    need(DIST / "html")
    outputs = student_outputs(SITE)
    assert any(name.endswith("searchindex.js") for name in outputs)
    assert sum(name.startswith(f"{BOOK}.epub/") for name in outputs) > 20
    assert sorted(n.removeprefix("pdf/") for n in outputs if n.startswith("pdf/")) == sorted(
        STUDENT_PDFS
    )
    checked, leaks = find_leaks(found, public, outputs)
    assert checked > 300
    assert leaks == []


def test_a_planted_leak_is_found(passages):
    found, public = passages
    doc, sentence = next((d, s) for d, s in found if not any(normalise(s) in p for p in public))
    checked, leaks = find_leaks([(doc, sentence)], public, {"html/page.html": f"x {sentence} y"})
    assert (checked, leaks) == (1, [(doc, sentence, "html/page.html")])


def test_student_outputs_ship_no_sources_or_doctrees():
    html = need(DIST / "html")
    shipped = [p for p in html.rglob("*") if p.is_file()]
    assert not [p for p in shipped if "_sources" in p.parts or p.suffix in {".doctree", ".pickle"}]
    epub = {k for k in student_outputs(SITE) if k.startswith(f"{BOOK}.epub/")}
    assert not [n for n in epub if n.endswith((".doctree", ".pickle", ".txt", ".md"))]
