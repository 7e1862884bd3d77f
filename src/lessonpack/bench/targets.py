"""The targets of issues 6 and 14, and how a figure is judged against one."""

from __future__ import annotations

from dataclasses import dataclass

from .stats import Summary


@dataclass(frozen=True)
class Target:
    """``value OP limit``, judged on the median of the runs, or on the worst run if ``worst``."""

    op: str  # "<=" or ">="
    limit: float
    text: str
    worst: bool = False

    def __post_init__(self) -> None:
        if self.op not in ("<=", ">="):
            raise ValueError(f"unknown comparison {self.op!r}")

    def value(self, summary: Summary) -> float:
        if not self.worst:
            return summary.median
        return summary.high if self.op == "<=" else summary.low

    def passes(self, summary: Summary) -> bool:
        value = self.value(summary)
        if value != value:  # NaN: nothing to judge, so not met
            return False
        return value <= self.limit if self.op == "<=" else value >= self.limit


NO_CHANGE_SECONDS = Target("<=", 1.0, "≤ 1 s")
NO_CHANGE_STARTS = Target("<=", 0, "0 (every run)", worst=True)
EDIT_RATIO = Target("<=", 0.15, "≤ 15 %")
PARALLEL_SPEEDUP = Target(">=", 1.6, "≥ 1.6×")
SIMPLEPDF_RATIO = Target(">=", 1.5, "≥ 1.5×")
PEAK_AT_LARGEST = Target("<=", 300, "≤ 300 MB")
PEAK_LESSONS = 64  # the memory target applies to the 64-lesson course
# Memory that does not grow with the book: the peak at 128 lessons over the peak at 64 (with
# 5 % for the noise of measuring a peak; run with --sizes ... 64 128).
PEAK_GROWTH = Target("<=", 1.05, "≤ 1.05× (no higher)")
PEAK_GROWTH_LESSONS = 128
# Linear growth: the seconds each added lesson costs between the two largest sizes are within
# 1.5× of what each costs between the two smallest (a fixed cost for the book's other pages
# would make "seconds per lesson" fall with size and hide a superlinear builder).
LINEARITY = Target("<=", 1.5, "≤ 1.5×")
LINEARITY_CRITERION = (
    "seconds per added lesson between the two largest sizes, divided by seconds per added "
    "lesson between the two smallest sizes (with only two sizes: seconds per lesson at the "
    "larger over seconds per lesson at the smaller)"
)


def marginal_growth(sizes: list[int], seconds: list[float]) -> float:
    """The linearity figure: marginal seconds per lesson, largest sizes over smallest sizes."""
    if len(sizes) != len(seconds) or len(sizes) < 2:
        raise ValueError("need seconds for at least two sizes")
    pairs = sorted(zip(sizes, seconds, strict=True))
    if len(pairs) == 2:
        (small, t_small), (large, t_large) = pairs
        return (t_large / large) / (t_small / small)
    (s0, t0), (s1, t1) = pairs[0], pairs[1]
    (s2, t2), (s3, t3) = pairs[-2], pairs[-1]
    first = (t1 - t0) / (s1 - s0)
    last = (t3 - t2) / (s3 - s2)
    return last / first if first > 0 else float("nan")
