"""{line-chart} and {choropleth}: drawn in a small project, the same bytes on every build, bad data
reported at its file and line, kept in a handout."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from docutils import nodes

from conftest import BASE_CONF, REFS, write_files
from lessonpack import nodes as lp
from lessonpack.csvdata import DataError, read_table
from lessonpack.pdf.handout import keep_questions_only
from lessonpack.report import reading_text

ROOT = Path(__file__).resolve().parent.parent
FONT = ROOT / "book" / "_static" / "fonts" / "NotoSans-Regular.ttf"


def square(x: float, y: float) -> list[list[list[float]]]:
    return [[[x, y], [x + 2, y], [x + 2, y + 2], [x, y + 2], [x, y]]]


BOUNDARIES = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": {"type": "Polygon", "coordinates": square(x, 30)},
            }
            for name, x in (("East", 110), ("West", 106), ("North", 108))
        ],
    }
)

LINE = """
# Births

:::{line-chart} data/rates.csv
:label: fig-rates
:x: Year
:series: Births, Deaths
:unit: per 1,000 people
:shade: 1959-1961 famine years
:alt: Two lines over ten years; deaths rise sharply in 1960.
:source: Official series as published in {cite:t}`smith2000`, table 5.

Births and deaths per 1,000 people.
:::
"""

MAP = """
# Regions

:::{choropleth} data/regions.geojson
:values: data/rates-by-region.csv
:region: Region
:value: Deaths
:bins: 20, 30
:places: data/places.csv
:unit: Deaths per 1,000
:note: Modern boundaries.
:cite-column: Source
:alt: Three squares; East is darkest, North has no data.
:source: {cite:t}`lee1990`.

