"""The caches an edit relies on (PDF pieces, packs, slide decks and their figures): an edit then
its undo gives the bytes of the first build; a cached file changed since it was kept is never
used; pages that move after an edit are numbered where they landed.

Each test builds a small course in process into one doctree folder (Sphinx's environment and
the caches beside it), each build into an empty output folder, as `make` does.
"""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader

from boxes import dest_page
from test_incremental import course, renders, sphinx
from textutil import normalise

LESSON = Path("lessons") / "01-x.md"
LONG = "\n\n".join(
    f"Added paragraph {n}: the harvest figures were raised again at every level." * 3
    for n in range(40)
)


def grown(text: str) -> str:
    """Lesson 1 with pages more of reading."""
    return text.replace("## Section 1.1", f"{LONG}\n\n## Section 1.1")


def outputs(folder: Path) -> dict[str, bytes]:
    """Every PDF and PowerPoint file of an output folder, by path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.suffix in (".pdf", ".pptx")
    }


def build(src: Path, out: Path, doctrees: Path, builder: str, edition: str) -> str:
    status, warnings = sphinx(src, out, doctrees, builder, lessonpack_edition=edition)
    assert warnings == ""
    return status


def test_an_edit_then_its_undo_gives_the_bytes_of_the_first_build(tmp_path: Path):
    """PDFs (book, packs) and slide decks (PDF, PowerPoint): after an edit that moves every page
    after it and changes a question (on a slide), and the edit's undo, every file is the first
    build's, byte for byte."""
    src = course(tmp_path)
    lesson = src / LESSON
    text = lesson.read_text(encoding="utf-8")
    for builder, edition in (("lessonpdf", "teacher"), ("lessonslides", "student")):
        doctrees = tmp_path / f"doctrees-{builder}"
        first = tmp_path / f"{builder}-1"
        build(src, first, doctrees, builder, edition)
        kept = {p.name for p in (doctrees / "lessonpack-pdf").glob("*.pdf")}
        lesson.write_text(grown(text).replace("failed in lesson 1?", "failed first?"), "utf-8")
        edited = tmp_path / f"{builder}-2"
        build(src, edited, doctrees, builder, edition)
        if builder == "lessonslides":
            # Lesson 1's deck laid out again; lesson 2's copied whole from the kept decks
            # (slides/kept.py), so the render cache keeps only the render this build used.
            now = {p.name for p in (doctrees / "lessonpack-pdf").glob("*.pdf")}
            assert len(kept) == 2 and len(now) == 1 and not now & kept, (kept, now)
        lesson.write_text(text, encoding="utf-8")
        undone = tmp_path / f"{builder}-3"
        build(src, undone, doctrees, builder, edition)
        before, after = outputs(first), outputs(undone)
        assert before and after == before, builder
        assert outputs(edited) != before, builder


def test_a_cached_file_changed_since_it_was_kept_is_made_again(tmp_path: Path):
    """A kept render or figure whose bytes changed (by hand, or cut short by a crash) is a
    miss: the next build lays it out again and writes the bytes a clean build writes."""
    src = course(tmp_path)
    doctrees = tmp_path / "doctrees"
    build(src, tmp_path / "one", doctrees, "lessonpdf", "teacher")
    cache = doctrees / "lessonpack-pdf"
    kept = sorted(cache.glob("*.pdf"))
    assert kept
    for number, path in enumerate(kept):  # every kept render spoiled, its record left as it was
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2] if number % 2 else data + b"%spoiled\n")
    status = build(src, tmp_path / "two", doctrees, "lessonpdf", "teacher")
    # Every spoiled render this build used laid out again (those reused are the ones this build
    # made; it starts from the numbers the first settled on, so it needs fewer).
    used = sorted(cache.glob("*.pdf"))
    assert {p.name for p in used} <= {p.name for p in kept}
    assert sum(new for new, _reused in renders(status).values()) == len(used), status
    assert outputs(tmp_path / "two") == outputs(tmp_path / "one")

    from lessonpack.pdf.cache import PageCache

    figures = PageCache(tmp_path / "figures")
    made = figures.blob(b"<svg/>", ".png", lambda: b"PNG one")
    assert figures.blob(b"<svg/>", ".png", lambda: b"PNG two") == made  # kept
    (next((tmp_path / "figures").glob("*.png"))).write_bytes(b"spoiled")
    assert figures.blob(b"<svg/>", ".png", lambda: b"PNG two") == b"PNG two"


def test_pages_that_move_after_an_edit_are_numbered_where_they_landed(tmp_path: Path):
    """Lesson 1 grows by pages: lesson 2's piece starts later, and the contents, the folios and
    the destinations follow; the book is the one a clean build of the edited course writes."""
    src = course(tmp_path)
    doctrees = tmp_path / "doctrees"
    build(src, tmp_path / "one", doctrees, "lessonpdf", "teacher")
    before = dest_page(tmp_path / "one" / "t-teacher-a4.pdf", "document-lessons/02-x")
    lesson = src / LESSON
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(grown(text), "utf-8")
    build(src, tmp_path / "two", doctrees, "lessonpdf", "teacher")
    pdf = tmp_path / "two" / "t-teacher-a4.pdf"
    after = dest_page(pdf, "document-lessons/02-x")
    assert after > before + 1 and after % 2 == 1
    reader = PdfReader(pdf)
    contents = normalise(reader.pages[1].extract_text())
    assert re.search(rf"lesson2\.+{after}(?!\d)", contents), contents
    for number, page in enumerate(reader.pages, 1):
        words = page.extract_text().split()
        if number > 1 and words:
            assert words[-1] == str(number), (number, words[-5:])
    build(src, tmp_path / "clean", tmp_path / "fresh-doctrees", "lessonpdf", "teacher")
    assert outputs(tmp_path / "two") == outputs(tmp_path / "clean")


def kept(status: str) -> list[str]:
    """The outputs whose HTML a build took from an earlier one (pdf/reuse.py)."""
    return sorted(re.findall(r"^(\S+\.html): HTML kept from an earlier build$", status, re.M))


def test_a_pack_whose_documents_did_not_change_is_not_assembled_again(tmp_path: Path):
    """After an edit of lesson 1's reading, lesson 2's pack is the HTML of the last build; after
    a new title for lesson 1 (which any page may show), no pack is reused; the PDFs are those a
    clean build of the edited course writes."""
    src = course(tmp_path)
    doctrees = tmp_path / "doctrees"
    assert kept(build(src, tmp_path / "one", doctrees, "lessonpdf", "teacher")) == []
    lesson = src / LESSON
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(grown(text), "utf-8")
    assert kept(build(src, tmp_path / "two", doctrees, "lessonpdf", "teacher")) == ["02-x.html"]
    lesson.write_text(grown(text).replace("# Lesson 1", "# The first lesson"), "utf-8")
    assert kept(build(src, tmp_path / "three", doctrees, "lessonpdf", "teacher")) == []
    build(src, tmp_path / "clean", tmp_path / "fresh", "lessonpdf", "teacher")
    assert outputs(tmp_path / "three") == outputs(tmp_path / "clean")
