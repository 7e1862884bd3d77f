"""Teacher-directive fences found in the raw text of a source file, without the parser.

The student edition drops teacher text by not parsing it, which only works when MyST reads the
fence as a directive. A fence indented into a code block, put inside a literal block or broken
any other way is ordinary text, and reaches students. This module finds every teacher-directive
fence by a loose pattern, whatever MyST makes of it: after backticks, tildes or colons of any
length, at any indentation (tabs included), after blockquote and list markers. The build uses it
to fail on a fence that did not run as a directive (:mod:`lessonpack.teacher`); the release gate
uses it to take teacher passages from the source text itself (:mod:`lessonpack.check.leaks`).

Pure text in, text out: no build environment, so the gate reads the sources the build recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .teacher import TEACHER_DIRECTIVES

NAMES = tuple(TEACHER_DIRECTIVES)
# Container markers (indentation, blockquote '>', list bullets and numbers) then a fence of three
# or more backticks, tildes or colons, then {name}.
OPEN = re.compile(
    r"^(?P<prefix>[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+[ \t>]*)*)"
    r"(?P<fence>`{3,}|~{3,}|:{3,})[ \t]*\{(?P<name>"
    + "|".join(re.escape(name) for name in NAMES)
    + r")\}",
    re.IGNORECASE,  # docutils finds directives whatever their case
)
# The same fence anywhere in a line: in an output's text, a fence printed for readers to see.
PRINTED = re.compile(
    r"(?:`{3,}|~{3,}|:{3,})\s*\{\s*(?P<name>"
    + "|".join(re.escape(name) for name in NAMES)
    + r")\s*\}",
    re.IGNORECASE,
)
CONTAINER = re.compile(r"^[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+[ \t>]*)*")
ANY_FENCE = re.compile(r"^(`{3,}|~{3,}|:{3,})")


@dataclass(frozen=True)
class Fence:
    """One teacher-directive fence: where it opens (1-based) and closes, and its body's lines."""

    name: str
    line: int
    end: int
    body: tuple[str, ...]

    @property
    def text(self) -> str:
        """The body as plain words (MyST markup taken out), as a reader would see it."""
        return plain("\n".join(self.body))


def fences(text: str) -> list[Fence]:
    """Every teacher-directive fence of ``text``, nested ones too, each with its body.

    The body runs to the first line (container markers aside) made of the same fence character,
    at least as long, and nothing else; or to the end of the file.
    """
    lines = text.splitlines()
    found = []
    for index, line in enumerate(lines):
        match = OPEN.match(line)
        if not match:
            continue
        fence = match["fence"]
        closing = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        end = len(lines)
        for later in range(index + 1, len(lines)):
            if closing.match(CONTAINER.sub("", lines[later], count=1)):
                end = later
                break
        body = tuple(CONTAINER.sub("", body_line, count=1) for body_line in lines[index + 1 : end])
        found.append(Fence(match["name"].lower(), index + 1, min(end + 1, len(lines)), body))
    return found


def read_text(path: Path) -> str | None:
    """A source file's text, or None if it is not text (an image, a file that is not UTF-8)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


# MyST markup -> the words a reader sees ------------------------------------------------------

ROLE = re.compile(r"\{(?P<role>[\w:.+-]+)\}`(?P<text>[^`]*)`")
LINK = re.compile(r"!?\[(?P<text>[^\]]*)\]\([^)]*\)")
EMPHASIS = re.compile(r"(\*{1,3}|_{1,3})(?=\S)(?P<text>.+?)(?<=\S)\1")
DROPPED_LINES = re.compile(
    r"^(?:(?:`{3,}|~{3,}|:{3,}).*"  # fences of nested directives and code blocks
    r"|:[\w-]+:(?:[ \t].*)?"  # directive options
    r"|\([^)]*\)=[ \t]*"  # targets
    r"|%.*"  # comments
    r"|\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*"  # table rules
    r")$"
)


# Roles whose words are only known once they resolve (a citation reads "(Yang, 2012)", a bare
# {ref} the title of its section): a break, as the report's parsed passages have.
RESOLVED = {"cite", "footcite", "ref", "numref", "doc", "eq", "any"}


def _role(match: re.Match[str]) -> str:
    text = match["text"]
    if text.endswith(">") and "<" in text:
        return re.sub(r"\s*<[^<>]*>$", "", text)  # {term}`x <y>` -> x
    return "\n" if match["role"].split(":")[0] in RESOLVED else text


def plain(markup: str) -> str:
    """MyST text as plain words: roles (``{term}`x <y>``` -> x; citations dropped), links
    (``[t](u)`` -> t), emphasis, inline code, option and fence lines, table rules and pipes,
    headings and list markers taken out."""
    out = []
    for raw in markup.splitlines():
        line = CONTAINER.sub("", raw, count=1).strip()
        if DROPPED_LINES.match(line):
            out.append("")
            continue
        line = re.sub(r"^#{1,6}[ \t]+", "", line)
        line = ROLE.sub(_role, line)
        line = LINK.sub(lambda m: m["text"], line)
        line = re.sub(r"\[\^[^\]]*\]", "", line)  # footnote references
        line = re.sub(r"`([^`]*)`", r"\1", line)
        line = re.sub(r"</?[A-Za-z][^>]*>", "", line)  # raw HTML tags
        for _ in range(3):
            line = EMPHASIS.sub(lambda m: m["text"], line)
        if line.startswith("|"):
            line = "\n".join(cell.strip() for cell in line.strip("|").split("|"))
        out.append(line)
    return "\n".join(out)
