"""Rebuilds: a changed lesson re-renders only its own pieces, and a rebuild equals a clean build.

Each test builds a small course twice into the same doctree folder (where Sphinx keeps its
environment and the PDF builder its cache of renders), as `make` does after an edit.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace

from boxes import dest_page
from conftest import BASE_CONF, REFS, write_files
from lessonpack.pdf.pieces import PIECE_URL, UNKNOWN, link_piece
from test_print_packs import CONF, files
from textutil import normalise


def sphinx(src: Path, out: Path, doctrees: Path, builder: str, **overrides) -> tuple[str, str]:
    """One in-process build that keeps its environment; returns (status, warnings)."""
    status, warnings = io.StringIO(), io.StringIO()
    with docutils_namespace():
        app = Sphinx(
            str(src),
            str(src),
            str(out),
            str(doctrees),
            builder,
            confoverrides=overrides,
            status=status,
            warning=warnings,
            freshenv=False,
            keep_going=True,
        )
        app.build()
    return status.getvalue(), warnings.getvalue()


def course(root: Path) -> Path:
    src = root / "src"
    (src).mkdir(parents=True)
    (src / "conf.py").write_text(BASE_CONF + CONF, encoding="utf-8")
    (src / "refs.bib").write_text(REFS, encoding="utf-8")
    return write_files(
        src, {**files(), "bibliography.md": "# Bibliography\n\n```{bibliography}\n```\n"}
    )


def renders(status: str) -> dict[str, tuple[int, int]]:
    """From the build log: each PDF's (renders laid out, renders reused)."""
    found = re.findall(r"^(\S+\.pdf): \d+ pages \((\d+) laid out, (\d+) reused\)$", status, re.M)
    return {name: (int(new), int(old)) for name, new, old in found}


def test_a_changed_lesson_lays_out_only_the_pieces_and_packs_that_hold_it(tmp_path):
    src = course(tmp_path)
    doctrees = tmp_path / "doctrees"
    first, warnings = sphinx(
        src, tmp_path / "one", doctrees, "lessonpdf", lessonpack_edition="teacher"
    )
    assert warnings == ""
    cold = renders(first)
    assert set(cold) == {
        "t-teacher-a4.pdf",
        "packs/01-x-teacher-a4.pdf",
        "packs/02-x-teacher-a4.pdf",
    }
    assert all(new > 0 and old >= 0 for new, old in cold.values())

    lesson = src / "lessons" / "02-x.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("## Section 2.1", "A new sentence.\n\n## Section 2.1"), "utf-8")
    again, warnings = sphinx(
        src, tmp_path / "two", doctrees, "lessonpdf", lessonpack_edition="teacher"
    )
    assert warnings == ""
    warm = renders(again)
    # The book: only lesson 2's piece is laid out again (its page count did not change).
    assert warm["t-teacher-a4.pdf"][0] == 1
    assert warm["packs/02-x-teacher-a4.pdf"] == (1, 0)
    assert warm["packs/01-x-teacher-a4.pdf"] == (0, 1)
    one, two = tmp_path / "one", tmp_path / "two"
    same = (one / "packs/01-x-teacher-a4.pdf").read_bytes()
    assert (two / "packs/01-x-teacher-a4.pdf").read_bytes() == same
    book = PdfReader(two / "t-teacher-a4.pdf")
    assert "A new sentence." in "".join(page.extract_text() for page in book.pages)
    # Renders no build used any more are dropped from the cache: left are the book's six pieces
    # (its front twice: before and after the rest found its pages) and the two packs.
    cache = doctrees / "lessonpack-pdf"
    assert len(list(cache.glob("*.pdf"))) == len(list(cache.glob("*.json"))) == 6 + 1 + 2


@pytest.mark.parametrize("edition", ["teacher", "student"])
def test_one_process_and_two_write_the_same_bytes(tmp_path, edition):
    src = course(tmp_path)
    outputs = {}
    for jobs in (1, 2):
        out = tmp_path / f"out-{jobs}"
        _, warnings = sphinx(
            src,
            out,
            tmp_path / f"doctrees-{jobs}",
            "lessonpdf",
            lessonpack_edition=edition,
            lessonpack_pdf_jobs=jobs,
        )
        assert warnings == ""
        outputs[jobs] = {p.relative_to(out): p.read_bytes() for p in out.rglob("*.pdf")}
    assert len(outputs[1]) == 3
    assert outputs[1] == outputs[2]


