"""A line chart: one or more series over a shared x axis, told apart by dash and marker, a blank a
gap in its line; drawn for a page or for a slide (``Layout``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from . import LINE_STYLES, rc, svg_bytes

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
    font: str | None = None,
    layout: Layout = PAGE,
) -> bytes:
    """A deterministic SVG of the series against xs (None: no value, a gap in the line);
    ``layout`` for a page or a slide."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(rc(font) | {"font.size": layout.font_size}):
        fig, ax = plt.subplots(figsize=layout.size)
        if shade is not None:
            low, high, label = shade
            ax.axvspan(low - 0.5, high + 0.5, facecolor="#e6e6e6", edgecolor="none", zorder=0)
            ax.text(
                (low + high) / 2, 1.0, label, transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=layout.shade_size,
            )  # fmt: skip
        for index, (name, values) in enumerate(series):
            style = LINE_STYLES[index % len(LINE_STYLES)]
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
        return svg_bytes(fig)