Death rates by region.
:::
"""

FILES = {
    "graphs/line.md": LINE,
    "graphs/map.md": MAP,
    "graphs/data/rates.csv": "Year,Births,Deaths\n1958,29.2,12.0\n1959,24.8,\n1960,20.9,25.4\n",
    "graphs/data/regions.geojson": BOUNDARIES,
    "graphs/data/rates-by-region.csv": (
        "Region,Deaths,Source\nEast,39.6,lee1990\nWest,12,\nNorth,,\n"
    ),
    "graphs/data/places.csv": "Name,Longitude,Latitude,Kind,Label\nCapital,111,31,place,left\n"
    "West,107,31,region,\n",
}
CONF = 'lessonpack_chart_font = "NotoSans-Regular.ttf"\n'


def files_with_font() -> dict[str, str | bytes]:
    return {**FILES, "NotoSans-Regular.ttf": FONT.read_bytes()}


def svg_of(result, page: str, alt: str) -> bytes:
    html = result.html(page)
    found = re.search(rf'<img alt="{re.escape(alt)}" src="([^"]+\.svg)"', html)
    assert found, html
    return (result.outdir / "graphs" / found[1]).read_bytes()


def test_line_chart_and_map_draw_svg_source_and_table(build):
    result = build(files_with_font(), conf=CONF)
    assert result.warnings == ""
    line = result.html("graphs/line")
    svg = svg_of(result, "graphs/line", "Two lines over ten years; deaths rise sharply in 1960.")
    assert svg.startswith(b"<?xml") and b"<text" not in svg  # text drawn as outlines
    assert "Births and deaths per 1,000 people." in line
    assert re.search(r'class="lp-chart-source">Source: Official series as published in', line)
    assert "bibliography.html#" in line  # the source line's citation resolves
    assert '<th class="head"><p>Deaths</p></th>' in line
    assert "<td><p>24.8</p></td>" in line
    map_page = result.html("graphs/map")
    svg = svg_of(result, "graphs/map", "Three squares; East is darkest, North has no data.")
    assert b"<pattern" in svg  # the hatched "no data" region
    assert "<td><p>no data</p></td>" in map_page  # the blank value, named in the table
    assert "Death rates by region." in map_page


def test_graphics_are_the_same_bytes_on_every_build(build, tmp_path: Path):
    first = build(files_with_font(), conf=CONF)
    line = svg_of(first, "graphs/line", "Two lines over ten years; deaths rise sharply in 1960.")
    map_ = svg_of(first, "graphs/map", "Three squares; East is darkest, North has no data.")
    # A second, separate build (its own process, source and output folders).
    src, out = tmp_path / "again", tmp_path / "again-out"
    src.mkdir()
    for path in (tmp_path / "src").rglob("*"):
        if path.is_file():
            target = src / path.relative_to(tmp_path / "src")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-d", str(out / "d")]
    run = subprocess.run([*command, str(src), str(out / "html")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    again = {p.name: p.read_bytes() for p in (out / "html" / "_images").glob("*.svg")}
    assert sorted(again.values()) == sorted([line, map_])


@pytest.mark.parametrize(
    ("path", "data", "line", "message"),
    [
        ("graphs/data/rates.csv", "Year,Births,Deaths\n1958,29.2,12\n1959,lots,14\n", 3,
         "column 'Births': 'lots' is not a number"),
        ("graphs/data/rates.csv", "Year,Births\n1958,29.2\n", 1, "has no column 'Deaths'"),
        ("graphs/data/rates.csv", "Year,Births,Deaths\n1960,1,2\n1959,1,2\n", 3,
         "'Year' must increase row by row"),
        ("graphs/data/rates-by-region.csv", "Region,Deaths,Source\nEast,39.6,\nSouth,12,\n", 3,
         "region 'South' is not in the boundary file data/regions.geojson"),
        ("graphs/data/rates-by-region.csv", "Region,Deaths,Source\nEast,39.6,\nEast,12,\n", 3,
         "region 'East' is listed twice"),
        ("graphs/data/rates-by-region.csv", "Region,Deaths,Source\nEast,NaN,\n", 2,
         "column 'Deaths': 'NaN' is not a number"),
        ("graphs/data/places.csv", "Name,Longitude,Latitude\nCapital,111,31\nFar,150,31\n", 3,
         "'Far' (150, 31) lies outside the map"),
        ("graphs/data/places.csv", "Name,Longitude,Latitude,Kind\nCapital,111,31,town\n", 2,
         "kind 'town' is not one of place, region"),
        ("graphs/data/regions.geojson", '{"type": "FeatureCollection",\n "features": [}\n', 2,
         "is not valid GeoJSON"),
    ],
)  # fmt: skip
def test_bad_data_is_one_warning_at_its_file_and_line(build, path, data, line, message):
    result = build({**FILES, path: data})
    warnings = [w for w in result.warnings.splitlines() if "WARNING" in w]
    assert len(warnings) == 1, result.warnings
    where = f"{path.removeprefix('graphs/')}:{line}: WARNING: {message}"
    assert where in warnings[0], warnings[0]
    assert "(data of the {" in warnings[0]


def test_bad_options_are_errors_at_the_directive(build):
    result = build({**FILES, "graphs/map.md": MAP.replace(":bins: 20, 30", ":bins: 30, 20")})
    assert re.search(
        r"map\.md:\d+: ERROR: \{choropleth\} :bins: must be increasing", result.warnings
    )


def test_missing_chart_font_is_a_warning_at_its_line_of_conf_py(tmp_path: Path):
    src = write_files(
        tmp_path / "src",
        {
            "conf.py": BASE_CONF + 'lessonpack_chart_font = "no-such.ttf"\n',
            "refs.bib": REFS,
            "index.md": "# Index\n",
        },
    )
    conf_lines = (src / "conf.py").read_text(encoding="utf-8").splitlines()
    line = conf_lines.index('lessonpack_chart_font = "no-such.ttf"') + 1
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "-q", str(src)]
    run = subprocess.run([*command, str(tmp_path / "out")], capture_output=True, text=True)
    assert run.returncode != 0
    message = f"conf.py:{line}: WARNING: lessonpack_chart_font: no such font file no-such.ttf"
    assert message in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and "error!" not in run.stderr


def test_graphics_are_not_reading_and_stay_in_a_handout():
    section = nodes.section()
    section += nodes.title("", "Lesson")
    section += nodes.paragraph("", "Reading text.")
    box = lp.graphic()
    figure = nodes.figure()
    figure += nodes.caption("", "A caption.")
    legend = nodes.legend()
    legend += nodes.paragraph("", "Source: a book.")
    figure += legend
    box += figure
    section += box
    tree = nodes.document(None, None)
    tree += section
    assert reading_text(tree) == "Reading text."
    keep_questions_only(tree)
    assert list(tree.findall(lp.graphic)), "the handout dropped the graphic"
    assert "Reading text." not in tree.astext()


def test_changing_the_chart_font_redraws_every_graphic(build):
    """Graphics are drawn while documents are read: a new font must make Sphinx read them again."""
    result = build({"page.md": "# Page\n"})
    assert result.app.config.values["lessonpack_chart_font"].rebuild == "env"


def test_one_column_reader_serves_every_chart(tmp_path: Path):
    """csvdata's columns, as the range chart, the line chart and the map read them: text never
    blank, numbers (a minus sign as spreadsheets type it too), gaps only where asked for; a
    fault names its row's line."""
    path = tmp_path / "data.csv"
    path.write_text("\ufeffYear,Name,Births\n1958,A,29.2\n1959,B,\n\n1960,C,\u22121.5\n")
    table = read_table(path)
    assert table.texts("Name") == ["A", "B", "C"]
    assert table.numbers("Year") == [1958.0, 1959.0, 1960.0]
    assert table.numbers_or_gaps("Births") == [29.2, None, -1.5]
    with pytest.raises(DataError) as fault:
        table.numbers("Births")
    assert (fault.value.line, fault.value.message) == (3, "column 'Births' is blank")
    path.write_text("Year,Name\n1958,A\n1959,\n")
    with pytest.raises(DataError) as fault:
        read_table(path).texts("Name")
    assert (fault.value.line, fault.value.message) == (3, "column 'Name' is blank")


# A build in a fresh interpreter, then what it holds: its exit code, whether matplotlib entered
# it, how many drawing helpers it started and whether the last has ended.
BUILD_THEN_LOOK = """
import sys
from sphinx.cmd.build import main
code = main(sys.argv[1:])
from lessonpack import graphics
print(code, "matplotlib" in sys.modules, graphics.DRAWER.starts, graphics.DRAWER.process is None)
"""


def test_a_build_draws_in_a_helper_that_ends_with_reading(tmp_path: Path):
    """matplotlib (about 55 MB) never enters the build: a worker of a parallel read that drew
    would carry it for the rest of its chunk, and the largest process grew with the book."""
    index = "# Index\n\n```{toctree}\ngraphs/line\ngraphs/map\nbibliography\n```\n"
    files = {"conf.py": BASE_CONF + CONF, "refs.bib": REFS, "index.md": index}
    files["bibliography.md"] = "# Bibliography\n\n```{bibliography}\n```\n"
    src = write_files(tmp_path / "src", {**files, **files_with_font()})
    command = [sys.executable, "-c", BUILD_THEN_LOOK, "-b", "html", "-q", "-j", "1", str(src)]
    run = subprocess.run([*command, str(tmp_path / "out")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["0", "False", "1", "True"], run.stderr
    drawn = sorted(p.name for p in (tmp_path / "out" / "_images").glob("*.svg"))
    assert len(drawn) == 2, drawn  # the line chart and the map, each on its page
