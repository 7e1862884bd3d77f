"""Broken lesson source fails the build with a message naming the file and line.

Each kind of fault is planted in a small copy of a course (a few files in tmp_path) built with
`sphinx-build -W --keep-going -n`, as `make` does: Sphinx's own command line run in this process
(``sphinx_main``; one test proves it prints what `sphinx-build` in a process of its own prints).
The last tests drive `make` itself (pointed at such a copy) and prove that a failed, killed or
concurrent build leaves dist/ whole.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import signal
import subprocess
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import (
    BASE_CONF,
    REFS,
    dedent,
    make,
    make_env,
    snapshot,
    sphinx_build,
    sphinx_main,
    write_files,
)
from lessonpack import pauses
from lessonpack.manifest import read_manifest
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
    result = sphinx_main(write(tmp_path / "src", course()), tmp_path / "out")
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize("kind", FAULTS)
def test_a_fault_fails_the_build_naming_file_and_line(tmp_path: Path, kind: str):
    fault, doc, message = FAULTS[kind]
    files = course()
    fault(files)
    src = write(tmp_path / "src", files)
    result = sphinx_main(src, tmp_path / "out")
    assert result.returncode != 0, result.stderr
    where = re.compile(
        rf"{re.escape(str(src / doc))}:\d+: (WARNING|ERROR)[^\n]*{re.escape(message)}"
    )
    assert where.search(result.stderr), result.stderr
    assert "Traceback" not in result.stderr, result.stderr


def test_sphinx_build_in_a_process_of_its_own_prints_what_the_tests_read(tmp_path: Path):
    """The faults above are built in this process: `sphinx-build` itself, in a new process,
    fails with the same exit code and the same lines, for a fault found while reading and one
    found while writing."""
    files = course()
    for kind in ("unknown directive", "broken cross-reference"):
        FAULTS[kind][0](files)
    src = write(tmp_path / "src", files)
    alone = sphinx_build(src, tmp_path / "alone")
    here = sphinx_main(src, tmp_path / "here")
    assert alone.returncode == here.returncode == 1, alone.stderr
    assert "Unknown directive type" in alone.stderr and "undefined label" in alone.stderr
    assert here.stderr.replace("/here/", "/alone/") == alone.stderr


# The real `make` path -------------------------------------------------------------------------


def copy_of(template: Path, base: Path) -> Path:
    """``template`` (a project: sources, build and dist folders) copied into ``base``. Files keep
    their times, so `make` finds the copy's builds as up to date as the template's; Sphinx,
    finding its environment made for another folder, reads the copy's sources afresh."""
    shutil.copytree(template, base, symlinks=True, dirs_exist_ok=True)
    return base


