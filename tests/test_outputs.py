"""Each format checked as its reader meets it: a validator, PDF structure, the HTML as served."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from conftest import BOOK, BUILD, DIST, need
from textutil import normalise, pdf_pages

EPUB = DIST / f"{BOOK}.epub"
TEACHER_PDFS = [DIST / f"{BOOK}-teacher-a4.pdf", DIST / f"{BOOK}-teacher-letter.pdf"]
LESSON_TITLES = [
    "Lesson 1: Soviet origins, 1949–1957",
    "Lesson 2: Collectivization and the Leap, 1958",
    "Lesson 3: The famine, 1959–1961",
    "Lesson 4: Culpability and memory, 1961 to today",
]
OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"


# EPUB -----------------------------------------------------------------------------------------


def test_epub_declares_language_cover_and_accessibility():
    with zipfile.ZipFile(need(EPUB)) as epub:
        names = epub.namelist()
        assert names[0] == "mimetype"
        assert epub.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        opf = ET.fromstring(epub.read("content.opf"))
    meta = opf.find(f"{OPF}metadata")
    assert meta.find(f"{DC}language").text == "en"
    props: dict[str, list[str]] = {}
    for el in meta.findall(f"{OPF}meta"):
        if el.get("property", "").startswith("schema:"):
            props.setdefault(el.get("property").removeprefix("schema:"), []).append(el.text)
    assert set(props) >= {
        "accessMode",
        "accessModeSufficient",
        "accessibilityFeature",
        "accessibilityHazard",
        "accessibilitySummary",
    }
    assert "alternativeText" in props["accessibilityFeature"]
    cover = [i for i in opf.iter(f"{OPF}item") if "cover-image" in (i.get("properties") or "")]
    assert cover and cover[0].get("href").endswith("cover.png")


def test_epub_has_every_lesson_and_no_scripts():
    with zipfile.ZipFile(need(EPUB)) as epub:
        names = epub.namelist()
        text = " ".join(epub.read(n).decode() for n in names if n.endswith(".xhtml"))
    for n in range(1, 5):
        assert any(name.startswith(f"lessons/0{n}-") for name in names)
    for title in LESSON_TITLES:
        assert title in text
    assert not [n for n in names if n.endswith(".js")]


def test_epub_pages_use_the_bundled_fonts():
    with zipfile.ZipFile(need(EPUB)) as epub:
        glossary = epub.read("book/glossary.xhtml").decode()
        fonts_css = epub.read("_static/fonts.css").decode()
        names = epub.namelist()
    assert 'href="../_static/fonts.css"' in glossary
    for url in re.findall(r'url\("([^"]+)"\)', fonts_css):
        assert f"_static/{url}" in names
    assert "_static/fonts/NotoSerifCJKsc-Subset.otf" in names


# PDF ------------------------------------------------------------------------------------------


def _fonts(reader: PdfReader):
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            if font.get("/Subtype") == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            yield font


def _outline(reader: PdfReader, items=None, level=1):
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            yield from _outline(reader, item, level + 1)
        else:
            yield level, item.title, reader.get_destination_page_number(item) + 1


@pytest.fixture(scope="module", params=TEACHER_PDFS, ids=lambda p: p.stem.rsplit("-", 1)[1])
def teacher_pdf(request) -> Path:
    return need(request.param)


def test_pdf_is_tagged_titled_and_in_english(teacher_pdf):
    reader = PdfReader(teacher_pdf)
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    assert reader.metadata.title.endswith("Teacher’s edition")
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()


def test_pdf_embeds_every_font(teacher_pdf):
    reader = PdfReader(teacher_pdf)
    fonts = list(_fonts(reader))
    assert fonts
    for font in fonts:
        descriptor = font["/FontDescriptor"]
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
    names = {str(f["/BaseFont"]).split("+")[-1] for f in fonts}
    # Only the bundled faces: no system font stood in (the glossary's Chinese included).
    assert all(n.startswith("Book-") for n in names), names
    assert "Book-Chinese" in names, names


def test_pdf_figures_have_alt_text(teacher_pdf):
    reader = PdfReader(teacher_pdf)
    alts = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, dict):
            if node.get("/S") == "/Figure" and "/Alt" in node:
                alts.append(str(node["/Alt"]))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
                if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
                    walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert any("bars" in alt.lower() or "estimate" in alt.lower() for alt in alts), alts


def test_pdf_lessons_start_new_pages_under_running_heads(teacher_pdf):
    reader = PdfReader(teacher_pdf)
    outline = list(_outline(reader))
    pages = pdf_pages(teacher_pdf)
    for title in LESSON_TITLES:
        hits = [page for level, t, page in outline if t == title and level == 1]
        assert hits, f"no bookmark for {title}"
        body = pages[hits[0] - 1]
        assert normalise(body).startswith(normalise(title))
        full = reader.pages[hits[0]].extract_text()  # the page after: head names the lesson
        assert "Teacher’s edition" in full and title in full
    # Pages are numbered through the book (each piece starts where the last ended).
    for number in (10, hits[0] + 1, len(reader.pages)):
        assert re.search(rf"\b{number}\s*$", reader.pages[number - 1].extract_text())


def test_pdf_bookmarks_mirror_the_contents_with_right_page_numbers(teacher_pdf):
    reader = PdfReader(teacher_pdf)
    outline = {(t, page) for level, t, page in _outline(reader)}
    bookmark_titles = {t for t, _ in outline}
    # The front of the book (cover, contents) is the first piece the builder wrote.
    html = (BUILD / "teacher" / "pdf" / "_book" / "000.html").read_text(encoding="utf-8")
    nav = BeautifulSoup(html[html.index("<nav") : html.index("</nav>")], "html.parser")
    entries = [a.get_text(" ", strip=True) for a in nav.find_all("a")]
    assert len(entries) > 40
    assert set(entries) <= bookmark_titles
    # The contents pages print "Title ..... page"; each number is where the bookmark goes.
    # Titles repeat ("Timeline" in several lessons), so both lists are walked in order.
    contents = "\n".join(reader.pages[i].extract_text() for i in range(1, 5))
    ordered = [(t, page) for level, t, page in _outline(reader) if t in entries]
    position = 0
    for title, page in ordered:
        match = re.compile(re.escape(title) + r"[ .]*?(\d+)\s*$", re.M).search(contents, position)
        assert match, title
        assert int(match[1]) == page, title
        position = match.end()
    assert len(ordered) >= len(entries)


def test_pdf_page_counts_are_sane(teacher_pdf):
    count = len(PdfReader(teacher_pdf).pages)
    assert 100 < count < 300, count


# HTML -----------------------------------------------------------------------------------------

EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)
ALLOWED = re.compile(r"^(?:mailto:|#|data:)", re.I)


def test_html_loads_nothing_from_other_hosts():
    root = need(DIST / "html")
    pages = sorted(root.rglob("*.html"))
    assert len(pages) > 20
    offenders = []
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["script", "link", "img", "iframe", "source", "video", "audio"]):
            for attr in ("src", "href", "srcset"):
                url = tag.get(attr)
                if url and EXTERNAL.match(url) and not ALLOWED.match(url):
                    offenders.append((str(page.relative_to(root)), tag.name, url))
    for css in root.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(encoding="utf-8")):
            if EXTERNAL.match(url) and not ALLOWED.match(url):
                offenders.append((str(css.relative_to(root)), "css", url))
    assert offenders == []


def test_html_is_searchable_and_has_every_lesson():
    root = need(DIST / "html")
    index = (root / "searchindex.js").read_text(encoding="utf-8")
    assert "collectiv" in index and "famin" in index
    for n, slug in enumerate(
        ["soviet-origins", "collectivization", "famine", "culpability-memory"], 1
    ):
        assert (root / "lessons" / f"0{n}-{slug}.html").exists()
        assert (root / "exercises" / f"0{n}-{slug}.html").exists()
