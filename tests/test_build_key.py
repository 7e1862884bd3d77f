"""The build's key (pdf/reuse.py, ``build_key``: what every kept page, output and deck of a
build is made from beside its own documents). Its domain data is made plain data with each
list's JSON text made once (``stable``): the same plain data and JSON text as sorting every
level by ``json.dumps`` (the way before, kept here as the reference), in half the CPU; and
anything another page shows changes the key, while an edit of a lesson's prose does not."""

from __future__ import annotations

import ast
import enum
import json
import math
import os
import resource
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from docutils import nodes

from conftest import BASE_CONF, REFS, sphinx_app, write_files
from lessonpack.pagereuse import unlined
from lessonpack.pdf.reuse import build_key, stable
from test_directives import GLOSSARY


def reference(value: Any, depth: int = 0) -> Any:
    """``stable`` as it was: every level sorted by the ``json.dumps`` of its items."""
    if depth > 40:
        return type(value).__name__
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, nodes.Node):
        return ["node", type(value).__name__, value.astext()]
    if isinstance(value, ast.AST):
        return ["ast", ast.dump(value)]
    if isinstance(value, PurePosixPath):
        return str(value)
    if isinstance(value, dict):
        items = [[reference(k, depth + 1), reference(v, depth + 1)] for k, v in value.items()]
        return sorted(items, key=json.dumps)
    if isinstance(value, (set, frozenset, list)):
        return sorted((reference(v, depth + 1) for v in value), key=json.dumps)
    if isinstance(value, tuple):
        return [reference(v, depth + 1) for v in value]
    if hasattr(value, "__dict__"):
        return [type(value).__name__, reference(vars(value), depth + 1)]
    return type(value).__name__


class Level(enum.IntEnum):
    LOW = 1


class Label(str):
    pass


class Place(NamedTuple):
    doc: str
    line: int


class Thing:
    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)


def deep(n: int) -> Any:
    value: Any = "bottom"
    for i in range(n):
        value = {f"k{i}": [value, i]}
    return value


ODD = {
    "numbers": [1, True, 1.0, -0.0, math.inf, -math.inf, 2**70, Level.LOW, 0, False, None],
    "strings": ["é", Label("b"), 'a\n"quoted"', "\u2028", "😀", "", b"\x00\xff"],
    "sets": {frozenset({3, 1, 2}), frozenset({"b", "a"})},
    "tuples": [(2, 1), (1, 2), Place("units/a", 12), Place("units/a", 3)],
    ("tuple", "key"): {None: "none", 1: "one", "1": "string one"},
    "objects": [Thing(b=[3, 2, 1], a=Thing(c={"x"})), object(), nodes.paragraph("", "Text.")],
    "tree": ast.parse("x = 1"),
    "path": PurePosixPath("a/b.md"),
    "deep": deep(45),
}


def test_stable_gives_the_plain_data_and_text_of_before():
    for value in [ODD, *ODD.values(), [ODD, ODD], {"nan": math.nan}]:
        assert json.dumps(stable(value)) == json.dumps(reference(value))
        if value is not ODD["numbers"]:  # nan != nan
            assert stable(value) == reference(value)


COURSE = {
    "index.md": "# Course\n\n```{toctree}\nunits/a\nunits/b\nglossary\nbibliography\n```\n",
    "units/a.md": "# Lesson A\n\n(lesson-a)=\n## Reading\n\nAs {cite:t}`smith2000` shows, "
    "the {term}`commune` was large.\n",
    "units/b.md": "# Lesson B\n\nSee {ref}`lesson-a`; {cite:t}`lee1990` disagrees.\n",
    "glossary.md": GLOSSARY,
    "bibliography.md": "# Bibliography\n\n```{bibliography}\n```\n",
}


def keys(tmp_path: Path, name: str, edit: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """The build key of a course (``name``'s edit of its sources: file -> (old, new)), as the PDF
    builder makes it and as the websites and decks make it (without line numbers)."""
    files = {**COURSE, "conf.py": BASE_CONF, "refs.bib": REFS}
    for file, (old, new) in edit.items():
        assert old in files[file], (file, old)
        files[file] = files[file].replace(old, new)
    # The same folders every time (their paths are settings): files written afresh, fresh env.
    src = write_files(tmp_path / "src", files)
    # sphinxcontrib-bibtex keeps each .bib file's time in its domain data: a touched file is
    # another key (safe: a key changes too often, never too seldom); the same time here.
    os.utime(src / "refs.bib", (1700000000, 1700000000))
    app, _status, warnings = sphinx_app(src, tmp_path / "out", tmp_path / "dt")
    assert warnings == ""
    return build_key(app.builder, {}), build_key(app.builder, {}, unlined)


def test_what_other_pages_show_changes_the_key_and_prose_does_not(tmp_path: Path):
    first = keys(tmp_path, "first", {})
    assert keys(tmp_path, "same", {}) == first  # another process's build of the same
    prose = keys(tmp_path, "prose", {"units/b.md": ("disagrees", "does not agree")})
    assert prose == first
    moved = keys(tmp_path, "moved", {"units/a.md": ("# Lesson A\n", "# Lesson A\n\n\n")})
    assert moved[1] == first[1]  # lines moved: the same key without line numbers
    shown = {
        "title": {"units/b.md": ("# Lesson B", "# Lesson Bee")},
        "label": {"units/a.md": ("(lesson-a)=", "(lesson-aa)="), "units/b.md": ("a`;", "aa`;")},
        "term": {
            "glossary.md": ("commune\n", "collective\n"),
            "units/a.md": ("`commune`", "`collective`"),
        },
        "citation": {"refs.bib": ("title = {A History}", "title = {A Long History}")},
        "cited": {"units/b.md": ("lee1990", "smith2000")},
    }
    for name, edit in shown.items():
        changed = keys(tmp_path, name, edit)
        assert changed[0] != first[0] and changed[1] != first[1], name


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def test_stable_takes_half_the_cpu_of_before(tmp_path: Path):
    """The citations' domain of a bibliography (formatted entries: pybtex's rich text objects)
    made plain data and text: sorting by ``json.dumps`` at every level encoded each item again
    at every level above it."""
    bib = "".join(
        f"@book{{b{i}, author = {{Author{i}, Ann and Other{i}, Bo}}, title = {{Book {i}}},"
        f" publisher = {{Press}}, year = {{{1950 + i}}}}}\n"
        for i in range(40)
    )
    cites = ", ".join(f"{{cite:t}}`b{i}`" for i in range(40))
    files = {
        "conf.py": BASE_CONF,
        "refs.bib": bib,
        "index.md": "# Index\n\n```{toctree}\npage\nbibliography\n```\n",
        "page.md": f"# Page\n\n{cites}.\n",
        "bibliography.md": "# Bibliography\n\n```{bibliography}\n```\n",
    }
    src = write_files(tmp_path / "src", files)
    # sphinxcontrib-bibtex keeps each .bib file's time in its domain data: a touched file is
    # another key (safe: a key changes too often, never too seldom); the same time here.
    os.utime(src / "refs.bib", (1700000000, 1700000000))
    app, _status, warnings = sphinx_app(src, tmp_path / "out", tmp_path / "dt")
    assert warnings == ""
    data = dict(app.env.domaindata)
    assert json.dumps(stable(data)) == json.dumps(reference(data))

    def cpu(plain: Any) -> float:
        times = []
        for _ in range(3):
            start = _cpu()
            for _ in range(3):
                json.dumps(plain(data))
            times.append(_cpu() - start)
        return sorted(times)[1]

    assert cpu(stable) < 0.6 * cpu(reference)