@pytest.fixture(scope="module")
def published_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small course built and published by `make html`, once: the tests change copies."""
    base = tmp_path_factory.mktemp("published")
    write(base / "src", course())
    run = make(base, "html")
    out, _ = run.communicate(timeout=300)
    assert run.returncode == 0, out
    assert (base / "dist" / "html" / "lessons" / "one.html").is_file()
    return base


@pytest.fixture
def published(published_once: Path, tmp_path: Path) -> Path:
    """A small course built and published by `make html` into tmp_path/dist (a copy)."""
    return copy_of(published_once, tmp_path)


def test_one_format_replaces_only_its_own_files(published: Path):
    dist = published / "dist"
    run = make(published, "pdf")
    out, _ = run.communicate(timeout=600)
    assert run.returncode == 0, out
    site = snapshot(dist / "html")
    assert len(list(dist.glob("*.pdf"))) == 2 and site
    # dist/ removed, then only the website published: `make pdf` publishes the PDFs again, built
    # earlier, though no build has anything to do.
    shutil.rmtree(dist)
    for goals in (["html"], ["pdf"]):
        run = make(published, *goals)
        out, _ = run.communicate(timeout=600)
        assert run.returncode == 0, out
    assert "sphinx-build" not in out and "published" in out, out
    assert len(list(dist.glob("*.pdf"))) == 2 and snapshot(dist / "html") == site
    assert sorted({e.format for e in read_manifest(dist).values()}) == ["html", "pdf"]


# A fault Sphinx finds while writing (a reference) and one it finds while reading (a directive):
# the second is in a document Sphinx would not read again if the failed build kept its
# environment, so `make` run again with nothing changed must fail again, not publish.
MAKE_FAULTS = {
    "undefined label": ("{ref}`src-letter`", "{ref}`src-lettre`", "WARNING: undefined label"),
    "unknown directive": (
        "Students read this",
        "```{sidebarr}\nOops.\n```\n\nStudents read this",
        "WARNING: Unknown directive type",
    ),
}


@pytest.mark.parametrize("kind", MAKE_FAULTS)
def test_make_fails_on_bad_input_every_time_and_leaves_dist_byte_identical(
    published: Path, kind: str
):
    old, new, message = MAKE_FAULTS[kind]
    before = snapshot(published / "dist")
    lesson = published / "src" / LESSON_DOC
    lesson.write_text(lesson.read_text().replace(old, new))
    for attempt in (1, 2):
        run = make(published, "html")
        out, _ = run.communicate(timeout=300)
        assert run.returncode != 0, (attempt, out)
        assert re.search(rf"{re.escape(str(lesson))}:\d+: {message}", out), (attempt, out)
        assert snapshot(published / "dist") == before


def full_course() -> dict[str, str | bytes]:
    """The small course with what the EPUB builder needs: every format builds."""
    files = course()
    files["conf.py"] = str(files["conf.py"]) + 'copyright = "2024"\nversion = "1"\n'
    return files


@pytest.fixture(scope="module")
def everything_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small course built and published in every format by `make`, once."""
    base = tmp_path_factory.mktemp("everything")
    write(base / "src", full_course())
    run = make(base)
    out, _ = run.communicate(timeout=600)
    assert run.returncode == 0, out
    dist = base / "dist"
    assert (dist / "html" / "lessons" / "one.html").is_file(), out
    assert len(list(dist.glob("*.epub"))) == 1 and len(list(dist.glob("*.pdf"))) == 2, out
    # The slide decks of each edition (slides/builder.py), published with their editions.
    decks = {n: e.edition for n, e in read_manifest(dist).items() if e.format == "slides"}
    assert decks == {
        f"slides/one-{edition}.{ext}": edition
        for edition in ("student", "teacher")
        for ext in ("pdf", "pptx")
    }, out
    return base


@pytest.fixture
def everything(everything_once: Path, tmp_path: Path) -> Path:
    """The small course built and published in every format into tmp_path/dist (a copy)."""
    return copy_of(everything_once, tmp_path)


def leftovers(base: Path) -> list[str]:
    """Staging folders of a publish beside dist/."""
    return sorted(p.name for p in base.iterdir() if p.name.startswith(".dist."))


def edit_lesson(base: Path) -> None:
    lesson = base / "src" / LESSON_DOC
    lesson.write_text(lesson.read_text().replace("Students read", "Pupils read"))


def assert_all_published(base: Path) -> None:
    """Every format in dist/ has the edit, and dist/ is exactly what its manifest lists."""
    dist = base / "dist"
    assert "Pupils read" in (dist / "html" / "lessons" / "one.html").read_text()
    assert "Pupils read" in (dist / "teacher-html" / "lessons" / "one.html").read_text()
    [epub] = dist.glob("*.epub")
    with zipfile.ZipFile(epub) as book:
        assert any(b"Pupils read" in book.read(n) for n in book.namelist()), epub
    pdfs = sorted(dist.glob("*.pdf"))  # the books (the slides show no reading)
    assert len(pdfs) == 2
    for pdf in pdfs:
        text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert "Pupils read" in " ".join(text.split()), pdf
    assert read_manifest(dist)  # every file listed, none missing, every hash right
    assert leftovers(base) == []


