"""Teacher-only directives: dropped when a student edition reads the source.

The student edition never parses their content, so nothing inside them reaches a doctree, the
search index, an EPUB or a PDF. The teacher edition renders them as marked boxes.

That holds only for a fence MyST reads as a directive. Each directive that runs records the lines
it spans (in both editions: in the student edition an outer directive's nested ones never run,
and its whole range counts); once a document is read, every teacher-directive fence found in the
raw text of its files (:mod:`lessonpack.teacherscan`: the document and every file it depends on,
included ones too) must lie in such a range. One that does not (indented into a code block,
inside a literal block, ...) is ordinary text that would reach students: a warning, with file and
line, fails the build.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from . import nodes as lp
from .config import is_teacher
from .labels import N_, _

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

    from .teacherscan import Fence

logger = logging.getLogger(__name__)

SEEN_KEY = "lessonpack_teacher_seen"
RANGES_KEY = "lessonpack_teacher_ranges"
# Set by an {organiser} while it parses its content: the (argument, line) of each {answer} in it.
ANSWERS_KEY = "lessonpack_organiser_answers"

# directive name -> (title shown to the teacher, translated where shown; boxed)
TEACHER_DIRECTIVES: dict[str, tuple[str, bool]] = {
    "teacher-note": (N_("Teacher note"), True),
    "lesson-plan": (N_("Lesson plan"), True),
    "guidance": (N_("Answer guidance"), True),
    "answer": (N_("Answer"), True),
    "solution": (N_("Answer key"), True),
    "teacher-only": ("", False),
    "rationale": (N_("Rationale"), True),  # of a quiz's multiple-choice item (quiz.py)
    "marking": (N_("Marking note"), True),  # of a quiz's short-answer item (quiz.py)
}


class TeacherDirective(SphinxDirective):
    """Shared body of every teacher-only directive; the title comes from the directive name."""

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict] = {"class": directives.class_option}

    def run(self) -> list[nodes.Node]:
        if not self.content:
            raise self.error(f"{{{self.name}}} is empty")
        # Recorded in both editions, so the checks know a question has guidance even where the
        # guidance itself is never parsed.
        self.env.current_document.setdefault(SEEN_KEY, []).append(self.name)
        answers = self.env.current_document.get(ANSWERS_KEY)
        if answers is not None and self.name == "answer":
            answers.append((self.arguments[0] if self.arguments else "", self.lineno))
        source, line = self.get_source_info()
        if source and line:
            lines = max(len(self.block_text.splitlines()), 1)
            ran = self.env.current_document.setdefault(RANGES_KEY, [])
            ran.append((os.path.abspath(source), line, lines, self.name))
        if not is_teacher(self.config):
            return []
        default_title, boxed = TEACHER_DIRECTIVES[self.name]
        classes = ["lp-teacher", f"lp-{self.name}", *self.options.get("class", [])]
        if boxed:
            classes.append("lp-box")
        node = lp.teacher(classes=classes, kind=self.name)
        self.set_source_info(node)
        title = self.arguments[0] if self.arguments else _(default_title) if default_title else ""
        if title:
            node += lp.title_paragraph(title, "lp-title")
        node += self.parse_content_to_nodes(allow_section_headings=False)
        return [node]


def document_files(env: BuildEnvironment, docname: str) -> list[Path]:
    """The document's source and every file it depends on (includes, literal includes, data),
    absolute, sorted: the files whose text can reach its pages."""
    srcdir = Path(env.srcdir)
    files = {Path(os.path.abspath(env.doc2path(docname)))}
    files.update(Path(os.path.abspath(srcdir / dep)) for dep in env.dependencies.get(docname, ()))
    return sorted(files)


NEAR = 10  # lines between where MyST says a directive is and its fence, at most


def covered_lines(found: list[Fence], ran: list[tuple[int, int, str]]) -> set[int]:
    """The lines of a file inside a teacher directive that ran, from its (line, length, name).

    MyST reports the line of a directive nested in another one's content a line or more off (one
    after a paragraph in a {question}: the next line), so each directive that ran is matched to
    the scanned fence of its name nearest its line, each fence once.
    """
    covered: set[int] = set()
    taken: set[int] = set()
    for line, length, name in sorted(ran):
        candidates = [
            f
            for f in found
            if f.name == name and f.line not in taken and abs(f.line - line) <= NEAR
        ]
        if candidates:
            line = min(candidates, key=lambda f: (abs(f.line - line), f.line)).line
            taken.add(line)
        covered.update(range(line, line + length))
    return covered


def check_fences(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read: every teacher-directive fence in the document's files ran as a directive."""
    from .teacherscan import fences, read_text

    env = app.env
    ran = env.current_document.get(RANGES_KEY, [])
    for path in document_files(env, env.docname):
        text = read_text(path)
        if text is None:
            continue
        found = fences(text)
        covered = covered_lines(found, [r[1:] for r in ran if r[0] == str(path)])
        for fence in found:
            if fence.line in covered:
                continue
            location: str | tuple[str, int]
            if path == Path(os.path.abspath(env.doc2path(env.docname))):
                location = (env.docname, fence.line)
            else:
                location = f"{path}:{fence.line}"
            logger.warning(
                f"{{{fence.name}}} fence is not read as a directive (indented? inside a code "
                "block?): its text would reach students",
                location=location,
                type="lessonpack",
                subtype="teacher",
            )


def setup_teacher(app: Sphinx) -> None:
    for name in TEACHER_DIRECTIVES:
        app.add_directive(name, TeacherDirective)
    app.connect("doctree-read", check_fences)
