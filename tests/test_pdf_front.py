"""A long front of the book laid out in pieces of a bounded number of entries (pdf/front.py):
the same contents and worksheet list as one piece, every printed page number where its target
landed, no piece over the limit."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup
from docutils import nodes
from pypdf import PdfReader

from boxes import dest_page
from lessonpack.check.pdfua import page_failures, pdfua_failures
from lessonpack.pdf.front import count_entries, split_contents, split_front
from test_edit_cache import build
from test_incremental import course

LIMIT = 5
ANSWER_KEY_LINE = 1  # the contents end with the answer key's line, which no limit counts


def front_pieces(out: Path) -> list[BeautifulSoup]:
    """The front's pieces, in the book's order (the builder's record of the job)."""
    names = sorted((out / "_book").glob("000*.html"), key=lambda p: (p.stem != "000", p.stem))
    return [BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser") for p in names]


def listed(pieces: list[BeautifulSoup]) -> list[tuple[str, str]]:
    """Every line of the contents and the worksheet list: (its words, its target)."""
    return [
        (a.get_text(" ", strip=True), a["href"][1:])
        for piece in pieces
        for nav in piece.find_all("nav")
        for a in nav.find_all("a")
    ]


def with_limit(src: Path, limit: int) -> None:
    conf = src / "conf.py"
    text = re.sub(r"\nlessonpack_pdf_front_entries = \d+\n", "\n", conf.read_text("utf-8"))
    conf.write_text(f"{text}\nlessonpack_pdf_front_entries = {limit}\n", "utf-8")


def test_a_long_front_in_pieces_lists_the_same_lines_each_numbered_where_it_landed(tmp_path):
    src = course(tmp_path)
    with_limit(src, 0)
    build(src, tmp_path / "whole", tmp_path / "dt-whole", "lessonpdf", "teacher")
    with_limit(src, LIMIT)
    build(src, tmp_path / "split", tmp_path / "dt-split", "lessonpdf", "teacher")
    whole, split = front_pieces(tmp_path / "whole"), front_pieces(tmp_path / "split")
    assert len(whole) == 1 and len(split) > 2
    # The same lines in the same order, each to the same target.
    assert listed(split) == listed(whole) and len(listed(whole)) > 2 * LIMIT
    for piece in split:
        lines = sum(len(nav.find_all("li")) for nav in piece.find_all("nav"))
        assert 0 < lines <= LIMIT + ANSWER_KEY_LINE
    # One cover, one heading per list; a list continued names itself in the running head.
    assert [len(p.select(".lp-cover")) for p in split] == [1] + [0] * (len(split) - 1)
    headings = [h.get_text() for p in split for h in p.select("h1.lp-contents-title")]
    assert headings == ["Contents", "Worksheets"]
    more = [n["data-title"] for p in split for n in p.select("nav.lp-contents-more")]
    assert set(more) == {"Contents"} and len(more) == len(split) - 2
    # The root page's own text once, on the last piece.
    assert [bool(p.main.get_text(strip=True)) for p in split] == [False] * (len(split) - 1) + [True]
    # Every printed number is the page its line's target landed on in the merged book.
    pdf = tmp_path / "split" / "t-teacher-a4.pdf"
    reader = PdfReader(pdf)
    front = len(split) + 2  # at most: a page or two more for the cover and the root's text
    text = "\n".join(reader.pages[i].extract_text() for i in range(1, front))
    position = 0
    for words, target in listed(split):
        match = re.compile(re.escape(words) + r"[ .]*?(\d+)\s*$", re.M).search(text, position)
        assert match, (words, text)
        assert int(match[1]) == dest_page(pdf, target), words
        position = match.end()
    # Still PDF/UA-1 by the gate's two checkers.
    assert page_failures(pdf) == []
    assert pdfua_failures(pdf)[0] == []


def _contents(sizes: list[int]) -> nodes.Element:
    """A contents tree: a caption, then a list of top-level entries with ``size - 1`` below each."""
    toc = nodes.container()
    toc += nodes.paragraph(text="Lessons")
    top = nodes.bullet_list()
    for number, size in enumerate(sizes):
        item = nodes.list_item("", nodes.paragraph(text=f"entry {number}"))
        if size > 1:
            below = nodes.bullet_list()
            below.extend(nodes.list_item("", nodes.paragraph(text="s")) for _ in range(size - 1))
            item += below
        top += item
    toc += top
    return toc


def test_pieces_are_cut_between_top_level_entries_and_never_hold_more_than_the_limit():
    toc = _contents([3, 3, 1, 7, 2, 2])
    assert split_contents(toc, 100) == [toc]
    chunks = split_contents(toc, 6)
    # 3+3 | 1 | 7 (longer than the limit: alone) | 2+2
    assert [count_entries(c) for c in chunks] == [6, 1, 7, 4]
    firsts = [c.next_node(nodes.paragraph).astext() for c in chunks]
    assert firsts == ["Lessons", "entry 2", "entry 3", "entry 4"]  # the caption once, first
    assert sum(count_entries(c) for c in chunks) == count_entries(toc)
    # The front: contents, then worksheets, the cover first and the root's text last.
    sheets = [object()] * 5
    pieces = split_front(toc, sheets, 6)  # type: ignore[arg-type]
    assert [p.entries for p in pieces] == [6, 1, 7, 4, 5]
    assert [p.cover for p in pieces] == [True, False, False, False, False]
    assert [p.body for p in pieces] == [False, False, False, False, True]
    assert [p.contents_last for p in pieces[:4]] == [False, False, False, True]
    assert [p.entries for p in split_front(toc, sheets, 0)] == [23]  # 0: one piece
    assert len(split_front(toc, sheets, 23)) == 1 and len(split_front(toc, sheets, 22)) > 1