def wait_for(condition: Callable[[], bool], run: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + 300
    while not condition():
        if run.poll() is not None or time.monotonic() > deadline:
            out = run.communicate()[0] if run.poll() is not None else ""
            raise AssertionError(f"make ended (or 300 s passed) before {what}:\n{out}")
        time.sleep(0.01)


def test_a_failed_pdf_step_publishes_nothing(everything: Path):
    before = snapshot(everything / "dist")
    edit_lesson(everything)
    # An image the website and the EPUB copy as they are, but WeasyPrint cannot decode: a PNG
    # whose header is whole (so its size can be read) and whose pixel data is missing.
    (everything / "src" / "map.png").write_bytes(PNG[:33])
    run = make(everything)
    out, _ = run.communicate(timeout=600)
    assert run.returncode != 0, out
    assert "Failed to load image" in out
    assert snapshot(everything / "dist") == before
    # The website and the EPUB built (and recorded what they wrote), yet none of it is in dist/.
    assert (everything / "build" / "student" / "html.outputs.json").is_file(), out
    assert (everything / "build" / "student" / "epub.outputs.json").is_file(), out
    # The PDF builds failed on a WeasyPrint warning (the builds are strict): nothing recorded.
    assert not list((everything / "build").glob("*/pdf.outputs.json")), out
    assert leftovers(everything) == []


def test_builds_killed_inside_the_pdf_step_and_while_publishing_leave_dist_whole(
    everything: Path,
):
    """Two kills, one after the other, on the same copy (the second make does the builds the
    first left undone, so they are not done twice), then the make that publishes everything."""
    before = snapshot(everything / "dist")
    build = everything / "build"
    edit_lesson(everything)
    started = time.time()
    # Each PDF build stops when its book's pieces are laid out, before the merge (a marker file
    # says so); the website and the EPUB are built beside them and wait, unpublished.
    marker = everything / "laid-out"
    env = {**make_env(), pauses.PDF: str(marker)}
    run = make(everything, "html", "epub", "pdf", "JOBS=4", env=env)

    def built(name: str) -> bool:
        stamp = build / "student" / f"{name}.stamp"
        return stamp.is_file() and stamp.stat().st_mtime >= started

    wait_for(lambda: built("html") and built("epub") and marker.exists(), run, "a PDF's merge")
    os.killpg(run.pid, signal.SIGKILL)
    run.communicate(timeout=60)
    assert snapshot(everything / "dist") == before
    # The next build does every build left (the PDFs again, the others) and stages the new
    # dist/; killed there, while publishing, it leaves dist/ as it was.
    marker = everything / "staged"
    run = make(everything, env={**make_env(), pauses.PUBLISH: str(marker)})
    wait_for(marker.exists, run, "the publisher staged the new dist/")
    assert leftovers(everything)  # the staging folder, filled
    os.killpg(run.pid, signal.SIGKILL)
    run.communicate(timeout=60)
    assert snapshot(everything / "dist") == before
    # The next build cleans up the staging folder and publishes everything.
    again = make(everything)
    out, _ = again.communicate(timeout=600)
    assert again.returncode == 0, out
    assert "sphinx-build" not in out  # every build had finished: only the publish was left
    assert_all_published(everything)


def test_two_builds_at_once_take_turns(published: Path):
    lesson = published / "src" / LESSON_DOC
    lesson.write_text(lesson.read_text().replace("Students read", "Pupils read"))
    first, second = make(published, "html"), make(published, "html")
    outs = [run.communicate(timeout=300)[0] for run in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outs
    # They took turns: one built, the other waited for the lock and found nothing left to do.
    assert sorted("sphinx-build" in out for out in outs) == [False, True], outs
    dist = published / "dist"
    assert sorted(p.name for p in dist.iterdir()) == [".manifest.json", "html"]
    assert leftovers(published) == []  # no staging folder left
    page = (dist / "html" / "lessons" / "one.html").read_text()
    assert "Pupils read" in page
    # Whole: every published file is the one the build made, none from a half-done build.
    built = snapshot(published / "build" / "student" / "html")
    shipped = snapshot(dist / "html")
    assert shipped and all(built.get(name) == data for name, data in shipped.items())


def test_a_page_marked_orphan_may_stay_out_of_the_toctree(tmp_path: Path):
    files = course()
    files["notes.md"] = "---\norphan: true\n---\n# Notes for the printer\n\nNot in the book.\n"
    result = sphinx_main(write(tmp_path / "src", files), tmp_path / "out")
    assert (result.returncode, result.stderr) == (0, "")
