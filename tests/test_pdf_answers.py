"""A long answer key laid out in pieces of a bounded number of entries (pdf/answers.py): the
same text, page numbers, links and outline as the key in one piece, a piece cut between the
book's parts (a part with more entries than the limit between its worksheets), each continued
piece naming the key in its running head; PDF/UA-1 still."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pikepdf
from bs4 import BeautifulSoup
from docutils import nodes
from pypdf import PdfReader

from boxes import dest_page
from conftest import BASE_CONF, REFS, write_files
from lessonpack.check.pdfua import page_failures, pdfua_failures
from lessonpack.pdf.answers import split_entries
from lessonpack.pdf.builder import JOBS_FILE
from test_edit_cache import build
from test_print_packs import CONF, PARAGRAPH, lesson
from textutil import normalise, pdf_pages

LIMIT = 3
SOLUTIONS = {1: 2, 2: 4, 3: 1}  # lesson: its worksheet's exercises, each with a solution
BOOK = "t-teacher-a4.pdf"


def worksheet(n: int, count: int) -> str:
    exercises = "\n".join(
        f"""
::::{{exercise}} Task {n}.{k}
:kind: worksheet

:::{{question}}
:lines: 2
Compare source {n}.{k}.

```{{answer}}
They disagree on {n}.{k}.
```
:::

