"""What a render spends its CPU on (render.py): Python's cycle collector runs rarely (at the
default thresholds it ran every few milliseconds during a layout, each run walking every box
alive, a quarter of the CPU); WeasyPrint writes the PDF uncompressed, and only qpdf compresses
it (tagfix.py's save), once."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest

from lessonpack.pdf.render import Rendered, render_html

PARAGRAPH = "<p>The quota was raised again, and the granaries were reported full. " * 12 + "</p>"
HTML = (
    '<html lang="en"><head><title>Collections</title></head><body>'
    + "".join(f"<h2>Section {n}</h2>{PARAGRAPH * 4}" for n in range(12))
    + "</body></html>"
)


@dataclass
class Render:
    rendered: Rendered
    target: Path
    collections: int  # runs of the cycle collector during the render
    thresholds: tuple[tuple[int, int, int], tuple[int, int, int]]  # before and after


@pytest.fixture(scope="module")
def render(tmp_path_factory: pytest.TempPathFactory) -> Render:
    """One render of a dozen pages, its collector runs counted."""
    folder = tmp_path_factory.mktemp("render")
    runs: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            runs.append(info["generation"])

    before = gc.get_threshold()
    gc.callbacks.append(count)
    try:
        rendered = render_html(folder, HTML, "a4", folder / "piece.pdf")
    finally:
        gc.callbacks.remove(count)
    return Render(rendered, folder / "piece.pdf", len(runs), (before, gc.get_threshold()))


def test_a_layout_runs_the_cycle_collector_a_few_times_and_restores_its_thresholds(
    render: Render,
):
    assert render.rendered.pages >= 10, render.rendered.pages
    # At the default thresholds this layout ran over 200 collections; now a few, and the
    # one that frees the piece's boxes at the end.
    assert render.collections <= 10, render.collections
    before, after = render.thresholds
    assert after == before
    assert render.target.read_bytes().startswith(b"%PDF-")


def test_a_render_is_written_compressed_once(render: Render):
    """Every stream (pages, fonts, the structure's) compressed and the objects in object
    streams, though WeasyPrint writes them plain: qpdf compresses them when tagfix saves."""
    data = render.target.read_bytes()
    with pikepdf.open(render.target) as pdf:
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


def test_a_process_keeps_few_of_the_sheets_a_book_s_pieces_bring(tmp_path: Path):
    """Each piece of a book brings sheets of its own (its first page number, the page numbers it
    shows): a rendering process that kept every one grew with the book. The paper's sheet, met
    again, is the one parsed before."""
    from weasyprint import CSS

    from lessonpack.pdf.render import TEXT_SHEETS_KEPT, Styles, page_css

    def alive() -> int:
        gc.collect()
        return sum(isinstance(o, CSS) for o in gc.get_objects())

    styles = Styles(tmp_path)
    before = alive()
    paper = styles.text(page_css("a4"))
    for first in range(2, 200):
        styles.text(page_css("a4", first))
        assert styles.text(page_css("a4")) is paper  # the paper's sheet, kept
    assert alive() - before <= TEXT_SHEETS_KEPT
