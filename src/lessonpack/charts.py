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
from .labels import _

if TYPE_CHECKING:
    from sphinx.application import Sphinx


# On a slide: the picture's box of slides.css (880 x 340 pt, shown at its own size), in type a
# class can read (the slide's text is 24 pt), smaller only as far as many rows need.
SLIDE_SIZE = (880 / 72, 340 / 72)
SLIDE_TYPE = (12.0, 18.0)  # the smallest and the largest type, points


def draw_range_chart(
    labels: list[str],
    lows: list[float],
    highs: list[float],
    unit: str,
    *,
    slide: bool = False,
    family: str | None = None,
) -> bytes:
    """A deterministic SVG: no date, fixed ids, text as paths (so no font is needed to view it)
    in ``family`` (``graphics.font_family``; None: matplotlib's own); drawn for a page, or with
    ``slide`` for a slide."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    size, font, marker = (7, 0.42 * len(labels) + 1.2), 10.0, 7.0
    if slide:
        # A row takes about 1.5 lines of type; the axis and its label take about 3.
        low, high = SLIDE_TYPE
        font = max(low, min(high, SLIDE_SIZE[1] * 72 / (1.5 * len(labels) + 3)))
        size, marker = SLIDE_SIZE, font * 0.7
    with matplotlib.rc_context(graphics.rc(family) | {"font.size": font}):
        fig, ax = plt.subplots(figsize=size)
        ys = list(range(len(labels)))[::-1]
        for y, low, high in zip(ys, lows, highs, strict=True):
            if high > low:
                ax.barh(y, high - low, left=low, height=0.5, color="#1f4e79")
            else:
                ax.plot([low], [y], marker="o", color="#1f4e79", markersize=marker)
            ax.annotate(
                f"{low:g}" if high == low else f"{low:g}–{high:g}",
                (high, y),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
            )
        ax.set_yticks(ys, labels)
        ax.set_xlabel(unit)
        ax.set_xlim(0, max(highs) * 1.15)
        ax.grid(axis="x", color="#cccccc", linewidth=0.5)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout()
        return graphics.svg_bytes(fig)


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
        family = graphics.font_family(self)
        page, slide = (
            draw_range_chart(labels, lows, highs, unit, slide=s, family=family)
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
