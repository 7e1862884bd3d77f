"""The website's titles: the front door's tab names the site once (its page title is the site's
title), every other page "Page — Site"; no page prints sphinx-book-theme's print-only heading
empty (the general index and the search page have no document title of their own)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import built_site

CONF = """
root_doc = "home/index"
html_theme = "sphinx_book_theme"
html_title = "A course"
"""
FILES = {
    "home/index.md": "# Home\n\n```{toctree}\n../pages/one\n```\n",
    "pages/one.md": "# Lesson one\n\nSome text.\n",
}


def title(page: Path) -> str:
    (found,) = re.findall(r"<title>(.*?)</title>", page.read_text(encoding="utf-8"), re.S)
    return found.strip()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small site, built once for the tests below."""
    return built_site(tmp_path_factory.mktemp("titles"), FILES, CONF)


def test_the_front_doors_tab_names_the_site_once(site: Path):
    out = site
    assert 'class="lessonpack-front-door"' in (out / "index.html").read_text(encoding="utf-8")
    assert title(out / "index.html") == "A course"
    assert title(out / "pages" / "one.html") == "Lesson one &#8212; A course"
    assert title(out / "genindex.html") == "Index &#8212; A course"


def test_no_page_prints_an_empty_print_heading(site: Path):
    out = site
    pages = sorted(out.rglob("*.html"))
    assert {p.name for p in pages} >= {"index.html", "genindex.html", "search.html", "one.html"}
    headings = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        found = re.findall(r'id="jb-print-docs-body"[^>]*>\s*<h1>(.*?)</h1>', text, re.S)
        if 'id="jb-print-docs-body"' in text:
            (headings[page.name],) = found
    assert headings["genindex.html"] == "Index"  # the page's own title (no document's)
    assert headings["index.html"] == "A course" and headings["one.html"] == "Lesson one"
    assert all(h.strip() for h in headings.values()), headings
