"""``python -m lessonpack.confcheck CONFDIR``: conf.py runs, and its lessonpack settings are valid.

Sphinx answers a syntax error or an exception in conf.py, or a setting our extension refuses,
with a crash report (a traceback, a log file, a request to report a Sphinx bug), once per build.
`make` runs this first, once: each fault is one line ``CONFDIR/conf.py:LINE: ...`` and the exit
status is 1, before any build starts.
"""

from __future__ import annotations

import ast
import os
import sys
import traceback
from dataclasses import fields
from pathlib import Path
from typing import Any

from .config import EDITIONS, MORE_TYPES, LessonpackConfig, subtitle_problem

PREFIX = "lessonpack_"


def run_conf(path: Path) -> tuple[dict[str, Any] | None, list[str]]:
    """The settings conf.py makes, as Sphinx runs it (in its folder), or the fault's message."""
    from sphinx.util.tags import Tags

    namespace: dict[str, Any] = {"__file__": str(path.resolve()), "tags": Tags()}
    source = path.read_bytes()
    cwd = Path.cwd()
    os.chdir(path.parent)
    try:
        code = compile(source, str(path), "exec")
        exec(code, namespace)
    except SyntaxError as error:
        where = f"{error.filename or path}:{error.lineno or 1}"
        return None, [f"{where}: syntax error: {error.msg}"]
    except (Exception, SystemExit) as error:
        return None, [f"{_where(error, path)}: {type(error).__name__}: {error}"]
    finally:
        os.chdir(cwd)
    return namespace, []


def _where(error: BaseException, path: Path) -> str:
    """The line of conf.py that raised (the last frame of the traceback in conf.py)."""
    line = 1
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == str(path):
            line = frame.lineno or line
    return f"{path}:{line}"


def assignment_lines(path: Path) -> dict[str, int]:
    """The line of the last assignment to each top-level name of conf.py."""
    lines: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_bytes())):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for target in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name):
                    lines[name.id] = max(lines.get(name.id, 0), node.lineno)
    return lines


def setting_location(confdir: str | Path, name: str) -> str:
    """``conf.py:LINE`` of the setting, for a warning about its value."""
    path = Path(confdir) / "conf.py"
    try:
        line = assignment_lines(path).get(name, 1)
    except (OSError, SyntaxError, ValueError):
        line = 1
    return f"{path}:{line}"


def setting_problems(namespace: dict[str, Any]) -> list[tuple[str, str]]:
    """(setting, problem) for each lessonpack setting conf.py gets wrong."""
    defaults = {
        f"{PREFIX}{f.name}": f.default_factory() if callable(f.default_factory) else f.default  # type: ignore[misc]
        for f in fields(LessonpackConfig)
    }
    problems = []
    for name, value in namespace.items():
        if not name.startswith(PREFIX):
            continue
        if name not in defaults:
            problems.append((name, f"{name} is not a lessonpack setting"))
            continue
        expected = MORE_TYPES.get(name.removeprefix(PREFIX), (type(defaults[name]),))
        if not isinstance(value, expected) and not (float in expected and type(value) is int):
            allowed = " or ".join(t.__name__ for t in expected)
            problems.append((name, f"{name} must be of type {allowed}, not {type(value).__name__}"))
    if subtitle_problem(namespace.get(f"{PREFIX}pdf_subtitle", "")):
        problems.append(
            (f"{PREFIX}pdf_subtitle", subtitle_problem(namespace[f"{PREFIX}pdf_subtitle"]))
        )
    edition = namespace.get(f"{PREFIX}edition", "student")
    if edition not in EDITIONS:
        problems.append((f"{PREFIX}edition", f"{PREFIX}edition must be one of {EDITIONS}"))
    if namespace.get("html_copy_source", True):
        # Copied sources would carry every teacher passage into the student site.
        problems.append(("html_copy_source", "the student edition needs html_copy_source = False"))
    return problems


def check(confdir: Path) -> list[str]:
    path = confdir / "conf.py"
    if not path.is_file():
        return [f"{path}: no such file"]
    namespace, faults = run_conf(path)
    if namespace is None:
        return faults
    lines = assignment_lines(path)
    return [
        f"{path}:{lines.get(name, 1)}: {problem}" for name, problem in setting_problems(namespace)
    ]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m lessonpack.confcheck CONFDIR", file=sys.stderr)
        return 2
    faults = check(Path(args[0]))
    for fault in faults:
        print(fault, file=sys.stderr)
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main())
