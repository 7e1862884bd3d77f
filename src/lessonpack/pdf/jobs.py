"""The work of one rendering process: one PDF per job, from cache where nothing changed.

A handout or quiz paper is one HTML page, rendered whole. A book, or a pack, is a list of pieces
(pieces.py; a piece per document: bookparts.split_documents) rendered one after another, each
starting on the page after the last, and then merged: no more than one piece's pages are ever
held in memory. Page numbers shown in the contents (and a pack's page count, in every footer)
come from where the anchors landed, handed to the next round as a stylesheet
(pieces.numbers_css, pieces.total_css); the pieces are laid out again (from cache, mostly) until
every shown number is the right one. The first round starts from the numbers the PDF's last
build settled on, so after an edit that moved nothing the edited piece is laid out once; a PDF
whose pieces are all an earlier build's is that build's merge, copied.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .. import pauses
from .cache import RenderCache, checked_record, write_record
from .merge import BLANK, merge_in_subprocess
from .pieces import numbers_css, total_css
from .progress import say
from .render import render_html

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
    stylesheets: tuple[str, ...] = ()  # the build's stylesheets, paths from the root
    recto: tuple[bool, ...] = ()  # per piece: starts on a right-hand page (a book's lessons)
    targets: tuple[tuple[str, ...], ...] = ()  # per piece: the ids of other pieces it links to
    shown: tuple[tuple[str, ...], ...] = ()  # per piece: those whose page number it prints
    # Per piece: it continues the chapter of the piece before (a lesson's worksheet after the
    # lesson): its bookmarks go below that chapter's (merge.py).
    continues: tuple[bool, ...] = ()
    total: bool = False  # its pieces show the PDF's page count (a pack in pieces)

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


def _render(
    job: Job,
    cache: RenderCache,
    text: str,
    first: int,
    out: Outcome,
    index: int = 0,
    numbers: dict[str, int] | None = None,
    again: int = 0,
    total: int | None = None,
):
    """Piece ``index`` of the job laid out from page ``first``, or found in the cache.

    ``numbers``: the page of every id of the book, as far as known; ``again``: the layout
    round, from 0; ``total``: the PDF's page count, as far as known.
    """
    targets = job.targets[index] if job.targets else ()
    css = _css(job, index, numbers or {}, total)
    # Everything that decides the bytes: the HTML, the stylesheets it gets, what it links to.
    material = "\0".join([text, *job.stylesheets, css, *targets])
    key = cache.key(material, job.paper, first)
    out.keys.add(key)
    result = cache.get(key)
    if result is None:
        identifier = cache.identifier(material, job.paper, first)
        result = render_html(
            Path(job.root),
            text,
            job.paper,
            cache.pdf(key),
            first,
            identifier,
            stylesheets=job.stylesheets,
            css=css,
            elsewhere=targets,
        )
        cache.put(key, result)
        out.rendered += 1
        out.rendered_pages += result.pages
        count = len(job.pieces)
        if count > 1:
            name = Path(job.target).name
            step = f"laid out again (round {again + 1})" if again else "laid out"
            say(f"{name}: piece {index + 1}/{count} {step}, {result.pages} pages")
    else:
        out.reused += 1
    return key, result, css


def _css(job: Job, index: int, numbers: dict[str, int], total: int | None) -> str:
    """What piece ``index`` is told of the other pieces: the page numbers it shows, and the
    PDF's page count if it shows that (a stylesheet, part of the render's key)."""
    rules = [numbers_css(job.shown[index], numbers) if job.shown else ""]
    if job.total:
        rules.append(total_css(total))
    return "\n".join(rule for rule in rules if rule)


def _seed_path(job: Job, cache: RenderCache) -> tuple[str, Path]:
    """Where the page numbers a job's last build settled on are kept (its key, its file)."""
    key = cache.key("\0".join(["numbers", Path(job.target).name, *job.pieces]), job.paper, 0)
    return key, cache.folder / f"{key}.numbers"


def _read_seed(job: Job, cache: RenderCache, out: Outcome) -> tuple[dict[str, int], int | None]:
    """The page numbers and page count the last build of this PDF settled on: the first round
    starts from them, so after an edit that moved nothing each piece is laid out once (the
    round's result, not its start, decides the bytes: the numbers of where anchors landed)."""
    key, path = _seed_path(job, cache)
    out.keys.add(key)
    if checked_record(cache.folder / f"{key}.json", path) is None:
        return {}, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): int(v) for k, v in data["numbers"].items()}, data["total"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}, None


