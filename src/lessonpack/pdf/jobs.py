"""The work of one rendering process: one PDF per job, from cache where nothing changed.

A pack or handout is one HTML page, rendered whole. A book is a list of pieces (pieces.py)
rendered one after another, each starting on the page after the last, and then merged: no more
than one piece's pages are ever held in memory. Page numbers shown in the contents come from
where the anchors landed; the pieces are laid out again (from cache, mostly) until every shown
number is the right one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .cache import RenderCache
from .merge import merge_in_subprocess
from .pieces import UNKNOWN, ids_in, link_piece
from .render import Rendered, render_html

# Rounds of a book's layout before giving up on page numbers settling (two are the rule: the
# front again once the rest has found its pages).
MAX_ROUNDS = 5


@dataclass(frozen=True)
class Job:
    """One PDF to write. ``pieces`` (relative HTML paths) has one entry unless it is a book."""

    root: str
    pieces: tuple[str, ...]
    paper: str
    target: str
    cache: str
    salt: str
    recto: tuple[bool, ...] = ()  # per piece: starts on a right-hand page (a book's lessons)

    @property
    def size(self) -> int:
        """The job's bytes of HTML: the scheduler starts the largest first."""
        return sum((Path(self.root) / p).stat().st_size for p in self.pieces)


@dataclass
class Outcome:
    """What a job did: pages written, renders made and reused, warnings per HTML page."""

    target: str
    pages: int
    rendered: int = 0
    reused: int = 0
    rendered_pages: int = 0
    warnings: list[tuple[str, str]] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)


def _render(job: Job, cache: RenderCache, text: str, first: int, out: Outcome):
    key = cache.key(text, job.paper, first)
    out.keys.add(key)
    result = cache.get(key)
    if result is None:
        identifier = cache.identifier(text, job.paper, first)
        result = render_html(Path(job.root), text, job.paper, cache.pdf(key), first, identifier)
        cache.put(key, result)
        out.rendered += 1
        out.rendered_pages += result.pages
    else:
        out.reused += 1
    return key, result


def run(job: Job) -> Outcome:
    cache = RenderCache(Path(job.cache), job.salt)
    out = Outcome(job.target, 0)
    root = Path(job.root)
    if len(job.pieces) == 1:
        text = (root / job.pieces[0]).read_text(encoding="utf-8")
        key, result = _render(job, cache, text, 1, out)
        cache.copy(key, Path(job.target))
        out.pages = result.pages
        out.warnings = [(job.pieces[0], w) for w in result.warnings]
        return out
    return _run_book(job, cache, out)


def _run_book(job: Job, cache: RenderCache, out: Outcome) -> Outcome:
    root = Path(job.root)
    texts = [(root / p).read_text(encoding="utf-8") for p in job.pieces]
    own = [ids_in(t) for t in texts]
    recto = job.recto or (False,) * len(texts)
    numbers: dict[str, int] = {}
    for _ in range(MAX_ROUNDS):
        parts: list[str | None] = []  # cache keys in order; None: a blank page
        results: list[Rendered] = []
        shown: list[dict[str, str]] = []
        targets: set[str] = set()
        found: dict[str, int] = {}
        page = 0  # pages so far
        for index, text in enumerate(texts):
            if recto[index] and page % 2 == 1:
                parts.append(None)  # the left-hand page before a lesson stays blank
                page += 1
            linked = link_piece(text, own[index], {**numbers, **found})
            key, result = _render(job, cache, linked.text, page + 1, out)
            for name, at in result.anchors.items():
                found.setdefault(name, page + 1 + at)
            parts.append(key)
            results.append(result)
            shown.append(linked.shown)
            targets |= linked.targets
            page += result.pages
        settled = all(
            number != UNKNOWN and found.get(target) == int(number)
            for used in shown
            for target, number in used.items()
            if target in found or number != UNKNOWN
        )
        numbers = found
        if settled:
            break
    else:
        raise RuntimeError(f"{job.target}: page numbers did not settle in {MAX_ROUNDS} rounds")
    out.pages = page
    out.warnings = [(p, w) for p, r in zip(job.pieces, results, strict=True) for w in r.warnings]
    everywhere = set().union(*own)
    for target in sorted(targets - everywhere):
        out.warnings.append((job.pieces[0], f"No anchor #{target} for internal URI reference."))
    merge_in_subprocess([cache.pdf(k) if k else None for k in parts], Path(job.target))
    return out
