"""Decks kept from the last build (lessonpack.slides.kept): an edit makes only its lesson's decks
again; the others are copied, and every deck is the bytes a clean build makes."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import BASE_CONF, REFS, snapshot, write_files
from test_slides import CONF, EXERCISE, LESSON, course, lessonslides


def two_lessons(src: Path) -> Path:
    second = (
        LESSON.replace("lesson-a", "lesson-b")
        .replace("Lesson A", "Lesson B")
        .replace("src-report", "src-report-b")
        .replace("src-dropped", "src-dropped-b")
        .replace("../exercises/a", "../exercises/b")
    )
    index = "# Course\n\n```{toctree}\nlessons/a\nlessons/b\nglossary\nbibliography\n```\n"
    files = {"conf.py": BASE_CONF + CONF, "refs.bib": REFS, "index.md": index}
    files["bibliography.md"] = "# Bibliography\n\n```{bibliography}\n```\n"
    files["lessons/b.md"] = second
    files["exercises/b.md"] = EXERCISE.replace("lesson A", "lesson B")
    return write_files(src, {**files, **course()})


def slides(src: Path, root: Path, edition: str = "teacher") -> str:
    """A strict slide build as `make` runs it (its output folder emptied first, its doctrees
    kept beside); its log."""
    out = root / "slides"
    subprocess.run(["rm", "-rf", str(out)], check=True)
    strict = ("-W", "--keep-going", "-n")
    return lessonslides(src, out, edition, root / "doctrees", *strict).stdout


def test_an_edit_makes_only_its_lessons_decks_and_a_glossary_edit_every_deck(tmp_path):
    src = two_lessons(tmp_path / "src")
    first = slides(src, tmp_path / "edit")
    assert "a: " in first and "(kept)" not in first
    lesson = src / "lessons" / "b.md"
    lesson.write_text(lesson.read_text().replace("this paragraph", "this short paragraph"))
    log = slides(src, tmp_path / "edit")
    decks = {line.split(":")[0].split()[-1]: line for line in log.splitlines() if " slides" in line}
    assert decks["a"].endswith(" slides (kept)")
    assert decks["b"].endswith(" slides")  # made again
    slides(src, tmp_path / "clean")
    assert snapshot(tmp_path / "edit" / "slides" / "slides") == snapshot(
        tmp_path / "clean" / "slides" / "slides"
    )
    # A slide may show a glossary definition: a changed definition makes every deck again.
    glossary = src / "glossary.md"
    glossary.write_text(glossary.read_text().replace("A large collective", "A big collective"))
    assert "(kept)" not in slides(src, tmp_path / "edit")