def _write_seed(job: Job, cache: RenderCache, numbers: dict[str, int], total: int) -> None:
    _key, path = _seed_path(job, cache)
    data = json.dumps({"numbers": numbers, "total": total}, sort_keys=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(data, encoding="utf-8")
    tmp.replace(path)
    write_record(path.with_suffix(".json"), path, {})


def run(job: Job) -> Outcome:
    cache = RenderCache(Path(job.cache), job.salt)
    out = Outcome(job.target, 0)
    root = Path(job.root)
    if len(job.pieces) == 1:
        text = (root / job.pieces[0]).read_text(encoding="utf-8")
        key, result, _ = _render(job, cache, text, 1, out)
        cache.copy(key, Path(job.target))
        out.pages = result.pages
        out.warnings = [(job.pieces[0], w) for w in result.warnings]
        return out
    return _run_book(job, cache, out)


def _run_book(job: Job, cache: RenderCache, out: Outcome) -> Outcome:
    # Nothing kept of every piece grows with the book: each piece's HTML is read when it is laid
    # out (held all at once, 35 MB at 128 lessons: a str of text beyond Latin-1 takes two bytes
    # a character), and of the anchors only those some piece shows the page of.
    root = Path(job.root)
    count = len(job.pieces)
    recto = job.recto or (False,) * count
    shown = job.shown or ((),) * count
    wanted = {target for targets in shown for target in targets}
    numbers, total = _read_seed(job, cache, out)
    for again in range(MAX_ROUNDS):
        parts: list[str | None] = []  # cache keys in order; None: a blank page
        nested: list[bool] = []  # per part: it continues the chapter before
        warnings: list[tuple[str, str]] = []
        used: list[str] = []  # per piece: the page numbers it was given
        found: dict[str, int] = {}
        page = 0  # pages so far
        for index, piece in enumerate(job.pieces):
            if recto[index] and page % 2 == 1:
                parts.append(None)  # the left-hand page before a lesson stays blank
                nested.append(False)
                page += 1
            text = (root / piece).read_text(encoding="utf-8")
            # Numbers found earlier in this round are right for pieces before this one.
            known = {**numbers, **found}
            key, result, css = _render(job, cache, text, page + 1, out, index, known, again, total)
            del text
            for name, at in result.anchors.items():
                if name in wanted:
                    found.setdefault(name, page + 1 + at)
            parts.append(key)
            nested.append(bool(job.continues and job.continues[index]))
            warnings += [(piece, w) for w in result.warnings]
            used.append(css)
            page += result.pages
        # Settled when every piece was given the numbers its targets have now.
        settled = all(_css(job, i, found, page) == used[i] for i in range(count))
        numbers, total = found, page
        if settled:
            break
    else:
        raise RuntimeError(f"{job.target}: page numbers did not settle in {MAX_ROUNDS} rounds")
    _write_seed(job, cache, numbers, page)
    out.pages = page
    out.warnings = warnings
    # A PDF whose pieces are those of an earlier build (a pack of a lesson not edited) is that
    # build's merge, copied; else merged, each piece's chunk kept beside its render (merge.py):
    # after an edit, the pieces that did not move are copied as they were written.
    material = "\0".join(["merged", *(k or BLANK for k in parts), *map(str, nested)])
    merged_key = cache.key(material, job.paper, 0)
    out.keys.add(merged_key)
    merged = cache.folder / f"{merged_key}.merged"
    record = checked_record(cache.folder / f"{merged_key}.json", merged)
    if record is not None and isinstance(record.get("chunks"), list):
        out.keys |= set(record["chunks"])
        target = Path(job.target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        shutil.copyfile(merged, tmp)
        tmp.replace(target)
        return out
    say(f"{Path(job.target).name}: merging {count} pieces, {page} pages")
    pauses.pause_for_tests(pauses.PDF)
    chunks = merge_in_subprocess(
        [cache.pdf(k) if k else None for k in parts],
        Path(job.target),
        cache.folder,
        nested,
    )
    out.keys |= chunks
    shutil.copyfile(job.target, merged)
    write_record(cache.folder / f"{merged_key}.json", merged, {"chunks": sorted(chunks)})
    return out
