"""Broken lesson source fails the build with a message naming the file and line.

Each kind of fault is planted in a small copy of a course (a few files in tmp_path) built with
`sphinx-build -W --keep-going -n`, as `make` does. The last tests drive `make` itself (pointed at
such a copy) and prove that a failed, killed or concurrent build leaves dist/ whole.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import BASE_CONF, REFS, ROOT, dedent, write_files
from test_directives import GLOSSARY, LESSON

LESSON_DOC = "lessons/one.md"
# A 1x1 PNG, so the course has an image with alt text to break.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
GOOD_LESSON = LESSON + "\n![A map of the province](../map.png)\n"


def course() -> dict[str, str | bytes]:
    """A small course that builds with no warning."""
    return {
        "conf.py": BASE_CONF,
        "refs.bib": REFS,
        "index.md": "# Course\n\n```{toctree}\nlessons/one\nglossary\nbibliography\n```\n",
        LESSON_DOC: GOOD_LESSON,
        "glossary.md": GLOSSARY,
        "bibliography.md": "# Bibliography\n\n```{bibliography}\n```\n",
        "map.png": PNG,
    }


write = write_files


def sphinx_build(src: Path, out: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n", "-q"]
    command += ["-d", str(out / ".doctrees"), str(src), str(out / "html")]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def replace(old: str, new: str, doc: str = LESSON_DOC) -> Callable[[dict], None]:
    def change(files: dict) -> None:
        assert old in files[doc], old
        files[doc] = files[doc].replace(old, new, 1)

    return change


def setitem(doc: str, data: str | bytes) -> Callable[[dict], None]:
    return lambda files: files.__setitem__(doc, data)


# kind -> (the fault, the file the message must name, what the message says)
FAULTS: dict[str, tuple[Callable[[dict], None], str, str]] = {
    "unclosed fence": (
        replace("Students read this", "```{note}\nNever closed.\n\nStudents read this"),
        LESSON_DOC,
        "fence is never closed",
    ),
    "unknown directive": (
        replace("Students read this", "```{sidebarr}\nOops.\n```\n\nStudents read this"),
        LESSON_DOC,
        "Unknown directive type",
    ),
    "broken cross-reference": (
        replace("{ref}`src-letter`", "{ref}`src-lettre`"),
        LESSON_DOC,
        "undefined label",
    ),
    "unknown citation key": (
        replace("{cite:p}`smith2000{p. 4}`", "{cite:p}`smyth2000`"),
        LESSON_DOC,
        "smyth2000",
    ),
    "missing image": (
        replace("(../map.png)", "(../mapp.png)"),
        LESSON_DOC,
        "image file not readable",
    ),
    "image without alt text": (
        replace("![A map of the province]", "![]"),
        LESSON_DOC,
        "has no alt text",
    ),
    "duplicate label": (
        replace("Students read this", "(lesson-one)=\n## Again\n\nStudents read this"),
        LESSON_DOC,
        "lesson-one",
    ),
    "invalid front matter": (
        replace("(lesson-one)=", "---\ntitle: [unclosed\n---\n(lesson-one)="),
        LESSON_DOC,
        "",
    ),
    "non-UTF-8 bytes": (
        lambda files: files.__setitem__(
            LESSON_DOC, dedent(GOOD_LESSON).encode().replace(b"Students", b"Stud\xe9nts")
        ),
        LESSON_DOC,
        "",
    ),
    "empty lesson file": (setitem(LESSON_DOC, ""), LESSON_DOC, "file is empty"),
    "lesson not in the table of contents": (
        replace("lessons/one\n", "", doc="index.md"),
        LESSON_DOC,
        "is in no toctree",
    ),
    "lesson without objectives": (
        replace(":::{objectives}\n- Explain the harvest.\n:::\n", ""),
        LESSON_DOC,
        "has no {objectives} list",
    ),
    "lesson without a lesson block": (
        lambda files: files.__setitem__(
            LESSON_DOC, re.sub(r"(?s)::::\{lesson\}.*?\n::::\n", "", files[LESSON_DOC], count=1)
        ),
        LESSON_DOC,
        "has no {lesson} block",
    ),
    "malformed BibTeX entry": (
        replace("title = {A History}", "title = {A History", doc="refs.bib"),
        "refs.bib",
        "BibTeX syntax error",
    ),
    "duplicate BibTeX key": (
        replace("@article{lee1990", "@article{smith2000", doc="refs.bib"),
        "refs.bib",
        "is used twice",
    ),
    "chart data with a short row": (
        lambda files: files.update(
            {
                "index.md": files["index.md"].replace("glossary\n", "glossary\ndata\n"),
                "data.md": "# Data\n\n:::{range-chart} tolls.csv\n:category: Who\n:low: Low\n"
                ":high: High\n:alt: Estimates.\n:::\n",
                "tolls.csv": "Who,Low,High\nA,27,27\nB,15\n",
            }
        ),
        "tolls.csv",
        "the row has 2 values",
    ),
    "duplicate glossary term": (
        replace("```\n", "\ncommune\n  Again.\n```\n", doc="glossary.md"),
        "glossary.md",
        "duplicate term description of commune",
    ),
}


def test_the_small_course_builds_cleanly(tmp_path: Path):
    result = sphinx_build(write(tmp_path / "src", course()), tmp_path / "out")
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize("kind", FAULTS)
def test_a_fault_fails_the_build_naming_file_and_line(tmp_path: Path, kind: str):
    fault, doc, message = FAULTS[kind]
    files = course()
    fault(files)
    src = write(tmp_path / "src", files)
    result = sphinx_build(src, tmp_path / "out")
    assert result.returncode != 0, result.stderr
    where = re.compile(
        rf"{re.escape(str(src / doc))}:\d+: (WARNING|ERROR)[^\n]*{re.escape(message)}"
    )
    assert where.search(result.stderr), result.stderr


# The real `make` path -------------------------------------------------------------------------


def make_env() -> dict[str, str]:
    """The environment of a fresh `make` (not the one of the `make test` that runs pytest)."""
    drop = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "LESSONPACK_LOCKED"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def make(base: Path, *goals: str, **popen) -> subprocess.Popen[str]:
    variables = [f"SRCDIR={base / 'src'}", f"CONFDIR={base / 'src'}", "SOURCE_DIRS=."]
    variables += [f"BUILDDIR={base / 'build'}", f"DISTDIR={base / 'dist'}"]
    return subprocess.Popen(
        ["make", "-C", str(ROOT), *variables, *goals],
        env=make_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        **popen,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def published(tmp_path: Path) -> Path:
    """A small course built and published by `make html` into tmp_path/dist."""
    write(tmp_path / "src", course())
    run = make(tmp_path, "html")
    out, _ = run.communicate(timeout=300)
    assert run.returncode == 0, out
    assert (tmp_path / "dist" / "html" / "lessons" / "one.html").is_file()
    return tmp_path


def test_make_fails_on_bad_input_and_leaves_dist_byte_identical(published: Path):
    before = snapshot(published / "dist")
    lesson = published / "src" / LESSON_DOC
    lesson.write_text(lesson.read_text().replace("{ref}`src-letter`", "{ref}`src-lettre`"))
    run = make(published, "html")
    out, _ = run.communicate(timeout=300)
    assert run.returncode != 0
    assert re.search(rf"{re.escape(str(lesson))}:\d+: WARNING: undefined label", out), out
    assert snapshot(published / "dist") == before


def test_a_killed_build_leaves_dist_whole(published: Path):
    before = snapshot(published / "dist")
    lesson = published / "src" / LESSON_DOC
    lesson.write_text(lesson.read_text().replace("Students read", "Pupils read"))
    run = make(published, "html")
    # Killed while Sphinx writes (its output folder has appeared), before anything is published.
    deadline = time.monotonic() + 120
    while not (published / "build" / "student" / "html").exists():
        assert time.monotonic() < deadline and run.poll() is None
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGKILL)
    run.communicate(timeout=60)
    assert snapshot(published / "dist") == before
    assert sorted(p.name for p in (published / "dist").iterdir()) == ["html"]
    # The next build publishes the change.
    again = make(published, "html")
    out, _ = again.communicate(timeout=300)
    assert again.returncode == 0, out
    assert "Pupils read" in (published / "dist" / "html" / "lessons" / "one.html").read_text()


def test_two_builds_at_once_take_turns(published: Path):
    lesson = published / "src" / LESSON_DOC
    lesson.write_text(lesson.read_text().replace("Students read", "Pupils read"))
    first, second = make(published, "html"), make(published, "html")
    outs = [run.communicate(timeout=300)[0] for run in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outs
    # They took turns: one built, the other waited for the lock and found nothing left to do.
    assert sorted("sphinx-build" in out for out in outs) == [False, True], outs
    dist = published / "dist"
    assert sorted(p.name for p in dist.iterdir()) == ["html"]  # no staging folder left
    page = (dist / "html" / "lessons" / "one.html").read_text()
    assert "Pupils read" in page
    # Whole: every published file is the one the build made, none from a half-done build.
    built = snapshot(published / "build" / "student" / "html")
    shipped = snapshot(dist / "html")
    assert shipped and all(built.get(name) == data for name, data in shipped.items())


def test_a_page_marked_orphan_may_stay_out_of_the_toctree(tmp_path: Path):
    files = course()
    files["notes.md"] = "---\norphan: true\n---\n# Notes for the printer\n\nNot in the book.\n"
    result = sphinx_build(write(tmp_path / "src", files), tmp_path / "out")
    assert (result.returncode, result.stderr) == (0, "")
