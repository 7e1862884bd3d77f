"""A figure as a PNG for the PowerPoint deck: a PNG or JPEG as it is; an SVG (a chart, a map)
laid out by WeasyPrint on a page of its own size and rasterised by PDFium, at a fixed resolution,
so the bytes are the same on every build."""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path

DPI = 150
_SIZE = re.compile(r'\b(width|height)="([\d.]+)(pt|px)?"')


def _svg_size(text: str) -> tuple[float, float]:
    """The SVG's width and height in points (matplotlib writes pt), 640 × 400 pt if unknown."""
    head = text[: text.find(">", text.find("<svg")) + 1]
    sizes = {m[1]: float(m[2]) * (0.75 if m[3] == "px" else 1.0) for m in _SIZE.finditer(head)}
    return sizes.get("width", 640.0), sizes.get("height", 400.0)


@cache
def png(path: Path) -> bytes | None:
    suffix = path.suffix.lower()
    if suffix in (".png", ".jpg", ".jpeg"):
        return path.read_bytes()
    if suffix != ".svg":
        return None
    import pypdfium2
    from weasyprint import HTML

    width, height = _svg_size(path.read_text(encoding="utf-8"))
    page = (
        f"<style>@page {{ size: {width}pt {height}pt; margin: 0 }} body {{ margin: 0 }}"
        f" img {{ display: block; width: {width}pt; height: {height}pt }}</style>"
        f'<img src="{path.name}" alt="">'
    )
    pdf = HTML(string=page, base_url=str(path.parent) + "/").write_pdf()
    document = pypdfium2.PdfDocument(pdf)
    try:
        bitmap = document[0].render(scale=DPI / 72)
        image = bitmap.to_pil().convert("RGB")
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
