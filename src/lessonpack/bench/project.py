"""A course in a temporary folder, built by the project's own Makefile, and what it produced.

The sources are a copy of the course (its folders as its conf.py names them, ``course.py``); the
build and dist folders are empty at first. ``make -C ROOT`` with ``SRCDIR``, ``CONFDIR``,
``SOURCE_DIRS``, ``BUILDDIR`` and ``DISTDIR`` builds it exactly as ``make`` builds the checkout.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from ..filehash import sha256
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
    return {str(p.relative_to(dist)): sha256(p) for p in outputs(dist)}


def mtimes(dist: Path) -> dict[str, int]:
    return {str(p.relative_to(dist)): p.stat().st_mtime_ns for p in outputs(dist)}


def pdf_pages(dist: Path) -> tuple[int, int]:
    """(PDF files, their total pages) among the outputs."""
    pdfs = [p for p in outputs(dist) if p.suffix == ".pdf"]
    return len(pdfs), sum(len(PdfReader(p).pages) for p in pdfs)


FENCE = re.compile(r"^\s*(`{3,}|:{3,})(.*)$")


def _prose_paragraphs(lines: list[str]) -> list[tuple[int, int]]:
    """(first, last) line of each paragraph outside every fence (a directive's body, a code
    block, a teacher's answer), in order."""
    found: list[tuple[int, int]] = []
    open_fences: list[str] = []
    start: int | None = None
    for number, line in enumerate(lines):
        fence = FENCE.match(line)
        if fence or open_fences or not line.strip():
            if start is not None:
                found.append((start, number - 1))
                start = None
            if fence:
                marker, rest = fence.groups()
                closes = open_fences and marker[0] == open_fences[-1][0] and not rest.strip()
                if closes and len(marker) >= len(open_fences[-1]):
                    open_fences.pop()
                else:
                    open_fences.append(marker)
            continue
        if start is None:
            start = number
    if start is not None:
        found.append((start, len(lines) - 1))
    return found


def _last_prose(lines: list[str], lesson: Path) -> list[tuple[int, int, list[str]]]:
    """The paragraphs of prose (outside every directive), last first, each with its sentences."""
    found = []
    for first, last in reversed(_prose_paragraphs(lines)):
        paragraph = " ".join(line.strip() for line in lines[first : last + 1])
        if paragraph.startswith((":", "`", "|", "#", "(", "-", "*", ">")):
            continue
        sentences = [s.strip() for s in SENTENCE.split(paragraph) if s.strip()]
        if sentences:
            found.append((first, last, sentences))
    if not found:
        raise ValueError(f"{lesson}: no prose paragraph before the discussion to copy from")
    return found


def add_sentence(lesson: Path, room: int | None = None) -> str:
    """Copy one of the lesson's own sentences as a new paragraph after the last paragraph of
    prose before its discussion (outside every directive: an organiser's answers are not prose).

    The copy keeps the reading within its reading grade: it is the last sentence of that
    paragraph. ``room``: how many more words the reading may take (None: no limit); when the
    copy would not fit, the edit keeps the word count instead: the last paragraph of several
    sentences gets its last sentence first (the same words, sentences and grade). Returns the
    sentence added or moved.
    """
    text = lesson.read_text(encoding="utf-8")
    match = DISCUSSION.search(text)
    if match is None:
        raise ValueError(f"{lesson} has no {{discussion}} block")
    lines = text[: match.start()].split("\n")
    paragraphs = _last_prose(lines, lesson)
    first, last, sentences = paragraphs[0]
    sentence = sentences[-1]
    if room is None or len(sentence.split()) <= room:
        head, tail = "\n".join(lines[: last + 1]), "\n".join(lines[last + 1 :])
        lesson.write_text(f"{head}\n\n{sentence}\n{tail}{text[match.start() :]}", "utf-8")
        return sentence
    several = [p for p in paragraphs if len(p[2]) > 1]
    if not several:
        raise ValueError(f"{lesson}: no room for a sentence and no paragraph of two to reorder")
    first, last, sentences = several[0]
    moved = " ".join([sentences[-1], *sentences[:-1]])
    lines[first : last + 1] = [moved]
    lesson.write_text("\n".join(lines) + text[match.start() :], encoding="utf-8")
    return sentences[-1]
