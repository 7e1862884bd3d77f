"""The most important test: teacher text is in the teacher's pack and in no student output.

The passages come from the teacher edition's own doctrees (every {teacher-note}, {lesson-plan},
{guidance}, {answer}, {solution} and {teacher-only}), recorded by the build in its report.
"""

from __future__ import annotations

import pytest

from conftest import BOOK, DIST, need
from textutil import epub_texts, normalise, pdf_pages, sentences, site_texts

TEACHER_PDFS = [f"{BOOK}-teacher-a4.pdf", f"{BOOK}-teacher-letter.pdf"]
PAPERS = ("a4", "letter")
LESSONS = ("01-soviet-origins", "02-collectivization", "03-famine", "04-culpability-memory")
STUDENT_PDFS = [f"{BOOK}-student-{paper}.pdf" for paper in PAPERS] + [
    f"packs/{doc}-handout-{paper}.pdf" for doc in LESSONS for paper in PAPERS
]


def teacher_sentences(report: dict) -> tuple[list[tuple[str, str]], set[str]]:
    """(document, sentence) of every teacher passage, and the normalised public text."""
    found, public = [], set()
    for docname, record in report["documents"].items():
        for passage in record["teacher"]:
            found.extend((docname, s) for s in sentences(passage["text"]))
        if "public_text" in record:
            public.add(normalise(record["public_text"]))
    return found, public


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
    text = normalise("".join(pdf_pages(need(DIST / pdf))))
    missing = [(doc, s) for doc, s in passages[0] if normalise(s) not in text]
    assert missing == []


@pytest.mark.parametrize("doc", LESSONS)
@pytest.mark.parametrize("paper", PAPERS)
def test_every_lesson_pack_holds_its_lessons_teacher_passages(passages, doc, paper):
    """A lesson's pack: the teacher text of the lesson and of its worksheets, all of it."""
    text = normalise("".join(pdf_pages(need(DIST / "packs" / f"{doc}-teacher-{paper}.pdf"))))
    own = [(d, s) for d, s in passages[0] if d in (f"lessons/{doc}", f"exercises/{doc}")]
    assert len(own) > 40
    assert [(d, s) for d, s in own if normalise(s) not in text] == []


def student_outputs() -> dict[str, str]:
    texts = {f"html/{k}": v for k, v in site_texts(need(DIST / "html")).items()}
    texts.update({f"epub/{k}": v for k, v in epub_texts(need(DIST / f"{BOOK}.epub")).items()})
    texts.update({f"pdf/{name}": "\n".join(pdf_pages(need(DIST / name))) for name in STUDENT_PDFS})
    return texts


def test_no_teacher_passage_in_any_student_output(passages):
    found, public = passages
    outputs = {name: normalise(text) for name, text in student_outputs().items()}
    assert any(name.endswith("searchindex.js") for name in outputs)
    assert sum(name.startswith("epub/") for name in outputs) > 20
    assert sum(name.startswith("pdf/") for name in outputs) == len(STUDENT_PDFS)
    checked = 0
    leaks = []
    for doc, sentence in found:
        needle = normalise(sentence)
        if any(needle in text for text in public):
            continue  # the same words are student text too (e.g. a question quoted in guidance)
        checked += 1
        leaks.extend((doc, sentence, name) for name, text in outputs.items() if needle in text)
    assert checked > 300
    assert leaks == []


def test_student_outputs_ship_no_sources_or_doctrees():
    html = need(DIST / "html")
    shipped = [p for p in html.rglob("*") if p.is_file()]
    assert not [p for p in shipped if "_sources" in p.parts or p.suffix in {".doctree", ".pickle"}]
    epub = epub_texts(need(DIST / f"{BOOK}.epub"))
    assert not [n for n in epub if n.endswith((".doctree", ".pickle", ".txt", ".md"))]
