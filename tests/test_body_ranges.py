"""A number range in the body text ("1959–1961", "1958–62") never breaks across lines, in every
output: the website and the EPUB's pages (Debian's Chromium, 300 to 700 px wide), the EPUB's
nav.xhtml (its markup is EPUBCheck's in the gate, on the real EPUB), the PDF (its lines as
pdftotext reads them). The text itself is unchanged: what the page shows, what is copied, what
a screen reader reads, the search index."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import BASE_CONF, REFS, sphinx_app, write_files

CONF = """
root_doc = "home/index"
html_theme = "sphinx_book_theme"
html_title = "A course"
epub_basename = "course"
copyright = "2026, Test author"
version = "1"
lessonpack_pdf_basename = "course"
"""
RANGES = ("1959–1961", "1958–62", "15,000–20,000")
SENTENCE = (
    "In the years 1959–1961 the harvests failed, the grain quotas of 1958–62 did not fall, "
    "and 15,000–20,000 people left each county."
)
# A word before the sentence, one letter longer in each paragraph: the ranges fall at every place
# of a line, at its end too, where the dash lets the line break ("1959–" / "1961").
SHIFTS = range(1, 31)
PARAGRAPHS = "\n\n".join(f"{'x' * count} {SENTENCE}" for count in SHIFTS)
SHOWN = 3 * (1 + len(SHIFTS))  # ranges in the body text
FILES = {
    "home/index.md": "# Home\n\n```{toctree}\n../pages/three\n```\n",
    "pages/three.md": (
        "# Lesson 3: The famine of the provinces, 1959–1961\n\n"
        f"{SENTENCE}\n\n"
        "Code keeps its own markup: `1959-1961`.\n\n"
        f"{PARAGRAPHS}\n"
    ),
}
NOWRAP = '<span class="lp-nowrap">{}</span>'

# For each range shown in the elements matching ``selector``: the number of lines its characters
# sit on (each should be 1), as [range, lines] pairs.
LINES_OF = """([selector, ranges]) => {
  const found = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.getClientRects().length === 0) continue;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (const range of ranges) {
        for (let i = n.data.indexOf(range); i >= 0; i = n.data.indexOf(range, i + 1)) {
          const tops = new Set();
          for (let k = i; k < i + range.length; k++) {
            const r = document.createRange();
            r.setStart(n, k); r.setEnd(n, k + 1);
            for (const rect of r.getClientRects()) tops.add(Math.round(rect.top));
          }
          found.push([range, tops.size]);
        }
      }
    }
  }
  return found;
}"""


def _project(tmp_path: Path) -> Path:
    src = write_files(tmp_path / "src", FILES)
    (src / "conf.py").write_text(BASE_CONF + CONF, encoding="utf-8")
    (src / "refs.bib").write_text(REFS, encoding="utf-8")
    return src


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _project(tmp_path_factory.mktemp("body-ranges"))


def _build(project: Path, builder: str) -> Path:
    out = project.parent / f"out-{builder}"
    _app, _status, warnings = sphinx_app(
        project, out, project.parent / f"doctrees-{builder}", builder
    )
    assert warnings == ""
    return out


@pytest.fixture(scope="module")
def site(project: Path) -> Path:
    return _build(project, "html")


@pytest.fixture(scope="module")
def epub(project: Path) -> Path:
    return _build(project, "epub")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium (lessonpack.check.browser), one for the module's pages."""
    from lessonpack.check.browser import chromium

    with chromium() as context:
        yield context


def _broken_lines(browser: Any, uri: str, selector: str, expected: int) -> list[str]:
    """Every range found in ``selector`` of the page at ``uri`` on more than one line, at each
    width from 300 to 700 px; each width must show ``expected`` ranges (or more)."""
    broken = []
    page = browser.new_page()
    page.goto(uri, wait_until="load")
    for width in range(300, 701, 8):
        page.set_viewport_size({"width": width, "height": 800})
        found = page.evaluate(LINES_OF, [selector, list(RANGES)])
        assert len(found) >= expected, (width, found)
        broken += [f"{r} at {width} px: {n} lines" for r, n in found if n != 1]
    page.close()
    return broken


