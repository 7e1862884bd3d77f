"""Two builds of the same sources give byte-identical outputs: the gate's check
(lessonpack.check.reproducible, run by `make check`) rebuilds a copy of the project in another
folder, in a fresh virtual environment made from the lock, and compares every file of the two
dist/ folders both ways. These tests prove the comparison, the copy, and the whole check on a
small project built by the real Makefile."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from conftest import BASE_CONF, REFS, ROOT, write_files
from lessonpack.check import Site
from lessonpack.check.reproducible import check, differences, project_files
from test_bad_input import GOOD_LESSON, LESSON_DOC, PNG, make_env
from test_directives import GLOSSARY


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


TOC = "# Course\n\n```{toctree}\n../lessons/one\nglossary\nbibliography\n```\n"


def small_project(base: Path) -> Path:
    """A project with this Makefile, lock and package, and a one-lesson course."""
    base.mkdir()
    for name in ("Makefile", "pyproject.toml", "requirements.lock", "README.md"):
        shutil.copy2(ROOT / name, base / name)
    shutil.copytree(
        ROOT / "src", base / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    conf = BASE_CONF.replace('["refs.bib"]', '["refs.bib"]\nroot_doc = "book/index"')
    conf += 'include_patterns = ["book/**.md", "lessons/**.md"]\n'
    conf += 'exclude_patterns = [".venv", "build", "dist", "src"]\n'
    conf += 'copyright = "2026"\nversion = release = "1"\n'
    write_files(
        base,
        {
            "book/conf.py": conf,
            "book/refs.bib": REFS,
            "book/index.md": TOC,
            "book/glossary.md": GLOSSARY,
            "book/bibliography.md": "# Bibliography\n\n```{bibliography}\n```\n",
            LESSON_DOC: GOOD_LESSON.replace("../map.png", "map.png"),
            "lessons/map.png": PNG,
        },
    )
    return base


def test_the_check_rebuilds_a_copy_and_finds_every_difference(tmp_path: Path):
    """A small project built by `make` (its own virtual environment from the lock), then one
    file of dist/ changed and one added: the second build, in a copy elsewhere with a fresh
    virtual environment, reproduces every other file and reports exactly those two."""
    project = small_project(tmp_path / "project")
    run = subprocess.run(
        ["make", "-C", str(project)], env=make_env(), capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    dist = project / "dist"
    page = dist / "html" / "lessons" / "one.html"
    page.write_bytes(page.read_bytes().replace(b"</body>", b"<!-- x --></body>"))
    (dist / "html" / "stale.html").write_text("<p>left from an earlier build</p>")
    outcome = check(Site(project, project / "build", dist))
    assert [p.split()[0].rstrip(":") for p in outcome.problems] == [
        "html/lessons/one.html",
        "html/stale.html",
    ], outcome.problems
    compared = int(outcome.figure.split()[2])
    assert compared == len([p for p in dist.rglob("*") if p.is_file()]) > 10
    assert not (project / "build" / "rebuild").exists()


def test_builds_of_different_commits_are_reported_not_rebuilt(tmp_path: Path):
    """dist/ from builds that recorded different dates cannot equal one build: said at once."""
    for build, epoch in (("student/html", "100"), ("teacher/pdf", "200")):
        report = tmp_path / "build" / f"{build}-doctrees" / "lessonpack-report.json"
        report.parent.mkdir(parents=True)
        report.write_text(f'{{"source_date_epoch": "{epoch}"}}')
    outcome = check(Site(tmp_path, tmp_path / "build", tmp_path / "dist"))
    assert outcome.figure == "not checked"
    assert "student/html 100, teacher/pdf 200" in outcome.problems[0]
