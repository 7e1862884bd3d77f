"""{line-chart}: one or more series over a shared x axis (years), drawn from a CSV file, with the
same data as a table.

Each series is told apart by its dash and marker (black and grey only), so it prints legibly in
black and white; a blank cell is a gap in its line, a word or NaN is a fault at its line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from . import graphics, typography
from .charts import data_table
from .csvdata import DataError, Table, read_table
from .labels import _

if TYPE_CHECKING:
    from pathlib import Path

    from sphinx.application import Sphinx

Series = list[tuple[str, list[float | None]]]


@dataclass(frozen=True)
class Layout:
    """How a line chart is drawn where it is shown: its size (inches) and, in points as shown
    at that size, its type, lines, markers and the shaded span's label; ``key``: matplotlib's
    legend() arguments (where the key goes)."""

    size: tuple[float, float]
    font_size: float
    line_width: float
    marker_size: float
    shade_size: float
    key: dict[str, Any] = field(default_factory=dict)
    ticks: int = 10  # at most about this many labelled x values (whole numbers: years)


# On a page: the key below the plot, never over a line; two columns fit a phone's width.
PAGE = Layout(
    size=(5.2, 3.9),
    font_size=10,
    line_width=1.6,
    marker_size=4.5,
    shade_size=9,
    key=dict(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2),
)
# On a slide (the picture's box of slides.css, 880 x 340 pt, shown at its own size): type a
# class can read from the back (the slide's text is 24 pt), the key beside the plot.
SLIDE = Layout(
    size=(880 / 72, 340 / 72),
    font_size=18,
    line_width=3.2,
    marker_size=9,
    shade_size=17,
    key=dict(loc="upper left", bbox_to_anchor=(1.02, 1.0), ncol=1, handlelength=3.0),
    ticks=5,
)


def draw_line_chart(
    xs: list[float],
    series: Series,
    *,
    unit: str,
    xlabel: str,
    shade: tuple[float, float, str] | None = None,
    family: str | None = None,
    layout: Layout = PAGE,
) -> bytes:
    """A deterministic SVG of the series against xs (None: no value, a gap in the line);
    ``layout`` for a page or a slide."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(graphics.rc(family) | {"font.size": layout.font_size}):
        fig, ax = plt.subplots(figsize=layout.size)
        if shade is not None:
            low, high, label = shade
            ax.axvspan(low - 0.5, high + 0.5, facecolor="#e6e6e6", edgecolor="none", zorder=0)
            ax.text(
                (low + high) / 2, 1.0, label, transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=layout.shade_size,
            )  # fmt: skip
        for index, (name, values) in enumerate(series):
            style = graphics.LINE_STYLES[index % len(graphics.LINE_STYLES)]
            ys = [math.nan if v is None else v for v in values]
            ax.plot(
                xs, ys, label=name, linewidth=layout.line_width, markersize=layout.marker_size,
                **style,
            )  # fmt: skip
        ax.set_xlabel(xlabel)
        ax.set_ylabel(unit)
        ax.set_ylim(bottom=0)
        whole = all(float(x).is_integer() for x in xs)
        if whole:
            step = max(1, math.ceil((max(xs) - min(xs)) / layout.ticks))
            ax.set_xticks([x for x in xs if (x - xs[0]) % step == 0])
            ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:.0f}")
        ax.grid(axis="y", color="#cccccc", linewidth=0.5)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.legend(frameon=False, **layout.key)
        fig.tight_layout()
        return graphics.svg_bytes(fig)


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
            draw_line_chart(
                xs,
                series,
                unit=typeset(self.options["unit"]),
                xlabel=typeset(self.options.get("xlabel", self.options["x"])),
                shade=shade,
                family=graphics.font_family(self),
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
