"""The {lesson} metadata block and its {objectives}."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

from . import nodes as lp
from .labels import _
from .locations import option_line

if TYPE_CHECKING:
    from sphinx.application import Sphinx

REQUIRED_OPTIONS = ("central-question", "duration")


class LessonDirective(SphinxDirective):
    """Central question, duration, key terms (glossary links) and the objectives."""

    has_content = True
    option_spec: ClassVar[dict] = {
        "central-question": directives.unchanged_required,
        "duration": directives.unchanged_required,
        "key-terms": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        missing = [f":{name}:" for name in REQUIRED_OPTIONS if not self.options.get(name)]
        if missing:
            raise self.error(f"{{lesson}} needs {' and '.join(missing)}")
        node = lp.lesson(classes=["lp-lesson", "lp-box"])
        self.set_source_info(node)
        node["central_question"] = self.options["central-question"]
        node += self._field(_("Central question"), [nodes.Text(node["central_question"])])
        node += self._field(_("Time"), [nodes.Text(self.options["duration"])])
        terms = [t.strip() for t in self.options.get("key-terms", "").split(",") if t.strip()]
        if terms:
            links: list[nodes.Node] = []
            for i, term in enumerate(terms):
                if i:
                    links.append(nodes.Text(", "))
                links.append(self._term_ref(term))
            node += self._field(_("Key terms"), links)
        node += self.parse_content_to_nodes(allow_section_headings=False)
        return [node]

    def _field(self, label: str, body: list[nodes.Node]) -> nodes.paragraph:
        para = nodes.paragraph(classes=["lp-field"])
        text = _("{label}: ").format(label=label)
        para += nodes.strong(text, text)
        para.extend(body)
        return para

    def _term_ref(self, term: str) -> addnodes.pending_xref:
        # The same node the {term} role makes, so an unknown term fails a nitpicky build.
        ref = addnodes.pending_xref(
            term,
            refdomain="std",
            reftype="term",
            reftarget=term,
            refexplicit=False,
            refwarn=True,
            refdoc=self.env.docname,
        )
        # Reported on the :key-terms: line, where the unknown term is written.
        ref.source, ref.line = self.get_source_info()[0], option_line(self, "key-terms")
        ref += nodes.inline(term, term, classes=["xref", "std", "std-term"])
        return ref


class ObjectivesDirective(SphinxDirective):
    """A list of learning objectives, titled."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        node = lp.objectives(classes=["lp-objectives"])
        self.set_source_info(node)
        node += lp.title_paragraph(_("Learning objectives"), "lp-title")
        node += self.parse_content_to_nodes(allow_section_headings=False)
        if not any(isinstance(n, (nodes.bullet_list, nodes.enumerated_list)) for n in node):
            raise self.error("{objectives} must hold a list of objectives")
        return [node]


def setup_lesson(app: Sphinx) -> None:
    app.add_directive("lesson", LessonDirective)
    app.add_directive("objectives", ObjectivesDirective)
