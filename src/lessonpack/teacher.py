"""Teacher-only directives: dropped when a student edition reads the source.

The student edition never parses their content, so nothing inside them reaches a doctree, the
search index, an EPUB or a PDF. The teacher edition renders them as marked boxes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from . import nodes as lp
from .config import is_teacher

if TYPE_CHECKING:
    from sphinx.application import Sphinx

SEEN_KEY = "lessonpack_teacher_seen"

# directive name -> (title shown to the teacher, boxed)
TEACHER_DIRECTIVES: dict[str, tuple[str, bool]] = {
    "teacher-note": ("Teacher note", True),
    "lesson-plan": ("Lesson plan", True),
    "guidance": ("Answer guidance", True),
    "answer": ("Answer", True),
    "solution": ("Answer key", True),
    "teacher-only": ("", False),
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
        self.env.temp_data.setdefault(SEEN_KEY, []).append(self.name)
        if not is_teacher(self.config):
            return []
        default_title, boxed = TEACHER_DIRECTIVES[self.name]
        classes = ["lp-teacher", f"lp-{self.name}", *self.options.get("class", [])]
        if boxed:
            classes.append("lp-box")
        node = lp.teacher(classes=classes, kind=self.name)
        self.set_source_info(node)
        title = self.arguments[0] if self.arguments else default_title
        if title:
            node += lp.title_paragraph(title, "lp-title")
        node += self.parse_content_to_nodes(allow_section_headings=False)
        return [node]


def setup_teacher(app: Sphinx) -> None:
    for name in TEACHER_DIRECTIVES:
        app.add_directive(name, TeacherDirective)
