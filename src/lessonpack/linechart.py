"""{line-chart}: one or more series over a shared x axis (years), drawn from a CSV file, with the
same data as a table.

Each series is told apart by its dash and marker (black and grey only), so it prints legibly in
black and white; a blank cell is a gap in its line, a word or NaN is a fault at its line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from . import graphics, typography
from .charts import data_table
from .csvdata import DataError, Table, read_table
from .draw.lines import PAGE, SLIDE, Series, draw_line_chart
from .labels import _

if TYPE_CHECKING:
    from pathlib import Path

    from sphinx.application import Sphinx


class LineChartDirective(SphinxDirective):
    required_arguments = 1
    has_content = True
    option_spec: ClassVar[dict] = {
        "label": directives.unchanged_required,
        "x": directives.unchanged_required,
        # Comma-separated column names, one line each, in the legend's order.
        "series": directives.unchanged_required,
        "unit": directives.unchanged_required,
        "xlabel": directives.unchanged,
        # "FROM-TO label": a grey band behind those x values, with the label above it.
        "shade": directives.unchanged_required,
        "alt": directives.unchanged_required,
        "source": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        for name in ("x", "series", "unit", "alt", "source"):
            if not self.options.get(name):
                raise self.error(f"{{line-chart}} needs :{name}:")
        shade = self._shade()
        path = graphics.data_file(self, "line-chart", self.arguments[0])
        try:
            table, xs, series = self._read(path)
        except DataError as error:
            return graphics.warn_data(self, "line-chart", error)
        # Text smartquotes never sees (the CSV's column names in the key, the options drawn),
        # set as the text is: "Banister’s", not "Banister's".
        typeset = typography.for_config(self.config)
        series = [(typeset(name), values) for name, values in series]
        if shade is not None:
            shade = (shade[0], shade[1], typeset(shade[2]))
        page, slide = (
            graphics.draw(
                draw_line_chart,
                xs,
                series,
                unit=typeset(self.options["unit"]),
                xlabel=typeset(self.options.get("xlabel", self.options["x"])),
                shade=shade,
                font=graphics.font_file(self),
                layout=layout,
            )
            for layout in (PAGE, SLIDE)
        )
        uri = graphics.image_uri(self, page, path.stem)
        slide_uri = graphics.image_uri(self, slide, f"{path.stem}-slide")
        rows = [row.values for row in table.rows]
        table_node = data_table(table.columns, rows, _("The data behind the chart"))
        return graphics.graphic(self, uri, table_node, slide_uri=slide_uri)

    def _shade(self) -> tuple[float, float, str] | None:
        text = self.options.get("shade", "").strip()
        if not text:
            return None
        span, _, label = text.partition(" ")
        low, sep, high = span.partition("-")
        try:
            bounds = float(low), float(high)
        except ValueError:
            bounds = None
        if not sep or bounds is None or bounds[1] < bounds[0]:
            raise self.error(f"{{line-chart}} :shade: must be FROM-TO and a label, not {text!r}")
        return bounds[0], bounds[1], label.strip()

    def _read(self, path: Path) -> tuple[Table, list[float], Series]:
        x = self.options["x"].strip()
        names = [n.strip() for n in self.options["series"].split(",") if n.strip()]
        table = read_table(path)
        table.require(x, *names)
        xs = table.numbers(x)
        for row, before, value in zip(table.rows[1:], xs[:-1], xs[1:], strict=True):
            if value <= before:
                raise DataError(
                    path, row.line, f"{x!r} must increase row by row: {value:g} after {before:g}"
                )
        series: Series = [(name, table.numbers_or_gaps(name)) for name in names]
        for name, values in series:
            if all(v is None for v in values):
                raise DataError(path, 1, f"column {name!r} has no values")
        return table, xs, series


def setup_linechart(app: Sphinx) -> None:
    app.add_directive("line-chart", LineChartDirective)
