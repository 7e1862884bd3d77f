"""`python -m lessonpack.check`: every check of the gate, one line each; non-zero on failure."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

from . import Outcome, Site

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


def run(name: str, site: Site) -> Outcome:
    try:
        return importlib.import_module(f"lessonpack.check.{name}").check(site)
    except Exception as error:  # a check that cannot run has failed, and says why
        return Outcome(name, "could not run", [f"{type(error).__name__}: {error}"])


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
    failed = 0
    for name in args.only or CHECKS:
        start = time.monotonic()
        outcome = run(name, site)
        print(f"{outcome.line()}  ({time.monotonic() - start:.0f} s)", flush=True)
        for problem in outcome.problems[: None if args.verbose else 10]:
            print(f"    {problem}")
        if len(outcome.problems) > 10 and not args.verbose:
            print(f"    ... and {len(outcome.problems) - 10} more (-v lists them all)")
        failed += not outcome.ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
