"""Source boxes (an excerpt with its provenance and citation) and content advisories."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from . import nodes as lp
from .grades import cached_grade
from .labels import N_, _
from .locations import inline_line, option_line
from .report import grades_apply

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)
LABELS_KEY = "lessonpack_source_labels"  # the labels of this document's source boxes
# (option, label: translated where shown)
PROVENANCE = (
    ("who", N_("Who")),
    ("when", N_("When")),
    ("audience", N_("For whom")),
    ("purpose", N_("Why")),
)
KINDS = ("excerpt", "paraphrase")
IN_SOURCE_KEY = "lessonpack_in_source"  # set while a {source} parses its content
ADAPTED_LABEL = N_("Adapted version")
ORIGINAL_LABEL = N_("Original text")


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
        **{key: directives.unchanged_required for key, _label in PROVENANCE},
    }

    def run(self) -> list[nodes.Node]:
        if not self.content:
            raise self.error("{source} is empty")
        if not self.options.get("cite"):
            raise self.error("{source} needs :cite: (a key from the bibliography)")
        kind = self.options.get("kind", "excerpt")
        title = self.arguments[0]
        node = lp.source_box(classes=["lp-source", "lp-box", f"lp-{kind}"], kind=kind)
        node["source_title"] = title
        node["source_label"] = self.options.get("label", "")
        self.set_source_info(node)
        node += lp.title_paragraph(_("Source: {title}").format(title=title), "lp-title")
        depth = self.env.current_document.get(IN_SOURCE_KEY, 0)
        self.env.current_document[IN_SOURCE_KEY] = depth + 1
        try:
            body = self.parse_content_to_nodes(allow_section_headings=False)
        finally:
            self.env.current_document[IN_SOURCE_KEY] = depth
        adapted = self._adapted_version(body, kind)
        body = [n for n in body if not isinstance(n, lp.adapted)]
        if adapted is not None and not body:
            raise self.error("{source} has an {adapted} version but no original text")
        if kind == "excerpt" and adapted is not None:
            node += adapted
            original = lp.original(classes=["lp-original"])
            original += version_label(ORIGINAL_LABEL)
            original += nodes.block_quote("", *body)
            node += original
            if grades_apply(self.config.language):  # an English formula: English text only
                self._check_grades(node, adapted, original)
        elif kind == "excerpt":
            node += nodes.block_quote("", *body)
        else:
            node += nodes.paragraph("", _("Paraphrase:"), classes=["lp-kind"])
            node += nodes.container("", *body, classes=["lp-paraphrase-body"])
        fields = nodes.field_list(classes=["lp-provenance"])
        for key, label in PROVENANCE:
            if key in self.options:
                line = inline_line(self, option_line(self, key))
                text_nodes, messages = self.parse_inline(self.options[key], lineno=line)
                fields += nodes.field(
                    "",
                    nodes.field_name(_(label), _(label)),
                    nodes.field_body("", nodes.paragraph("", "", *text_nodes, *messages)),
                )
        if len(fields):
            node += fields
        node += self._citation()
        if "label" in self.options:
            self._add_label(node, self.options["label"], _("Source: {title}").format(title=title))
        return [node]

    def _adapted_version(self, body: list[nodes.Node], kind: str) -> lp.adapted | None:
        """The one {adapted} written directly in this source; the others are reported."""
        found = [n for n in body if isinstance(n, lp.adapted)]
        for node in body:
            if isinstance(node, nodes.Element) and not isinstance(node, lp.adapted):
                for deeper in node.findall(lp.adapted):
                    if not _in_inner_source(deeper, node):
                        _warn_source(
                            "{adapted} must be directly inside a {source}", self.env, deeper
                        )
        if kind == "paraphrase":
            for node in found:
                _warn_source(
                    "a paraphrase takes no {adapted}: it is already our own words",
                    self.env,
                    node,
                )
            return None
        for extra in found[1:]:
            _warn_source("a {source} takes one {adapted} at most", self.env, extra)
        if not found:
            logger.warning(
                "excerpt has no {adapted} version (write one, or mark a summary :kind: paraphrase)",
                location=(self.env.docname, self.lineno),
                type="lessonpack",
                subtype="source",
            )
            return None
        return found[0]

    def _check_grades(
        self, box: nodes.Element, adapted: nodes.Element, original: nodes.Element
    ) -> None:
        """Both reading grades on the box (the report keeps them); the adapted must be lower."""
        cache = self.config.lessonpack_cache_dir
        grades = {
            "original": cached_grade(_body_text(original), cache),
            "adapted": cached_grade(_body_text(adapted), cache),
        }
        box["grades"] = grades
        box["adapted_line"] = adapted.line
        if grades["adapted"] >= grades["original"]:
            _warn_source(
                f"the adapted version reads at grade {grades['adapted']:.1f}, not below the "
                f"original's {grades['original']:.1f} (Flesch-Kincaid): use shorter sentences "
                "and plainer words",
                self.env,
                adapted,
            )

    def _citation(self) -> nodes.paragraph:
        page = self.options.get("page")
        target = self.options["cite"] + (f"{{p. {page}}}" if page else "")
        # The citation goes through sphinxcontrib-bibtex's own role, so unknown keys fail the build.
        line = inline_line(self, option_line(self, "cite"))
        text_nodes, messages = self.parse_inline(f"{{cite:p}}`{target}`", lineno=line)
        para = nodes.paragraph("", _("Cited from "), classes=["lp-citation"])
        para.extend([*text_nodes, *messages])
        return para

    def _add_label(self, node: nodes.Element, label: str, title: str) -> None:
        std = self.env.domains.standard_domain
        # Sphinx reports a label taken in another document with no file or line, and one
        # taken in this document not at all: both are reported here, on the :label: line.
        here = self.env.current_document.setdefault(LABELS_KEY, set())
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


class AdaptedDirective(SphinxDirective):
    """The adapted version of an excerpt, written by us: valid directly inside a {source} only."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        if not self.env.current_document.get(IN_SOURCE_KEY):
            raise self.error("{adapted} must be directly inside a {source}")
        if not self.content:
            raise self.error("{adapted} is empty")
        node = lp.adapted(classes=["lp-adapted"])
        self.set_source_info(node)
        node += version_label(ADAPTED_LABEL)
        node += self.parse_content_to_nodes(allow_section_headings=False)
        return [node]


