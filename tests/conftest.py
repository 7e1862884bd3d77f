"""The one test harness: small projects built in-process (``sphinx_app``, the ``build`` fixture),
by ``sphinx-build`` (``sphinx_build``) and by ``make`` (``make``, ``make_env``), and the book that
`make` built (``need``, the report fixtures)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from sphinx import locale as sphinx_locale
from sphinx.application import Sphinx
from sphinx.cmd.build import build_main
from sphinx.util.console import nocolor
from sphinx.util.docutils import docutils_namespace

from lessonpack.check import texts
from lessonpack.check.reproducible import MAKE_VARIABLES

nocolor()
# Sphinx colours its messages when CI=true (as CI sets it), even into a pipe: the tests read the
# messages of the builds they run, so every build they start writes them plain.
os.environ["NO_COLOR"] = "1"

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
BUILD = ROOT / "build"
BOOK = "great-leap-forward"
# The text of a PDF the gate (`make test` runs it first) has read is not extracted again.
texts.keep_in(BUILD / "cache" / "texts")

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


def sphinx_app(
    src: Path,
    out: Path,
    doctrees: Path,
    builder: str = "html",
    *,
    confdir: Path | None = None,
    freshenv: bool = True,
    parallel: int = 0,  # Sphinx's own default: read in this process
    **overrides: object,
) -> tuple[Sphinx, str, str]:
    """One in-process build (keep_going; ``freshenv=False`` keeps the environment in
    ``doctrees``, as `make` does); returns (app, status, warnings)."""
    status, warnings = io.StringIO(), io.StringIO()
    # Sphinx's catalogues are global too: a build in Spanish would leave the next one's own
    # labels ("%s documentation") in Spanish. Cleared per app, as sphinx.testing does.
    sphinx_locale.translators.clear()
    # A namespace per app, as sphinx.testing does: docutils registries are global.
    with docutils_namespace():
        app = Sphinx(
            str(src),
            str(confdir or src),
            str(out),
            str(doctrees),
            builder,
            confoverrides=overrides,
            status=status,
            warning=warnings,
            freshenv=freshenv,
            keep_going=True,
            parallel=parallel,
        )
        app.build()
    return app, status.getvalue(), warnings.getvalue()


def sphinx_arguments(src: Path, out: Path) -> list[str]:
    """The arguments of `sphinx-build` of the website, strict as `make` runs it."""
    strict = ["-b", "html", "-W", "--keep-going", "-n", "-q"]
    return [*strict, "-d", str(out / ".doctrees"), str(src), str(out / "html")]


def sphinx_build(src: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """`sphinx-build` of the website, strict as `make` runs it, in its own process."""
    command = [sys.executable, "-m", "sphinx", *sphinx_arguments(src, out)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def sphinx_main(src: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """The same `sphinx-build` run in this process (Sphinx's own command-line entry point,
    ``build_main``): its exit code and what it printed, as ``sphinx_build`` returns them,
    without the start-up of a new interpreter (~4 s of CPU). For tests of a message and an exit
    code; what only a process of its own shows (its environment, a kill) needs ``sphinx_build``."""
    arguments = sphinx_arguments(src, out)
    out_text, err_text = io.StringIO(), io.StringIO()
    sphinx_locale.translators.clear()  # as sphinx_app does: another test's language stays out
    with contextlib.redirect_stdout(out_text), contextlib.redirect_stderr(err_text):
        code = build_main(arguments)
    return subprocess.CompletedProcess(arguments, code, out_text.getvalue(), err_text.getvalue())


def make_env() -> dict[str, str]:
    """The environment of a fresh `make` (not the one of the `make test` that runs pytest)."""
    return {k: v for k, v in os.environ.items() if k not in MAKE_VARIABLES}


def make(
    base: Path, *goals: str, variables: list[str] | None = None, **popen
) -> subprocess.Popen[str]:
    """`make GOALS` of this Makefile on the project in ``base / "src"`` (sources and conf.py
    there, unless ``variables`` say otherwise), building into ``base``'s build and dist."""
    where = variables or [f"SRCDIR={base / 'src'}", f"CONFDIR={base / 'src'}", "SOURCE_DIRS=."]
    where = [*where, f"BUILDDIR={base / 'build'}", f"DISTDIR={base / 'dist'}"]
    popen.setdefault("env", make_env())
    return subprocess.Popen(
        ["make", "-C", str(ROOT), *where, *goals],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        **popen,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder``, by its relative path."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


# `make test` runs the tests on every core, each file whole on one worker (pytest -n JOBS --dist
# loadfile): the files that take longest, each with a `make` or a gate of its own, are handed out
# first, slowest first, so that no worker is left with a long one while the other is idle. The
# rest keep their order. (Measured with `pytest --durations`; a file missing here is not skipped.)
SLOWEST_FIRST = (
    "test_second_course.py",  # `make check` of a second course: its builds, its whole gate
    "test_bad_input.py",
    "test_messages.py",
    "test_incremental.py",
    "test_slides.py",
    "test_quiz_outputs.py",
    "test_outputs.py",
    "test_print_outputs.py",
    "test_venv.py",  # two virtual environments from the lock
    "test_nginx.py",
    "test_check.py",
    "test_zygote.py",  # two `make`s of a small course, the zygote run by hand
    "test_leaks.py",  # the PDFs' text kept by the gate: read, not extracted
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: place for place, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


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
        out = tmp_path / f"out-{builder}-{edition}"
        app, _status, warnings = sphinx_app(
            src, out, tmp_path / f"doctrees-{edition}", builder, lessonpack_edition=edition
        )
        return Result(app, warnings)

    return run


def built_site(base: Path, files: dict[str, str | bytes], conf: str = "") -> Path:
    """A small website built in-process from ``files`` in ``base`` (with the tests' conf.py plus
    ``conf`` and refs.bib), with no warning; returns its output folder. For module fixtures:
    the site is built once, its tests read it."""
    src = write_files(base / "src", {**files, "conf.py": BASE_CONF + conf, "refs.bib": REFS})
    _app, _status, warnings = sphinx_app(src, base / "out", base / "doctrees")
    assert warnings == ""
    return base / "out"


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
