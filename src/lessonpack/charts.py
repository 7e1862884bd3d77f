"""{range-chart}: a horizontal range chart drawn from a CSV file, with the same data as a table.

The SVG is drawn while the document is read and handed to Sphinx as an ordinary image, so every
builder copies it like any other picture and the CSV is tracked as a dependency.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from . import graphics, typography
from .csvdata import DataError, Table, read_table
from .draw.ranges import draw_range_chart
from .labels import _

if TYPE_CHECKING:
    from sphinx.application import Sphinx


Cell = Callable[[str, str], list[nodes.Node]]


def plain_cell(column: str, value: str) -> list[nodes.Node]:
    return [nodes.Text(value)]


def data_table(
    fieldnames: list[str], rows: list[dict[str, str]], title: str, cell: Cell = plain_cell
) -> nodes.table:
    table = nodes.table(classes=["lp-data-table"])
    table += nodes.title(title, title)
    group = nodes.tgroup(cols=len(fieldnames))
    table += group
    group.extend(nodes.colspec(colwidth=1) for _ in fieldnames)
    thead = nodes.thead()
    group += thead
    thead += _row([[nodes.Text(name)] for name in fieldnames])
    tbody = nodes.tbody()
    group += tbody
    for row in rows:
        tbody += _row([cell(name, row[name]) for name in fieldnames])
    return table


def _row(cells: list[list[nodes.Node]]) -> nodes.row:
    row = nodes.row()
    for content in cells:
        row += nodes.entry("", nodes.paragraph("", "", *content))
    return row


class RangeChartDirective(SphinxDirective):
    required_arguments = 1
    has_content = True
    option_spec: ClassVar[dict] = {
        "label": directives.unchanged_required,
        "category": directives.unchanged_required,
        "low": directives.unchanged_required,
        "high": directives.unchanged_required,
        "unit": directives.unchanged_required,
        "alt": directives.unchanged_required,
        # A column of bibliography keys, printed as citations.
        "cite-column": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        for name in ("category", "low", "high", "alt"):
            if not self.options.get(name):
                raise self.error(f"{{range-chart}} needs :{name}:")
        path = graphics.data_file(self, "range-chart", self.arguments[0])
        try:
            table, labels, lows, highs = self._read(path)
        except DataError as error:
            # The fault is in the data: reported at its line, naming the chart that reads it.
            return graphics.warn_data(self, "range-chart", error)

        # Text smartquotes never sees: the CSV's labels and the unit, set as the text is.
        typeset = typography.for_config(self.config)
        labels, unit = [typeset(label) for label in labels], typeset(self.options.get("unit", ""))
        font = graphics.font_file(self)
        page, slide = (
            graphics.draw(draw_range_chart, labels, lows, highs, unit, slide=s, font=font)
            for s in (False, True)
        )
        uri = graphics.image_uri(self, page, path.stem)  # beside the doctrees, named by its bytes
        slide_uri = graphics.image_uri(self, slide, f"{path.stem}-slide")
        rows = [row.values for row in table.rows]
        data = data_table(table.columns, rows, _("The data behind the chart"), self._cell)
        return graphics.graphic(self, uri, data, slide_uri=slide_uri)

    def _read(self, path: Path) -> tuple[Table, list[str], list[float], list[float]]:
        """The table, and each row's label, low and high value (a DataError names the line)."""
        category, low, high = (self.options[n].strip() for n in ("category", "low", "high"))
        table = read_table(path)
        table.require(category, low, high, *filter(None, [self.options.get("cite-column")]))
        labels, lows, highs = table.texts(category), table.numbers(low), table.numbers(high)
        for row, bottom, top in zip(table.rows, lows, highs, strict=True):
            if top < bottom:
                raise DataError(path, row.line, f"{high!r} ({top:g}) is below {low!r} ({bottom:g})")
        return table, labels, lows, highs

    def _cell(self, column: str, value: str) -> list[nodes.Node]:
        if column != self.options.get("cite-column") or not value.strip():
            return [nodes.Text(value)]
        return graphics.cite_cell(self, value)  # an unknown key fails the build


def setup_charts(app: Sphinx) -> None:
    app.add_directive("range-chart", RangeChartDirective)