def version_label(text: str) -> lp.version_label:
    label = lp.version_label(classes=["lp-version-label"])
    label += nodes.strong(_(text), _(text))
    return label


def _body_text(version: nodes.Element) -> str:
    """A version's words without its label."""
    return "\n".join(c.astext() for c in version.children if not isinstance(c, lp.version_label))


def _in_inner_source(node: nodes.Node, top: nodes.Node) -> bool:
    """Whether ``node`` belongs to a {source} nested in ``top`` (which checked it already)."""
    for parent in lp.ancestors(node):
        if parent is top:
            break
        if isinstance(parent, lp.source_box):
            return True
    return isinstance(top, lp.source_box)


def _warn_source(message: str, env: object, node: nodes.Node) -> None:
    logger.warning(
        message,
        location=(env.docname, node.line),  # type: ignore[attr-defined]
        type="lessonpack",
        subtype="source",
    )


class AdvisoryDirective(SphinxDirective):
    """A clearly marked warning placed before distressing material."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        node = lp.advisory(classes=["lp-advisory", "lp-box"])
        self.set_source_info(node)
        node += lp.title_paragraph(_("Content advisory"), "lp-title")
        node += self.parse_content_to_nodes(allow_section_headings=False)
        return [node]


def setup_sources(app: Sphinx) -> None:
    app.add_directive("source", SourceDirective)
    app.add_directive("adapted", AdaptedDirective)
    app.add_directive("content-advisory", AdvisoryDirective)
