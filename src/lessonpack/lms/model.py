"""The course as the LMS export sees it: modules (one per lesson) of pages, handouts and
quizzes, read from the teacher edition's report (never from the MyST sources)."""

from __future__ import annotations

import fnmatch
import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any


@dataclass(frozen=True)
class Item:
    """One quiz item: ``mc`` (options, the key's index, the rationale) or ``short`` (the
    marking note)."""

    kind: str
    stem: str
    stimulus: str
    options: tuple[str, ...] = ()
    key: int | None = None
    rationale: str = ""
    marking: str = ""


@dataclass(frozen=True)
class Quiz:
    doc: str
    line: int
    title: str
    items: tuple[Item, ...]
    source: str = ""  # the document's file, relative to the course's folder

    @property
    def where(self) -> str:
        return f"{self.source or self.doc}:{self.line}"

    @property
    def slug(self) -> str:
        """The quiz's file name: its document's name (and its line when a document has several)."""
        return slug(PurePosixPath(self.doc).name)

    @property
    def ident(self) -> str:
        return ident("quiz", self.doc, str(self.line))


@dataclass(frozen=True)
class Module:
    doc: str
    title: str
    pages: tuple[tuple[str, str], ...]  # (docname, title) of the student pages, in order
    handouts: tuple[tuple[str, str], ...]  # (paper, path of the PDF in dist/)
    quizzes: tuple[Quiz, ...]


@dataclass(frozen=True)
class Course:
    title: str
    basename: str
    language: str
    modules: tuple[Module, ...]
    quotes: str = "qDe"  # the smartquotes action the text was set with (typography.settings)

    @property
    def quizzes(self) -> list[Quiz]:
        return [q for m in self.modules for q in m.quizzes]


class CourseError(Exception):
    """The report cannot describe the course (a report of the student edition, say)."""


def ident(*parts: str) -> str:
    """An identifier hashed from names: the same on every build, valid as an XML ID."""
    return "i" + hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "quiz"


def _walk(docs: dict[str, Any], root: str) -> list[str]:
    """Every document in toctree order, depth first from ``root``."""
    seen: list[str] = []
    stack = [root]
    while stack:
        doc = stack.pop(0)
        if doc in seen or doc not in docs:
            continue
        seen.append(doc)
        stack = [*docs[doc].get("toctree", []), *stack]
    return seen


def _item(data: dict[str, Any], where: str) -> Item:
    stimulus = (data.get("stimulus") or {}).get("text", "")
    if data["kind"] == "mc":
        if "key" not in data or data["key"] is None:
            raise CourseError(f"{where}: item without a key (a student edition's report?)")
        return Item(
            "mc",
            data["stem"],
            stimulus,
            tuple(data["options"]),
            int(data["key"]),
            rationale=data.get("rationale", ""),
        )
    return Item("short", data["stem"], stimulus, marking=data.get("marking", ""))


def handouts_of(course: dict[str, Any], doc: str) -> list[tuple[str, str]]:
    """(paper, dist path) of each handout of ``doc``, as ``lessonpack_pdf_outputs`` names it."""
    found = []
    for entry in course.get("pdf_outputs", []):
        patterns = entry.get("documents", ())
        patterns = (patterns,) if isinstance(patterns, str) else tuple(patterns)
        if entry.get("mode") != "handout" or not any(fnmatch.fnmatch(doc, p) for p in patterns):
            continue
        for paper in course.get("pdf_papers", ["a4"]):
            name = entry["name"].format(
                basename=course["pdf_basename"],
                edition="student",
                paper=paper,
                doc=PurePosixPath(doc).name,
                version="",
            )
            found.append((paper, f"{name}.pdf"))
    return found


def load_course(report: dict[str, Any]) -> Course:
    """The course of a teacher edition's report: a module per lesson, in the contents' order."""
    if report.get("edition") != "teacher":
        raise CourseError("the LMS export reads the teacher edition's report (the quiz keys)")
    docs: dict[str, Any] = report["documents"]
    course = report["course"]
    order = _walk(docs, course["root_doc"])
    modules = []
    for doc in order:
        if not docs[doc].get("lesson"):
            continue
        below = [d for d in _walk(docs, doc) if d == doc or not docs[d].get("lesson")]
        quizzes = tuple(
            Quiz(
                d,
                int(q["line"] or 0),
                q["title"],
                tuple(_item(i, f"{d}:{i.get('line')}") for i in q["items"]),
                docs[d].get("source", ""),
            )
            for d in below
            for q in docs[d].get("quizzes", [])
        )
        # A document that is only a quiz is its assessment, not a page.
        pages = tuple(
            (d, docs[d].get("title") or d) for d in below if d == doc or not docs[d].get("quizzes")
        )
        modules.append(
            Module(
                doc, docs[doc].get("title") or doc, pages, tuple(handouts_of(course, doc)), quizzes
            )
        )
    return Course(
        course["project"],
        course["pdf_basename"],
        report.get("language", "en"),
        tuple(modules),
        report.get("smartquotes_action", "qDe"),
    )
