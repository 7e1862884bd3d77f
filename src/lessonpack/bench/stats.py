"""Median and range of repeated runs: every figure of the benchmark is summarised this way."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    """The median, minimum and maximum of a figure's runs (and the runs themselves)."""

    median: float
    low: float
    high: float
    values: tuple[float, ...]

    def as_dict(self) -> dict[str, object]:
        return {"median": self.median, "min": self.low, "max": self.high, "runs": list(self.values)}


def summarize(values: Sequence[float]) -> Summary:
    if not values:
        raise ValueError("no runs to summarise")
    return Summary(statistics.median(values), min(values), max(values), tuple(values))


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, or NaN when the denominator is zero (reported, never raised)."""
    return numerator / denominator if denominator else float("nan")
