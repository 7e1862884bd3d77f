"""The PDF builder's Sphinx process does not grow with the book (lean.py, pdf/builder.py).

- `make` reads the PDF builds' documents in worker processes (``sphinx-build -j``), as the
  website's: a serial read left the environment and the heap of every document read in the
  builder's process (a 64-lesson teacher build, no layout: 177 MB, its largest process; read by
  two workers, 147 MB, a worker, the builder's own 117 MB). The HTML is the same bytes either way.
- No page the builder writes renders the whole book's toctree into its context (the single-page
  builder's ``toc``, which the print template never shows): for each of the book's pieces, a
  number growing with the book, work and memory growing with the book.
- Once read, the environment is frozen out of the cycle collector (lean.py): the writing phase's
  full collections walked it again and again (a 64-lesson build read in one process: 16 of 55 s).
"""

from __future__ import annotations

import gc
import io
import os
import shutil
from pathlib import Path

import pytest
from sphinx import locale as sphinx_locale
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace

from conftest import snapshot
from lessonpack.bench.nolayout import EXTENSION
from lessonpack.lean import SERIAL_READ_MAX
from test_pdf_answers import course

NO_LAYOUT = f"\nextensions.append({EXTENSION!r})\n"


def pdf_build(src: Path, out: Path, parallel: int) -> tuple[dict[str, int], list[int]]:
    """A cold ``lessonpdf`` build (teacher edition, no PDF laid out) read with ``-j parallel``:
    the process that read each document, and the length of each written page's ``toc``."""
    shutil.rmtree(out, ignore_errors=True)
    readers = out.parent / f"readers-{out.name}.txt"
    readers.unlink(missing_ok=True)
    tocs: list[int] = []
    frozen: list[int] = []  # objects out of the collector's reach, as each page is written

    def read(app: Sphinx, _doctree) -> None:
        with readers.open("a", encoding="utf-8") as file:  # from a worker too (forked)
            file.write(f"{app.env.docname} {os.getpid()}\n")

    def page(_app, _name, _template, context, _tree) -> None:
        tocs.append(len(context.get("toc") or ""))
        frozen.append(gc.get_freeze_count())

    sphinx_locale.translators.clear()
    warnings = io.StringIO()
    with docutils_namespace():
        app = Sphinx(
            str(src), str(src), str(out / "pdf"), str(out / "doctrees"), "lessonpdf",
            confoverrides={"lessonpack_edition": "teacher"}, status=io.StringIO(),
            warning=warnings, freshenv=True, keep_going=True, parallel=parallel,
        )  # fmt: skip
        at_setup = gc.get_freeze_count()  # what Sphinx made at set-up (collector.py)
        app.connect("doctree-read", read)
        app.connect("html-page-context", page)
        app.build()
    assert warnings.getvalue() == ""
    # The environment, read and merged, was frozen too (lean.py): no full collection of the
    # writing phase walks it again (thousands of objects a lesson).
    assert frozen and min(frozen) > at_setup + 1000
    assert gc.get_freeze_count() == 0  # all given back when the build ended
    lines = readers.read_text(encoding="utf-8").split("\n")
    return {doc: int(pid) for doc, pid in (line.split() for line in lines if line)}, tocs


def small_course(tmp_path: Path) -> Path:
    src = course(tmp_path, 3)  # three lessons, their worksheets and the answer key
    conf = src / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + NO_LAYOUT, encoding="utf-8")
    return src


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[int, tuple[dict[str, int], list[int], dict[str, bytes]]]:
    """The small course built read serially, then by two workers, into the same folder (the
    jobs file names its paths): who read each document, each page's ``toc``, the files."""
    tmp_path = tmp_path_factory.mktemp("lean-pdf")
    src, out = small_course(tmp_path), tmp_path / "out"
    found = {}
    for parallel in (1, 2):
        readers, tocs = pdf_build(src, out, parallel)
        files = snapshot(out / "pdf")
        files.pop(".buildinfo", None)  # Sphinx's own record (a hash of this process's settings)
        found[parallel] = (readers, tocs, files)
    return found


def test_two_readers_write_the_html_of_one(builds):
    (serial, _tocs, one), (parallel, _tocs2, two) = builds[1], builds[2]
    assert set(serial.values()) == {os.getpid()}
    assert len(parallel) == len(serial) > SERIAL_READ_MAX
    assert os.getpid() not in parallel.values()  # every document read in a worker
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
    assert any(name.startswith("_book/") for name in one)  # the book's pieces, packs


def test_no_page_renders_the_book_s_toctree(builds):
    for _readers, tocs, _files in builds.values():
        assert len(tocs) >= 5  # the book's pieces (front, lessons, answer key)
        assert set(tocs) == {0}
