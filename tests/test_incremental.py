"""Rebuilds: a changed lesson re-renders only its own pieces, and a rebuild equals a clean build.

The PDF tests build a small course twice into the same doctree folder (where Sphinx keeps its
environment and the PDF builder its cache of renders), as `make` does after an edit; the website
and EPUB tests run `make` itself on a small course, edit it, and compare with a clean build.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from docutils import nodes
from pypdf import PdfReader

from boxes import dest_page
from conftest import BASE_CONF, REFS, make, make_env, snapshot, sphinx_app, write_files
from lessonpack.pagereuse import RECORD_NAME
from lessonpack.pdf.pieces import ELSEWHERE, ids_in, mark_links, numbers_css
from test_bad_input import LESSON_DOC, full_course, write
from test_print_packs import CONF, files
from textutil import normalise


def sphinx(src: Path, out: Path, doctrees: Path, builder: str, **overrides) -> tuple[str, str]:
    """One in-process build that keeps its environment; returns (status, warnings)."""
    _app, status, warnings = sphinx_app(src, out, doctrees, builder, freshenv=False, **overrides)
    return status, warnings


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
    # Renders no build used any more are dropped from the cache: left are the book's eight
    # pieces (each lesson's worksheet one of its own), each laid out once (the first round
    # started from the numbers the last build settled on), and the two packs (laid out whole:
    # lessonpack_pdf_pack_pieces is off); for the book, those numbers and the merged PDF.
    cache = doctrees / "lessonpack-pdf"
    records = [p for p in cache.glob("*.json") if not p.name.startswith("chunk-")]
    assert len(list(cache.glob("*.pdf"))) == 8 + 2
    assert len(list(cache.glob("*.numbers"))) == len(list(cache.glob("*.merged"))) == 1
    assert len(records) == 8 + 2 + 1 + 1
    # And the merge's chunk of each of the book's pieces, as the book uses them now.
    assert len(list(cache.glob("chunk-*.chunk"))) == len(list(cache.glob("chunk-*.json"))) == 8


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


# A rebuild equals a clean build ----------------------------------------------------------------
# `make` keeps each build's environment (reading is the slow part) but writes every page of the
# website and the EPUB into an empty output folder. These tests edit a small course in every way
# that touches other pages (a glossary term, a title, a deleted page, text moved into a teacher
# note) and compare what `make` publishes after the edit with a clean build of the edited source,
# file by file, byte for byte (the search index included).

EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}


def editable_course() -> dict[str, str | bytes]:
    files = full_course()
    files["index.md"] = (
        "# Course\n\n```{toctree}\nlessons/one\nextra\nglossary\nbibliography\n```\n"
    )
    files["extra.md"] = "# Extra page\n\nLife in a {term}`commune` was hard.\n"
    files[LESSON_DOC] = str(files[LESSON_DOC]).replace(
        "Students read this paragraph",
        "Quokka farmers planted wheat. Cadres exaggerated the yield figures.\n\n"
        "Students read this paragraph",
    )
    return files


def edit(src: Path) -> None:
    """Change a glossary term and a title, delete a page and a word, move a sentence."""
    lesson = src / LESSON_DOC
    text = lesson.read_text(encoding="utf-8")
    text = text.replace(":key-terms: commune", ":key-terms: rural commune")
    text = text.replace("# Lesson one", "# The first lesson")
    text = text.replace("Quokka farmers", "Farmers")
    text = text.replace(" Cadres exaggerated the yield figures.", "")
    text = text.replace(
        "NOTE-SECRET-BRAVO", "Cadres exaggerated the yield figures. NOTE-SECRET-BRAVO"
    )
    lesson.write_text(text, encoding="utf-8")
    glossary = src / "glossary.md"
    glossary.write_text(
        glossary.read_text(encoding="utf-8").replace("commune\n", "rural commune\n"), "utf-8"
    )
    (src / "extra.md").unlink()
    index = src / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("extra\n", ""), "utf-8")


def make_ok(base: Path, *goals: str) -> str:
    run = make(base, *goals, env={**make_env(), **EPOCH})
    out, _ = run.communicate(timeout=600)
    assert run.returncode == 0, out
    return out


def differing(one: Path, two: Path) -> list[str]:
    """Files of two folders that differ in bytes, or are in only one."""
    a, b = snapshot(one), snapshot(two)
    return sorted(name for name in a.keys() | b.keys() if a.get(name) != b.get(name))


def clean_build_of(src: Path, base: Path, *goals: str) -> Path:
    shutil.copytree(src, base / "src")
    make_ok(base, *goals)
    return base / "dist"


def test_an_edited_course_rebuilds_to_the_bytes_of_a_clean_build(tmp_path: Path):
    one = tmp_path / "one"
    write(one / "src", editable_course())
    make_ok(one, "html", "epub")
    index = (one / "dist" / "html" / "searchindex.js").read_text(encoding="utf-8")
    assert "quokka" in index and "commune" in index
    edit(one / "src")
    make_ok(one, "html", "epub")
    clean = clean_build_of(one / "src", tmp_path / "clean", "html", "epub")
    assert differing(one / "dist", clean) == []
    index = (one / "dist" / "html" / "searchindex.js").read_text(encoding="utf-8")
    assert "rural commune" in index  # the glossary entry, found by the search
    assert "quokka" not in index and "exagger" not in index  # the deleted word, the moved text
    assert not (one / "dist" / "html" / "extra.html").exists()


def test_a_failed_build_then_fixed_publishes_what_a_clean_build_does(tmp_path: Path):
    one = tmp_path / "one"
    write(one / "src", editable_course())
    make_ok(one, "html", "epub")
    edit(one / "src")
    # The same edit with a mistake in it (a term the glossary lacks): the build fails. The author
    # fixes it in another file (adds the term to the glossary), so the lesson is not read again.
    lesson = one / "src" / LESSON_DOC
    lesson.write_text(
        lesson.read_text(encoding="utf-8").replace(
            "Farmers planted", "Farmers ({term}`cadre`s) planted"
        ),
        "utf-8",
    )
    run = make(one, "html", "epub", env={**make_env(), **EPOCH})
    out, _ = run.communicate(timeout=600)
    assert run.returncode != 0 and "cadre" in out, out
    # A build that warned leaves no page to reuse (its pages are not what a clean build writes).
    assert not (one / "build" / "student" / "html-doctrees" / RECORD_NAME).exists()
    glossary = one / "src" / "glossary.md"
    text = glossary.read_text(encoding="utf-8")
    new_term = "  A large farm.\n\ncadre\n  A party official.\n"
    glossary.write_text(text.replace("  A large farm.\n", new_term), "utf-8")
    make_ok(one, "html", "epub")
    clean = clean_build_of(one / "src", tmp_path / "clean", "html", "epub")
    assert "term-cadre" in (one / "dist" / "html" / "lessons" / "one.html").read_text()
    assert differing(one / "dist", clean) == []


# Pages kept from the last build (lessonpack.pagereuse): `make` moves each website's and the
# EPUB's output folder aside and copies from it the pages whose inputs did not change.
WEB = ("html", "teacher-html", "epub")
WEB_DOCTREES = ("student/html-doctrees", "teacher/html-doctrees", "student/epub-doctrees")


def reused(base: Path) -> dict[str, list[str]]:
    """For each web build of the last `make`: the pages it copied from the build before."""
    found = {}
    for doctrees in WEB_DOCTREES:
        record = json.loads((base / "build" / doctrees / RECORD_NAME).read_text("utf-8"))
        found[doctrees] = sorted(name for name, page in record["pages"].items() if page["reused"])
    return found


def test_a_sentence_edit_rewrites_its_page_only_and_equals_a_clean_build(tmp_path: Path):
    one = tmp_path / "one"
    write(one / "src", editable_course())
    make_ok(one, *WEB)
    first = snapshot(one / "dist")
    assert all(pages == [] for pages in reused(one).values())  # a first build writes every page
    lesson = one / "src" / LESSON_DOC
    text = lesson.read_text(encoding="utf-8")
    # A sentence changed and one added as a paragraph: the lines below it move (a citation's
    # line is in the bibliography's data, but no page shows it).
    edited = text.replace("planted wheat.", "planted rice.\n\nThe rice failed.")
    lesson.write_text(edited, "utf-8")
    make_ok(one, *WEB)
    others = ["bibliography", "extra", "glossary", "index"]
    assert reused(one) == dict.fromkeys(WEB_DOCTREES, others)
    assert "planted rice" in (one / "dist/html/lessons/one.html").read_text("utf-8")
    assert not list((one / "build").glob("*/*.prev"))  # the old folders are removed after
    clean = clean_build_of(one / "src", tmp_path / "clean", *WEB)
    assert differing(one / "dist", clean) == []  # search index, pages, EPUB: byte for byte
    # Undone: the first build's bytes.
    lesson.write_text(text, "utf-8")
    make_ok(one, *WEB)
    assert snapshot(one / "dist") == first
    # A title is shown by every page (the sidebar, the next and previous links): none is kept.
    lesson.write_text(text.replace("# Lesson one", "# The first lesson"), "utf-8")
    make_ok(one, *WEB)
    assert all(pages == [] for pages in reused(one).values())
    for page in ("index", "extra", "glossary", "bibliography"):
        for site in ("html", "teacher-html"):
            assert "The first lesson" in (one / "dist" / site / f"{page}.html").read_text("utf-8")


def test_links_out_of_a_piece_are_marked_on_the_doctree_and_numbered_by_a_stylesheet():
    para = nodes.paragraph(ids=["here"])
    para += nodes.reference("", "Here", refid="here")
    para += nodes.reference("", "chapter 2", refuri="#ch-2", internal=True)
    para += nodes.reference("", "page ", refuri="#ch-3", internal=True, classes=["lp-pageref"])
    para += nodes.reference("", "a site", refuri="https://example.org/#ch-4")
    own = ids_in(para)
    assert own == {"here"}
    targets, shown = mark_links(para, own)
    assert targets == {"ch-2", "ch-3"}
    # In running text a link shows no number; a page reference does.
    assert shown == {"ch-3"}
    assert [ELSEWHERE in r["classes"] for r in para.findall(nodes.reference)] == [
        False,
        True,
        True,
        False,
    ]
    # Every link of the contents shows its page.
    assert mark_links(para.deepcopy(), own, all_shown=True)[1] == {"ch-2", "ch-3"}
    # Known pages become counters of the links; an unknown one waits for the next round.
    css = numbers_css({"ch-2", "ch-3"}, {"ch-2": 14, "here": 1})
    assert css == 'a.lp-elsewhere[href="#ch-2"] { counter-reset: lp-page 14; }'


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
