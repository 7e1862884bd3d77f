"""A choropleth map: regions shaded by class of value in greys, hatched where there is none,
places marked and named; drawn for a page or for a slide (``Layout``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from . import rc, svg_bytes

Ring = list[tuple[float, float]]
NO_DATA_HATCH = "////"
PLACE_KINDS = ("place", "region")
# Where a place's name sits beside its dot: offset in points and alignment.
LABEL_SIDES = {
    "right": ((4, 0), "left", "center"),
    "left": ((-4, 0), "right", "center"),
    "above": ((0, 4), "center", "bottom"),
    "below": ((0, -4), "center", "top"),
}


@dataclass(frozen=True)
class Layout:
    """How a map is laid out where it is shown: its size (inches), its text sizes (points, as
    shown when the SVG is shown at its own size), and its key: below the map (``plot``: the part
    of the figure the map and its key fill) or beside it (``plot``: the map's part alone)."""

    size: tuple[float, float]
    place_size: float  # a place's name
    region_size: float  # a region's name
    key: dict[str, Any]  # matplotlib's legend() arguments
    note_at: tuple[float, float]  # where the note starts, as a fraction of the figure
    note_size: float
    plot: tuple[float, float, float, float]  # left, bottom, right, top
    beside: bool = False


# On a page: the key below the map, never over a region; three columns fit a phone's width.
PAGE = Layout(
    size=(4.8, 4.9),
    place_size=9.5,
    region_size=10,
    key=dict(
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=3,
        fontsize=9,
        title_fontsize=9.5,
        columnspacing=1.0,
        handlelength=1.6,
    ),
    note_at=(0.01, 0.01),
    note_size=8,
    plot=(0, 0.09, 1, 1),
)
# On a slide (the picture's box of slides.css, 880 x 340 pt, shown at its own size): the map on
# the left, the key and the note beside it in type a class can read (the slide's text is 24 pt).
SLIDE = Layout(
    size=(880 / 72, 340 / 72),
    place_size=15,
    region_size=16,
    key=dict(
        loc="upper left",
        bbox_to_anchor=(0.6, 0.98),
        ncol=1,
        fontsize=17,
        title_fontsize=18,
        handlelength=1.6,
        handleheight=1.0,
        labelspacing=0.35,
        alignment="left",
    ),
    note_at=(0.6, 0.02),
    note_size=12,
    plot=(0.0, 0.0, 0.58, 1.0),
    beside=True,
)


@dataclass
class Place:
    name: str
    lon: float
    lat: float
    kind: str  # "place": a dot and its name; "region": the name alone, in italics
    side: str = "right"  # where a place's name sits: right, left, above or below its dot


def draw_choropleth(
    regions: dict[str, list[Ring]],
    values: dict[str, float],
    bins: list[float],
    places: list[Place],
    *,
    unit: str,
    note: str,
    key_labels: list[str],
    font: str | None = None,
    layout: Layout = PAGE,
) -> bytes:
    """A deterministic SVG map: grey classes, hatched regions without a value, marked places;
    ``key_labels``: the key's label of each class of ``bins``, then the one of no value (in the
    book's language); ``layout`` for a page or a slide."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import patheffects
    from matplotlib.patches import Patch, PathPatch
    from matplotlib.path import Path as MplPath

    lats = [y for rings in regions.values() for ring in rings for _, y in ring]
    scale = math.cos(math.radians((min(lats) + max(lats)) / 2))
    shades = grey_ramp(len(bins) + 1)
    halo = [patheffects.withStroke(linewidth=2.6, foreground="white")]
    with matplotlib.rc_context(rc(font) | {"hatch.linewidth": 0.6}):
        fig, ax = plt.subplots(figsize=layout.size)
        for name in sorted(regions):
            rings = [[(x * scale, y) for x, y in ring] for ring in regions[name]]
            path = MplPath.make_compound_path(*(MplPath(ring, closed=True) for ring in rings))
            if name in values:
                style: dict[str, Any] = {"facecolor": shades[class_of(values[name], bins)]}
            else:
                style = {"facecolor": "white", "hatch": NO_DATA_HATCH}
            ax.add_patch(PathPatch(path, edgecolor="#333333", linewidth=0.4, **style))
        for place in places:
            x, y = place.lon * scale, place.lat
            if place.kind == "place":
                ax.plot(
                    [x], [y], marker="o", markersize=4.5, color="black", markeredgecolor="white"
                )
                offset, ha, va = LABEL_SIDES[place.side]
                ax.annotate(
                    place.name, (x, y), xytext=offset, textcoords="offset points",
                    ha=ha, va=va, fontsize=layout.place_size, path_effects=halo,
                )  # fmt: skip
            else:
                ax.text(
                    x, y, place.name, ha="center", va="center", fontsize=layout.region_size,
                    fontstyle="italic", path_effects=halo,
                )  # fmt: skip
        ax.set_aspect("equal")
        ax.autoscale_view()
        ax.set_axis_off()
        *labels, no_data = key_labels
        key = [
            Patch(facecolor=shade, edgecolor="#333333", linewidth=0.4, label=label)
            for shade, label in zip(shades, labels, strict=True)
        ]
        key.append(
            Patch(facecolor="white", edgecolor="#333333", hatch=NO_DATA_HATCH, label=no_data)
        )
        if layout.beside:
            left, bottom, right, top = layout.plot
            fig.subplots_adjust(left=left, bottom=bottom, right=right, top=top)
            fig.legend(handles=key, title=unit, frameon=False, **layout.key)
        else:
            ax.legend(handles=key, title=unit, frameon=False, **layout.key)
        if note:
            x, y = layout.note_at
            fig.text(x, y, note, fontsize=layout.note_size, ha="left", va="bottom", wrap=True)
        if not layout.beside:
            fig.tight_layout(rect=layout.plot)
        return svg_bytes(fig)


def grey_ramp(count: int) -> list[str]:
    """count greys from light to dark, far enough apart to tell in print."""
    if count == 1:
        return ["#969696"]
    levels = [round(235 - i * (200 / (count - 1))) for i in range(count)]
    return [f"#{v:02x}{v:02x}{v:02x}" for v in levels]


def class_of(value: float, bins: list[float]) -> int:
    return sum(value >= edge for edge in bins)