:::{{solution}}
Marking notes {n}.{k}: {PARAGRAPH * (1 + k % 2)}
:::
::::
"""
        for k in range(1, count + 1)
    )
    return f"# Worksheet {n}\n{exercises}"


def course(root: Path, limit: int) -> Path:
    lessons = [f"lessons/0{n}-x" for n in SOLUTIONS]
    index = "# Index\n\n```{toctree}\n" + "\n".join(lessons) + "\n```\n"
    conf = f"{BASE_CONF}{CONF}\nlessonpack_pdf_answer_entries = {limit}\n"
    files = {
        "conf.py": conf,
        "refs.bib": REFS,
        "index.md": index,
        **{f"lessons/0{n}-x.md": lesson(n) for n in SOLUTIONS},
        **{f"exercises/0{n}-x.md": worksheet(n, k) for n, k in SOLUTIONS.items()},
    }
    return write_files(root / "src", files)


def key_pieces(out: Path) -> list[BeautifulSoup]:
    """The answer key's pieces, in the book's order (the builder's record of the job)."""
    job = next(
        j for j in json.loads((out / JOBS_FILE).read_text("utf-8")) if j["target"].endswith(BOOK)
    )
    pages = [BeautifulSoup((out / p).read_text("utf-8"), "html.parser") for p in job["pieces"]]
    return [p for p in pages if p.select("main section.lp-answer-key")]


def entries(piece: BeautifulSoup) -> list[str]:
    return [e["id"] for e in piece.select(".lp-answer-entry")]


def links(pdf: Path) -> list[tuple[int, str, int]]:
    """Every link annotation to a named destination: (its page, the name, the target's page)."""
    found = []
    with pikepdf.open(pdf) as doc:
        names = {}
        tree = pikepdf.NameTree(doc.Root.Names.Dests)
        pages = {page.objgen: n for n, page in enumerate(doc.pages, 1)}
        for name, dest in tree.items():
            names[name] = pages[dest[0].objgen]
        for number, page in enumerate(doc.pages, 1):
            for annot in page.get("/Annots", []):
                if annot.get("/Subtype") != "/Link":
                    continue
                target = annot.get("/Dest")
                if target is None and "/A" in annot:
                    target = annot.A.get("/D")
                if isinstance(target, pikepdf.String):
                    found.append((number, str(target), names[str(target)]))
    return found


def outline(pdf: Path) -> list[str]:
    with pikepdf.open(pdf) as doc, doc.open_outline() as tree:
        return [item.title for item in tree.root]


def key_text(pdf: Path) -> str:
    start = dest_page(pdf, "lp-answer-key")
    return normalise("\n".join(pdf_pages(pdf)[start - 1 :]))


def test_a_long_answer_key_in_pieces_reads_links_and_numbers_as_one_piece(tmp_path):
    whole = tmp_path / "whole"
    build(course(whole, 0), whole / "out", whole / "dt", "lessonpdf", "teacher")
    split = tmp_path / "split"
    build(course(split, LIMIT), split / "out", split / "dt", "lessonpdf", "teacher")
    one, pieces = key_pieces(whole / "out"), key_pieces(split / "out")
    # Cut between parts while they fit: lesson 1's two, lesson 2's four cut 3 + 1, then lesson
    # 3's one with lesson 2's last.
    assert [len(entries(p)) for p in one] == [7]
    assert [len(entries(p)) for p in pieces] == [2, 3, 2]
    assert [e for p in pieces for e in entries(p)] == entries(one[0])
    # One heading; a continued piece names the key in its running head.
    assert [len(p.select("h1")) for p in pieces] == [1, 0, 0]
    more = [s.get("data-title") for p in pieces for s in p.select("section.lp-answer-key-more")]
    assert more == ["Answer key", "Answer key"]
    a, b = whole / "out" / BOOK, split / "out" / BOOK
    # The same text, the same outline (one bookmark for the key).
    assert key_text(a) == key_text(b) and "markingnotes2.4" in key_text(b)
    assert outline(a) == outline(b) and outline(b).count("Answer key") == 1
    # Every link goes to the same destination, found on the page it landed on; each exercise's
    # pointer to its entry lands where the entry is, each entry's "page N" is its exercise's.
    assert sorted(name for _, name, _ in links(a)) == sorted(name for _, name, _ in links(b))
    start = dest_page(b, "lp-answer-key")
    reader = PdfReader(b)
    for number, name, target in links(b):
        assert target == dest_page(b, name)
        if name.startswith("lp-answers-"):
            assert target >= start and number < start
    text = "\n".join(reader.pages[i].extract_text() for i in range(start - 1, len(reader.pages)))
    printed = re.findall(r"(Task \d\.\d), page (\d+)", text)
    assert len(printed) == 7
    for task, page in printed:
        question = task.replace("Task", "Compare source")  # the exercise's own text
        exercise = next(
            p for p in range(1, start) if question in reader.pages[p - 1].extract_text()
        )
        assert int(page) == exercise
    assert printed == re.findall(
        r"(Task \d\.\d), page (\d+)",
        "\n".join(p.extract_text() for p in PdfReader(a).pages[start - 1 :]),
    )
    # Each piece from a new page, every page of the key headed "Answer key".
    for page in reader.pages[start - 1 :]:
        assert "Answer key" in page.extract_text()
    for entry in (pieces[1], pieces[2]):
        first = entries(entry)[0]
        assert dest_page(b, first) > dest_page(b, entries(pieces[0])[-1])
    # Still PDF/UA-1 by the gate's two checkers.
    assert page_failures(b) == []
    assert pdfua_failures(b)[0] == []


def test_entries_are_cut_between_parts_and_never_more_than_the_limit():
    def group(n: int) -> list[nodes.Element]:
        return [nodes.container(ids=[f"e{len(seen)}"]) for _ in range(n) if not seen.append(1)]

    seen: list[int] = []
    groups = [group(0), group(2), group(4), group(1), group(3), group(7)]
    sizes = [len(p) for p in split_entries(groups, 3)]
    # 2 | 4 cut 3 + 1, then 1 with it | 3 | 7 cut 3 + 3 + 1
    assert sizes == [2, 3, 2, 3, 3, 3, 1]
    flat = [e for g in groups for e in g]
    assert [e for p in split_entries(groups, 3) for e in p] == flat
    assert split_entries(groups, 0) == [flat] == split_entries(groups, len(flat))
    assert len(split_entries(groups, len(flat) - 1)) > 1
    assert split_entries([[], []], 3) == []
