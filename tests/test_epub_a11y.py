"""The EPUB as outside checkers and reading systems need it: every content document in the book's
language, one viewport meta, toctree captions with a heading level, the nav's role, conformance
metadata, no "unknown" contributor, a raster cover drawn reproducibly from the SVG one, only the
files its pages use, and SVG paths EPUB's schema accepts."""

from __future__ import annotations

import hashlib
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from conftest import ROOT
from lessonpack.epubcover import raster_cover

OPF = "{http://www.idpf.org/2007/opf}"
XHTML = "{http://www.w3.org/1999/xhtml}"
FONT = ROOT / "book" / "_static" / "fonts" / "NotoSerif-Regular.ttf"
COVER = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="300" height="450" viewBox="0 0 300 450">
<rect width="300" height="450" fill="#f4efe4"/>
<text x="150" y="200" font-family="serif" font-size="40" text-anchor="middle">A title</text>
</svg>
"""
# What matplotlib writes for a space glyph: a <path> without d.
CHART = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10"
 height="10" viewBox="0 0 10 10"><defs><path id="glyph-20" transform="scale(0.1)"/></defs>
<rect width="10" height="10"/><use xlink:href="#glyph-20"/></svg>
"""
CONF = f"""
language = "en"
copyright = "2024"
version = "1"
epub_title = "A course"
epub_cover = ("_static/cover.svg", "lessonpack-epub-cover.html")
html_static_path = ["_static"]
lessonpack_fonts = ["_static/{FONT.name}"]
lessonpack_epub_conformance = {{
    "dcterms:conformsTo": "EPUB Accessibility 1.1 - WCAG 2.1 Level AA",
    "a11y:certifiedBy": "The authors",
}}
"""


def files() -> dict[str, str | bytes]:
    return {
        "index.md": "# Index\n\n```{toctree}\n:caption: Lessons\n\npages/one\nbibliography\n```\n",
        "pages/one.md": "# One\n\nA chart:\n\n![A chart of nothing](chart.svg)\n",
        "pages/chart.svg": CHART,
        "_static/cover.svg": COVER,
        f"_static/{FONT.name}": FONT.read_bytes(),
    }


def test_epub_content_documents_pass_outside_checkers(build):
    result = build(files(), builder="epub", conf=CONF)
    assert result.warnings == ""
    with zipfile.ZipFile(result.outdir / "Testcourse.epub") as epub:
        names = epub.namelist()
        pages = {n: epub.read(n).decode() for n in names if n.endswith(".xhtml")}
        opf = ET.fromstring(epub.read("content.opf"))
        chart = next(epub.read(n).decode() for n in names if n.endswith(".svg"))
        cover_png = epub.read("_static/cover.png")
    assert {"index.xhtml", "pages/one.xhtml", "bibliography.xhtml", "nav.xhtml"} < set(pages)
    for name, page in pages.items():
        html = ET.fromstring(page)
        assert html.get("lang") == "en", name
        assert html.get("{http://www.w3.org/XML/1998/namespace}lang") == "en", name
        assert page.count('name="viewport"') <= 1, name
    captions = [
        p
        for p in ET.fromstring(pages["index.xhtml"]).iter(f"{XHTML}p")
        if p.get("role") == "heading"
    ]
    assert [c.get("aria-level") for c in captions] == ["2"]
    (nav,) = ET.fromstring(pages["nav.xhtml"]).iter(f"{XHTML}nav")
    assert nav.get("role") == "doc-toc"
    # metadata: conformance, no made-up contributor
    meta = {el.get("property"): el.text for el in opf.iter(f"{OPF}meta") if el.get("property")}
    assert meta["dcterms:conformsTo"] == "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
    assert meta["a11y:certifiedBy"] == "The authors"
    assert not [el for el in opf.iter() if el.tag.endswith("contributor")]
    # the raster cover is the cover-image; the SVG one and unused theme files are not shipped
    items = {i.get("href"): i for i in opf.iter(f"{OPF}item")}
    assert items["_static/cover.png"].get("properties") == "cover-image"
    assert cover_png.startswith(b"\x89PNG")
    cover_id = next(el.get("content") for el in opf.iter(f"{OPF}meta") if el.get("name") == "cover")
    assert cover_id == items["_static/cover.png"].get("id")
    assert not {"_static/cover.svg", "_static/basic.css", "_static/plus.png"} & set(names)
    # a cover page first in the reading order shows it (so no manifest item goes unused)
    spine = [i.get("idref") for i in opf.iter(f"{OPF}itemref")]
    assert spine[0] == items["epub-cover.xhtml"].get("id")
    (img,) = ET.fromstring(pages["epub-cover.xhtml"]).iter(f"{XHTML}img")
    assert (img.get("src"), img.get("alt"), img.get("role")) == (
        "_static/cover.png",
        "A course",
        "doc-cover",
    )
    assert set(items) - {"toc.ncx"} <= set(names)
    assert "_static/epub.css" in items  # what pages do use stays
    # every <path> has d
    assert '<path id="glyph-20" transform="scale(0.1)" d=""/>' in chart


