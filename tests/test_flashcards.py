"""Glossary flashcards: an Anki deck that opens (its sqlite read back from the zip) with every
term, a CSV with term, pinyin, characters and definition, both byte-identical when rebuilt."""

from __future__ import annotations

import csv
import io
import sqlite3
import zipfile
from pathlib import Path

GLOSSARY = """
# Glossary

```{glossary}
people's commune
  rénmín gōngshè (人民公社). The giant rural unit of 1958 {cite:p}`smith2000`.

cadre
  gànbù (干部). An official of the Party.

work points
  The units in which collective farms paid labour.

resolution
  The Party's verdict. Its title is Juéyì (决议), not the reading of the term.
```
"""
TERMS = ["cadre", "people’s commune", "resolution", "work points"]  # Sphinx's smart quotes


def files(tmp: Path) -> tuple[Path, Path]:
    folder = tmp / "flashcards"
    return folder / "course-glossary.apkg", folder / "course-glossary.csv"


def build_cards(build, monkeypatch) -> tuple[bytes, bytes, Path]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    result = build({"glossary.md": GLOSSARY}, conf='lessonpack_pdf_basename = "course"\n')
    assert "WARNING" not in result.warnings, result.warnings
    apkg, table = files(result.outdir)
    return apkg.read_bytes(), table.read_bytes(), apkg


def test_the_csv_has_every_term_with_pinyin_and_characters(build, monkeypatch):
    _, table, _ = build_cards(build, monkeypatch)
    rows = list(csv.DictReader(io.StringIO(table.decode("utf-8"))))
    assert [r["term"] for r in rows] == TERMS
    commune = rows[1]
    assert commune["pinyin"] == "rénmín gōngshè" and commune["characters"] == "人民公社"
    assert commune["definition"] == "The giant rural unit of 1958 [Smith, 2000]."
    assert rows[3]["pinyin"] == "" and rows[3]["definition"].startswith("The units")
    assert rows[2]["pinyin"] == rows[2]["characters"] == ""
    assert rows[2]["definition"].endswith("Its title is Juéyì (决议), not the reading of the term.")


def test_the_anki_deck_opens_with_every_term(build, monkeypatch, tmp_path):
    _, _, apkg = build_cards(build, monkeypatch)
    with zipfile.ZipFile(apkg) as package:
        assert sorted(package.namelist()) == ["collection.anki2", "media"]
        (tmp_path / "c.anki2").write_bytes(package.read("collection.anki2"))
    db = sqlite3.connect(tmp_path / "c.anki2")
    fields = [row[0].split("\x1f") for row in db.execute("select flds from notes order by sfld")]
    db.close()
    assert [f[0] for f in fields] == TERMS
    assert fields[0] == ["cadre", "gànbù", "干部", "An official of the Party."]


def test_the_flashcards_rebuild_byte_identical(build, monkeypatch, tmp_path):
    first = build_cards(build, monkeypatch)[:2]
    second = build_cards(build, monkeypatch)[:2]
    assert first == second
