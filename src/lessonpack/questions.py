"""Discussion questions and exercises, numbered per group after reading."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from . import nodes as lp
from .labels import N_, _
from .teacher import SEEN_KEY

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

LEVELS = ("recall", "analysis", "evaluation")
# Printed in the book's language: translate with _() where used.
EXERCISE_KINDS = {
    "worksheet": N_("Worksheet"),
    "exit-ticket": N_("Exit ticket"),
    "essay": N_("Essay"),
}
DEFAULT_LINES = 4


class DiscussionDirective(SphinxDirective):
    """A group of {question} blocks, titled "Discussion questions"."""

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        node = lp.discussion(classes=["lp-discussion"])
        self.set_source_info(node)
        title = self.arguments[0] if self.arguments else _("Discussion questions")
        node += lp.title_paragraph(title, "lp-group-title")
        node += self.parse_content_to_nodes(allow_section_headings=False)
        if not any(node.findall(lp.question)):
            raise self.error("{discussion} holds no {question}")
        return [node]


class QuestionDirective(SphinxDirective):
    """One question; ``:lines:`` sets its writing space on the printed handout."""

    has_content = True
    option_spec: ClassVar[dict] = {
        "level": lambda arg: directives.choice(arg, LEVELS),
        "lines": directives.nonnegative_int,
    }

    def run(self) -> list[nodes.Node]:
        if not self.content:
            raise self.error("{question} is empty")
        level = self.options.get("level", "")
        node = lp.question(
            classes=["lp-question", *([f"lp-level-{level}"] if level else [])],
            level=level,
            lines=self.options.get("lines", DEFAULT_LINES),
        )
        self.set_source_info(node)
        with teacher_blocks(self.env) as seen:
            node += self.parse_content_to_nodes(allow_section_headings=False)
        node["guided"] = bool({"guidance", "answer"} & set(seen))
        return [node]


class ExerciseDirective(SphinxDirective):
    """A worksheet, exit ticket or essay: a title, instructions, questions and a solution."""

    has_content = True
    required_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict] = {
        "kind": lambda arg: directives.choice(arg, tuple(EXERCISE_KINDS)),
    }

    def run(self) -> list[nodes.Node]:
        kind = self.options.get("kind", "worksheet")
        node = lp.exercise(classes=["lp-exercise", f"lp-{kind}"], kind=kind)
        self.set_source_info(node)
        node["title"] = self.arguments[0]
        label = _(EXERCISE_KINDS[kind])
        title = self.arguments[0]
        # "Exit ticket: ..." written by the author is not prefixed twice.
        if not title.lower().startswith(label.lower()):
            title = _("{kind}: {title}").format(kind=label, title=title)
        node += lp.title_paragraph(title, "lp-group-title")
        with teacher_blocks(self.env) as seen:
            node += self.parse_content_to_nodes(allow_section_headings=False)
        node["keyed"] = "solution" in seen
        return [node]


@contextmanager
def teacher_blocks(env: BuildEnvironment) -> Iterator[list[str]]:
    """The names of the teacher directives met while parsing a block's content."""
    outer = env.current_document.setdefault(SEEN_KEY, [])
    seen: list[str] = []
    env.current_document[SEEN_KEY] = seen
    try:
        yield seen
    finally:
        outer.extend(seen)  # an exercise sees the answers of the questions inside it
        env.current_document[SEEN_KEY] = outer


def number_questions(doctree: nodes.document) -> None:
    """Give each question its number within its discussion or exercise, as a visible label."""
    for group in doctree.findall(lambda n: isinstance(n, (lp.discussion, lp.exercise))):
        for number, q in enumerate(group.findall(lp.question), start=1):
            q["number"] = number
            q.insert(
                0,
                lp.title_paragraph(
                    _("Question {number}").format(number=number), "lp-question-number"
                ),
            )


def setup_questions(app: Sphinx) -> None:
    app.add_directive("discussion", DiscussionDirective)
    app.add_directive("question", QuestionDirective)
    app.add_directive("exercise", ExerciseDirective)
