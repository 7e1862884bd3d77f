"""What authors write to change a deck: a ``{slide}`` block, and ``:slide:`` on a directive.

``{slide} Title`` adds a slide where it stands in the lesson (``:after: LABEL`` moves it after the
slide of a labelled source, figure or question). ``:slide: no`` on a lesson's directives (the
lesson block, objectives, a source, a figure or chart, a discussion, a question, an exercise)
leaves that item out of the deck; ``:slide: after LABEL`` moves it. A {slide} is for the decks
only: every other builder drops it once the document is resolved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from .. import nodes as lp

if TYPE_CHECKING:
    from sphinx.application import Sphinx

BUILDER = "lessonslides"


class slide(nodes.container):
    """An author's own slide; only the slide builder keeps it."""


def slide_option(argument: str | None) -> str:
    """``no``, ``yes`` or ``after LABEL``."""
    value = " ".join((argument or "").split())
    if value in ("no", "yes") or (value.startswith("after ") and len(value.split()) == 2):
        return value
    raise ValueError(f'expected "no", "yes" or "after LABEL", not {argument!r}')


def _mark(result: list[nodes.Node], value: str) -> None:
    for node in result:
        if isinstance(node, nodes.Element) and not isinstance(
            node, (nodes.target, nodes.system_message)
        ):
            if isinstance(node, lp.graphic):  # a chart or map: the deck reads its figure
                node = next(iter(node.findall(nodes.figure)), node)
            if value == "no":
                node["slide"] = "no"
            elif value.startswith("after "):
                node["slide_after"] = value.split()[1]
            return


def with_slide_option(cls: type[Any]) -> type[Any]:
    """``cls`` with a ``:slide:`` option, set on the first node it returns."""

    class Slidable(cls):  # type: ignore[misc, valid-type]
        option_spec: ClassVar[dict] = {**(cls.option_spec or {}), "slide": slide_option}

        def run(self) -> list[nodes.Node]:
            value = self.options.pop("slide", "")
            result = super().run()
            _mark(result, value)
            return result

    Slidable.__name__ = Slidable.__qualname__ = cls.__name__
    Slidable.__doc__ = cls.__doc__
    return Slidable


class SlideDirective(SphinxDirective):
    """``{slide} Title``: a slide of the author's own, where it stands in the lesson."""

    has_content = True
    required_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict] = {"after": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        if not self.content:
            raise self.error("{slide} is empty")
        node = slide(classes=["lp-slide"], title=self.arguments[0])
        self.set_source_info(node)
        if "after" in self.options:
            node["slide_after"] = self.options["after"].strip()
        node += self.parse_content_to_nodes(allow_section_headings=False)
        return [node]


def drop_slides(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.name != BUILDER:
        for node in list(doctree.findall(slide)):
            node.parent.remove(node)


def setup_directives(app: Sphinx) -> None:
    from sphinx.directives.patches import Figure

    from ..charts import RangeChartDirective
    from ..choropleth import ChoroplethDirective
    from ..lesson import LessonDirective, ObjectivesDirective
    from ..linechart import LineChartDirective
    from ..questions import DiscussionDirective, ExerciseDirective, QuestionDirective
    from ..sourcebox import SourceDirective

    slidable = {
        "lesson": LessonDirective,
        "objectives": ObjectivesDirective,
        "source": SourceDirective,
        "discussion": DiscussionDirective,
        "question": QuestionDirective,
        "exercise": ExerciseDirective,
        "range-chart": RangeChartDirective,
        "line-chart": LineChartDirective,
        "choropleth": ChoroplethDirective,
        "figure": Figure,
    }
    for name, cls in slidable.items():
        app.add_directive(name, with_slide_option(cls), override=True)
    app.add_directive("slide", SlideDirective)
    app.connect("doctree-resolved", drop_slides)
