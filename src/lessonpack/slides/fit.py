"""How much goes on one slide: long items are split over slides, never set smaller.

Every slide is 960 × 540 pt (16:9) with one body size (24 pt) and one title size (36 pt), in
both writers. The budget below is an estimate of the lines a block fills (characters per line of
the bundled serif at that size, kept on the safe side); the PDF build checks it (a slide that
runs onto a second page is a warning naming the slide), and a test proves every deck of the
course fits.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Block, Slide

WIDTH_PT, HEIGHT_PT = 960, 540  # PowerPoint's 16:9, 13.333 × 7.5 in
BODY_PT, TITLE_PT = 24, 36
CHARS_PER_LINE = 72  # 24 pt serif across 880 pt (about 80 fit)
TITLE_CHARS_PER_LINE = 40  # 36 pt sans
BODY_LINES = 14  # 30 pt lines of 24 pt body under a one-line title (about 15 fit)
TITLE_MAX = 90  # a longer title is cut at a word
GAP = 0.27  # the space after a paragraph (8 pt), in 30 pt lines

SENTENCE = re.compile(r"(?<=[.?!;:])\s+")


def lines(text: str, indent: bool = False) -> int:
    """Lines ``text`` fills at the body size."""
    per_line = CHARS_PER_LINE - (4 if indent else 0)
    return max(1, math.ceil(len(text) / per_line))


def title_lines(title: str) -> int:
    return max(1, math.ceil(len(title) / TITLE_CHARS_PER_LINE))


def short(title: str) -> str:
    """A title short enough for two title lines, cut at a word."""
    if len(title) <= TITLE_MAX:
        return title
    return title[:TITLE_MAX].rsplit(" ", 1)[0] + "…"


def _pieces(block: Block, room: int) -> list[Block]:
    """``block`` cut at sentence ends (or words) into pieces of at most ``room`` lines."""
    from .model import Block, Run

    if lines(block.text) <= room:
        return [block]
    # Sentences keep their runs' styles: cut each run at sentence ends, then group.
    parts: list[list[Run]] = [[]]
    for run in block.runs:
        chunks = SENTENCE.split(run.text)
        for n, chunk in enumerate(chunks):
            if n:
                parts.append([])
            text = chunk + (" " if n < len(chunks) - 1 else "")
            parts[-1].append(Run(text, run.bold, run.italic))
    sentences: list[list[Run]] = []
    for part in parts:
        text = "".join(r.text for r in part)
        if lines(text) <= room:
            sentences.append(part)
            continue
        # A sentence longer than a slide: cut at words.
        words = text.split(" ")
        style = part[0]
        current: list[str] = []
        for word in words:
            if current and lines(" ".join([*current, word])) > room:
                sentences.append([Run(" ".join(current) + " ", style.bold, style.italic)])
                current = []
            current.append(word)
        if current:
            sentences.append([Run(" ".join(current), style.bold, style.italic)])
    out: list[Block] = []
    current_runs: list[Run] = []
    for sentence in sentences:
        candidate = "".join(r.text for r in [*current_runs, *sentence])
        if current_runs and lines(candidate) > room:
            out.append(Block(tuple(current_runs), block.style))
            current_runs = []
        current_runs.extend(sentence)
    if current_runs:
        out.append(Block(tuple(current_runs), block.style))
    return out


def split(
    kind: str,
    group: str,
    title: str,
    blocks: list[Block],
    notes: tuple[Block, ...] = (),
    footer: Block | None = None,
) -> list[Slide]:
    """``blocks`` on as many slides as they need, each titled (``(2/3)`` from the second);
    ``footer`` (a document's sourcing line) on each; ``notes`` on the last."""
    from .model import Slide

    title = short(title)
    room = BODY_LINES - 2 * (title_lines(title + " (2/2)") - 1)
    if footer is not None:
        room -= lines(footer.text) + 2 * GAP  # its rule and padding too
    room = max(room, 3)
    pages: list[list[Block]] = [[]]
    used = 0.0
    for block in blocks:
        for piece in _pieces(block, room):
            need = lines(piece.text, piece.style == "bullet") + GAP
            if pages[-1] and used + need > room:
                pages.append([])
                used = 0.0
            pages[-1].append(piece)
            used += need
    out = []
    for n, page in enumerate(pages, start=1):
        shown = title if len(pages) == 1 or n == 1 else f"{title} ({n}/{len(pages)})"
        body = (*page, footer) if footer is not None else tuple(page)
        out.append(Slide(kind, group, shown, body, notes if n == len(pages) else ()))
    return out
