"""`python -m lessonpack.check`: every check of the gate, one line each; non-zero on failure."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from . import Outcome, Site, texts

CHECKS = [
    "epub",
    "ace",
    "pdf",
    "pdfua",
    "axe",
    "vnu",
    "privacy",
    "teachersite",
    "leaks",
    "links",
    "lms",
    "reproducible",
]
# The second build of the reproducibility check is a `make` in a copy of the project, in its own
# process: the longest check, and one that reads nothing the others read or write. It runs in a
# thread beside the other checks (these run one after another, as before); every line is still
# printed in the order of CHECKS.
BESIDE = frozenset({"reproducible"})


def run(name: str, site: Site) -> Outcome:
    try:
        return importlib.import_module(f"lessonpack.check.{name}").check(site)
    except Exception as error:  # a check that cannot run has failed, and says why
        return Outcome(name, "could not run", [f"{type(error).__name__}: {error}"])


def timed(check: Callable[[str, Site], Outcome], name: str, site: Site) -> tuple[Outcome, float]:
    start = time.monotonic()
    outcome = check(name, site)
    return outcome, time.monotonic() - start


def outcomes(
    names: Sequence[str], site: Site, check: Callable[[str, Site], Outcome] = run
) -> Iterator[tuple[Outcome, float]]:
    """Each check's outcome and seconds, in the order of ``names``, each as soon as it and every
    check before it are done; the checks of BESIDE run in threads beside the others."""
    order = list(dict.fromkeys(names))
    apart = [name for name in order if name in BESIDE]
    with ThreadPoolExecutor(max_workers=max(1, len(apart))) as pool:
        beside: dict[str, Future[tuple[Outcome, float]]] = {
            name: pool.submit(timed, check, name, site) for name in apart
        }
        done: dict[str, tuple[Outcome, float]] = {}

        def ready(name: str) -> bool:
            return name in done or (name in beside and beside[name].done())

        def result(name: str) -> tuple[Outcome, float]:
            return done.pop(name) if name in done else beside[name].result()

        printed = 0
        for name in order:
            if name not in beside:
                done[name] = timed(check, name, site)
            while printed < len(order) and ready(order[printed]):
                yield result(order[printed])
                printed += 1
        for name in order[printed:]:
            yield result(name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the project (default: .)")
    parser.add_argument("--build", type=Path, help="its build folder (default: ROOT/build)")
    parser.add_argument("--dist", type=Path, help="its published outputs (default: ROOT/dist)")
    parser.add_argument("--only", action="append", choices=CHECKS, help="run only these checks")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every problem")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    build = (args.build or root / "build").resolve()
    site = Site(root, build, (args.dist or root / "dist").resolve())
    kept = texts.keep_in(build / "cache" / "texts")  # PDF text for the next check, and the tests
    try:
        failed = sum(not outcome.ok for outcome in report(args.only or CHECKS, site, args.verbose))
    finally:
        texts.keep_in(kept)
    return 1 if failed else 0


def report(names: Sequence[str], site: Site, verbose: bool) -> Iterator[Outcome]:
    """Each check's line (with its seconds) and problems, printed as it is done."""
    for outcome, seconds in outcomes(names, site):
        print(f"{outcome.line()}  ({seconds:.0f} s)", flush=True)
        for problem in outcome.problems[: None if verbose else 10]:
            print(f"    {problem}")
        if len(outcome.problems) > 10 and not verbose:
            print(f"    ... and {len(outcome.problems) - 10} more (-v lists them all)")
        yield outcome


if __name__ == "__main__":
    sys.exit(main())
