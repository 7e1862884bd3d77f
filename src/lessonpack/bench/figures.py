"""From raw runs to the reported figures: one row each, with its median, range and target."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import targets
from .stats import Summary, ratio, summarize
from .targets import Target

Run = dict[str, Any]
SIMPLEPDF_NOTE = (
    "above 1, ours makes pages faster; both include Sphinx reading the sources (ours: both "
    "editions' books, packs and handouts; the peer: one PDF of the teacher edition)"
)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str  # s, MB, pages, pages/s, x, %, count
    summary: Summary
    target: Target | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "pass" if self.target.passes(self.summary) else "FAIL"

    def as_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {"key": self.key, "label": self.label, "unit": self.unit}
        row.update(self.summary.as_dict())
        if self.target is not None:
            row["target"] = {"op": self.target.op, "limit": self.target.limit}
            row["target"]["text"] = self.target.text
            row["target"]["judged_on"] = "worst run" if self.target.worst else "median"
            row["pass"] = self.verdict == "pass"
        if self.note:
            row["note"] = self.note
        return row


def largest_process(runs: Sequence[dict[str, Any]]) -> str:
    """Which process the largest peak of ``runs`` was (its build, its command line), if known."""
    peaks = [
        (r["peak_mb"][goal], goal, r.get("peak_process", {}).get(goal, ""))
        for r in runs
        for goal in r.get("peak_mb", {})
    ]
    peak, build, process = max(peaks, default=(0.0, "", ""))
    return f"{peak:.0f} MB in the {build} build: {process}" if process else ""


def figure(
    key: str,
    label: str,
    unit: str,
    runs: Sequence[Any],
    pick: Callable[[Any], float],
    target: Target | None = None,
    note: str = "",
) -> Figure:
    return Figure(key, label, unit, summarize([float(pick(run)) for run in runs]), target, note)


def course_figures(runs: Sequence[Run]) -> list[Figure]:
    """The real course: cold build, no-change rebuild, one-lesson edit, parallel rendering."""
    rows = []
    for goal in ("html", "epub", "pdf"):
        rows.append(
            figure(
                f"cold.{goal}.seconds",
                f"cold build: {goal}",
                "s",
                runs,
                lambda r, g=goal: r["cold"]["seconds"][g],
            )
        )
    rows += [
        figure(
            "cold.total.seconds",
            "cold build: html + epub + pdf",
            "s",
            runs,
            lambda r: r["cold"]["total_seconds"],
        ),
        figure(
            "full.seconds",
            "cold build: make (side by side)",
            "s",
            runs,
            lambda r: r["full"]["seconds"],
        ),
        figure(
            "full.peak_mb",
            "peak memory, largest process: make",
            "MB",
            runs,
            lambda r: r["full"]["peak_mb"],
        ),
        figure(
            "cold.pdf.pages",
            "PDF pages (all PDFs)",
            "pages",
            runs,
            lambda r: r["cold"]["pdf_pages"],
        ),
        figure(
            "cold.pdf.pages_per_second",
            "PDF pages per second (PDF step)",
            "pages/s",
            runs,
            lambda r: r["cold"]["pages_per_second"],
        ),
    ]
    for goal in ("html", "epub", "pdf"):
        rows.append(
            figure(
                f"cold.{goal}.peak_mb",
                f"peak memory, largest process: {goal}",
                "MB",
                runs,
                lambda r, g=goal: r["cold"]["peak_mb"][g],
            )
        )
    rows += [
        figure(
            "no_change.seconds",
            "no-change rebuild",
            "s",
            runs,
            lambda r: r["no_change"]["seconds"],
            targets.NO_CHANGE_SECONDS,
        ),
        figure(
            "no_change.starts",
            "no-change: runs that started Sphinx/WeasyPrint",
            "count",
            runs,
            lambda r: r["no_change"]["sphinx_started"] or r["no_change"]["weasyprint_started"],
            targets.NO_CHANGE_STARTS,
        ),
        figure(
            "edit.seconds", "one-lesson edit rebuild", "s", runs, lambda r: r["edit"]["seconds"]
        ),
        figure(
            "edit.ratio",
            "one-lesson edit / cold make",
            "%",
            runs,
            lambda r: r["edit"]["ratio_to_cold"],
            targets.EDIT_RATIO,
        ),
        figure(
            "edit.changed",
            "one-lesson edit: dist files changed",
            "count",
            runs,
            lambda r: len(r["edit"]["changed"]),
        ),
        figure(
            "edit.unchanged",
            "one-lesson edit: dist files unchanged",
            "count",
            runs,
            lambda r: len(r["edit"]["unchanged"]),
        ),
        figure(
            "edit.pdf_changed",
            "one-lesson edit: PDFs changed",
            "count",
            runs,
            lambda r: sum(name.endswith(".pdf") for name in r["edit"]["changed"]),
        ),
        figure(
            "edit.pdf_unchanged",
            "one-lesson edit: PDFs unchanged",
            "count",
            runs,
            lambda r: sum(name.endswith(".pdf") for name in r["edit"]["unchanged"]),
        ),
        figure(
            "single_job_pdf.seconds",
            "PDF step with LESSONPACK_PDF_JOBS=1",
            "s",
            runs,
            lambda r: r["single_job_pdf"]["seconds"],
        ),
        figure(
            "parallel.speedup",
            "parallel PDF: 1-job / default seconds (higher better)",
            "x",
            runs,
            lambda r: r["single_job_pdf"]["speedup"],
            targets.PARALLEL_SPEEDUP,
        ),
    ]
    return rows


def peer_figures(course: Sequence[Run], peers: dict[str, Any]) -> list[Figure]:
    rows = []
    simple = [run for run in peers.get("simplepdf", {}).get("runs", []) if "error" not in run]
    if simple:
        pairs = list(zip(course, simple, strict=False))
        rows += [
            figure(
                "simplepdf.seconds",
                "sphinx-simplepdf: one PDF",
                "s",
                simple,
                lambda r: r["seconds"],
            ),
            figure(
                "simplepdf.pages",
                "sphinx-simplepdf: pages",
                "pages",
                simple,
                lambda r: r["pdf_pages"],
            ),
            figure(
                "simplepdf.pages_per_second",
                "sphinx-simplepdf: pages per second",
                "pages/s",
                simple,
                lambda r: r["pages_per_second"],
            ),
            figure(
                "simplepdf.ratio",
                "ours / sphinx-simplepdf pages/s (higher better)",
                "x",
                pairs,
                lambda p: ratio(p[0]["cold"]["pages_per_second"], p[1]["pages_per_second"]),
                targets.SIMPLEPDF_RATIO,
                SIMPLEPDF_NOTE,
            ),
        ]
    converted = [run for run in peers.get("pandoc", {}).get("runs", []) if "error" not in run]
    if converted:
        pairs = list(zip(course, converted, strict=False))
        rows += [
            figure("pandoc.seconds", "pandoc: EPUB", "s", converted, lambda r: r["seconds"]),
            figure(
                "pandoc.ratio",
                "ours / pandoc EPUB seconds (lower better)",
                "x",
                pairs,
                lambda p: ratio(p[0]["cold"]["seconds"]["epub"], p[1]["seconds"]),
                note="above 1, ours takes that many times pandoc's time",
            ),
        ]
    return rows


def scaling_figures(by_size: dict[int, Sequence[Run]]) -> list[Figure]:
    """Per size: cold build per format and in total, pages, pages/s, peak memory; then growth."""
    sizes = sorted(by_size)
    smallest = sizes[0]
    rows = []
    for size in sizes:
        runs = by_size[size]
        base = list(zip(runs, by_size[smallest], strict=False))
        for goal in ("html", "epub", "pdf"):
            rows.append(
                figure(
                    f"scaling.{size}.{goal}.seconds",
                    f"{size} lessons: {goal}",
                    "s",
                    runs,
                    lambda r, g=goal: r["seconds"][g],
                )
            )
        peak_target = targets.PEAK_AT_LARGEST if size == targets.PEAK_LESSONS else None
        rows += [
            figure(
                f"scaling.{size}.total.seconds",
                f"{size} lessons: cold build total",
                "s",
                runs,
                lambda r: r["total_seconds"],
            ),
            figure(
                f"scaling.{size}.pdf.pages",
                f"{size} lessons: PDF pages",
                "pages",
                runs,
                lambda r: r["pdf_pages"],
            ),
            figure(
                f"scaling.{size}.pdf.pages_per_second",
                f"{size} lessons: PDF pages per second",
                "pages/s",
                runs,
                lambda r: r["pages_per_second"],
            ),
            figure(
                f"scaling.{size}.peak_mb",
                f"{size} lessons: peak memory, largest process",
                "MB",
                runs,
                lambda r: r["peak_mb_max"],
                peak_target,
                note=largest_process(runs),
            ),
        ]
        # Which build the peak is in: each format's own largest process.
        for goal in ("html", "epub", "pdf"):
            if all(goal in r.get("peak_mb", {}) for r in runs):
                rows.append(
                    figure(
                        f"scaling.{size}.{goal}.peak_mb",
                        f"{size} lessons: peak memory, largest process: {goal}",
                        "MB",
                        runs,
                        lambda r, g=goal: r["peak_mb"][g],
                    )
                )
        if size != smallest:
            rows += [
                figure(
                    f"scaling.{size}.per_lesson.seconds",
                    f"{size} lessons: seconds per lesson / at {smallest}",
                    "x",
                    base,
                    lambda p, s=size: ratio(
                        p[0]["total_seconds"] / s, p[1]["total_seconds"] / smallest
                    ),
                ),
                figure(
                    f"scaling.{size}.per_lesson.pages",
                    f"{size} lessons: pages per lesson / at {smallest}",
                    "x",
                    base,
                    lambda p, s=size: ratio(p[0]["pdf_pages"] / s, p[1]["pdf_pages"] / smallest),
                ),
                figure(
                    f"scaling.{size}.per_lesson.peak_mb",
                    f"{size} lessons: peak memory per lesson / at {smallest}",
                    "x",
                    base,
                    lambda p, s=size: ratio(
                        p[0]["peak_mb_max"] / s, p[1]["peak_mb_max"] / smallest
                    ),
                ),
            ]
    large, small = targets.PEAK_GROWTH_LESSONS, targets.PEAK_LESSONS
    if large in by_size and small in by_size:
        rows.append(
            figure(
                f"scaling.{large}.peak_growth",
                f"peak memory at {large} lessons / at {small}",
                "x",
                list(zip(by_size[large], by_size[small], strict=False)),
                lambda p: ratio(p[0]["peak_mb_max"], p[1]["peak_mb_max"]),
                targets.PEAK_GROWTH,
            )
        )
    if len(sizes) >= 2:
        count = min(len(by_size[size]) for size in sizes)
        growth = [
            targets.marginal_growth(sizes, [by_size[size][i]["total_seconds"] for size in sizes])
            for i in range(count)
        ]
        rows.append(
            Figure(
                "scaling.linearity",
                f"growth {smallest}→{sizes[-1]}: s/added lesson, large / small",
                "x",
                summarize(growth),
                targets.LINEARITY,
                targets.LINEARITY_CRITERION,
            )
        )
    return rows


SPHINX_NOTE = (
    "--no-layout: each Sphinx build of make alone and cold, its PDFs not laid out (no rendering "
    "process; the slide decks are, in the Sphinx process): the Sphinx processes' own peaks, "
    "never judged against the targets (which count every process of a real build)"
)


def sphinx_figures(by_size: dict[int, Sequence[Run]]) -> list[Figure]:
    """--no-layout: per size, each Sphinx build's peak; then each one's growth, largest size
    over smallest. Never judged."""
    sizes = sorted(by_size)
    names = [name for name in by_size[sizes[0]][0]["peak_mb"]]
    rows = []
    for size in sizes:
        for name in names:
            rows.append(
                figure(
                    f"sphinx.{size}.{name}.peak_mb",
                    f"{size} lessons, no layout: {name}, peak",
                    "MB",
                    by_size[size],
                    lambda r, n=name: r["peak_mb"][n],
                    note=SPHINX_NOTE if not rows else "",
                )
            )
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        pairs = list(zip(by_size[large], by_size[small], strict=False))
        for name in names:
            rows.append(
                figure(
                    f"sphinx.{large}.{name}.peak_growth",
                    f"no layout: {name}, peak at {large} / at {small}",
                    "x",
                    pairs,
                    lambda p, n=name: ratio(p[0]["peak_mb"][n], p[1]["peak_mb"][n]),
                )
            )
    return rows