def test_contents_numbers_are_the_pages_the_chapters_landed_on(tmp_path):
    src = course(tmp_path)
    out = tmp_path / "out"
    _, warnings = sphinx(src, out, tmp_path / "d", "lessonpdf", lessonpack_edition="teacher")
    assert warnings == ""
    pdf = out / "t-teacher-a4.pdf"
    contents = normalise(PdfReader(pdf).pages[1].extract_text())
    for n in (1, 2):
        page = dest_page(pdf, f"document-lessons/0{n}-x")
        assert page % 2 == 1
        assert re.search(rf"lesson{n}\.+{page}(?!\d)", contents), contents
    # Every folio is the page's own number (the pieces were numbered where they start).
    reader = PdfReader(pdf)
    for number, page in enumerate(reader.pages, 1):
        text = page.extract_text().strip()
        if number > 1 and text:
            assert text.split()[-1] == str(number) or re.search(rf"\b{number}\s*$", text)


def test_website_rebuild_drops_deleted_pages_and_renews_changed_navigation(tmp_path):
    src = tmp_path / "src"
    write_files(
        src,
        {
            "conf.py": BASE_CONF.replace('"sphinxcontrib.bibtex", ', "")
            + 'bibtex_bibfiles = []\nhtml_theme = "alabaster"\n',
            "index.md": "# Home\n\n```{toctree}\none\ntwo\nthree\n```\n",
            "one.md": "# First page\n\nText.\n",
            "two.md": "# Second page\n\nText.\n",
            "three.md": "# Third page\n\nText.\n",
        },
    )
    out, doctrees = tmp_path / "html", tmp_path / "doctrees"
    _, warnings = sphinx(src, out, doctrees, "html")
    assert warnings == ""
    assert "Second page" in (out / "one.html").read_text(encoding="utf-8")

    (src / "three.md").unlink()
    (src / "index.md").write_text("# Home\n\n```{toctree}\none\ntwo\n```\n", encoding="utf-8")
    (src / "two.md").write_text("# Renamed page\n\nText.\n", encoding="utf-8")
    _, warnings = sphinx(src, out, doctrees, "html")
    assert warnings == ""
    assert not (out / "three.html").exists()
    one = (out / "one.html").read_text(encoding="utf-8")
    assert "Renamed page" in one and "Second page" not in one


def test_links_out_of_a_piece_point_at_the_merge_and_show_known_pages():
    text = (
        '<nav class="lp-contents" aria-label="Contents"><ul>'
        '<li><a class="reference internal" href="#here">Here</a></li>'
        '<li><a class="reference internal" href="#ch-2">Chapter 2</a></li>'
        '<li><a class="reference internal" href="#ch-3">Chapter 3</a></li></ul></nav>'
        '<p id="here">See <a class="reference internal" href="#ch-2">chapter 2</a> and '
        '<a class="lp-pageref" href="#ch-3">page </a>.</p>'
    )
    linked = link_piece(text, {"here"}, {"ch-2": 14})
    assert '<a class="reference internal" href="#here">' in linked.text
    assert linked.text.count(f'href="{PIECE_URL}ch-2"') == 2
    assert f'href="{PIECE_URL}ch-2" data-page="14">Chapter 2' in linked.text
    # In running text a link shows no number; a page reference does, once it is known.
    assert f'href="{PIECE_URL}ch-2">chapter 2' in linked.text
    assert f'class="lp-pageref" href="{PIECE_URL}ch-3" data-page="{UNKNOWN}">' in linked.text
    assert linked.shown == {"ch-2": "14", "ch-3": UNKNOWN}
    assert linked.targets == {"ch-2", "ch-3"}


def test_a_changed_stylesheet_font_or_chart_changes_every_cache_key(tmp_path):
    from lessonpack.pdf.cache import RenderCache, code_salt, resources_digest

    (tmp_path / "_static").mkdir()
    (tmp_path / "_images").mkdir()
    (tmp_path / "_static" / "print.css").write_text("p { color: black }")
    (tmp_path / "_images" / "chart.svg").write_text("<svg/>")
    before = resources_digest(tmp_path)
    (tmp_path / "_images" / "chart.svg").write_text("<svg><rect/></svg>")
    after = resources_digest(tmp_path)
    assert before != after
    keys = {
        RenderCache(tmp_path / "c", code_salt() + digest).key("<p>x</p>", "a4", 1)
        for digest in (before, after)
    }
    assert len(keys) == 2
    cache = RenderCache(tmp_path / "c", code_salt() + after)
    # The paper and the first page number are part of the key; an unknown key is a miss.
    assert len({cache.key("<p>x</p>", p, n) for p in ("a4", "letter") for n in (1, 2)}) == 4
    assert cache.get(cache.key("<p>x</p>", "a4", 1)) is None
