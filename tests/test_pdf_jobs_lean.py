"""A book's rendering process keeps nothing of every piece (pdf/jobs.py): the memory a job
holds does not grow with the number of pieces (each piece's HTML read when it is laid out)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from pypdf import PdfReader

from lessonpack.pdf.jobs import Job, run

CHARACTERS = 400_000  # a piece's filler: beyond Latin-1, two bytes a character as a str


def book(folder: Path, count: int) -> Job:
    folder.mkdir()
    filler = "<!-- " + "\u6f22" * CHARACTERS + " -->"
    for n in range(count):
        page = f'<html lang="en"><body><p id="p{n}">Piece {n}</p>{filler}</body></html>'
        (folder / f"{n:03d}.html").write_text(page, encoding="utf-8")
    return Job(
        root=str(folder),
        pieces=tuple(f"{n:03d}.html" for n in range(count)),
        paper="a4",
        target=str(folder / "book.pdf"),
        cache=str(folder / "cache"),
        salt="test",
    )


def held(job: Job) -> int:
    """The most memory (bytes, Python's own) a job held, every piece found in the cache."""
    run(job)  # laid out once: the cache
    tracemalloc.start()
    try:
        run(job)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_book_job_holds_no_more_with_three_times_the_pieces(tmp_path):
    short, long = book(tmp_path / "short", 4), book(tmp_path / "long", 12)
    small, large = held(short), held(long)
    assert len(PdfReader(long.target).pages) == 12
    # Every piece's text at once would be 8 more pieces' (6.4 MB); allow one piece's worth.
    piece = 2 * CHARACTERS
    assert large < small + piece, (small, large)