def test_website_body_ranges_are_spans_and_the_text_reads_as_before(site: Path, browser: Any):
    page = (site / "pages" / "three.html").read_text(encoding="utf-8")
    main = page.split('<main id="main-content"')[1]
    marked = SENTENCE
    for found in RANGES:
        marked = marked.replace(found, NOWRAP.format(found))
    assert f"<p>{marked}</p>" in main
    assert (
        '<code class="docutils literal notranslate"><span class="pre">1959-1961</span></code>'
        in (main)
    )
    # The search index is made from the doctree: the words as written (Sphinx's English index
    # leaves numbers out), no markup.
    index = (site / "searchindex.js").read_text(encoding="utf-8")
    assert '"harvest":1' in index and '"quota":1' in index and "1959\\u20131961" in index
    assert "nowrap" not in index and '"span"' not in index

    page = browser.new_page()
    page.goto((site / "pages" / "three.html").as_uri(), wait_until="load")
    paragraph = page.locator(".bd-article p", has_text=re.compile("^In the years"))
    # What is shown and copied, and what a screen reader is given: the sentence as written.
    assert paragraph.inner_text() == SENTENCE
    assert paragraph.evaluate("p => p.textContent") == SENTENCE
    assert paragraph.aria_snapshot() == f"- paragraph: {SENTENCE}"
    page.close()


def test_website_body_ranges_stay_on_one_line_at_every_width(site: Path, browser: Any):
    uri = (site / "pages" / "three.html").as_uri()
    assert _broken_lines(browser, uri, ".bd-article p", SHOWN) == []


def test_epub_pages_keep_ranges_on_one_line(epub: Path, browser: Any):
    page = epub / "pages" / "three.xhtml"
    text = page.read_text(encoding="utf-8")
    assert NOWRAP.format("1958–62") in text and "_static/lessonpack.css" in text
    css = (epub / "_static" / "lessonpack.css").read_text(encoding="utf-8")
    assert ".lp-nowrap { white-space: nowrap; }" in css
    assert _broken_lines(browser, page.as_uri(), "section p", SHOWN) == []


def test_epub_nav_keeps_ranges_on_one_line(epub: Path, browser: Any):
    nav = (epub / "nav.xhtml").read_text(encoding="utf-8")
    assert "The famine of the provinces, " + NOWRAP.format("1959–1961") + "</a>" in nav
    assert "<style>.lp-nowrap { white-space: nowrap; }</style>" in nav
    # toc.ncx is plain text: its labels unchanged.
    ncx = (epub / "toc.ncx").read_text(encoding="utf-8")
    assert "<text>Lesson 3: The famine of the provinces, 1959–1961</text>" in ncx
    assert _broken_lines(browser, (epub / "nav.xhtml").as_uri(), "nav", 1) == []


def test_pdf_lines_never_end_inside_a_range(project: Path):
    out = _build(project, "lessonpdf")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(out / "course-student-a4.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = text.splitlines()
    assert sum(line.count(r) for line in lines for r in RANGES) >= SHOWN
    assert [line for line in lines if re.search(r"\d[-–—]$", line.rstrip())] == []


def test_a_range_is_marked_whole_with_the_separators_of_its_numbers():
    from lessonpack.typography import nowrap_ranges

    marked = nowrap_ranges("(00:00–03:32): 1959–61. 15,000–20,000, 2.5–3; p. 12-14 &amp; 1958")
    assert marked == (
        f"({NOWRAP.format('00:00–03:32')}): {NOWRAP.format('1959–61')}. "
        f"{NOWRAP.format('15,000–20,000')}, {NOWRAP.format('2.5–3')}; "
        f"p. {NOWRAP.format('12-14')} &amp; 1958"
    )
