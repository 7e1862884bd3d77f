"""{choropleth}: regions of a GeoJSON boundary file shaded by a value from a CSV file, with named
places marked from a second CSV, and the values as a table.

Shades are a grey ramp, one per class of ``:bins:``; a region without a value is hatched and
named "no data" in the key, so the map reads in black and white. Coordinates are projected
(longitude scaled by the cosine of the map's middle latitude) and rounded by matplotlib's SVG
writer, regions drawn in name order: the SVG is the same bytes on every build.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from . import graphics, typography
from .charts import data_table
from .csvdata import DataError, read_table
from .labels import _

if TYPE_CHECKING:
    from pathlib import Path

    from sphinx.application import Sphinx

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


def read_boundaries(path: Path, key: str) -> dict[str, list[Ring]]:
    """Each feature's name (property ``key``) -> its outer and inner rings (GeoJSON Polygon or
    MultiPolygon); a fault is a DataError at the file's line."""
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataError(path, error.lineno, f"is not valid GeoJSON: {error.msg}") from error
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise DataError(path, 1, "is not a GeoJSON FeatureCollection (no list of features)")
    regions: dict[str, list[Ring]] = {}
    for number, feature in enumerate(features, 1):
        properties = feature.get("properties") or {}
        name = str(properties.get(key, "")).strip()
        if not name:
            raise DataError(path, 1, f"feature {number} has no {key!r} property")
        geometry = feature.get("geometry") or {}
        kind, coordinates = geometry.get("type"), geometry.get("coordinates")
        polygons = [coordinates] if kind == "Polygon" else coordinates
        if kind not in ("Polygon", "MultiPolygon") or not isinstance(polygons, list):
            raise DataError(path, 1, f"feature {name!r} is a {kind}, not a Polygon or MultiPolygon")
        rings = regions.setdefault(name, [])
        for polygon in polygons:
            rings.extend([(float(x), float(y)) for x, y, *_ in ring] for ring in polygon)
    return regions


