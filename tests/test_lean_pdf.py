"""The PDF builder's Sphinx process does not grow with the book (lean.py, pdf/builder.py).

- `make` reads the PDF builds' documents in worker processes (``sphinx-build -j``), as the
  website's: a serial read left the environment and the heap of every document read in the
  builder's process (a 64-lesson teacher build 168 MiB, its largest process; read by two workers,
  its largest process, a worker, 145 MB). The HTML is the same bytes either way.
- No page the builder writes renders the whole book's toctree into its context (the single-page
  builder's ``toc``, which the print template never shows): for each of the book's pieces, a
  number growing with the book, work and memory growing with the book.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

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

    def read(app: Sphinx, _doctree) -> None:
        with readers.open("a", encoding="utf-8") as file:  # from a worker too (forked)
            file.write(f"{app.env.docname} {os.getpid()}\n")

    def page(_app, _name, _template, context, _tree) -> None:
        tocs.append(len(context.get("toc") or ""))

    sphinx_locale.translators.clear()
    warnings = io.StringIO()
    with docutils_namespace():
        app = Sphinx(
            str(src), str(src), str(out / "pdf"), str(out / "doctrees"), "lessonpdf",
            confoverrides={"lessonpack_edition": "teacher"}, status=io.StringIO(),
            warning=warnings, freshenv=True, keep_going=True, parallel=parallel,
        )  # fmt: skip
        app.connect("doctree-read", read)
        app.connect("html-page-context", page)
        app.build()
    assert warnings.getvalue() == ""
    lines = readers.read_text(encoding="utf-8").split("\n")
    return {doc: int(pid) for doc, pid in (line.split() for line in lines if line)}, tocs


def small_course(tmp_path: Path) -> Path:
    src = course(tmp_path, 3)  # three lessons, their worksheets and the answer key
    conf = src / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + NO_LAYOUT, encoding="utf-8")
    return src


def test_two_readers_write_the_html_of_one(tmp_path: Path):
    src = small_course(tmp_path)
    out = tmp_path / "out"
    serial, _tocs = pdf_build(src, out, 1)
    assert set(serial.values()) == {os.getpid()}
    one = snapshot(out / "pdf")
    parallel, _tocs = pdf_build(src, out, 2)
    assert len(parallel) == len(serial) > SERIAL_READ_MAX
    assert os.getpid() not in parallel.values()  # every document read in a worker
    two = snapshot(out / "pdf")
    for files in (one, two):
        files.pop(".buildinfo", None)  # Sphinx's own record (a hash of this process's settings)
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
    assert any(name.startswith("_book/") for name in one)  # the book's pieces, packs


def test_no_page_renders_the_book_s_toctree(tmp_path: Path):
    _readers, tocs = pdf_build(small_course(tmp_path), tmp_path / "out", 1)
    assert len(tocs) >= 5  # the book's pieces (front, lessons, answer key)
    assert set(tocs) == {0}
