"""The graphic organiser: a sourcing and corroboration grid of a lesson's source boxes.

``{organiser}`` names a question and the labels of source boxes (``:sources:``). Once the
document is read, the grid is built as a table, one row per source in that order: the first
column is prefilled from the source box itself (its title, who, when, for whom, why); the other
three (what it claims, what it leaves out, how reliable for this question) are empty cells for
students, ruled writing space on a handout. The teacher's model answers are ``{answer}`` blocks
inside the organiser, one per source, the source's label as argument: teacher directives, so a
student edition never parses them; a teacher edition shows them after the grid, each headed by
its source's title.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from . import nodes as lp
from .labels import N_, _
from .sourcebox import PROVENANCE
from .teacher import ANSWERS_KEY

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

# The column headings, translated where shown.
COLUMNS = (N_("What it claims"), N_("What it leaves out"), N_("How reliable for this question?"))
WRITE_CLASS = "lp-organiser-write"  # a cell students fill in
GRID_CLASS = "lp-organiser-grid"
HANDOUT_LINES = 5  # ruled lines in each student cell of a handout


class OrganiserDirective(SphinxDirective):
    """A sourcing grid of the listed source boxes, with the teacher's answers inside it."""

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict] = {
        "question": directives.unchanged_required,
        "sources": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        labels = self.options.get("sources", "").split()
        if not labels:
            raise self.error("{organiser} needs :sources: (the labels of source boxes)")
        twice = sorted({label for label in labels if labels.count(label) > 1})
        if twice:
            raise self.error(f"{{organiser}} lists {', '.join(twice)} more than once")
        title = self.arguments[0] if self.arguments else _("Sourcing and corroboration grid")
        node = lp.organiser(classes=["lp-organiser", "lp-box"], sources=labels)
        self.set_source_info(node)
        node += lp.title_paragraph(title, "lp-title")
        if self.options.get("question"):
            para = nodes.paragraph("", _("Question: "), classes=["lp-organiser-question"])
            para += nodes.emphasis(self.options["question"], self.options["question"])
            node += para
        outer = self.env.current_document.get(ANSWERS_KEY)
        answers: list[tuple[str, int]] = []
        self.env.current_document[ANSWERS_KEY] = answers
        try:
            body = self.parse_content_to_nodes(allow_section_headings=False)
        finally:
            self.env.current_document[ANSWERS_KEY] = outer
        # The grid goes after the instructions once the document is read (resolve_organisers),
        # and the answers after the grid.
        node += body
        node += lp.organiser_slot()
        self._check_answers(labels, answers)
        return [node]

    def _check_answers(self, labels: list[str], answers: list[tuple[str, int]]) -> None:
        # Checked in both editions: a student edition records the answers it does not parse.
        answered = set()
        for label, line in answers:
            if label not in labels:
                what = f"{label}, which is not in :sources:" if label else "no source label"
                _warn(f"{{answer}} in an {{organiser}} names {what}", (self.env.docname, line))
            answered.add(label)
        if self.config.lessonpack_require_answers:
            for label in labels:
                if label not in answered:
                    _warn(
                        f"{{organiser}} has no {{answer}} for {label} (the teacher's model answer)",
                        (self.env.docname, self.lineno),
                    )


def _warn(message: str, location: tuple[str, int | None]) -> None:
    logger.warning(message, location=location, type="lessonpack", subtype="organiser")


def _provenance(box: nodes.Element) -> dict[str, list[nodes.Node]]:
    """The inline nodes of each provenance field of a source box, by its option name."""
    keys = {_(label): key for key, label in PROVENANCE}
    found: dict[str, list[nodes.Node]] = {}
    for fields in box.findall(nodes.field_list):
        if "lp-provenance" not in fields["classes"]:
            continue
        for field in fields.findall(nodes.field):
            key = keys.get(field[0].astext())
            paras = list(field[1].findall(nodes.paragraph))
            if key and paras:
                found[key] = [child.deepcopy() for child in paras[0].children]
    return found


def _source_cell(box: nodes.Element) -> nodes.entry:
    """The source's header cell, across the row: its title, then who, when, for whom, why."""
    cell = nodes.entry(classes=["lp-organiser-source"], scope="rowgroup", morecols=len(COLUMNS) - 1)
    title = box.get("source_title", "")
    cell += nodes.paragraph("", "", nodes.strong(title, title), classes=["lp-organiser-title"])
    provenance = _provenance(box)
    for key, label in PROVENANCE:
        if key in provenance:
            para = nodes.paragraph("", "", classes=["lp-organiser-field"])
            text = _("{label}: ").format(label=_(label))
            para += nodes.strong(text, text)
            para.extend(provenance[key])
            cell += para
    return cell


def build_grid(boxes: list[nodes.Element]) -> nodes.table:
    """A table: the three questions as column headers, then a row group per source box, in
    order: its sourcing across the width (a row header for the group), then three empty cells.

    Seven columns (title, who, when, for whom, why and the three) fit neither portrait paper
    nor a phone; three do, with the sourcing written out in full above each source's cells.
    """
    table = nodes.table(classes=[GRID_CLASS])
    group = nodes.tgroup(cols=len(COLUMNS))
    table += group
    for _column in COLUMNS:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    row = nodes.row()
    for text in COLUMNS:
        row += nodes.entry("", nodes.paragraph(_(text), _(text)), scope="col")
    head += row
    group += head
    for box in boxes:
        body = nodes.tbody(classes=["lp-organiser-row"])
        body += nodes.row("", _source_cell(box))
        row = nodes.row()
        for _column in COLUMNS:
            row += nodes.entry(classes=[WRITE_CLASS])
        body += row
        group += body
    return table


def resolve_organisers(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read: build each organiser's grid from this document's source boxes."""
    boxes = {
        box["source_label"]: box
        for box in doctree.findall(lp.source_box)
        if box.get("source_label")
    }
    for organiser in list(doctree.findall(lp.organiser)):
        found = []
        for label in organiser["sources"]:
            if label in boxes:
                found.append(boxes[label])
            else:
                _warn(
                    f"{{organiser}}: {label} is not the label of a {{source}} box in this document",
                    (app.env.docname, organiser.line),
                )
        slot = next(iter(organiser.findall(lp.organiser_slot)), None)
        grid = build_grid(found)
        if slot is not None:
            slot.replace_self(grid)
        else:
            organiser += grid
        _order_answers(organiser, boxes)


def _order_answers(organiser: nodes.Element, boxes: dict[str, nodes.Element]) -> None:
    """The teacher's answers (teacher edition only) after the grid, in the order of the rows,
    each headed by its source's title instead of its label."""
    answers = [
        n for n in organiser.children if isinstance(n, lp.teacher) and n.get("kind") == "answer"
    ]
    if not answers:
        return
    order = {label: i for i, label in enumerate(organiser["sources"])}

    def label_of(answer: nodes.Element) -> str:
        first = answer.children[0] if answer.children else None
        if isinstance(first, nodes.paragraph) and "lp-title" in first["classes"]:
            return first.astext()
        return ""

    for answer in answers:
        organiser.remove(answer)
    answers.sort(key=lambda a: order.get(label_of(a), len(order)))
    box = nodes.container(classes=["lp-organiser-answers"])
    for answer in answers:
        label = label_of(answer)
        if label in boxes:
            title = _("Model answer: {title}").format(title=boxes[label].get("source_title", label))
            answer[0].replace_self(lp.title_paragraph(title, "lp-title"))
        box += answer
    organiser += box


def add_grid_lines(tree: nodes.Node, lines: int = HANDOUT_LINES) -> int:
    """Ruled writing lines in every student cell of every grid (a handout); how many added."""
    total = 0
    for cell in tree.findall(nodes.entry):
        if WRITE_CLASS in cell["classes"]:
            box = nodes.container(classes=["lp-lines"])
            for _line in range(lines):
                box += nodes.container(classes=["lp-line"])
            cell += box
            total += lines
    return total


class GridScopeMixin:
    """Header cells of a grid are ``th`` with a ``scope``: col for the column headers, rowgroup
    for each source's cell (docutils writes ``td`` for a body cell that is not in a stub
    column)."""

    body: list[str]
    context: list[str]

    def visit_entry(self, node: nodes.Element) -> None:
        super().visit_entry(node)  # type: ignore[misc]
        scope = node.get("scope")
        if not scope or not self.body:
            return
        tag = self.body[-1]
        if tag.startswith("<td"):
            tag = "<th" + tag[3:]
            self.context[-1] = self.context[-1].replace("</td>", "</th>")
        if tag.startswith("<th"):
            self.body[-1] = tag.replace("<th", f'<th scope="{scope}"', 1)


def setup_organiser(app: Sphinx) -> None:
    app.add_directive("organiser", OrganiserDirective)
    # Before the report reads the document (priority 900), so it sees the finished grid.
    app.connect("doctree-read", resolve_organisers, priority=400)
