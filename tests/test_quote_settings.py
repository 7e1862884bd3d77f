"""Text that smartquotes never saw (conf.py's ``project``) is set as the book's text is set, by
the same settings (``typography.for_config``): with smartquotes' excluded languages naming the
book's language, the website's title, the slide decks and the LMS export keep the straight
apostrophe the text keeps; with the default settings they curl it as the text does."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from lessonpack.lms.__main__ import main
from test_lms_cli import course_of
from test_quiz import mc
from test_slides import sphinx_build as slides_build
from test_slides import text_of, write_course

PROJECT = "The county's course"
EXCLUDED = {"languages": ["en"], "builders": []}  # smartquotes off for this (English) book


@pytest.mark.parametrize(("excludes", "shown"), [(EXCLUDED, "county's"), (None, "county’s")])
def test_the_websites_title_is_set_as_its_text(build, excludes, shown: str):
    conf = f"project = {PROJECT!r}\n" + (
        f"smartquotes_excludes = {excludes!r}\n" if excludes else ""
    )
    result = build({"one.md": "# One\n\nThe county's harvest.\n"}, conf=conf)
    assert result.warnings == ""
    page = result.html("one").replace("&#39;", "'").replace("&#8212;", "—")
    (tab,) = page.split("<title>")[1:]
    assert f"— The {shown} course" in tab.split("</title>")[0], tab
    assert f"The {shown} harvest." in page  # as the text smartquotes read


def test_the_lms_export_sets_the_title_as_the_text(tmp_path: Path, capsys):
    report, record = course_of(
        tmp_path, mc(1, key=2), project=PROJECT, smartquotes_excludes=EXCLUDED
    )
    out = tmp_path / "lms"
    assert main([str(report), str(record), str(tmp_path / "no-pdf-record.json"), str(out)]) == 0
    assert capsys.readouterr().err == ""
    with zipfile.ZipFile(out / "book-teacher.imscc") as package:
        manifest = ET.fromstring(package.read("imsmanifest.xml"))
    assert manifest.findtext(".//{*}general/{*}title/{*}string") == PROJECT
    bank = ET.fromstring((out / "book-teacher-moodle.xml").read_bytes())
    paths = [q.findtext("category/text") for q in bank.findall("question[@type='category']")]
    assert paths and all(p.startswith(f"$course$/top/{PROJECT}/") for p in paths), paths


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The student deck of test_slides' small course, smartquotes off for its language, with a
    number range in the central question; its build folder."""
    base = tmp_path_factory.mktemp("deck")
    src = write_course(base / "src")
    lesson = src / "lessons" / "a.md"
    text = lesson.read_text(encoding="utf-8")
    assert "harvest of 1959 fail?" in text
    lesson.write_text(text.replace("of 1959 fail?", "of 1959–1961 fail?"), encoding="utf-8")
    conf = src / "conf.py"
    conf.write_text(
        conf.read_text() + f'project = "{PROJECT}"\nsmartquotes_excludes = {EXCLUDED!r}\n',
        encoding="utf-8",
    )
    assert slides_build(src, base / "out", "student") == ""
    return base / "out"


def test_the_slides_set_the_course_name_as_the_text(deck: Path):
    for path in (deck / "slides" / "a-student.pptx", deck / "slides" / "a-student.pdf"):
        text = text_of(path)
        assert PROJECT in text and "county’s" not in text, path.name


def test_a_number_range_on_a_slide_stays_on_one_line(deck: Path):
    """As in the book (test_body_ranges.py): the deck's HTML, laid out by WeasyPrint, keeps each
    range in a span that does not wrap; the text is unchanged."""
    html = (deck / "_deck" / "a.html").read_text(encoding="utf-8")
    assert 'harvest of <span class="lp-nowrap">1959–1961</span> fail?' in html
    css = (deck / "_static" / "lessonpack-slides.css").read_text(encoding="utf-8")
    assert ".lp-nowrap { white-space: nowrap; }" in css
    assert "harvest of 1959–1961 fail?" in text_of(deck / "slides" / "a-student.pdf")
