"""Text as readers meet it: extracted from PDF pages, PowerPoint decks, Anki packages, EPUB and
HTML files, normalised to compare."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import tempfile
import unicodedata
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from pypdf import PdfReader

from ..filehash import feed

# Running heads and page numbers sit in the page margins; the body lies between these heights.
BODY_BOTTOM_PT = 55
BODY_TOP_MARGIN_PT = 50


# Typography Sphinx applies (smart quotes, dashes) folded to what an author types.
FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00ad": ""})
DASHES = re.compile(r"[-\u2010-\u2015]+")


def _fold(text: str) -> str:
    return DASHES.sub("-", unicodedata.normalize("NFKC", text).translate(FOLD)).lower()


def normalise(text: str) -> str:
    """Compare text however lines broke: NFKC, typography folded, no white space, lower case."""
    return re.sub(r"\s+", "", _fold(text))


def words(text: str, *, punctuation: bool = True) -> str:
    """Compare text word by word: its words and punctuation marks (NFKC, typography folded,
    lower case) one space apart, a space each side: " yes . " is in " yes . it is ", not in
    " yesterday . " nor in " yes , ". Without ``punctuation``, the words alone."""
    token = r"\w+|[^\w\s]" if punctuation else r"\w+"
    return " " + " ".join(re.findall(token, _fold(text))) + " "


# A list item's marker comes out as a line of its own, often inside the sentence before it
# (and at the end of a page), whatever the list's style: a number, a letter, a roman numeral,
# in "1." or "a)" or "(iv)" form, or a bullet; a run of them (the four options of a question)
# as several such lines. But so does the end of a sentence that wrapped in a narrow table
# cell ("Check question" / "3.").
LONE_MARKER = re.compile(
    r"(?m)^[ \t]*(\(?(\d+|[A-Za-z]|[ivxlcdmIVXLCDM]{1,6})[.)]|[•◦▪‣–—-])[ \t]*$"
)


def pdf_pages(path: Path) -> tuple[str, ...]:
    """The body text of each page, without running heads, footers and lone list markers."""
    return tuple(LONE_MARKER.sub("", page) for page in raw_pdf_pages(path))


def pdf_text(path: Path) -> str:
    """The body text of every page read both ways, with and without the lone list markers, so
    that a sentence is found whichever of the two a marker on its own line was."""
    return both_readings("\n".join(raw_pdf_pages(path)))


def both_readings(text: str) -> str:
    return text + "\n" + LONE_MARKER.sub("", text)


# Extracting a PDF's text is slow (pypdf follows every glyph: about a minute of CPU for the
# book's PDFs), and the gate and then the tests read the same files. With a folder set by
# ``keep_in`` (the gate's and the tests' is the build folder's cache), each PDF's pages are kept
# there by the SHA-256 of its bytes, of this module and of pypdf's version: another process
# reading the same bytes reads the text kept; a spoiled entry is extracted again.
_kept: list[Path] = []


def keep_in(folder: Path | None) -> Path | None:
    """Keep extracted PDF text in ``folder`` from now on (None: nowhere); return the folder
    it was kept in until now."""
    before = _kept[0] if _kept else None
    _kept[:] = [folder] if folder is not None else []
    return before


def _kept_file(path: Path) -> Path | None:
    if not _kept:
        return None
    import pypdf

    digest = feed(feed(hashlib.sha256(), path), Path(__file__))
    digest.update(pypdf.__version__.encode())
    return _kept[0] / f"{digest.hexdigest()}.json"


@cache
def raw_pdf_pages(path: Path) -> tuple[str, ...]:
    """The body text of each page as extracted, without running heads and footers (kept on disk
    by the PDF's bytes, with ``keep_in``)."""
    kept = _kept_file(path)
    try:
        if kept is not None:
            pages = json.loads(kept.read_text(encoding="utf-8"))
            if isinstance(pages, list) and all(isinstance(page, str) for page in pages):
                return tuple(pages)
    except (OSError, ValueError):
        pass  # not kept yet, or spoiled: extracted again below
    found = _extract_pdf_pages(path)
    if kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        part = kept.with_name(f".{kept.name}.{os.getpid()}.tmp")
        part.write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
        os.replace(part, kept)  # whole or not at all, whoever else writes it at the same time
    return found


def _extract_pdf_pages(path: Path) -> tuple[str, ...]:
    pages = []
    for page in PdfReader(path).pages:
        top = float(page.mediabox.height) - BODY_TOP_MARGIN_PT
        parts: list[str] = []

        def visit(text, cm, tm, font, size, parts=parts, top=top):
            y = cm[5] + tm[5] * cm[3]
            if BODY_BOTTOM_PT < y < top or not text.strip():
                parts.append(text)

        page.extract_text(visitor_text=visit)
        pages.append("".join(parts))
    return tuple(pages)


@cache
def pptx_text(path: Path) -> str:
    """Every text of a PowerPoint deck: each slide's shapes (tables and groups included) and its
    speaker notes, a paragraph a line, both readings of lone list markers."""
    from pptx import Presentation

    def shape_texts(shape: Any) -> list[str]:
        if shape.shape_type is not None and hasattr(shape, "shapes"):  # a group
            return [t for inner in shape.shapes for t in shape_texts(inner)]
        if getattr(shape, "has_table", False) and shape.has_table:
            return [cell.text for row in shape.table.rows for cell in row.cells]
        if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            return [p.text for p in shape.text_frame.paragraphs]
        return []

    lines: list[str] = []
    for slide in Presentation(str(path)).slides:
        for shape in slide.shapes:
            lines += shape_texts(shape)
        if slide.has_notes_slide:
            lines += [p.text for p in slide.notes_slide.notes_text_frame.paragraphs]
    return both_readings("\n".join(lines))


# The SQLite collection inside an Anki package (.apkg), by the names Anki has given it.
ANKI_COLLECTIONS = ("collection.anki21", "collection.anki2")


@cache
def apkg_text(path: Path) -> str:
    """Every field of every note of an Anki package (a zip holding a SQLite collection): a field a
    line, its HTML as text. A package without a collection is an error, not an empty text."""
    with zipfile.ZipFile(path) as package:
        name = next((n for n in ANKI_COLLECTIONS if n in package.namelist()), None)
        if name is None:
            raise ValueError(f"{path.name}: no Anki collection ({', '.join(ANKI_COLLECTIONS)})")
        data = package.read(name)
    with tempfile.TemporaryDirectory(prefix="lessonpack-apkg-") as tmp:
        db = Path(tmp) / name
        db.write_bytes(data)
        connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            notes = connection.execute("SELECT flds FROM notes ORDER BY id").fetchall()
        finally:
            connection.close()
    fields = [field for (flds,) in notes for field in flds.split("\x1f")]
    return "\n".join(html_text(field) for field in fields)


def html_text(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text(" ")


def epub_texts(path: Path) -> dict[str, str]:
    """Every entry of an EPUB: markup as text, everything else decoded as it is."""
    out = {}
    with zipfile.ZipFile(path) as epub:
        for name in epub.namelist():
            data = epub.read(name).decode("utf-8", errors="replace")
            out[name] = html_text(data) if name.endswith((".xhtml", ".html")) else data
    return out


def site_texts(root: Path) -> dict[str, str]:
    """Every text file of a website: pages as visible text plus raw markup, scripts raw."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.suffix in {".html", ".js", ".css", ".json", ".txt", ".xml"}:
            raw = path.read_text(encoding="utf-8", errors="replace")
            out[str(path.relative_to(root))] = (
                html_text(raw) + "\n" + raw if path.suffix == ".html" else raw
            )
    return out


def sentences(text: str) -> list[str]:
    """Every sentence (or table cell, list item, piece between references) with a word in it:
    a letter, or 30 characters (a short run of figures, "8-9", would be found everywhere)."""
    pieces = [p.strip() for p in re.split(r"(?<=[.?!:;])\s+|\n+", text)]
    return [p for p in pieces if re.search(r"[^\W\d_]", p) or len(normalise(p)) >= 30]


def output_texts(path: Path, name: str) -> dict[str, tuple[str, str]]:
    """The text of one published file, by name, as (all of it, its prose): a PDF's pages; a slide
    deck's slides and notes; an Anki package's notes; each entry of an EPUB; a page's markup
    and visible text (its prose); any other text file whole,
    with no prose (scripts, styles); a binary file nothing."""
    if path.suffix == ".pdf":
        text = pdf_text(path)
        return {name: (text, text)}
    if path.suffix == ".pptx":
        text = pptx_text(path)
        return {name: (text, text)}
    if path.suffix == ".apkg":
        text = apkg_text(path)
        return {name: (text, text)}
    if path.suffix == ".epub":
        with zipfile.ZipFile(path) as epub:
            entries = {k: epub.read(k) for k in epub.namelist()}
    else:
        entries = {"": path.read_bytes()}
    return entry_texts(entries, name)


def lms_texts(path: Path, name: str, checked: set[str] | None = None) -> dict[str, tuple[str, str]]:
    """The student text of an LMS file (a teacher's file: lms/visible.py takes out the keys,
    feedback and graders' notes), an archive's entries under its name; a PDF inside by its
    pages. An entry whose SHA-256 is in ``checked`` (a student output's copy, read already) is
    left out, and each one read is added to it."""
    import hashlib
    import tempfile

    from ..lms.visible import student_entries

    checked = set() if checked is None else checked
    entries = {}
    for inner, data in student_entries(path).items():
        digest = hashlib.sha256(data).hexdigest()
        if digest not in checked:
            checked.add(digest)
            entries[inner] = data
    out: dict[str, tuple[str, str]] = {}
    for inner in [n for n in entries if n.endswith(".pdf")]:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "entry.pdf"
            copy.write_bytes(entries.pop(inner))
            text = both_readings("\n".join(raw_pdf_pages.__wrapped__(copy)))
        out[f"{name}/{inner}"] = (text, text)
    return {**out, **entry_texts(entries, name)}


def entry_texts(entries: dict[str, bytes], name: str) -> dict[str, tuple[str, str]]:
    """Each entry (a file's inner name, "" for the file itself) as (all of it, its prose)."""
    out = {}
    for inner, data in entries.items():
        if b"\0" in data[:8192]:
            continue
        raw = data.decode("utf-8", errors="replace")
        key = f"{name}/{inner}" if inner else name
        if Path(inner or name).suffix in {".html", ".xhtml", ".htm"}:
            visible = html_text(raw)
            out[key] = (visible + "\n" + raw, visible)
        else:
            out[key] = (raw, "")
    return out


INDEX = re.compile(r"^\s*Search\.setIndex\((?P<json>.*)\)\s*;?\s*$", re.DOTALL)


def search_terms(script: str) -> set[str]:
    """The terms and title terms of a Sphinx search index (``Search.setIndex({...})``)."""
    match = INDEX.match(script)
    if not match:
        raise ValueError("not a Sphinx search index (no Search.setIndex(...))")
    data = json.loads(match["json"])
    return set(data.get("terms", {})) | set(data.get("titleterms", {}))
