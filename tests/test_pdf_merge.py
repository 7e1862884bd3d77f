"""The merge of a book's pieces streams: its memory does not grow with the book."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pikepdf

from lessonpack.pdf.render import render_html

# A piece of ten sections, each with headings, paragraphs and a link: many structure elements.
PAGE = '<h1 id="h{n}">Part {n}</h1>' + "<p>Words of a paragraph, <a href='#h0'>a link</a>.</p>" * 30
HTML = (
    '<!DOCTYPE html><html lang="en"><head><title>Piece</title></head><body>'
    + "".join(
        f'<section style="break-before: page">{PAGE.format(n=n)}</section>' for n in range(10)
    )
    + "</body></html>"
)


def merge_peak_kb(parts: list[Path], target: Path) -> int:
    """Merge in a process of its own; return that process's peak memory (KB)."""
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from lessonpack.pdf.merge import merge_pdfs\n"
        "merge_pdfs([Path(p) if p else None for p in json.loads(sys.argv[1])], Path(sys.argv[2]))\n"
        # The peak of this process's memory (getrusage would count the pytest it was forked from).
        "print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])\n"
    )
    names = json.dumps([str(p) if p else "" for p in parts])
    done = subprocess.run(
        [sys.executable, "-c", code, names, str(target)], capture_output=True, text=True, check=True
    )
    return int(done.stdout.split()[-1])


def test_merge_memory_stays_flat_and_the_book_is_whole(tmp_path: Path):
    piece = tmp_path / "piece.pdf"
    render_html(tmp_path, HTML, "a4", piece)
    small = merge_peak_kb([piece] * 2, tmp_path / "small.pdf")
    big = merge_peak_kb([piece, None] * 30, tmp_path / "big.pdf")
    # 30 pieces hold 600 pages and about 20,000 structure elements more than 2: read whole, as
    # qpdf does, they would take more than 60 MB more.
    assert big - small < 15_000, (small, big)
    with pikepdf.open(piece) as one:
        pages = len(one.pages)
    with pikepdf.open(tmp_path / "big.pdf") as book:
        assert book.check_pdf_syntax() == []
        assert len(book.pages) == 30 * (pages + 1)  # a piece and a blank page, 30 times
        tree = book.Root.StructTreeRoot
        assert [str(part.S) for part in tree.K[0].K] == ["/Part"] * 30
        nums = tree.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        assert keys == sorted(set(keys)) and int(tree.ParentTreeNextKey) == keys[-1] + 1
        assert str(book.Root.Outlines.First.Title) == "Part 0"
        names = book.Root.Names.Dests.Names
        assert [str(names[i]) for i in range(0, len(names), 2)] == [f"h{n}" for n in range(10)]
    # The same pieces merge to the same bytes.
    merge_peak_kb([piece, None] * 30, tmp_path / "again.pdf")
    assert (tmp_path / "again.pdf").read_bytes() == (tmp_path / "big.pdf").read_bytes()


def test_a_piece_that_did_not_move_is_copied_from_its_kept_chunk(tmp_path: Path):
    """Each piece's chunk of the book (its objects renumbered) is kept by the piece's bytes and
    where its numbers start: after one piece changed by a few words, the pieces before and
    after it are copied as they were, and the book is, byte for byte, the one a merge without
    any kept chunk writes."""
    from lessonpack.pdf.merge import merge_pdfs

    long, short, edited = (tmp_path / f"{n}.pdf" for n in ("long", "short", "edited"))
    render_html(tmp_path, HTML, "a4", long)
    small = '<!DOCTYPE html><html lang="en"><body><h1 id="s">Short</h1><p>{}</p></body></html>'
    render_html(tmp_path, small.format("A few words."), "a4", short)
    render_html(tmp_path, small.format("A few more words."), "a4", edited)
    cache = tmp_path / "chunks"
    cache.mkdir()
    first = merge_pdfs([long, None, short, long], tmp_path / "one.pdf", cache)
    assert len(first) == 3 and len(list(cache.glob("*.chunk"))) == 3
    second = merge_pdfs([long, None, edited, long], tmp_path / "two.pdf", cache)
    assert len(second) == 3 and len(first & second) == 2  # only the edited piece made again
    assert len(list(cache.glob("*.chunk"))) == 4
    merge_pdfs([long, None, edited, long], tmp_path / "fresh.pdf")
    assert (tmp_path / "two.pdf").read_bytes() == (tmp_path / "fresh.pdf").read_bytes()
    # A kept chunk changed since (by hand, or cut short) is made again.
    for path in cache.glob("*.chunk"):
        path.write_bytes(path.read_bytes()[:100])
    merge_pdfs([long, None, edited, long], tmp_path / "three.pdf", cache)
    assert (tmp_path / "three.pdf").read_bytes() == (tmp_path / "fresh.pdf").read_bytes()
    with pikepdf.open(long) as one:
        pages = len(one.pages)
    with pikepdf.open(tmp_path / "two.pdf") as book:
        assert book.check_pdf_syntax() == []
        assert len(book.pages) == 2 * pages + 2  # the long piece twice, a blank, the short one
        names = book.Root.Names.Dests.Names
        assert "s" in [str(names[i]) for i in range(0, len(names), 2)]


