"""Synthetic courses: the real course with lessons added as renamed copies of the real ones.

Lesson k (k > number of real lessons) is a copy of real lesson ((k - 1) mod n) + 1 with its
worksheets (the documents in the lesson's own toctree). Every target the copies define is made
unique: ``(label)=`` lines and ``:label:``/``:name:`` options get the suffix ``-k``, file names
take the number k, and every ``{ref}``/``{numref}`` role, ``{doc}`` role, toctree entry,
organiser ``:sources:`` list and ``{answer}`` argument that points at a copied document or label is
re-pointed. References to another real lesson are
re-pointed to that lesson's copy in the same group of n when it exists (lesson 8, a copy of
lesson 4, refers to lesson 7, the copy of lesson 3), else left on the real one. The root page's
toctree lists every added lesson after the real ones. The strict build must pass on the result.
The course's folders, root document and lessons come from its conf.py (``course.Course``).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .course import Course

LABEL_LINE = re.compile(r"^\((?P<label>[^()\s]+)\)=[ \t]*$", re.M)
LABEL_OPTION = re.compile(r"^(?P<key>[ \t]*:(?:label|name):[ \t]+)(?P<label>\S+)[ \t]*$", re.M)
# Labels given as option values or arguments: a graphic organiser's sources, and the {answer}
# that names each one.
LABEL_LIST_OPTION = re.compile(r"^(?P<key>[ \t]*:sources:[ \t]+)(?P<labels>[^\n]*?)[ \t]*$", re.M)
LABEL_ARGUMENT = re.compile(
    r"^(?P<head>[ \t]*(?:`{3,}|:{3,})\{answer\}[ \t]+)(?P<label>\S+)[ \t]*$", re.M
)
ROLE = re.compile(r"\{(?P<role>ref|numref|doc)\}`(?P<body>[^`]*)`")
FENCE_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{toctree\}")
NUMBERED_TITLE = re.compile(r"^(?P<head>#[ \t][^\d\n]*)\d+(?=:)", re.M)
PREFIX = re.compile(r"^\d+-")


@dataclass(frozen=True)
class Lesson:
    """A real lesson: its document name and its companion documents (worksheets)."""

    doc: str
    companions: tuple[str, ...]

    @property
    def docs(self) -> tuple[str, ...]:
        return (self.doc, *self.companions)


def read(src: Path, doc: str) -> str:
    return (src / f"{doc}.md").read_text(encoding="utf-8")


def write(src: Path, doc: str, text: str) -> None:
    path = src / f"{doc}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def role_target(body: str) -> tuple[str, str | None]:
    """A role's target and its explicit text: ``text <target>`` or ``target``."""
    match = re.fullmatch(r"(?P<text>.*?)\s*<(?P<target>[^<>]+)>", body, re.S)
    if match:
        return match["target"].strip(), match["text"]
    return body.strip(), None


def defined_labels(text: str) -> list[str]:
    """Every label a MyST file defines: ``(label)=`` lines and ``:label:``/``:name:`` options."""
    return [m["label"] for m in LABEL_LINE.finditer(text)] + [
        m["label"] for m in LABEL_OPTION.finditer(text)
    ]


def referenced_labels(text: str) -> list[str]:
    """Every label a MyST file refers to with ``{ref}`` or ``{numref}``."""
    return [role_target(m["body"])[0] for m in ROLE.finditer(text) if m["role"] != "doc"]


def toctree_lines(text: str) -> Iterator[tuple[str, bool]]:
    """Each line of a file (line ends kept), and whether it is an entry of a toctree."""
    fence = None
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        entry = False
        if fence is None:
            match = FENCE_OPEN.match(stripped)
            fence = match["fence"] if match else None
        elif stripped == fence:
            fence = None
        else:
            entry = bool(stripped) and not stripped.startswith(":")
        yield line, entry


def toctree_entries(text: str, doc: str) -> list[str]:
    """The documents listed in a file's toctrees, as document names from the source root."""
    entries = []
    for line, entry in toctree_lines(text):
        if entry:
            target, _ = role_target(line.strip())
            entries.append(posixpath.normpath(posixpath.join(posixpath.dirname(doc), target)))
    return entries


def real_lessons(course: Course) -> list[Lesson]:
    """The course's lessons in book order, each with the documents of its own toctree."""
    lessons, src, root = [], course.src, course.root_doc
    for doc in toctree_entries(read(src, root), root):
        if course.is_lesson(doc):
            lessons.append(Lesson(doc, tuple(toctree_entries(read(src, doc), doc))))
    return lessons


def copy_name(doc: str, number: int, width: int) -> str:
    folder, name = posixpath.split(doc)
    return posixpath.join(folder, f"{number:0{width}d}-{PREFIX.sub('', name)}")


