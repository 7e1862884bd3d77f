"""The website's and the EPUB's markup as the Nu HTML Checker reads it: no warning of the kinds
our templates and translator fixed (the theme's second viewport meta, ``role="main"`` on
``<main>``, a page's ``<h1>`` inside an ``<article>`` or a ``<section>``, the EPUB cover's
heading-less section); the gate's figure counts what remains by kind."""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path

from conftest import ROOT
from lessonpack.check import vnu
from test_epub_a11y import CONF as EPUB_CONF
from test_epub_a11y import files as epub_files

SITE_CONF = """
html_theme = "sphinx_book_theme"
html_title = "A course"
html_use_index = False
"""
PAGES = {
    "pages/one.md": "# Lesson one\n\nSome text.\n\n## A part\n\nMore text.\n",
    "pages/two.md": "# Lesson two\n\nText.\n",
}
FIXED = (
    "The “main” role is unnecessary for element “main”",
    "Consider using the “h1” element as a top-level heading only",
    "Article lacks heading",
    "Section lacks heading",
)


def test_site_and_epub_pages_get_no_warning_of_the_kinds_fixed(build, tmp_path: Path):
    # The EPUB first: the site's project is written over it (its extra files are no pages).
    epub = build(epub_files(), builder="epub", conf=EPUB_CONF)
    assert epub.warnings == ""
    site = build(PAGES, conf=SITE_CONF)
    assert site.warnings == ""
    for macros in (site.outdir / "_static").rglob("*.html"):
        macros.unlink()  # the theme's Jinja macro files, never published (records.py)
    pages = sorted(site.outdir.rglob("*.html"))
    assert len(pages) >= 4
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert text.count('name="viewport"') == 1, page.name
        assert 'role="main"' not in text and "<article" not in text, page.name
    one = site.html("pages/one")
    assert re.search(r'<div id="lesson-one">\s*<h1>Lesson one', one)  # the page's section
    assert re.search(r'<section id="a-part">\s*<h2>A part', one)  # the ones below stay
    unpacked = tmp_path / "epub"
    with zipfile.ZipFile(epub.outdir / "Testcourse.epub") as book:
        book.extractall(unpacked)
    assert 'epub:type="cover"' in (unpacked / "epub-cover.xhtml").read_text(encoding="utf-8")
    findings = vnu.nu_check(ROOT, [site.outdir, unpacked])  # one run of the checker
    assert findings.errors == []
    assert not any(kind.startswith(FIXED) for kind in findings.warnings), findings.warnings
    assert findings.warnings == Counter(), findings.warnings


def test_the_figure_counts_warnings_by_kind():
    warnings = Counter(
        {
            vnu.kind("The “main” role is unnecessary for element “main”."): 2,
            vnu.kind("Article lacks heading. Consider using “h2”-“h6” elements."): 3,
        }
    )
    assert vnu.warnings_figure(Counter()) == "0 warnings"
    assert vnu.warnings_figure(warnings) == (
        "5 warnings: 3 × Article lacks heading; "
        "2 × The “main” role is unnecessary for element “main”"
    )
    assert vnu.kind("x" * 100) == "x" * 59 + "…"


def test_the_site_title_has_the_texts_quotes(build):
    """conf.py's title as pages show it (every <title>, the front door's heading) is set as the
    text is: a curly apostrophe, never conf.py's straight one."""
    result = build(
        {
            "book/index.md": "# Home\n\n```{toctree}\none\n```\n",
            "book/one.md": "# The people's communes\n\nText.\n",
        },
        conf=SITE_CONF.replace('"A course"', '"China\'s course"')
        + 'root_doc = "book/index"\nexclude_patterns = ["index.md", "bibliography.md"]\n',
    )
    assert result.warnings == ""
    door = (result.outdir / "index.html").read_text(encoding="utf-8")
    assert "<h1>China\u2019s course</h1>" in door
    for page in ("index", "book/index", "book/one"):
        html = (result.outdir / f"{page}.html").read_text(encoding="utf-8")
        (title,) = re.findall(r"<title>(.*?)</title>", html)
        assert title.endswith("China\u2019s course"), (page, title)
        assert "&#39;" not in title and "'" not in title, (page, title)
