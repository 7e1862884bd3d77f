"""Two builds of the same sources give byte-identical outputs: the gate's check
(lessonpack.check.reproducible, run by `make check`) rebuilds a copy of the project in another
folder, in a fresh virtual environment made from the lock, and compares every file of the two
dist/ folders both ways. These tests prove the comparison and the copy; the whole check runs on
the second course (tests/test_second_course.py), through `make check`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from lessonpack.check import Site
from lessonpack.check.reproducible import Course, check, differences, project_files


def tree(base: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_bytes(data)
    return base


def test_identical_trees_do_not_differ(tmp_path: Path):
    files = {"html/index.html": b"<p>a</p>", "book.epub": b"zip", ".manifest.json": b"{}"}
    published = tree(tmp_path / "dist", files)
    again = tree(tmp_path / "again", files)
    assert differences(published, again) == (3, [])


def test_a_changed_byte_or_a_file_in_one_folder_only_is_a_difference(tmp_path: Path):
    published = tree(tmp_path / "dist", {"a.html": b"1", "b.html": b"2", "c.js": b"3"})
    again = tree(tmp_path / "again", {"a.html": b"1", "b.html": b"X", "d.pdf": b"4"})
    compared, problems = differences(published, again)
    assert compared == 4
    assert [p.split()[0].rstrip(":") for p in problems] == ["b.html", "c.js", "d.pdf"]
    assert "only in the second build" in problems[2]
    assert "not in the second build" in problems[1]


def test_the_sources_are_what_git_tracks_and_new_files_it_does_not_ignore(tmp_path: Path):
    tree(tmp_path, {"Makefile": b"", "lessons/a.md": b"a", ".gitignore": b"build/\n.venv/\n"})
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    tree(tmp_path, {"lessons/new.md": b"n", "build/x.html": b"", ".venv/bin/python": b""})
    names = [str(p) for p in project_files(tmp_path)]
    assert names == [".gitignore", "Makefile", "lessons/a.md", "lessons/new.md"]


def test_without_git_the_generated_folders_are_left_out(tmp_path: Path):
    tree(tmp_path, {"Makefile": b"", "book/index.md": b"", "dist/a.pdf": b"", "build/b": b""})
    tree(tmp_path, {".venv/c": b"", "node_modules/d": b"", "src/x/__pycache__/e.pyc": b""})
    assert [str(p) for p in project_files(tmp_path)] == ["Makefile", "book/index.md"]


def test_builds_of_different_commits_are_reported_not_rebuilt(tmp_path: Path):
    """dist/ from builds that recorded different dates cannot equal one build: said at once."""
    for build, epoch in (("student/html", "100"), ("teacher/pdf", "200")):
        report = tmp_path / "build" / f"{build}-doctrees" / "lessonpack-report.json"
        report.parent.mkdir(parents=True)
        report.write_text(f'{{"source_date_epoch": "{epoch}"}}')
    outcome = check(Site(tmp_path, tmp_path / "build", tmp_path / "dist"))
    assert outcome.figure == "not checked"
    assert "student/html 100, teacher/pdf 200" in outcome.problems[0]


def test_the_second_build_reads_the_course_where_the_reports_say(tmp_path: Path):
    """A course inside the project is rebuilt in the project's copy; one outside it is copied
    beside that copy; make is pointed at either by SRCDIR, CONFDIR and SOURCE_DIRS."""
    root, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    tree(root, {"Makefile": b"", "curso/ajustes/conf.py": b""})
    tree(elsewhere, {"ajustes/conf.py": b"x = 1", "unidades/uno.md": b"# Uno"})
    report = tmp_path / "build" / "student" / "html-doctrees" / "lessonpack-report.json"
    report.parent.mkdir(parents=True)
    for srcdir, expected in (
        (root / "curso", ["SRCDIR=curso", "CONFDIR=curso/ajustes"]),
        (elsewhere, [f"SRCDIR={tmp_path / 'copy' / 'course'}"]),
    ):
        data = {"srcdir": str(srcdir), "confdir": str(srcdir / "ajustes")}
        report.write_text(json.dumps({**data, "source_dirs": ["ajustes", "unidades"]}))
        course = Course.of(tmp_path / "build")
        assert course is not None
        copied, variables = course.copy(root, tmp_path / "copy" / "project")
        assert variables[: len(expected)] == expected
        assert variables[-1] == "SOURCE_DIRS=ajustes unidades"
    assert copied == 2 and variables[1] == f"CONFDIR={tmp_path / 'copy' / 'course' / 'ajustes'}"
    assert (tmp_path / "copy" / "course" / "unidades" / "uno.md").read_text() == "# Uno"
