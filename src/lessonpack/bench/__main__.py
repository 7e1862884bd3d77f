"""`python -m lessonpack.bench` (`make bench`): time the build; print a table, write JSON.

Every build is of a temporary copy of the sources, through the project's Makefile, into
empty build and dist folders; the checkout's own build/ and dist/ are never used.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import figures, machine, peers, report, scenarios, sphinxmem, synth
from .course import Course
from .figures import Figure


class Progress:
    """Timestamped progress lines on stderr (the table goes to stdout)."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def __call__(self, message: str) -> None:
        elapsed = time.monotonic() - self.start
        print(f"[{elapsed // 60:3.0f}:{elapsed % 60:02.0f}] {message}", file=sys.stderr, flush=True)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m lessonpack.bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs of every figure (default 3)")
    parser.add_argument("--scaling-runs", type=int, help="runs per course size (default: --runs)")
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[4, 16, 64], help="lessons per synthetic course"
    )
    parser.add_argument("--skip-peers", action="store_true", help="no sphinx-simplepdf, no pandoc")
    parser.add_argument(
        "--no-layout",
        action="store_true",
        help="only the Sphinx builds' peak memory: each build alone and cold at --sizes, no PDF "
        "laid out (minutes; never judged against the targets)",
    )
    parser.add_argument(
        "--builds",
        nargs="+",
        choices=sphinxmem.NAMES,
        default=list(sphinxmem.NAMES),
        help="with --no-layout: the builds to measure (default: all seven)",
    )
    parser.add_argument("--skip-scaling", action="store_true", help="no synthetic courses")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the project (default: .)")
    parser.add_argument(
        "--srcdir", type=Path, help="the course's sources (make's SRCDIR; default: the project)"
    )
    parser.add_argument(
        "--confdir", type=Path, help="its conf.py's folder (make's CONFDIR; default: --srcdir)"
    )
    parser.add_argument(
        "--json", type=Path, help="results file (default: build/bench/results.json)"
    )
    parser.add_argument(
        "--workdir", type=Path, help="temporary folders here (default: system temp)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary builds")
    parser.add_argument(
        "--from-json",
        type=Path,
        help="print the table of a results file without running (with --json: rewrite it there)",
    )
    parser.add_argument(
        "--edit-lesson", help="the lesson the edit test changes (default: the second lesson)"
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or (args.scaling_runs is not None and args.scaling_runs < 1):
        parser.error("runs must be at least 1")
    args.root = args.root.resolve()
    if not (args.root / "Makefile").is_file():
        parser.error(f"{args.root} has no Makefile: run from the project (make bench does)")
    srcdir = (args.srcdir or args.root).resolve()
    confdir = args.confdir.resolve() if args.confdir else srcdir
    if not (confdir / "conf.py").is_file():
        parser.error(f"no conf.py in {confdir}: give --confdir (make bench gives make's CONFDIR)")
    args.course = Course.read(srcdir, confdir)
    args.edit_lesson = args.edit_lesson or scenarios.edit_lesson(args.course)
    real = len(synth.real_lessons(args.course))
    if min(args.sizes) < real:
        parser.error(f"--sizes: a synthetic course has at least the {real} real lessons")
    args.scaling_runs = args.scaling_runs or args.runs
    args.rewrite = args.json is not None
    args.json = args.json or args.root / "build" / "bench" / "results.json"
    return args


def run_peers(args: argparse.Namespace, log: Progress) -> dict[str, Any]:
    found: dict[str, Any] = {}
    try:
        venv = peers.simplepdf_venv(
            args.root, args.root / "build" / "bench" / "peers" / "simplepdf-venv", log
        )
        simple: dict[str, Any] = {"requirement": peers.SIMPLEPDF, "versions": peers.versions(venv)}
        simple["runs"] = []
        for index in range(args.runs):
            log(f"sphinx-simplepdf, run {index + 1} of {args.runs}")
            run = peers.simplepdf(args.root, args.course, venv, args.workdir, args.keep)
            log(
                f"  {run.get('seconds', 0):.1f} s, {run.get('pdf_pages', '?')} pages"
                + (f"; failed: {run['error'][:300]}" if "error" in run else "")
            )
            simple["runs"].append(run)
    except Exception as error:  # the peer is a comparison; its failure must not end the bench
        simple = {"error": f"{type(error).__name__}: {error}"}
        log(f"sphinx-simplepdf could not run: {simple['error']}")
    found["simplepdf"] = simple
    version = peers.pandoc_version()
    if version is None:
        log(peers.PANDOC_HINT)
        found["pandoc"] = {"error": peers.PANDOC_HINT}
        return found
    converted: dict[str, Any] = {"version": version, "runs": []}
    for index in range(args.runs):
        log(f"pandoc, run {index + 1} of {args.runs}")
        run = peers.pandoc(args.root, args.course, args.workdir, args.keep)
        converted["runs"].append(run)
        log(
            f"  {run['seconds']:.2f} s"
            + (f"; failed: {run['error'][-300:]}" if "error" in run else "")
        )
    found["pandoc"] = converted
    return found


def reuse_cold(course: list[dict[str, Any]], size: int, count: int) -> list[dict[str, Any]]:
    """The real course's cold builds, as the runs of the synthetic course of its size."""
    return [{"lessons": size, "reused_from": "cold build", **run["cold"]} for run in course[:count]]


def repair(results: dict[str, Any], real: int) -> None:
    """Fill a saved file's empty real-size scaling runs from its cold builds (lost by a bug)."""
    runs = (results.get("scaling") or {}).get("runs", {})
    if str(real) in runs and not runs[str(real)]:
        count = results["options"].get("scaling_runs") or len(results["course"])
        runs[str(real)] = reuse_cold(results["course"], real, count)


def run_scaling(
    args: argparse.Namespace,
    course: list[dict[str, Any]],
    log: Progress,
    found: dict[str, Any],
    save: Callable[[], None],
) -> None:
    """Cold builds per course size into ``found``, saved after each (a long run keeps its work)."""
    real = len(synth.real_lessons(args.course))
    by_size: dict[str, list[dict[str, Any]]] = {}
    found.update({"sizes": sorted(set(args.sizes)), "runs": by_size})
    for size in sorted(set(args.sizes)):
        runs: list[dict[str, Any]] = []
        by_size[str(size)] = runs
        if size == real:
            # The synthetic course of the real size is the real course: its cold builds count.
            runs.extend(reuse_cold(course, size, args.scaling_runs))
        for index in range(len(runs), args.scaling_runs):
            log(f"{size} lessons, run {index + 1} of {args.scaling_runs}")
            runs.append(
                scenarios.synthetic_course(
                    args.root, args.course, args.workdir, args.keep, log, size
                )
            )
            save()


def run_sphinx_memory(
    args: argparse.Namespace, log: Progress, found: dict[str, Any], save: Callable[[], None]
) -> None:
    """--no-layout: each Sphinx build alone per course size into ``found``, saved after each."""
    by_size: dict[str, list[dict[str, Any]]] = {}
    found.update({"sizes": sorted(set(args.sizes)), "builds": args.builds, "runs": by_size})
    for size in sorted(set(args.sizes)):
        by_size[str(size)] = runs = []
        for index in range(args.scaling_runs):
            log(f"{size} lessons, each Sphinx build alone ({sphinxmem.LABEL}), run {index + 1}")
            runs.append(
                sphinxmem.sphinx_builds(
                    args.root, args.course, args.workdir, args.keep, log, size, tuple(args.builds)
                )
            )
            save()


def all_figures(results: dict[str, Any]) -> list[Figure]:
    rows = figures.course_figures(results["course"]) if results["course"] else []
    if results.get("sphinx_memory", {}).get("runs"):
        runs = {int(size): r for size, r in results["sphinx_memory"]["runs"].items() if r}
        rows += figures.sphinx_figures(runs)
    if "peers" in results:
        rows += figures.peer_figures(results["course"], results["peers"])
    if results.get("scaling", {}).get("runs"):
        runs = {int(size): r for size, r in results["scaling"]["runs"].items() if r}
        rows += figures.scaling_figures(runs)
    return rows


def print_table(results: dict[str, Any], rows: list[Figure], where: Path) -> None:
    info, options = results["machine"], results["options"]
    title = (
        f"lessonpack bench: {info['nproc']} × {info['cpu_model']}, Python {info['python']}, "
        f"WeasyPrint {info['versions']['weasyprint']}, Sphinx {info['versions']['sphinx']}, "
        f"commit {info['git_commit'][:10]}, {info['date']}, {options['runs']} run(s)"
    )
    print(report.table(rows, title))
    if report.notes(rows):
        print(report.notes(rows))
    print(report.targets_summary(rows))
    minutes = results.get("elapsed_seconds", 0) / 60
    print(f"raw values: {where}  (the benchmark took {minutes:.0f} min)")


def exit_on_signals() -> None:
    """SIGTERM and SIGHUP end the benchmark as Ctrl-C does: an exception, on which the build
    being measured is ended (``measure.stop``)."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda signum, _frame: sys.exit(128 + signum))


def main(argv: list[str] | None = None) -> int:
    exit_on_signals()
    args = parse(argv)
    if args.from_json:
        results = json.loads(args.from_json.read_text(encoding="utf-8"))
        repair(results, len(synth.real_lessons(args.course)))
        rows = all_figures(results)
        if args.rewrite:
            report.write_json(args.json, results, rows)
        print_table(results, rows, args.json if args.rewrite else args.from_json)
        return 0
    log = Progress()
    results: dict[str, Any] = {
        "machine": machine.info(args.root),
        "options": {
            "runs": args.runs,
            "scaling_runs": args.scaling_runs,
            "sizes": args.sizes,
            "skip_peers": args.skip_peers,
            "skip_scaling": args.skip_scaling,
            "edit_lesson": args.edit_lesson,
            "no_layout": args.no_layout,
        },
        "course": [],
    }
    if args.no_layout:
        results["sphinx_memory"] = {}
        save = lambda: report.write_json(args.json, results, [])  # noqa: E731
        run_sphinx_memory(args, log, results["sphinx_memory"], save)
        results["elapsed_seconds"] = time.monotonic() - log.start
        rows = all_figures(results)
        report.write_json(args.json, results, rows)
        print_table(results, rows, args.json)
        return 0
    for index in range(args.runs):
        log(f"real course, run {index + 1} of {args.runs}")
        results["course"].append(
            scenarios.real_course(
                args.root, args.course, args.workdir, args.keep, log, args.edit_lesson
            )
        )
        report.write_json(args.json, results, [])
    if not args.skip_peers:
        results["peers"] = run_peers(args, log)
        report.write_json(args.json, results, [])
    if not args.skip_scaling:
        results["scaling"] = {}
        run_scaling(
            args,
            results["course"],
            log,
            results["scaling"],
            lambda: report.write_json(args.json, results, []),
        )
    results["elapsed_seconds"] = time.monotonic() - log.start
    report.write_json(args.json, results, [])  # the raw values are safe before any figure
    rows = all_figures(results)
    report.write_json(args.json, results, rows)
    print_table(results, rows, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
