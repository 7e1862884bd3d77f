"""Text the package draws or prints from data files and settings, which smartquotes never sees:
set as the text is ("Banister’s"), in the book's chart font; the cartridge's title likewise."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from test_graphics import CONF, FILES, FONT
from test_lms_cli import course_of, export
from test_quiz import mc

RANGE = """
# Ranges

:::{range-chart} data/estimates.csv
:category: Who
:low: Low
:high: High
:unit: Deaths (the authors' millions)
:alt: Estimates as bars.
:::
"""
APOSTROPHES = {
    **FILES,
    "graphs/ranges.md": RANGE,
    "graphs/data/estimates.csv": "Who,Low,High\nChina's census,15,30\nPeng,23,23\n",
    # A column name with a straight apostrophe, drawn in the line chart's key.
    "graphs/data/rates.csv": "Year,Births,Banister's Deaths\n1958,29.2,12.0\n1960,20.9,25.4\n",
    "graphs/line.md": FILES["graphs/line.md"].replace(
        "Births, Deaths", "Births, Banister's Deaths"
    ),
    "graphs/map.md": FILES["graphs/map.md"]
    .replace("Deaths per 1,000", "Deaths per 1,000 (the census's)")
    .replace("Modern boundaries.", "Today's boundaries."),
    "graphs/data/places.csv": "Name,Longitude,Latitude,Kind,Label\nXinyang's town,111,31,place,"
    "left\nWest,107,31,region,\n",
}
# matplotlib draws text as outlines (svg.fonttype "path"), each glyph a <path> whose id names
# the font and the glyph's index in it (hexadecimal).
GLYPH = re.compile(rb'<path id="([A-Za-z-]+)-([0-9a-f]+)"')


def glyphs(svg: bytes) -> set[tuple[str, int]]:
    return {(font.decode(), int(code, 16)) for font, code in GLYPH.findall(svg)}


def glyph_index(font: Path, char: str) -> int:
    from fontTools.ttLib import TTFont

    with TTFont(font) as face:
        return face.getGlyphID(face.getBestCmap()[ord(char)])


def font_file() -> dict[str, bytes]:
    return {"NotoSans-Regular.ttf": FONT.read_bytes()}


def charts(result) -> dict[str, set[tuple[str, int]]]:
    """Every SVG drawn for the pages and the slides -> its glyphs."""
    folder = Path(result.app.doctreedir) / "lessonpack-charts"
    return {p.name: glyphs(p.read_bytes()) for p in sorted(folder.glob("*.svg"))}


def test_graphics_draw_text_from_data_typographic_and_in_the_chart_font(build):
    result = build({**APOSTROPHES, **font_file()}, conf=CONF)
    assert result.warnings == ""
    drawn = charts(result)
    straight, curly = glyph_index(FONT, "'"), glyph_index(FONT, "’")
    # Three graphics (range chart, line chart, map), each for a page and a slide.
    stems = {name.rsplit("-", 1)[0] for name in drawn}
    graphics = {"estimates", "rates", "rates-by-region"}
    assert stems == graphics | {f"{stem}-slide" for stem in graphics}
    for name, found in drawn.items():
        # The configured font's outlines only (the range chart was in DejaVu Sans).
        assert {font for font, _ in found} == {"NotoSans-Regular"}, (name, found)
        # The CSV's "China's", "Banister's", "Xinyang's" and the units' apostrophes: ’, never '.
        indexes = {index for _, index in found}
        assert curly in indexes and straight not in indexes, name
    # The data tables are doctree text, which smartquotes sets.
    assert "Banister’s Deaths" in result.html("graphs/line")
    # A place's name has a halo, drawn as one outline without glyph ids: the map is the one drawn
    # from the typographic name, not from the CSV's.
    (built,) = (p for p in drawn if p.startswith("rates-by-region-") and "slide" not in p)
    folder = Path(result.app.doctreedir) / "lessonpack-charts"
    assert (folder / built).read_bytes() == map_drawn("Xinyang’s town", result)
    assert (folder / built).read_bytes() != map_drawn("Xinyang's town", result)


def map_drawn(name: str, result) -> bytes:
    """The test's map as draw_choropleth draws it with the place named ``name``."""
    from lessonpack.choropleth import class_labels, read_boundaries
    from lessonpack.draw.maps import Place, draw_choropleth

    src = Path(result.app.srcdir)
    return draw_choropleth(
        read_boundaries(src / "graphs" / "data" / "regions.geojson", "name"),
        {"East": 39.6, "West": 12.0},
        [20.0, 30.0],
        [Place(name, 111.0, 31.0, "place", "left"), Place("West", 107.0, 31.0, "region", "right")],
        unit="Deaths per 1,000 (the census’s)",
        note="Today’s boundaries.",
        key_labels=[*class_labels([20.0, 30.0]), "no data"],
        font=str(src / "NotoSans-Regular.ttf"),
    )


@pytest.fixture(scope="module")
def lms_course(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return course_of(tmp_path_factory.mktemp("lms"), mc(1, key=2))


def test_the_cartridge_and_moodle_titles_get_typographic_quotes(
    lms_course, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    report, site = lms_course
    data = json.loads(report.read_text(encoding="utf-8"))
    data["course"]["project"] = 'China\'s "Great Leap"'
    changed = tmp_path / "report.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    assert export((changed, site), tmp_path, capsys) == (0, "")
    (package,) = (tmp_path / "lms").glob("*-teacher.imscc")
    with zipfile.ZipFile(package) as cartridge:
        manifest = ET.fromstring(cartridge.read("imsmanifest.xml"))
    assert manifest.findtext("{*}metadata/{*}lom/{*}general/{*}title/{*}string") == (
        "China’s “Great Leap”"
    )
    (moodle,) = (tmp_path / "lms").glob("*-moodle.xml")
    categories = ET.parse(moodle).getroot().findall("question[@type='category']/category/text")
    assert categories and all(
        c.text.startswith("$course$/top/China’s “Great Leap”/") for c in categories
    )
