"""Shared fixtures: small in-process Sphinx projects, and the book that `make` built."""

from __future__ import annotations

import io
import json
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from sphinx.application import Sphinx
from sphinx.util.console import nocolor
from sphinx.util.docutils import docutils_namespace

nocolor()
# Sphinx colours its messages when CI=true (as CI sets it), even into a pipe: the tests read the
# messages of the builds they run, so every build they start writes them plain.
os.environ["NO_COLOR"] = "1"

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
BUILD = ROOT / "build"
BOOK = "great-leap-forward"

BASE_CONF = """
project = "Test course"
author = "Test author"
extensions = ["myst_parser", "sphinxcontrib.bibtex", "lessonpack"]
myst_enable_extensions = ["colon_fence"]
bibtex_bibfiles = ["refs.bib"]
bibtex_reference_style = "author_year"
bibtex_default_style = "lessonpack"
html_copy_source = False
nitpicky = True
lessonpack_lesson_patterns = ["lessons/*"]
"""

REFS = """
@book{smith2000, author = {Smith, Ann}, title = {A History}, publisher = {Press}, year = {2000}}
@article{lee1990, author = {Lee, Bo}, title = {Famine in China, 1959}, journal = {Journal},
  year = {1990}}
"""


@dataclass
class Result:
    app: Sphinx
    warnings: str

    @property
    def outdir(self) -> Path:
        return Path(self.app.outdir)

    def html(self, page: str) -> str:
        return (self.outdir / f"{page}.html").read_text(encoding="utf-8")


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write a small project: text is dedented (so tests can indent it), bytes kept as they are."""
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(dedent(data), encoding="utf-8")
    return root


@pytest.fixture
def build(tmp_path: Path):
    """Build a small project: ``build(files, edition=..., builder=...)`` -> Result.

    ``files`` maps paths to MyST text; ``index.md`` gets a toctree of every other page unless
    given. Warnings are captured, not raised, so tests can assert on their exact text.
    """

    def run(
        files: dict[str, str], *, edition: str = "student", builder: str = "html", conf: str = ""
    ) -> Result:
        src = tmp_path / "src"
        src.mkdir(exist_ok=True)
        (src / "conf.py").write_text(BASE_CONF + conf, encoding="utf-8")
        (src / "refs.bib").write_text(REFS, encoding="utf-8")
        files = {"bibliography.md": "# Bibliography\n\n```{bibliography}\n```\n", **files}
        pages = [p.removesuffix(".md") for p in files if p != "index.md" and p.endswith(".md")]
        files = {"index.md": "# Index\n\n```{toctree}\n" + "\n".join(pages) + "\n```\n", **files}
        write_files(src, files)
        warnings = io.StringIO()
        out = tmp_path / f"out-{builder}-{edition}"
        # A namespace per app, as sphinx.testing does: docutils registries are global.
        with docutils_namespace():
            app = Sphinx(
                str(src),
                str(src),
                str(out),
                str(tmp_path / f"doctrees-{edition}"),
                builder,
                confoverrides={"lessonpack_edition": edition},
                status=io.StringIO(),
                warning=warnings,
                freshenv=True,
                keep_going=True,
            )
            app.build()
        return Result(app, warnings.getvalue())

    return run


def need(path: Path) -> Path:
    """An output of `make`; its absence is a failure (make test builds first), never a skip."""
    assert path.exists(), f"{path} is missing: run `make` first (make test does)"
    return path


@pytest.fixture(scope="session")
def teacher_report() -> dict:
    report = need(BUILD / "teacher" / "pdf-doctrees" / "lessonpack-report.json")
    return json.loads(report.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def student_report() -> dict:
    report = need(BUILD / "student" / "html-doctrees" / "lessonpack-report.json")
    return json.loads(report.read_text(encoding="utf-8"))
