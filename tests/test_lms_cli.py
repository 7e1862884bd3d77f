"""`python -m lessonpack.lms` on small courses built in-process (teacher and student websites):
byte-identical files from the same builds, zip entries dated from SOURCE_DATE_EPOCH, a module per
lesson with its pages and quiz; bad input is one line naming the file, a non-zero exit and no
record to publish."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from conftest import BASE_CONF, REFS, sphinx_app, write_files
from lessonpack.lms.__main__ import main
from lessonpack.lms.visible import student_entries
from lessonpack.records import record_path, write_record
from test_directives import GLOSSARY, LESSON
from test_quiz import SHORT, mc, quiz_doc

INDEX = "# Course\n\n```{toctree}\nlessons/one\nglossary\nbibliography\n```\n"
QUIZ_LINK = "\n```{toctree}\n:hidden:\n../quiz\n```\n"


def files(*items: str) -> dict[str, str]:
    return {
        "index.md": INDEX,
        "lessons/one.md": LESSON + QUIZ_LINK,
        "glossary.md": GLOSSARY,
        "quiz.md": quiz_doc(*items, seed="cli"),
    }


def course_of(
    root: Path,
    *items: str,
    editions: tuple[str, ...] = ("teacher", "student"),
    **overrides: object,
) -> tuple[Path, Path]:
    """The editions' websites of a course built in ``root``: (teacher report, student record)."""
    src = write_files(root / "src", files(*items))
    (src / "conf.py").write_text(BASE_CONF, encoding="utf-8")
    (src / "refs.bib").write_text(REFS, encoding="utf-8")
    (src / "bibliography.md").write_text("# Bibliography\n\n```{bibliography}\n```\n")
    for edition in editions:
        _app, _status, warnings = sphinx_app(
            src,
            root / edition,
            root / f"{edition}-doctrees",
            lessonpack_edition=edition,
            **overrides,
        )
        assert not warnings, warnings
    return (
        root / "teacher-doctrees" / "lessonpack-report.json",
        record_path(root / "student"),
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    return course_of(tmp_path_factory.mktemp("lms"), mc(1, key=2), mc(2, key=0), SHORT)


def export(built: tuple[Path, Path], out: Path, capsys) -> tuple[int, str]:
    report, site = built
    code = main([str(report), str(site), str(out / "no-pdf-record.json"), str(out / "lms")])
    return code, capsys.readouterr().err


def test_the_same_builds_give_the_same_bytes(built, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert export(built, tmp_path / "a", capsys) == (0, "")
    assert export(built, tmp_path / "b", capsys) == (0, "")
    first = sorted((tmp_path / "a" / "lms").rglob("*"))
    assert [p.relative_to(tmp_path / "a") for p in first] == [
        p.relative_to(tmp_path / "b") for p in sorted((tmp_path / "b" / "lms").rglob("*"))
    ]
    names = {p.relative_to(tmp_path / "a" / "lms").as_posix() for p in first if p.is_file()}
    assert names == {
        "book-teacher.imscc",
        "book-teacher-cc1.2.imscc",
        "book-teacher-moodle.xml",
        "qti/quiz-teacher-qti.zip",
    }
    for name in names:
        a, b = tmp_path / "a" / "lms" / name, tmp_path / "b" / "lms" / name
        assert a.read_bytes() == b.read_bytes(), name
    with zipfile.ZipFile(tmp_path / "a" / "lms" / "book-teacher.imscc") as package:
        dates = {info.date_time for info in package.infolist()}
        assert dates == {(2023, 11, 14, 22, 13, 20)}
        assert package.namelist() == sorted(package.namelist())
        manifest = ET.fromstring(package.read("imsmanifest.xml"))
    (module,) = manifest.findall("{*}organizations/{*}organization/{*}item/{*}item")
    assert module.findtext("{*}title") == "Lesson one"
    titles = [i.findtext("{*}title") for i in module.findall("{*}item")]
    assert titles == ["Lesson one", "Quiz on lesson A"]
    record = json.loads(record_path(tmp_path / "a" / "lms").read_text(encoding="utf-8"))
    assert (record["edition"], record["format"]) == ("teacher", "lms")
    assert sorted(row["dist"] for row in record["files"]) == sorted(f"lms/{n}" for n in names)


def test_a_run_with_a_cache_writes_the_same_bytes_and_keeps_each_stream(
    built, tmp_path, capsys, monkeypatch
):
    """``--cache`` (as make runs it): the same files as a run without, and a second run takes
    every deflated entry from the store (its files are not written again)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    report, site = built
    cache = tmp_path / "cache"

    def run(name: str, *more: str) -> dict[str, bytes]:
        out = tmp_path / name / "lms"
        args = [str(report), str(site), str(tmp_path / "no-pdf-record.json"), str(out), *more]
        assert main(args) == 0
        assert capsys.readouterr().err == ""
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.*")}

    plain = run("plain")
    assert run("first", "--cache", str(cache)) == plain
    kept = sorted((cache / "lms-deflated").glob("*"))
    assert len(kept) > 10
    stamps = {p.name: p.stat().st_ino for p in kept}
    assert run("second", "--cache", str(cache)) == plain
    assert {p.name: p.stat().st_ino for p in sorted((cache / "lms-deflated").glob("*"))} == stamps
    # The quizzes' QTI kept too: a run whose quizzes did not change imports no text2qti.
    out = tmp_path / "third" / "lms"
    args = [str(report), str(site), str(tmp_path / "no-pdf-record.json"), str(out)]
    script = (
        "import sys\nfrom lessonpack.lms.__main__ import main\n"
        f"code = main({[*args, '--cache', str(cache)]!r})\n"
        "print(code, sorted(m for m in sys.modules if m.startswith('text2qti')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.stdout, done.stderr) == ("0 []\n", "")
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.*")} == plain


def test_what_a_student_sees_has_no_key_feedback_or_grader_note(built, tmp_path, capsys):
    assert export(built, tmp_path, capsys) == (0, "")
    moodle = tmp_path / "lms" / "book-teacher-moodle.xml"
    full = moodle.read_text(encoding="utf-8")
    assert "misconception number 1" in full and "procurement quotas" in full
    assert 'fraction="100"' in full
    (seen,) = student_entries(moodle).values()
    assert b"misconception" not in seen and b"procurement" not in seen and b"fraction" not in seen
    assert b"Which is the right answer to item 1?" in seen and b"Option 1.2 text" in seen
    qti = tmp_path / "lms" / "qti" / "quiz-teacher-qti.zip"
    for name, data in student_entries(qti).items():
        assert b"misconception" not in data and b"procurement" not in data, name
        assert b"setvar" not in data, name


def test_a_student_report_is_refused_in_one_line(built, tmp_path, capsys):
    _report, site = built
    student_report = site.parent / "student-doctrees" / "lessonpack-report.json"
    code, err = export((student_report, site), tmp_path, capsys)
    assert code == 1
    assert err == "lms: error: the LMS export reads the teacher edition's report (the quiz keys)\n"
    assert not record_path(tmp_path / "lms").exists()


def test_a_quiz_text2qti_refuses_is_named_by_its_file_and_line(built, tmp_path, capsys):
    # The same item twice: text2qti refuses it (the teacher report is all the export reads of it).
    twice, _ = course_of(tmp_path, mc(1), mc(1), editions=("teacher",))
    code, err = export((twice, built[1]), tmp_path, capsys)
    assert code == 1
    assert err.startswith("lms: error: quiz.md:3: text2qti: ") and err.count("\n") == 1, err
    assert not record_path(tmp_path / "lms").exists()


def test_handouts_are_titled_by_their_paper_in_the_courses_language(tmp_path, capsys):
    handout = {
        "name": "packs/{doc}-handout-{paper}",
        "mode": "handout",
        "edition": "student",
        "documents": ["lessons/*"],
    }
    report, site = course_of(
        tmp_path,
        mc(1, key=2),
        lessonpack_pdf_outputs=[handout],
        lessonpack_pdf_papers=["a4", "letter"],
    )
    # The student PDF build's record of the two handouts (their bytes are copied as they are).
    pdfs = tmp_path / "pdf"
    pdfs.mkdir()
    written = {}
    for paper in ("a4", "letter"):
        name = f"packs/one-handout-{paper}.pdf"
        (pdfs / f"one-{paper}.pdf").write_bytes(f"%PDF-1.7 {paper}\n".encode())
        written[name] = pdfs / f"one-{paper}.pdf"
    pdf_record = write_record(pdfs, "student", "pdf", written)
    data = json.loads(report.read_text(encoding="utf-8"))

    def titles(language: str) -> list[str]:
        data["language"] = language
        report.write_text(json.dumps(data), encoding="utf-8")
        out = tmp_path / language / "lms"
        assert main([str(report), str(site), str(pdf_record), str(out)]) == 0
        assert capsys.readouterr().err == ""
        with zipfile.ZipFile(out / "book-teacher.imscc") as package:
            manifest = ET.fromstring(package.read("imsmanifest.xml"))
            assert package.read("web_resources/packs/one-handout-letter.pdf").endswith(b"letter\n")
        (module,) = manifest.findall("{*}organizations/{*}organization/{*}item/{*}item")
        return [i.findtext("{*}title") for i in module.findall("{*}item")]

    # Spanish first: a second export in the same process must not keep the first's catalogue.
    assert titles("es") == [
        "Lesson one",
        "Ficha del alumnado (A4)",
        "Ficha del alumnado (Carta)",
        "Quiz on lesson A",
    ]
    assert titles("en") == ["Lesson one", "Handout (A4)", "Handout (Letter)", "Quiz on lesson A"]
