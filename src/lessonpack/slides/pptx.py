"""A deck as an editable PowerPoint file (python-pptx): real text in text boxes, the book's fonts
named, each question's guidance as speaker notes in a teacher deck, reproducible bytes.

The layout matches the PDF's (fit.py): 960 × 540 pt, titles 36 pt, body 24 pt. python-pptx
stamps each zip entry with the clock and the core properties with no date; both are set from
``SOURCE_DATE_EPOCH`` here, so a rebuild gives the same bytes.
"""

from __future__ import annotations

import io
import time
import zipfile
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..labels import _
from . import fit
from .model import Block, Run

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from .model import Deck, Slide

MARGIN_PT = 40
TITLE_TOP_PT = 28
TITLE_SLIDE_PT = 44
NAVY = (0x1F, 0x3A, 0x5F)


def _rgb(colour: tuple[int, int, int]) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor(*colour)


def _fill_runs(paragraph: Any, block: Block, size: int, font: str, cjk: str) -> None:
    from pptx.util import Pt

    for run_data in block.runs:
        run = paragraph.add_run()
        run.text = run_data.text
        run.font.size = Pt(size)
        run.font.name = font
        run.font.bold = run_data.bold or None
        run.font.italic = run_data.italic or block.style == "sourcing" or None
        if cjk:
            rpr = run._r.get_or_add_rPr()
            ea = rpr.makeelement("{http://schemas.openxmlformats.org/drawingml/2006/main}ea", {})
            ea.set("typeface", cjk)
            latin = rpr.find("{http://schemas.openxmlformats.org/drawingml/2006/main}latin")
            if latin is not None:
                latin.addnext(ea)
            else:
                rpr.append(ea)


def _text_box(slide: Any, left: float, top: float, width: float, height: float) -> tuple[Any, Any]:
    from pptx.util import Pt

    box = slide.shapes.add_textbox(Pt(left), Pt(top), Pt(width), Pt(height))
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = None
    return box, frame


def _blocks(frame: Any, blocks: tuple[Block, ...], font: str, cjk: str, size: int) -> None:
    from pptx.util import Pt

    first = True
    for block in blocks:
        paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
        first = False
        if block.style == "bullet":
            block = Block((Run("• "), *block.runs), block.style)
        _fill_runs(paragraph, block, size, font, cjk)
        paragraph.space_after = Pt(8)


def write_pptx(
    deck: Deck,
    target: Path,
    font: str,
    cjk: str,
    picture: Callable[[Slide], bytes | None],
    teacher: bool,
    epoch: int,
) -> None:
    """Write ``deck`` to ``target`` (a path); ``picture`` gives a figure slide's PNG."""
    from pptx import Presentation
    from pptx.enum.text import MSO_ANCHOR
    from pptx.util import Pt

    presentation = Presentation()
    presentation.slide_width = Pt(fit.WIDTH_PT)
    presentation.slide_height = Pt(fit.HEIGHT_PT)
    blank = presentation.slide_layouts[6]
    width = fit.WIDTH_PT - 2 * MARGIN_PT
    for item in deck.slides:
        slide = presentation.slides.add_slide(blank)
        if item.kind == "title":
            background = slide.background.fill
            background.solid()
            background.fore_color.rgb = _rgb(NAVY)
        if item.kind == "title":  # the title above the middle, the rest below it
            title_size, top, height = TITLE_SLIDE_PT, 40, 230
        else:
            title_size, top = fit.TITLE_PT, TITLE_TOP_PT
            height = fit.title_lines(item.title) * title_size * 1.25
        _box, frame = _text_box(slide, MARGIN_PT, top, width, height)
        frame.vertical_anchor = MSO_ANCHOR.BOTTOM if item.kind == "title" else MSO_ANCHOR.TOP
        _fill_runs(frame.paragraphs[0], Block((Run(item.title, bold=True),)), title_size, font, cjk)
        for run in frame.paragraphs[0].runs:
            run.font.color.rgb = _rgb((0xFF, 0xFF, 0xFF) if item.kind == "title" else NAVY)
        body_top = top + height + 16
        body = item.blocks
        if item.subtitle:
            body = (Block((Run(item.subtitle),)), *body)
        if item.figure is not None:
            data = picture(item)
            if data is not None:
                image = slide.shapes.add_picture(io.BytesIO(data), Pt(MARGIN_PT), Pt(body_top))
                scale = min(width * 12700 / image.width, 340 * 12700 / image.height)
                image.width, image.height = int(image.width * scale), int(image.height * scale)
                image.left = int((fit.WIDTH_PT * 12700 - image.width) / 2)
                image._element.nvPicPr.cNvPr.set("descr", item.figure.alt)
                body_top += 350
        _box, frame = _text_box(slide, MARGIN_PT, body_top, width, fit.HEIGHT_PT - body_top - 20)
        _blocks(frame, body, font, cjk, fit.BODY_PT)
        if item.kind == "title":
            for paragraph in frame.paragraphs:
                for run in paragraph.runs:
                    run.font.color.rgb = _rgb((0xFF, 0xFF, 0xFF))
        if teacher and item.notes:
            notes = slide.notes_slide.notes_text_frame
            notes.text = "\n".join(b.text for b in item.notes)
    props = presentation.core_properties
    moment = datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)
    props.title = _("{title}: slides").format(title=deck.title)
    props.author = deck.course
    props.last_modified_by = deck.course
    props.created = props.modified = moment
    props.revision = 1
    buffer = io.BytesIO()
    presentation.save(buffer)
    target.write_bytes(_fixed_zip(buffer.getvalue(), epoch))


def _fixed_zip(data: bytes, epoch: int) -> bytes:
    """The same zip with every entry dated ``epoch`` (no earlier than 1980), in the same order."""
    stamp = time.gmtime(max(epoch, 315532800))[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as copy:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            copy.writestr(entry, source.read(info.filename))
    return out.getvalue()