def relative(target: str, base: str) -> str:
    """``target`` written as seen from document ``base`` (as the source wrote it: relative)."""
    return posixpath.relpath(target, posixpath.dirname(base) or ".")


class Renamer:
    """Rewrites one copied file: its labels, its references and its document links."""

    def __init__(self, labels: dict[str, str], docs: dict[str, str]) -> None:
        self.labels, self.docs = labels, docs

    def __call__(self, text: str, doc: str) -> str:
        text = LABEL_LINE.sub(lambda m: f"({self.labels.get(m['label'], m['label'])})=", text)
        text = LABEL_OPTION.sub(lambda m: m["key"] + self.labels.get(m["label"], m["label"]), text)
        text = LABEL_LIST_OPTION.sub(
            lambda m: m["key"] + " ".join(map(self._label, m["labels"].split())), text
        )
        text = LABEL_ARGUMENT.sub(lambda m: m["head"] + self._label(m["label"]), text)
        text = ROLE.sub(lambda m: self._role(m, doc), text)
        return self._toctrees(text, doc)

    def _label(self, label: str) -> str:
        return self.labels.get(label, label)

    def _role(self, match: re.Match[str], doc: str) -> str:
        target, label_text = role_target(match["body"])
        is_doc = match["role"] == "doc"
        new = self._doc(target, doc) if is_doc else self.labels.get(target, target)
        if new == target:
            return match[0]
        body = f"{label_text} <{new}>" if label_text is not None else new
        return f"{{{match['role']}}}`{body}`"

    def _doc(self, target: str, doc: str) -> str:
        absolute = target.startswith("/")
        name = target.lstrip("/") if absolute else posixpath.join(posixpath.dirname(doc), target)
        name = posixpath.normpath(name)
        if name not in self.docs:
            return target
        return "/" + self.docs[name] if absolute else relative(self.docs[name], doc)

    def _toctrees(self, text: str, doc: str) -> str:
        lines = []
        for line, entry in toctree_lines(text):
            if entry:
                target, title = role_target(line.strip())
                new = self._doc(target, doc)
                if new != target:
                    indent = line[: len(line) - len(line.lstrip())]
                    entry = f"{title} <{new}>" if title is not None else new
                    line = f"{indent}{entry}\n"
            lines.append(line)
        return "".join(lines)


def add_to_root_toctree(course: Course, new_lessons: list[str], last_lesson: str) -> None:
    """List the added lessons in the root page's toctree, right after the last real lesson."""
    root = course.root_doc
    lines = read(course.src, root).splitlines(keepends=True)
    last = max(
        i
        for i, line in enumerate(lines)
        if posixpath.normpath(posixpath.join(posixpath.dirname(root), line.strip())) == last_lesson
    )
    indent = lines[last][: len(lines[last]) - len(lines[last].lstrip())]
    added = [f"{indent}{relative(doc, root)}\n" for doc in new_lessons]
    write(course.src, root, "".join([*lines[: last + 1], *added, *lines[last + 1 :]]))


def synthesize(course: Course, lessons: int) -> list[str]:
    """Grow the course (a copy) to ``lessons`` lessons; returns the added documents."""
    src = course.src
    real = real_lessons(course)
    n = len(real)
    if lessons < n:
        raise ValueError(f"a synthetic course has at least the {n} real lessons, not {lessons}")
    width = max(2, len(str(lessons)))
    texts = {doc: read(src, doc) for lesson in real for doc in lesson.docs}
    own_labels = [
        [label for doc in lesson.docs for label in defined_labels(texts[doc])] for lesson in real
    ]
    added: list[str] = []
    for number in range(n + 1, lessons + 1):
        base = (number - 1) % n
        group = number - 1 - base  # lessons group+1 .. group+n are copies of lessons 1 .. n
        labels: dict[str, str] = {}
        docs: dict[str, str] = {}
        for index, lesson in enumerate(real):
            twin = group + 1 + index
            if twin > lessons:
                continue
            labels.update({label: f"{label}-{twin}" for label in own_labels[index]})
            docs.update({doc: copy_name(doc, twin, width) for doc in lesson.docs})
        rename = Renamer(labels, docs)
        for doc in real[base].docs:
            text = rename(texts[doc], doc)
            write(src, docs[doc], NUMBERED_TITLE.sub(rf"\g<head>{number}", text, count=1))
        added.append(docs[real[base].doc])
    if added:
        add_to_root_toctree(course, added, real[-1].doc)
    return added


def make_course(course: Course, dest: Path, lessons: int) -> Course:
    """A copy of the real course's sources in ``dest``, grown to ``lessons`` lessons."""
    copy = course.copy_to(dest)
    synthesize(copy, lessons)
    return copy
