"""The gate runs its longest check, the reproducibility check's second build, beside the others
(``lessonpack.check.__main__.outcomes``), and still prints one line per check in their order.

The checks here are small functions standing in for the real ones (the real ones all run in
`make check` and in tests/test_second_course.py): each records when it ran."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from lessonpack.check import Outcome, Site
from lessonpack.check.__main__ import outcomes

SITE = Site(Path("/nonexistent"), Path("/nonexistent/build"), Path("/nonexistent/dist"))


def test_the_second_build_runs_while_the_other_checks_run():
    """Each check waits until the other has started: run one after the other, neither could."""
    both = threading.Barrier(2, timeout=20)

    def check(name: str, site: Site) -> Outcome:
        both.wait()
        return Outcome(name, "done")

    found = [outcome.name for outcome, _ in outcomes(["reproducible", "links"], SITE, check)]
    assert found == ["reproducible", "links"]


def test_lines_come_in_the_order_asked_whichever_check_ends_first():
    events: list[str] = []
    links_done = threading.Event()

    def check(name: str, site: Site) -> Outcome:
        events.append(f"start {name}")
        if name == "reproducible":
            assert links_done.wait(timeout=20)  # ends after every other check
        time.sleep(0.01)
        events.append(f"end {name}")
        if name == "links":
            links_done.set()
        return Outcome(name, f"{name} figure", [] if name != "leaks" else ["a problem"])

    names = ["epub", "reproducible", "leaks", "links"]
    got = [(outcome.name, outcome.ok, seconds) for outcome, seconds in outcomes(names, SITE, check)]
    assert [name for name, _, _ in got] == names
    assert [ok for _, ok, _ in got] == [True, True, False, True]
    assert all(seconds >= 0.01 for _, _, seconds in got)
    # The others ran one after another, in order, while the second build was under way.
    others = [e for e in events if not e.endswith("reproducible")]
    assert others == [
        f"{step} {name}" for name in ("epub", "leaks", "links") for step in ("start", "end")
    ]
    assert events[-1] == "end reproducible" and "start reproducible" in events[:3]
