"""A number range in a website title ("1959–1961") never breaks across lines: in the page's
<h1> and the navigation, at any width, in Debian's Chromium; the text around it is unchanged."""

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
TITLE = "Lesson 3: The famine of the provinces, 1959–1961"
FILES = {
    "home/index.md": "# Home\n\n```{toctree}\n../pages/three\n../pages/four\n```\n",
    "pages/three.md": f"# {TITLE}\n\nIn the years 1959–1961 the harvests failed.\n",
    "pages/four.md": "# Lesson 4: After the famine, 1962-1965\n\nSome text.\n",
}
RANGE = '<span class="lp-nowrap">1959–1961</span>'


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_site(tmp_path_factory.mktemp("ranges"), FILES, CONF)


def test_ranges_in_titles_and_navigation_are_unbreakable_spans(site: Path):
    page = (site / "pages" / "three.html").read_text(encoding="utf-8")
    main = page.split('<main id="main-content"')[1]
    assert re.search(r"<h1>Lesson 3: The famine of the provinces, " + re.escape(RANGE), main)
    nav = page.split('class="bd-links bd-docs-nav"')[1].split("</nav>")[0]
    assert RANGE in nav, nav
    assert '<span class="lp-nowrap">1962-1965</span>' in nav  # a hyphen too
    assert '<p class="prev-next-title">Lesson 4: After the famine, <span class="lp-nowrap">' in page
    # The body text's range is kept whole too (test_body_ranges.py); the tab's title and the
    # search index read as before.
    assert f"In the years {RANGE} the harvests failed." in main
    (tab,) = re.findall(r"<title>(.*?)</title>", page, re.S)
    assert tab.strip() == f"{TITLE} &#8212; A course"
    index = (site / "searchindex.js").read_text(encoding="utf-8")
    assert "lp-nowrap" not in index and "1959\\u20131961" in index  # JSON escapes the dash
    assert (
        ".lp-nowrap { white-space: nowrap; }" in (site / "_static" / "lessonpack.css").read_text()
    )


def test_the_range_stays_on_one_line_at_every_width(site: Path):
    """Chromium lays the page out from 300 to 700 px wide; the range's characters sit on one
    line of the <h1> and of the navigation at each width."""
    from lessonpack.check.browser import chromium

    # The lines the range's characters sit on in the first shown element matching selector
    # (0 if none is shown: sphinx-book-theme has a print-only <h1> too).
    lines_of = """(selector) => {
      for (const el of document.querySelectorAll(selector)) {
        if (el.getClientRects().length === 0) continue;
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        const tops = new Set();
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const i = n.data.indexOf("1959–1961");
          if (i < 0) continue;
          for (let k = i; k < i + 9; k++) {
            const r = document.createRange();
            r.setStart(n, k); r.setEnd(n, k + 1);
            for (const rect of r.getClientRects()) tops.add(Math.round(rect.top));
          }
        }
        return tops.size;
      }
      return 0;
    }"""
    broken = []
    with chromium() as context:
        page = context.new_page()
        page.goto((site / "pages" / "three.html").as_uri(), wait_until="load")
        for width in range(300, 701, 8):
            page.set_viewport_size({"width": width, "height": 800})
            for selector in ("h1", "nav.bd-docs-nav"):
                lines = page.evaluate(lines_of, selector)
                if lines != 1:
                    broken.append(f"{selector} at {width} px: {lines} lines")
        page.close()
    assert broken == []
