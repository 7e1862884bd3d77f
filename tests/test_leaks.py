"""The most important test: teacher text is in the teacher's pack and in no student output.

The passages come from the teacher edition's own doctrees (every {teacher-note}, {lesson-plan},
{guidance}, {answer}, {solution} and {teacher-only}), recorded by the build in its report, and
from the source text itself (every teacher-directive fence, found without the parser). The
student outputs are what dist/.manifest.json lists as the student edition. The logic is the
release gate's (lessonpack.check.leaks), so the test and `make check` agree; the gate's own line
on the book (`make test` runs it just before) is not repeated here.
"""

from __future__ import annotations

import pytest

from conftest import BOOK, BUILD, DIST, ROOT, need
from lessonpack.check import Site
from lessonpack.check.leaks import (
    all_sentences,
    find_leaks,
    index_leaks,
    missing_from,
    search_indexes,
    student_outputs,
    teacher_pdfs,
    teacher_sentences,
)
from lessonpack.manifest import files_of, read_manifest

TEACHER_PDFS = [f"{BOOK}-teacher-a4.pdf", f"{BOOK}-teacher-letter.pdf"]
SITE = Site(ROOT, BUILD, DIST)
PAPERS = ("a4", "letter")
LESSONS = ("01-soviet-origins", "02-collectivization", "03-famine", "04-culpability-memory")


@pytest.fixture(scope="module")
def passages(teacher_report):
    found, public = teacher_sentences(teacher_report)
    # Non-vacuous: the book has teacher material in every lesson.
    docs = {doc for doc, _ in found}
    assert len(found) > 300, len(found)
    assert {f"lessons/0{n}" for n in range(1, 5)} <= {d[:10] for d in docs}
    return found, public


@pytest.fixture(scope="module")
def entries():
    return read_manifest(need(DIST))


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


def test_the_manifest_says_which_pdfs_are_for_students(entries):
    student = {p.relative_to(DIST).as_posix() for p in files_of(DIST, "student", entries)}
    teacher = {p.relative_to(DIST).as_posix() for p in teacher_pdfs(SITE, entries)}
    assert set(TEACHER_PDFS) <= teacher
    assert not {p for p in student if "teacher" in p}
    # The student book in both papers and a handout per lesson and paper, at least.
    assert len([p for p in student if p.endswith(".pdf")]) >= 2 + 2 * len(LESSONS)
    # A teacher slide deck is a teacher output but holds a selection by design (guidance as
    # notes, no lesson plan): it is never asked to hold every teacher sentence of its lesson.
    decks = {n for n, e in entries.items() if e.edition == "teacher" and e.format == "slides"}
    assert {n for n in decks if n.endswith(".pdf")} and not decks & teacher


def test_no_teacher_passage_in_any_student_output(teacher_report, entries):
    found, public = all_sentences(teacher_report)
    outputs = student_outputs(SITE, entries)
    student = files_of(DIST, "student", entries)
    pdfs = [p.relative_to(DIST).as_posix() for p in student if p.suffix == ".pdf"]
    assert pdfs and set(pdfs) <= set(outputs)  # every student PDF is read, found by the manifest
    assert sum(".epub/" in name for name in outputs) > 20
    findings = find_leaks(found, public, outputs)
    assert findings.checked > 1000
    # Short sentences are checked too (under 30 characters: over a tenth of teacher text).
    assert len(found) - findings.checked - findings.excused == 0
    assert findings.leaks == []


def test_no_teacher_only_word_in_the_student_search_index(teacher_report, entries):
    found, public = all_sentences(teacher_report)
    indexes = search_indexes(SITE, entries)
    assert "html/searchindex.js" in indexes and len(indexes["html/searchindex.js"]) > 1000
    assert index_leaks(found, public, indexes, teacher_report["language"]) == []


def test_student_outputs_ship_no_sources_or_doctrees(entries):
    shipped = [p for p in files_of(DIST, "student", entries)]
    assert not [p for p in shipped if "_sources" in p.parts or p.suffix in {".doctree", ".pickle"}]
    epub = {k for k in student_outputs(SITE, entries) if k.startswith(f"{BOOK}.epub/")}
    assert not [n for n in epub if n.endswith((".doctree", ".pickle", ".txt", ".md"))]
