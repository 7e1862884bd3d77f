"""The book assembled one part at a time (pdf/bookparts.py): an edit assembles only the part it
changed, the HTML and PDFs are those a clean build writes, and the builder never holds more than
one part's documents while it writes.
"""

from __future__ import annotations

import gc
import re
from pathlib import Path

from sphinx import addnodes

from lessonpack.pdf import builder as pdf_builder
from test_edit_cache import LESSON, build, outputs
from test_incremental import course


def assembled(status: str) -> tuple[int, int]:
    """From the build log: the book's parts assembled and kept from an earlier build."""
    found = re.findall(r"book: (\d+) parts assembled, (\d+) kept from an earlier build", status)
    assert len(found) == 1, status
    return int(found[0][0]), int(found[0][1])


def pieces(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "_book").glob("*.html"))}


def test_an_edit_assembles_only_its_part_and_writes_what_a_clean_build_writes(tmp_path: Path):
    """A sentence added to lesson 1: of the book's four parts (lessons 1 and 2, the front
    matter and the bibliography the root's toctree names), only lesson 1's is assembled again.
    Then a new section in lesson 1, a new id of the book (any part may be renamed after it):
    the other parts' ids are read from their records, but every part is written again, each
    assembled as it was. Each time, every piece's HTML and every PDF are a clean build's of the
    edited course, byte for byte."""
    src = course(tmp_path)
    doctrees = tmp_path / "doctrees"
    assert assembled(build(src, tmp_path / "one", doctrees, "lessonpdf", "teacher")) == (4, 0)
    assert assembled(build(src, tmp_path / "same", doctrees, "lessonpdf", "teacher")) == (0, 4)
    assert pieces(tmp_path / "same") == pieces(tmp_path / "one")
    lesson = src / LESSON
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("## Section 1.1", "One more sentence.\n\n## Section 1.1"))
    assert assembled(build(src, tmp_path / "two", doctrees, "lessonpdf", "teacher")) == (1, 3)
    build(src, tmp_path / "clean", tmp_path / "fresh", "lessonpdf", "teacher")
    edited, clean = pieces(tmp_path / "two"), pieces(tmp_path / "clean")
    assert edited == clean and edited != pieces(tmp_path / "one")
    assert outputs(tmp_path / "two") == outputs(tmp_path / "clean")
    lesson.write_text(text.replace("## Section 1.1", "## A new section\n\nNew.\n\n## Section 1.1"))
    assert assembled(build(src, tmp_path / "three", doctrees, "lessonpdf", "teacher")) == (4, 0)
    build(src, tmp_path / "clean2", tmp_path / "fresh2", "lessonpdf", "teacher")
    assert pieces(tmp_path / "three") == pieces(tmp_path / "clean2")
    assert outputs(tmp_path / "three") == outputs(tmp_path / "clean2")


def test_the_builder_holds_one_parts_documents_at_a_time(tmp_path: Path, monkeypatch):
    """When each piece of the book is written, the documents in memory (inlined chapters, alive
    anywhere in the process) are those of that piece only: never the whole book's tree."""
    src = course(tmp_path)
    alive: list[set[str]] = []
    write_html = pdf_builder.PdfBuilder.write_html

    def counting(self, page, book, tree, outfile, **extra):
        if page.output.mode == "book":
            gc.collect()
            chapters = {
                o["docname"] for o in gc.get_objects() if isinstance(o, addnodes.start_of_file)
            }
            alive.append(chapters)
        return write_html(self, page, book, tree, outfile, **extra)

    monkeypatch.setattr(pdf_builder.PdfBuilder, "write_html", counting)
    build(src, tmp_path / "out", tmp_path / "doctrees", "lessonpdf", "teacher")
    lessons = [chapters & {"lessons/01-x", "lessons/02-x"} for chapters in alive]
    assert len(alive) >= 5  # four parts and the front (and the answer key)
    assert {"lessons/01-x"} in lessons and {"lessons/02-x"} in lessons
    assert all(len(found) <= 1 for found in lessons), alive
