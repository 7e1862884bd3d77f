"""The results: an aligned plain-text table on stdout and a JSON file with every raw value."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .figures import Figure

HEADER = ("figure", "median", "min–max", "target", "result")


def number(value: float, unit: str) -> str:
    """A value in its unit, as the table prints it."""
    if math.isnan(value):
        return "n/a"
    if unit == "%":
        return f"{value * 100:.0f} %"
    if unit == "x":
        return f"{value:.2f}×"
    if unit in ("pages", "count"):
        return f"{value:.0f}" if value == int(value) else f"{value:.1f}"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "pages/s":
        return f"{value:.1f} pages/s"
    if unit == "s":
        return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"
    return f"{value:g} {unit}".strip()


def spread(figure: Figure) -> str:
    low, high = figure.summary.low, figure.summary.high
    if len(figure.summary.values) == 1:
        return "(1 run)"
    if unit_free(figure.unit):
        return f"{number(low, figure.unit)}–{number(high, figure.unit)}"
    first = number(low, figure.unit).rsplit(" ", 1)[0]
    return f"{first}–{number(high, figure.unit)}"


def unit_free(unit: str) -> bool:
    return unit in ("pages", "count", "x")


def rows(figures: Sequence[Figure]) -> list[tuple[str, ...]]:
    return [
        (
            figure.label,
            number(figure.summary.median, figure.unit),
            spread(figure),
            figure.target.text if figure.target else "",
            figure.verdict,
        )
        for figure in figures
    ]


def table(figures: Sequence[Figure], title: str = "") -> str:
    """Aligned columns: label left, numbers right, one figure per line."""
    lines = [HEADER, *rows(figures)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    out = [title] if title else []
    for index, line in enumerate(lines):
        cells = [line[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(line[1:4], widths[1:4], strict=True)]
        cells.append(line[4].ljust(widths[4]))
        out.append("  ".join(cells).rstrip())
        if index == 0:
            out.append("  ".join("-" * width for width in widths))
    return "\n".join(out)


def notes(figures: Sequence[Figure]) -> str:
    """The notes of the figures that have one (criteria, directions), one line each."""
    return "\n".join(f"note: {figure.label}: {figure.note}" for figure in figures if figure.note)


def targets_summary(figures: Sequence[Figure]) -> str:
    judged = [figure for figure in figures if figure.target is not None]
    failed = [figure.label for figure in judged if figure.verdict != "pass"]
    line = f"targets: {len(judged) - len(failed)} of {len(judged)} met"
    return line + (f"; not met: {'; '.join(failed)}" if failed else "")


def write_json(path: Path, results: dict[str, Any], figures: Sequence[Figure]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {**results, "figures": [figure.as_dict() for figure in figures]}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
