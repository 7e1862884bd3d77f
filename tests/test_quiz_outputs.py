"""Printed quizzes from a real `make` of a small course: versions A and B hold the same items in
other orders with keys that match, rebuild byte for byte, and the leak gate catches a key list."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from lessonpack.check import Site
from lessonpack.check.leaks import check, key_leaks, quiz_keys
from lessonpack.manifest import Entry, read_manifest, sha256, write_manifest
from test_bad_input import LESSON_DOC, course, make, write
from test_quiz import SHORT, mc, quiz_doc

QUIZ_DOC = "quiz.md"
CONF = """
copyright = "2026"
version = "1"
lessonpack_pdf_papers = ["a4"]
lessonpack_pdf_outputs = [
    {"name": "book-{edition}-{paper}", "mode": "book"},
    {"name": "{doc}-{version}-{paper}", "mode": "quiz", "edition": "student",
     "documents": ["quiz"]},
    {"name": "{doc}-handout-{paper}", "mode": "handout", "edition": "student",
     "documents": ["lessons/*"]},
]
"""
ITEMS = [mc(n, key=n % 4) for n in range(1, 11)] + [SHORT]


def small_course() -> dict[str, str | bytes]:
    files = course()
    files["conf.py"] = str(files["conf.py"]) + CONF
    # The quiz follows its lesson, as a worksheet does: the book and the handout inline it.
    files[LESSON_DOC] = str(files[LESSON_DOC]) + "\n```{toctree}\n:hidden:\n../quiz\n```\n"
    files[QUIZ_DOC] = quiz_doc(*ITEMS, seed="small-1")
    return files


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("quiz")
    write(base / "src", small_course())
    run = make(base)
    out, _ = run.communicate(timeout=900)
    assert run.returncode == 0, out
    return base


def text_of(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def order_in(text: str) -> list[int]:
    """The written numbers of the items in the order a paper prints them."""
    return [int(n) for n in re.findall(r"right answer to item (\d+)", text)]


def report(built: Path) -> dict:
    path = built / "build" / "teacher" / "pdf-doctrees" / "lessonpack-report.json"
    [quiz] = json.loads(path.read_text(encoding="utf-8"))["documents"]["quiz"]["quizzes"]
    return quiz


def test_versions_a_and_b_print_the_same_items_in_other_orders(built: Path):
    dist = built / "dist"
    a, b = text_of(dist / "quiz-A-a4.pdf"), text_of(dist / "quiz-B-a4.pdf")
    assert sorted(order_in(a)) == sorted(order_in(b)) == list(range(1, 11))
    assert order_in(a) != order_in(b) != list(range(1, 11))
    assert "Explain one cause." in a and "Explain one cause." in b
    for text in (a, b):
        assert "misconception" not in text and "procurement quotas" not in text
        assert "Key:" not in text and "Answer grid" not in text
    quiz = report(built)
    for version, text in (("A", a), ("B", b)):
        entry = quiz["versions"][version]
        printed = [n - 1 for n in order_in(text)]
        assert printed == [i for i in entry["order"] if quiz["items"][i]["kind"] == "mc"]
        # Each keyed letter points at the keyed option's text, in the order this paper prints.
        letters = entry["keys"].split()[1::2]
        for index, letter in zip(printed, letters, strict=True):
            item = quiz["items"][index]
            shown = [item["options"][o] for o in entry["options"][index]]
            key_text = item["options"][item["key"]]
            assert shown["ABCD".index(letter)] == key_text
            # The paper prints the options in that order too.
            positions = [text.index(option) for option in shown]
            assert positions == sorted(positions)


def test_the_teacher_book_has_the_grid_and_the_handout_no_quiz(built: Path):
    dist = built / "dist"
    teacher = text_of(dist / "book-teacher-a4.pdf")
    assert "Answer grid" in teacher and "Version A" in teacher and "Version B" in teacher
    assert "misconception number 1" in teacher
    handout = text_of(dist / "one-handout-a4.pdf")
    assert "right answer to item" not in handout


def test_quiz_papers_rebuild_byte_identical(built: Path, tmp_path: Path):
    write(tmp_path / "src", small_course())
    run = make(tmp_path, "pdf")
    out, _ = run.communicate(timeout=900)
    assert run.returncode == 0, out
    for name in ("quiz-A-a4.pdf", "quiz-B-a4.pdf", "book-teacher-a4.pdf"):
        assert (tmp_path / "dist" / name).read_bytes() == (built / "dist" / name).read_bytes()


def test_a_key_list_planted_in_a_student_output_fails_the_gate(built: Path, tmp_path: Path):
    shutil.copytree(built / "dist", tmp_path / "dist")
    shutil.copytree(built / "build" / "teacher", tmp_path / "build" / "teacher")
    site = Site(built / "src", tmp_path / "build", tmp_path / "dist")
    quiz = report(built)
    keys = quiz_keys(
        json.loads(
            (tmp_path / "build" / "teacher" / "pdf-doctrees" / "lessonpack-report.json").read_text(
                encoding="utf-8"
            )
        )
    )
    assert len(keys) == 2
    assert check(site).ok, check(site).problems
    entries = read_manifest(site.dist)
    page = tmp_path / "dist" / "html" / "quiz.html"
    listing = quiz["versions"]["B"]["keys"].replace(" ", ". ", 1)  # "1. B 2 D ..."
    page.write_text(page.read_text(encoding="utf-8") + f"<p>{listing}</p>", encoding="utf-8")
    write_manifest(  # as if it had been published so: the gate reads what the manifest lists
        site.dist,
        [Entry(n, e.edition, e.format, sha256(site.dist / n)) for n, e in sorted(entries.items())],
    )
    outcome = check(site)
    assert not outcome.ok
    assert [p for p in outcome.problems if "version B: the key list is in html/quiz.html" in p]
    assert not [p for p in outcome.problems if "version A" in p]


def test_key_lists_match_however_spaced():
    outputs = {"x.html": ("Answers: 1. B, 2. D; 4 A", "")}
    assert key_leaks([("q version A", "1 B 2 D 4 A")], outputs) == [("q version A", "x.html")]
    assert key_leaks([("q version A", "1 B 2 D 4 C")], outputs) == []