def test_raster_cover_is_drawn_with_the_book_fonts_and_is_reproducible(tmp_path: Path):
    digests = set()
    for run in ("a", "b"):
        out = tmp_path / run
        (out / "_static").mkdir(parents=True)
        (out / "_static" / "cover.svg").write_text(COVER, encoding="utf-8")
        shutil.copy(FONT, out / "_static" / FONT.name)
        assert raster_cover(out, "_static/cover.svg", "Noto Serif") == "_static/cover.png"
        digests.add(hashlib.sha256((out / "_static" / "cover.png").read_bytes()).hexdigest())
    assert len(digests) == 1
    # the title's text is drawn: the same cover without it gives other bytes
    blank = tmp_path / "blank"
    (blank / "_static").mkdir(parents=True)
    (blank / "_static" / "cover.svg").write_text(COVER.replace("A title", ""), encoding="utf-8")
    shutil.copy(FONT, blank / "_static" / FONT.name)
    raster_cover(blank, "_static/cover.svg", "Noto Serif")
    assert hashlib.sha256((blank / "_static" / "cover.png").read_bytes()).hexdigest() not in digests
    assert raster_cover(tmp_path / "a", "_static/missing.svg") is None


def test_the_raster_cover_is_drawn_once_for_the_same_svg_and_fonts(tmp_path: Path, monkeypatch):
    import resvg_py

    drawn: list[str] = []
    draw = resvg_py.svg_to_bytes

    def counted(**kwargs):
        drawn.append(kwargs["svg_path"])
        return draw(**kwargs)

    monkeypatch.setattr(resvg_py, "svg_to_bytes", counted)
    cache = str(tmp_path / "cache")

    def cover(run: str, svg: str = COVER) -> bytes:
        out = tmp_path / run
        (out / "_static").mkdir(parents=True)
        (out / "_static" / "cover.svg").write_text(svg, encoding="utf-8")
        shutil.copy(FONT, out / "_static" / FONT.name)
        assert raster_cover(out, "_static/cover.svg", "Noto Serif", cache) == "_static/cover.png"
        return (out / "_static" / "cover.png").read_bytes()

    first = cover("a")
    assert cover("b") == first and len(drawn) == 1  # the same files: copied, not drawn
    # Another title is drawn again, as is a cover referring to another file (its bytes unknown).
    assert cover("c", COVER.replace("A title", "Another title")) != first and len(drawn) == 2
    linked = COVER.replace("</svg>", '<image href="photo.png" width="1" height="1"/></svg>')
    cover("d", linked), cover("e", linked)
    assert len(drawn) == 4


def test_only_files_pages_reach_are_kept(tmp_path: Path):
    from conftest import write_files
    from lessonpack.epubfiles import prune_unreferenced

    write_files(
        tmp_path,
        {
            "a.xhtml": '<html xmlns="http://www.w3.org/1999/xhtml"><head>'
            '<link rel="stylesheet" href="_static/s.css"/></head><body>'
            '<img src="_images/p%20q.png" alt="x"/></body></html>',
            "_static/s.css": '@import "more.css";\nbody { background: url(bg.png) }\n',
            "_static/more.css": "p { background: url('../_images/from-css.png') }\n",
            "_static/old.html": "<p>not XML <a href=linked.js>x</p>",
            "_static/bg.png": "",
            "_static/unused.png": "",
            "_static/linked.js": "",
            "_static/cover.png": "",
            "_images/p q.png": "",
            "_images/from-css.png": "",
            "_images/orphan.svg": "",
        },
    )
    removed = prune_unreferenced(tmp_path, ["_static", "_images"], keep=["_static/cover.png"])
    assert removed == ["_static/unused.png", "_images/orphan.svg"]
    # a page that is not XML is read as HTML: what it links stays
    assert (tmp_path / "_static" / "linked.js").is_file()
    assert (tmp_path / "_images" / "p q.png").is_file()
