"""Parallel reading (`sphinx-build -j`, the Makefile's ``SPHINX_READERS``) keeps the builds'
memory from growing with the book, and must change nothing they write.

A serial read keeps every doctree it reads until the writer takes it (a cold build of a book
holds the whole book at once); workers that read chunks of documents hand back only their
environment. The outputs of the real course, read serially and by two workers, are the same
bytes, and so is the report every document's data goes into (merged from the workers by the
domains). The two workers' side is the build `make` made (`make test` builds first, with the
Makefile's ``SPHINX_READERS``): only the serial read is built here. The reading-grade helper
works in a forked worker and lets it end.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BUILD, ROOT, make_env, need, snapshot
from lessonpack import grades
from lessonpack.bench.course import Course
from lessonpack.check.reproducible import source_date_epochs
from lessonpack.report import REPORT_NAME

REAL = Course.read(ROOT, ROOT / "book")


def makefile_readers() -> str:
    """The ``-j`` the Makefile gives the website, EPUB and slide builds."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^SPHINX_READERS \?= (\d+)$", text, re.M)
    assert match, "Makefile: no SPHINX_READERS"
    return match[1]


def sphinx_build(out: Path, builder: str, edition: str, epoch: str) -> Path:
    """`sphinx-build` of the course as the Makefile runs it, strict, but reading serially (no
    ``-j``), with the SOURCE_DATE_EPOCH of make's build; returns the doctree folder."""
    doctrees = out.with_name(out.name + "-doctrees")
    command = [sys.executable, "-m", "sphinx", "-b", builder, "-W", "--keep-going", "-n", "-q"]
    command += ["-c", str(ROOT / REAL.confdir), "-D", f"lessonpack_edition={edition}"]
    command += ["-D", f"lessonpack_cache_dir={out.parent / 'cache'}"]
    command += ["-d", str(doctrees), str(REAL.src), str(out)]
    env = {**make_env(), "SOURCE_DATE_EPOCH": epoch, "PYTHONHASHSEED": "0"}
    result = subprocess.run(
        command, capture_output=True, text=True, check=False, env=env, timeout=1200
    )
    assert (result.returncode, result.stderr) == (0, ""), result.stderr[-3000:]
    return doctrees


@pytest.mark.parametrize(("builder", "edition"), [("html", "teacher"), ("epub", "student")])
def test_two_readers_write_the_bytes_of_one(tmp_path: Path, builder, edition):
    """make's build (read by two workers) against a serial build of the same sources."""
    parallel = need(BUILD / edition / builder)
    parallel_trees = need(BUILD / edition / f"{builder}-doctrees")
    epochs = source_date_epochs(BUILD)
    epoch = epochs[f"{edition}/{builder}"]
    assert epoch, epochs
    serial = tmp_path / "serial"
    serial_trees = sphinx_build(serial, builder, edition, epoch)
    one, two = snapshot(serial), snapshot(parallel)
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
    # Every document's record, merged from the workers by the domain, as one reader made it.
    # (Its charts' paths name the doctree folder, relative to the sources: named alike here.)
    serial_report = report_with_trees(serial_trees)
    assert serial_report == report_with_trees(parallel_trees)
    documents = {
        p.relative_to(REAL.src).with_suffix("").as_posix()
        for folder in REAL.source_dirs
        for p in (REAL.src / folder).rglob("*.md")
    }
    assert set(report_documents(serial_trees)) == {
        doc for doc in documents if not doc.startswith(f"{REAL.confdir}/_static")
    }


def report_with_trees(doctrees: Path) -> object:
    """The report of the build whose doctrees are ``doctrees``, each path into that folder
    named alike ("<doctrees>/..."); a list holding such a path is sorted again (the report
    sorts them by the path)."""
    folder = os.path.relpath(doctrees, REAL.src)

    def named(value: object) -> object:
        if isinstance(value, str):
            return value.replace(folder, "<doctrees>")
        if isinstance(value, dict):
            return {key: named(item) for key, item in value.items()}
        if isinstance(value, list):
            items = [named(item) for item in value]
            moved = any(isinstance(item, str) and folder in item for item in value)
            return sorted(items) if moved else items  # type: ignore[type-var]
        return value

    return named(json.loads((doctrees / REPORT_NAME).read_text(encoding="utf-8")))


def report_documents(doctrees: Path) -> dict:
    return json.loads((doctrees / REPORT_NAME).read_text(encoding="utf-8"))["documents"]


def test_the_makefile_reads_every_build_in_parallel():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    rules = re.findall(r"^\t\$\(SPHINX\) -b (\S+)([^\n]*)$", text, re.M)
    parallel = {builder: "$(PARALLEL_READ)" in line for builder, line in rules}
    assert parallel == {"html": True, "epub": True, "lessonpdf": True, "lessonslides": True}
    assert len(rules) == 6 and int(makefile_readers()) >= 2


def _grade_in_child(text: str, queue: multiprocessing.Queue) -> None:
    queue.put(grades.reading_grade(text))


def test_a_forked_reader_grades_with_a_helper_of_its_own_and_ends():
    text = "The harvest failed. Many people went hungry in the villages that winter."
    try:
        parent = grades.reading_grade(text)  # the parent's helper is running when it forks
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        child = context.Process(target=_grade_in_child, args=(text, queue))
        child.start()
        graded = queue.get(timeout=120)
        child.join(timeout=60)
        assert child.exitcode == 0, "the reader did not end: it waited for its grading helper"
        assert graded == parent
        assert grades.GRADER.owner == os.getpid()
    finally:
        grades.GRADER.close()
    assert grades.GRADER.process is None


@pytest.mark.parametrize("builder", ["html", "epub"])
def test_pages_are_written_one_at_a_time_even_with_workers(build, builder: str):
    """A parallel write would hold a chunk of resolved doctrees (more as the book grows)."""
    result = build({"page.md": "# Page\n\nText.\n"}, builder=builder)
    assert "Traceback" not in result.warnings
    assert result.app.builder.allow_parallel is False
    assert type(result.app.builder).allow_parallel is True  # Sphinx's own default, not changed
