"""The course's words about its graphics agree with the data the graphics are drawn from.

Lesson 3 states figures from `book/data/` in its reading, in the map's caption and alt text and in
the chart's caption and alt text. When a figure is added to or corrected in a CSV file, these
sentences must change with it: a caption that names fewer provinces than the map shades, or a
chart said to start in 1953 that starts in 1950, misleads the reader (and a reader of the alt
text most of all). No build is needed: the files are read as they are committed.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LESSON = ROOT / "lessons" / "03-famine.md"
DATA = ROOT / "book" / "data"


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def directive(text: str, name: str, label: str) -> str:
    """The body of the `:::{name}` fence whose `:label:` is label (options and caption)."""
    for match in re.finditer(r"^:::\{" + re.escape(name) + r"\}.*?^:::$", text, re.M | re.S):
        if f":label: {label}\n" in match.group(0):
            return match.group(0)
    raise AssertionError(f"no {{{name}}} labelled {label} in {LESSON.name}")


def option(body: str, name: str) -> str:
    match = re.search(rf"^:{name}: (.*)$", body, re.M)
    assert match, f"no :{name}: option"
    return match.group(1)


def caption(body: str) -> str:
    """The first paragraph after the options: the caption."""
    lines = body.splitlines()[1:-1]
    text = "\n".join(line for line in lines if not line.startswith(":")).strip()
    return text.split("\n\n")[0]


def test_every_shaded_province_is_named_with_its_rate_in_the_caption_and_alt_text() -> None:
    text = LESSON.read_text(encoding="utf-8")
    body = directive(text, "choropleth", "fig-death-rates-1960")
    values = {
        row["Province"]: float(row["Deaths per 1000 (1960)"])
        for row in rows("death-rates-1960.csv")
    }
    words = caption(body)
    named = dict(re.findall(r"([A-Z][a-z]+) about (\d+)", words))
    assert set(named) == set(values), (
        f"the caption names {sorted(named)}, the map shades {sorted(values)}"
    )
    for province, rate in values.items():
        assert int(named[province]) == round(rate), (
            f"{province}: caption about {named[province]}, data {rate}"
        )
    alt = option(body, "alt")
    shaded = alt.split("; every other province")[0]
    for province in values:
        assert province in shaded, f"the alt text does not say that {province} is shaded"


def test_the_reading_gives_anhuis_rate_as_the_map_does() -> None:
    text = LESSON.read_text(encoding="utf-8")
    match = re.search(r"In Anhui the official death rate for 1960 was (\d+(?:\.\d+)?) deaths", text)
    assert match, "the reading no longer states Anhui's rate in the expected words"
    anhui = next(row for row in rows("death-rates-1960.csv") if row["Province"] == "Anhui")
    assert float(match.group(1)) == round(float(anhui["Deaths per 1000 (1960)"]), 1)
    assert f"{{cite:p}}`{anhui['Source']}`" in text[match.start() : match.start() + 200]


def test_the_chart_is_said_to_cover_the_years_in_its_data() -> None:
    text = LESSON.read_text(encoding="utf-8")
    body = directive(text, "line-chart", "fig-births-deaths")
    years = [int(row["Year"]) for row in rows("births-deaths.csv")]
    first, last = min(years), max(years)
    assert f"{first}–{last}" in caption(body), f"the caption does not say {first}–{last}"
    assert f"{first} to {last}" in option(body, "alt"), (
        f"the alt text does not say {first} to {last}"
    )
    # Years for which only the official series exists are blank in Banister's columns, and the
    # source line says where those years come from.
    only_registered = [
        row["Year"] for row in rows("births-deaths.csv") if not row["Deaths (Banister's estimate)"]
    ]
    if only_registered:
        span = f"{only_registered[0]}–{only_registered[-1]}"
        assert span in option(body, "source"), (
            f"the source line does not say where {span} come from"
        )


def test_every_reference_is_cited_by_a_name_and_says_where_a_web_copy_was_read() -> None:
    """The course cites author-year: an entry without author or editor is cited by its whole
    title ("[Sannian ziran zaihai shiqi renkou qingkuang, n.d.]"), which reads as a sentence in
    the middle of the lesson. A web page with no author is cited by its site's name instead."""
    from pybtex.database import parse_file

    entries = parse_file(str(ROOT / "book" / "references.bib")).entries
    unnamed = sorted(key for key, entry in entries.items() if not entry.persons)
    assert not unnamed, f"entries without author or editor: {unnamed}"
    # A figure read in a copy (a blog, an encyclopedia page) says so in the entry's note.
    for key in ("anhui1960", "nbs1999"):
        note = entries[key].fields.get("note", "")
        assert re.search(r"\bread\b", note, re.I), f"{key}: the note does not say what was read"
        assert re.search(r"[a-z0-9-]+\.(?:com|net|org|cn)/", note), f"{key}: no address in the note"
