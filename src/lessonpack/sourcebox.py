"""Source boxes (an excerpt with its provenance and citation) and content advisories."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from . import nodes as lp
from .locations import inline_line, option_line

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)
LABELS_KEY = "lessonpack_source_labels"  # the labels of this document's source boxes
PROVENANCE = (("who", "Who"), ("when", "When"), ("audience", "For whom"), ("purpose", "Why"))
KINDS = ("excerpt", "paraphrase")


class SourceDirective(SphinxDirective):
    """A primary or eyewitness source: the text, who/when/for whom/why, and a citation."""

    has_content = True
    required_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict] = {
        "label": directives.unchanged_required,
        "cite": directives.unchanged_required,
        "page": directives.unchanged_required,
        "kind": lambda arg: directives.choice(arg, KINDS),
        **{key: directives.unchanged_required for key, _ in PROVENANCE},
    }

    def run(self) -> list[nodes.Node]:
        if not self.content:
            raise self.error("{source} is empty")
        if not self.options.get("cite"):
            raise self.error("{source} needs :cite: (a key from the bibliography)")
        kind = self.options.get("kind", "excerpt")
        title = self.arguments[0]
        node = lp.source_box(classes=["lp-source", "lp-box", f"lp-{kind}"], kind=kind)
        self.set_source_info(node)
        node += lp.title_paragraph(f"Source: {title}", "lp-title")
        body = self.parse_content_to_nodes(allow_section_headings=False)
        if kind == "excerpt":
            node += nodes.block_quote("", *body)
        else:
            node += nodes.paragraph("", "Paraphrase:", classes=["lp-kind"])
            node += nodes.container("", *body, classes=["lp-paraphrase-body"])
        fields = nodes.field_list(classes=["lp-provenance"])
        for key, label in PROVENANCE:
            if key in self.options:
                line = inline_line(self, option_line(self, key))
                text_nodes, messages = self.parse_inline(self.options[key], lineno=line)
                fields += nodes.field(
                    "",
                    nodes.field_name(label, label),
                    nodes.field_body("", nodes.paragraph("", "", *text_nodes, *messages)),
                )
        if len(fields):
            node += fields
        node += self._citation()
        if "label" in self.options:
            self._add_label(node, self.options["label"], f"Source: {title}")
        return [node]

    def _citation(self) -> nodes.paragraph:
        page = self.options.get("page")
        target = self.options["cite"] + (f"{{p. {page}}}" if page else "")
        # The citation goes through sphinxcontrib-bibtex's own role, so unknown keys fail the build.
        line = inline_line(self, option_line(self, "cite"))
        text_nodes, messages = self.parse_inline(f"{{cite:p}}`{target}`", lineno=line)
        para = nodes.paragraph("", "Cited from ", classes=["lp-citation"])
        para.extend([*text_nodes, *messages])
        return para

    def _add_label(self, node: nodes.Element, label: str, title: str) -> None:
        std = self.env.domains.standard_domain
        # Sphinx reports a label taken in another document with no file or line, and one
        # taken in this document not at all: both are reported here, on the :label: line.
        here = self.env.temp_data.setdefault(LABELS_KEY, set())
        other = std.anonlabels.get(label)
        if label in here or (other and other[0] != self.env.docname):
            where = "this document" if label in here else str(self.env.doc2path(other[0]))
            logger.warning(
                f"duplicate label {label}, other instance in {where}",
                location=(self.env.docname, option_line(self, "label")),
                type="lessonpack",
                subtype="label",
            )
            return
        here.add(label)
        node_id = nodes.make_id(label)
        node["ids"].append(node_id)
        std.note_hyperlink_target(label, self.env.docname, node_id, title)


class AdvisoryDirective(SphinxDirective):
    """A clearly marked warning placed before distressing material."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        node = lp.advisory(classes=["lp-advisory", "lp-box"])
        self.set_source_info(node)
        node += lp.title_paragraph("Content advisory", "lp-title")
        node += self.parse_content_to_nodes(allow_section_headings=False)
        return [node]


def setup_sources(app: Sphinx) -> None:
    app.add_directive("source", SourceDirective)
    app.add_directive("content-advisory", AdvisoryDirective)