def test_the_merge_and_the_rendering_processes_do_not_load_sphinx():
    """The merge runs in a process of its own for every book: it (and a rendering process)
    imports the package's PDF modules without the builder, so without Sphinx (half a second)."""
    code = (
        "import sys\n"
        "import lessonpack.pdf.merge, lessonpack.pdf.jobs\n"
        "print(sorted(m for m in sys.modules if m.startswith(('sphinx.builders', 'sphinx.app'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout


def test_a_piece_that_continues_a_chapter_puts_its_bookmarks_below_the_chapters(tmp_path: Path):
    """A nested piece (a lesson's worksheet, laid out alone: its heading a top-level bookmark of
    its piece) has its bookmarks merged below the chapter's, after the chapter's own kids, with
    every bookmark's count right; merged from kept chunks, the same bytes."""
    from lessonpack.pdf.merge import merge_pdfs
    from test_pdf_docpieces import outline

    page = '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>{}</body></html>'
    deep = '<h3 style="bookmark-level: 3">{}</h3>'
    sources = {
        "chapter": '<h1 id="c">Chapter</h1><h2>One</h2><h2>Two</h2>' + deep.format("Deep"),
        "sheet": '<h1 id="w" style="bookmark-level: 2">Sheet</h1><h2 style="bookmark-level: 3">'
        "Its part</h2>",
        "next": '<h1 id="n">Next</h1><p><a href="#w">the sheet</a></p>',
    }
    parts = []
    for name, body in sources.items():
        parts.append(tmp_path / f"{name}.pdf")
        render_html(tmp_path, page.format(body), "a4", parts[-1])
    cache = tmp_path / "chunks"
    cache.mkdir()
    merge_pdfs(parts, tmp_path / "book.pdf", cache, [False, True, False])
    assert outline(tmp_path / "book.pdf") == [
        (0, "Chapter", 5),
        (1, "One", 0),
        (1, "Two", 1),
        (2, "Deep", 0),
        (1, "Sheet", 1),
        (2, "Its part", 0),
        (0, "Next", 0),
    ]
    with pikepdf.open(tmp_path / "book.pdf") as book:
        assert int(book.Root.Outlines.Count) == 7 and book.check_pdf_syntax() == []
    merge_pdfs(parts, tmp_path / "again.pdf", cache, [False, True, False])
    merge_pdfs(parts, tmp_path / "fresh.pdf", None, [False, True, False])
    assert (tmp_path / "again.pdf").read_bytes() == (tmp_path / "fresh.pdf").read_bytes()
    assert (tmp_path / "book.pdf").read_bytes() == (tmp_path / "fresh.pdf").read_bytes()
    # Not nested: the sheet's bookmark is a top-level one, as its piece has it.
    merge_pdfs(parts, tmp_path / "flat.pdf", cache)
    assert [m for m in outline(tmp_path / "flat.pdf") if m[0] == 0] == [
        (0, "Chapter", 3),
        (0, "Sheet", 1),
        (0, "Next", 0),
    ]
