"""A course in a temporary folder, built by the project's own Makefile, and what it produced.

The sources are a copy of the course (its folders as its conf.py names them, ``course.py``); the
build and dist folders are empty at first. ``make -C ROOT`` with ``SRCDIR``, ``CONFDIR``,
``SOURCE_DIRS``, ``BUILDDIR`` and ``DISTDIR`` builds it exactly as ``make`` builds the checkout.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from .course import Course
from .measure import Measurement, clean_env, measure

# A lesson's discussion questions start here; an added sentence goes just before.
DISCUSSION = re.compile(r"^:{3,}\{discussion\}", re.M)
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


@dataclass
class Project:
    """Sources, build folder and dist folder of one benchmark build."""

    repo: Path
    base: Path
    course: Course  # the copy in src/

    @classmethod
    def create(cls, repo: Path, course: Course, workdir: Path | None, prefix: str) -> Project:
        """A temporary folder holding a copy of ``course`` in src/, for the Makefile of ``repo``."""
        if workdir is not None:
            workdir.mkdir(parents=True, exist_ok=True)
        base = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=workdir))
        return cls(repo, base, course.copy_to(base / "src"))

    @property
    def src(self) -> Path:
        return self.base / "src"

    @property
    def build(self) -> Path:
        return self.base / "build"

    @property
    def dist(self) -> Path:
        return self.base / "dist"

    def make(self, *goals: str, **env: str) -> Measurement:
        """``make GOALS`` on this project, measured; fails loudly with make's last lines."""
        variables = self.course.make_variables()
        variables += [f"BUILDDIR={self.build}", f"DISTDIR={self.dist}"]
        command = ["make", "-C", str(self.repo), *variables, *goals]
        return measure(command, env=clean_env(**env))

    def remove(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


def outputs(dist: Path) -> list[Path]:
    return sorted(p for p in dist.rglob("*") if p.is_file()) if dist.is_dir() else []


def hashes(dist: Path) -> dict[str, str]:
    """Every output's SHA-256, by path relative to dist/."""
    return {
        str(p.relative_to(dist)): hashlib.sha256(p.read_bytes()).hexdigest() for p in outputs(dist)
    }


def mtimes(dist: Path) -> dict[str, int]:
    return {str(p.relative_to(dist)): p.stat().st_mtime_ns for p in outputs(dist)}


def pdf_pages(dist: Path) -> tuple[int, int]:
    """(PDF files, their total pages) among the outputs."""
    pdfs = [p for p in outputs(dist) if p.suffix == ".pdf"]
    return len(pdfs), sum(len(PdfReader(p).pages) for p in pdfs)


def add_sentence(lesson: Path) -> str:
    """Append one of the lesson's own sentences, as a new paragraph before its discussion.

    The copy keeps the reading within its word limits and reading grade: it is the last
    sentence of the reading's last paragraph. Returns the sentence added.
    """
    text = lesson.read_text(encoding="utf-8")
    match = DISCUSSION.search(text)
    if match is None:
        raise ValueError(f"{lesson} has no {{discussion}} block")
    before = text[: match.start()].rstrip("\n")
    paragraph = before.rsplit("\n\n", 1)[-1].strip()
    sentence = SENTENCE.split(paragraph)[-1].strip()
    if not sentence or paragraph.startswith((":", "`", "|", "#")):
        raise ValueError(f"{lesson}: no prose paragraph before the discussion to copy from")
    lesson.write_text(f"{before}\n\n{sentence}\n\n{text[match.start() :]}", encoding="utf-8")
    return sentence