def draw_choropleth(
    regions: dict[str, list[Ring]],
    values: dict[str, float],
    bins: list[float],
    places: list[Place],
    *,
    unit: str,
    note: str,
    family: str | None = None,
    layout: Layout = PAGE,
) -> bytes:
    """A deterministic SVG map: grey classes, hatched regions without a value, marked places;
    ``layout`` for a page or a slide."""
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
    with matplotlib.rc_context(graphics.rc(family) | {"hatch.linewidth": 0.6}):
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
        labels = class_labels(bins)
        key = [
            Patch(facecolor=shade, edgecolor="#333333", linewidth=0.4, label=label)
            for shade, label in zip(shades, labels, strict=True)
        ]
        key.append(
            Patch(facecolor="white", edgecolor="#333333", hatch=NO_DATA_HATCH, label=_("no data"))
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
        return graphics.svg_bytes(fig)


def grey_ramp(count: int) -> list[str]:
    """count greys from light to dark, far enough apart to tell in print."""
    if count == 1:
        return ["#969696"]
    levels = [round(235 - i * (200 / (count - 1))) for i in range(count)]
    return [f"#{v:02x}{v:02x}{v:02x}" for v in levels]


def class_of(value: float, bins: list[float]) -> int:
    return sum(value >= edge for edge in bins)


def class_labels(bins: list[float]) -> list[str]:
    labels = [_("under {high}").format(high=f"{bins[0]:g}")]
    labels += [
        _("{low} to under {high}").format(low=f"{low:g}", high=f"{high:g}")
        for low, high in pairwise(bins)
    ]
    return [*labels, _("{low} and over").format(low=f"{bins[-1]:g}")]


class ChoroplethDirective(SphinxDirective):
    required_arguments = 1  # the boundary file (GeoJSON)
    has_content = True
    option_spec: ClassVar[dict] = {
        "label": directives.unchanged_required,
        "key": directives.unchanged_required,  # the feature property naming a region
        "values": directives.unchanged_required,  # CSV: a region column and a value column
        "region": directives.unchanged_required,
        "value": directives.unchanged_required,
        "bins": directives.unchanged_required,  # increasing class edges: "20, 30, 40"
        "places": directives.unchanged_required,  # CSV: Name, Longitude, Latitude, Kind
        "unit": directives.unchanged_required,
        "note": directives.unchanged_required,  # printed on the map (which year's boundaries)
        "cite-column": directives.unchanged_required,
        "alt": directives.unchanged_required,
        "source": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        for name in ("values", "region", "value", "bins", "unit", "note", "alt", "source"):
            if not self.options.get(name):
                raise self.error(f"{{choropleth}} needs :{name}:")
        bins = self._bins()
        boundary_path = graphics.data_file(self, "choropleth", self.arguments[0])
        values_path = graphics.data_file(self, "choropleth", self.options["values"])
        places_path = None
        if self.options.get("places"):
            places_path = graphics.data_file(self, "choropleth", self.options["places"])
        try:
            regions = read_boundaries(boundary_path, self.options.get("key", "name").strip())
            table, values = self._values(values_path, regions)
            places = self._places(places_path, regions) if places_path else []
        except DataError as error:
            return graphics.warn_data(self, "choropleth", error)
        # Text smartquotes never sees (the places' names, the key's title, the note), set as
        # the text is.
        typeset = typography.for_config(self.config)
        places = [replace(place, name=typeset(place.name)) for place in places]
        svgs = [
            draw_choropleth(
                regions,
                values,
                bins,
                places,
                unit=typeset(self.options["unit"]),
                note=typeset(self.options["note"]),
                family=graphics.font_family(self),
                layout=layout,
            )
            for layout in (PAGE, SLIDE)
        ]
        uri = graphics.image_uri(self, svgs[0], values_path.stem)
        slide_uri = graphics.image_uri(self, svgs[1], f"{values_path.stem}-slide")
        cite = self.options.get("cite-column")

        def cell(column: str, value: str) -> list[nodes.Node]:
            if column == cite and value.strip():
                return graphics.cite_cell(self, value)
            blank = not value.strip() and column == self.options["value"]
            return [nodes.Text(_("no data") if blank else value)]

        rows = [row.values for row in table.rows]
        title = _("The data behind the map")
        table_node = data_table(table.columns, rows, title, cell)
        return graphics.graphic(self, uri, table_node, slide_uri=slide_uri)

    def _bins(self) -> list[float]:
        text = self.options["bins"]
        try:
            bins = [float(part) for part in text.split(",")]
        except ValueError:
            bins = []
        if not bins or any(b >= a for a, b in zip(bins[1:], bins, strict=False)):
            raise self.error(
                f"{{choropleth}} :bins: must be increasing numbers, comma-separated, not {text!r}"
            )
        return bins

    def _values(self, path: Path, regions: dict[str, list[Ring]]) -> tuple[Any, dict[str, float]]:
        region, value = self.options["region"].strip(), self.options["value"].strip()
        table = read_table(path)
        table.require(region, value, *filter(None, [self.options.get("cite-column")]))
        values: dict[str, float] = {}
        seen: set[str] = set()
        for row in table.rows:
            name = table.text(row, region)
            if name not in regions:
                raise DataError(
                    path,
                    row.line,
                    f"region {name!r} is not in the boundary file {self.arguments[0]}",
                )
            if name in seen:
                raise DataError(path, row.line, f"region {name!r} is listed twice")
            seen.add(name)
            if row[value].strip():  # a blank value: no data, hatched
                values[name] = table.number(row, value)
        return table, values

    def _places(self, path: Path, regions: dict[str, list[Ring]]) -> list[Place]:
        table = read_table(path)
        table.require("Name", "Longitude", "Latitude")
        xs = [x for rings in regions.values() for ring in rings for x, _ in ring]
        ys = [y for rings in regions.values() for ring in rings for _, y in ring]
        places = []
        for row in table.rows:
            name = table.text(row, "Name")
            lon, lat = table.number(row, "Longitude"), table.number(row, "Latitude")
            if not (min(xs) <= lon <= max(xs) and min(ys) <= lat <= max(ys)):
                raise DataError(path, row.line, f"{name!r} ({lon:g}, {lat:g}) lies outside the map")
            kind = row.values.get("Kind", "").strip() or "place"
            if kind not in PLACE_KINDS:
                raise DataError(
                    path, row.line, f"kind {kind!r} is not one of {', '.join(PLACE_KINDS)}"
                )
            side = row.values.get("Label", "").strip() or "right"
            if side not in LABEL_SIDES:
                raise DataError(
                    path, row.line, f"label side {side!r} is not one of {', '.join(LABEL_SIDES)}"
                )
            places.append(Place(name, lon, lat, kind, side))
        return places


def setup_choropleth(app: Sphinx) -> None:
    app.add_directive("choropleth", ChoroplethDirective)
