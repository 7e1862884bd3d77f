"""A render runs Python's cycle collector rarely (render.py): at the default thresholds it ran
every few milliseconds during a layout, each run walking every box alive, a third of the CPU."""

from __future__ import annotations

import gc
import time
from pathlib import Path

from lessonpack.pdf.render import render_html

PARAGRAPH = "<p>The quota was raised again, and the granaries were reported full. " * 12 + "</p>"
HTML = (
    '<html lang="en"><head><title>Collections</title></head><body>'
    + "".join(f"<h2>Section {n}</h2>{PARAGRAPH * 4}" for n in range(12))
    + "</body></html>"
)


def test_a_layout_runs_the_cycle_collector_a_few_times_and_restores_its_thresholds(
    tmp_path: Path,
):
    starts: list[float] = []

    def count(phase: str, _info: dict) -> None:
        if phase == "start":
            starts.append(time.perf_counter())

    before = gc.get_threshold()
    gc.callbacks.append(count)
    try:
        rendered = render_html(tmp_path, HTML, "a4", tmp_path / "piece.pdf")
    finally:
        gc.callbacks.remove(count)
    assert rendered.pages >= 10, rendered.pages
    # At the default thresholds this layout ran over 200 collections; now a few, and the
    # one that frees the piece's boxes at the end.
    assert len(starts) <= 10, len(starts)
    assert gc.get_threshold() == before
    assert (tmp_path / "piece.pdf").read_bytes().startswith(b"%PDF-")
