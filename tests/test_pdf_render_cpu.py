"""What a render spends its CPU on (render.py): Python's cycle collector runs rarely (at the
default thresholds it ran every few milliseconds during a layout, each run walking every box
alive, a third of the CPU); WeasyPrint writes the PDF uncompressed, and only qpdf compresses it
(tagfix.py's save), once."""

from __future__ import annotations

import gc
import time
from pathlib import Path

import pikepdf

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


def test_a_render_is_written_compressed_once(tmp_path: Path):
    """Every stream (pages, fonts, the structure's) compressed and the objects in object
    streams, though WeasyPrint writes them plain: qpdf compresses them when tagfix saves."""
    target = tmp_path / "piece.pdf"
    render_html(tmp_path, HTML, "a4", target)
    data = target.read_bytes()
    with pikepdf.open(target) as pdf:
        streams = [o for o in pdf.objects if isinstance(o, pikepdf.Stream)]
        assert len(streams) > 10
        # XMP metadata stays plain, for tools that read it without a PDF parser.
        plain = [
            o.objgen for o in streams if o.get("/Filter") is None and o.get("/Type") != "/Metadata"
        ]
        assert plain == []
        assert pdf.trailer.get("/Type") == "/XRef"  # a cross-reference stream
    assert b"/Type /ObjStm" in data or b"/Type/ObjStm" in data
    assert len(data) < 40_000, len(data)
