"""The nearest other tools, on the same lessons: sphinx-simplepdf (a PDF) and pandoc (an EPUB).

sphinx-simplepdf is no dependency of the project: the benchmark installs it from PyPI into a
virtual environment of its own (kept under build/bench/peers and reused), together with this
package (editable), so it can parse the course's directives. It builds the teacher edition as
one PDF, without ``-W`` (its own contents page makes WeasyPrint errors that ``-W`` would not
catch anyway). Pandoc is Debian's; it converts the same Markdown files, in book order, to EPUB.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from . import synth
from .course import Course
from .measure import CommandFailed, clean_env, measure
from .project import Project, pdf_pages

SIMPLEPDF = "sphinx-simplepdf==1.7.0"
SIMPLEPDF_CONF = """
# Added by the benchmark: build with sphinx-simplepdf.
extensions = [*extensions, "sphinx_simplepdf"]
simplepdf_file_name = "simplepdf.pdf"
"""
VERSIONS = """
import importlib.metadata as m, json, sys
names = ["sphinx-simplepdf", "sphinx", "docutils", "myst-parser", "weasyprint", "libsass"]
json.dump({n: m.version(n) for n in names} | {"python": sys.version.split()[0]}, sys.stdout)
"""
PANDOC_HINT = "pandoc not found: install Debian's (apt-get install pandoc)"


def simplepdf_venv(repo: Path, folder: Path, log: Any) -> Path:
    """The peer's virtual environment, created and filled on first use, then reused."""
    python, stamp = folder / "bin" / "python", folder / ".installed"
    wanted = f"{SIMPLEPDF} -e {repo}"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted and python.exists():
        return folder
    log(f"  installing {SIMPLEPDF} into {folder}")
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, SIMPLEPDF, "-e", str(repo)], check=True, env=clean_env())
    stamp.write_text(wanted, encoding="utf-8")
    return folder


def versions(venv: Path) -> dict[str, str]:
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-c", VERSIONS], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def simplepdf(
    repo: Path,
    course: Course,
    venv: Path,
    workdir: Path | None,
    keep: bool,
    edition: str = "teacher",
) -> dict[str, Any]:
    """One sphinx-simplepdf build of the course (one PDF): seconds, pages, peak memory."""
    project = Project.create(repo, course, workdir, "bench-simplepdf")
    try:
        conf = project.course.conf_folder / "conf.py"
        conf.write_text(conf.read_text(encoding="utf-8") + SIMPLEPDF_CONF, encoding="utf-8")
        out = project.build / "simplepdf"
        command = [str(venv / "bin" / "sphinx-build"), "-b", "simplepdf", "-q"]
        command += ["-c", str(conf.parent), "-D", f"lessonpack_edition={edition}"]
        command += ["-d", str(project.build / "doctrees"), str(project.src), str(out)]
        # simplepdf runs the `weasyprint` command: the one of its own environment.
        path = f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
        try:
            step = measure(command, env=clean_env(PATH=path))
        except CommandFailed as failed:
            return {"error": str(failed), "seconds": failed.measurement.seconds}
        files, pages = pdf_pages(out)
        warnings = [line for line in step.output.splitlines() if "ERROR" in line]
        return {
            "edition": edition,
            "seconds": step.seconds,
            "peak_mb": step.peak_mb,
            "pdf_files": files,
            "pdf_pages": pages,
            "pages_per_second": pages / step.seconds,
            "weasyprint_error_lines": len(warnings),
        }
    finally:
        if not keep:
            project.remove()


def book_order(course: Course) -> list[str]:
    """Every document reachable from the root page's toctrees, depth first (the book's order)."""
    order: list[str] = []
    src = course.src

    def visit(doc: str) -> None:
        if doc in order or not (src / f"{doc}.md").is_file():
            return
        order.append(doc)
        for entry in synth.toctree_entries(synth.read(src, doc), doc):
            visit(entry)

    visit(course.root_doc)
    return order


def pandoc_version() -> str | None:
    binary = shutil.which("pandoc")
    if binary is None:
        return None
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True)
    return out.stdout.splitlines()[0]


def pandoc(repo: Path, course: Course, workdir: Path | None, keep: bool) -> dict[str, Any]:
    """One pandoc conversion of the course's Markdown files, in book order, to an EPUB."""
    project = Project.create(repo, course, workdir, "bench-pandoc")
    try:
        docs = book_order(project.course)
        out = project.build / "pandoc.epub"
        out.parent.mkdir(parents=True)
        # (No --sandbox: pandoc 2.17's sandbox cannot read its own epub.css. The sources link
        # to nothing outside the course.)
        command = ["pandoc", "-f", "markdown", "-t", "epub3", "-o", str(out)]
        command += [
            "--metadata",
            "title=Benchmark",
            "--resource-path",
            str(project.course.conf_folder),
        ]
        command += [str(project.src / f"{doc}.md") for doc in docs]
        try:
            step = measure(command, cwd=project.src)
        except CommandFailed as failed:
            return {"error": str(failed), "seconds": failed.measurement.seconds}
        return {
            "seconds": step.seconds,
            "peak_mb": step.peak_mb,
            "documents": len(docs),
            "epub_bytes": out.stat().st_size,
        }
    finally:
        if not keep:
            project.remove()
