"""{choropleth}: regions of a GeoJSON boundary file shaded by a value from a CSV file, with named
places marked from a second CSV, and the values as a table.

Shades are a grey ramp, one per class of ``:bins:``; a region without a value is hatched and
named "no data" in the key, so the map reads in black and white. Coordinates are projected
(longitude scaled by the cosine of the map's middle latitude) and rounded by matplotlib's SVG
writer, regions drawn in name order: the SVG is the same bytes on every build.
"""

from __future__ import annotations

import json
from dataclasses import replace
from itertools import pairwise
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from . import graphics, typography
from .charts import data_table
from .csvdata import DataError, read_table
from .draw.maps import LABEL_SIDES, PAGE, PLACE_KINDS, SLIDE, Place, Ring, draw_choropleth
from .labels import _

if TYPE_CHECKING:
    from pathlib import Path

    from sphinx.application import Sphinx


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
        key_labels = [*class_labels(bins), _("no data")]
        svgs = [
            graphics.draw(
                draw_choropleth,
                regions,
                values,
                bins,
                places,
                unit=typeset(self.options["unit"]),
                note=typeset(self.options["note"]),
                key_labels=key_labels,
                font=graphics.font_file(self),
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
