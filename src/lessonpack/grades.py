"""Reading grades (Flesch-Kincaid, by textstat), kept on disk across builds and runs.

A grade needs textstat's CMU pronouncing dictionary (about 150 MB, about 1.5 s to load), so it
is computed in a helper process (:class:`Grader`), started at the first grade a build does not
know and ended after reading. Every grade is kept in ``reading-grades.json`` in the shared
``lessonpack_cache_dir``, keyed by a hash of the text, textstat's version and this module's
:data:`FORMULA`: a build whose texts are all known never starts the helper. The builds of one
`make` run side by side and share the file: a grade not found is computed under an exclusive
lock (``flock``), after reading the file again, so a grade another build has just computed is
found there, and the file is replaced whole (written beside, then renamed): never torn, no entry
lost.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

CACHE_NAME = "reading-grades.json"
# Raised when what a grade is (the formula, its rounding) changes: every kept grade is then unknown.
FORMULA = "flesch-kincaid/1"


def _grade(text: str) -> float:
    import textstat

    return round(float(textstat.flesch_kincaid_grade(text)), 1)


class Grader:
    """A helper process that computes reading grades, started at the first grade a build needs.

    textstat loads the CMU pronouncing dictionary (about 150 MB) once and keeps it; kept in the
    helper, it goes when the helper ends, after reading (:func:`release`), before the writers
    need memory. A fresh interpreter running this module (``python -m lessonpack.grades``), not a
    fork: a fork of a build that has read many lessons would count all of the build's memory as
    its own; and not multiprocessing's ``spawn`` either, which runs the parent's main script
    again in the helper (``sphinx-build``: all of Sphinx imported, about 0.3 s of CPU, before
    the first grade). Texts go to its standard input and grades come back on its output, one
    JSON line each. ``starts`` counts the helpers this process has started.

    Each process that grades has its own helper: a parallel read (``sphinx-build -j``) forks
    workers that read documents, and a worker must not share the pipe of its parent's helper.
    A worker that ends closes its pipe, so its helper ends too (a worker is never told that
    reading is over; waiting for the helper there would hang the build).
    """

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.owner = 0  # the process that started the helper
        self.starts = 0

    def grade(self, text: str) -> float:
        if self.process is None or self.owner != os.getpid():
            self.process = subprocess.Popen(
                [sys.executable, "-m", __name__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
            self.owner = os.getpid()
            self.starts += 1
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(text) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the reading-grade helper ended (exit code {self.process.wait()})")
        return float(json.loads(answer))

    def close(self) -> None:
        if self.process is not None and self.owner == os.getpid():
            assert self.process.stdin is not None and self.process.stdout is not None
            self.process.stdin.close()  # the helper reads the end of its input and returns
            self.process.wait()
            self.process.stdout.close()
        self.process = None


def _serve() -> None:
    """The helper: a grade for every text it is sent, until the build closes the pipe."""
    for line in sys.stdin:
        sys.stdout.write(json.dumps(_grade(json.loads(line))) + "\n")
        sys.stdout.flush()
    # Ends at once: tearing the pronouncing dictionary down object by object took the build
    # that waits for the helper about 1.4 s, and the helper holds nothing to save.
    os._exit(0)


GRADER = Grader()


def release() -> None:
    """End the helper and with it the pronouncing dictionary."""
    GRADER.close()


def reading_grade(text: str) -> float:
    """The text's Flesch-Kincaid grade, computed in the helper (0 for a text of no words)."""
    return GRADER.grade(text) if text.strip() else 0.0


def grade_key(text: str) -> str:
    """What a kept grade is found by: the text, textstat's version and :data:`FORMULA`."""
    salt = f"{FORMULA}\0{version('textstat')}\0"
    return hashlib.sha256((salt + text).encode()).hexdigest()


def _read(path: Path) -> dict[str, float]:
    """The kept grades; a missing or spoiled file (or entry) is no grade."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        k: float(v)
        for k, v in data.items()
        if isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool)
    }


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f"{path.name}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def cached_grade(text: str, cache_dir: str) -> float:
    """:func:`reading_grade`, kept in ``cache_dir`` (when a folder is set) across builds."""
    if not cache_dir or not text.strip():
        return reading_grade(text)
    path = Path(cache_dir) / CACHE_NAME
    key = grade_key(text)
    grade = _read(path).get(key)
    if grade is not None:
        return grade
    with _locked(path):
        grades = _read(path)  # another build may have computed it while this one waited
        if key not in grades:
            grades[key] = reading_grade(text)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(grades, sort_keys=True, indent=0) + "\n", encoding="utf-8")
            os.replace(tmp, path)
        return grades[key]


if __name__ == "__main__":
    _serve()
