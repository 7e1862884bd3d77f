"""Very large images: a note where they are used, and scaled copies for print and EPUB.

A photograph straight from a camera (30 MB, 8000 pixels wide) makes every output that much
larger and the PDF layout many times slower, yet no page or e-reader shows more than a couple of
thousand pixels. So:

- when a document is read, an image larger than ``lessonpack_image_note_bytes`` or wider or
  taller than ``lessonpack_image_max_pixels`` gets a note with file and line (messages.note: it
  is advice, and a warning would fail the strict build; printed under `make` too);
- the EPUB and PDF builders (epub.py, pdf/builder.py) call ``shrink_copies`` after copying the
  images: each raster image over ``lessonpack_image_max_pixels`` on its longest side is written
  again at that size, with no date or metadata, so two builds give the same bytes. The website
  keeps the original (a reader may open it full size).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes

from .messages import note
from .nodes import located_line

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder

MB = 1_000_000


def size_of(path: Path) -> tuple[int, int] | None:
    """Width and height of a raster image (its header only), or None (SVG, not an image)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return image.size
    except (OSError, UnidentifiedImageError, ValueError):
        return None


def note_large_images(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read: a note for each image over the configured bytes or pixels."""
    max_bytes = app.config.lessonpack_image_note_bytes
    max_side = app.config.lessonpack_image_max_pixels
    srcdir = Path(app.srcdir)
    for image in doctree.findall(nodes.image):
        for candidate in sorted({str(c) for c in image.get("candidates", {}).values()}):
            path = srcdir / candidate
            if candidate not in app.env.images or not path.is_file():
                continue  # remote, missing, or refused by paths.py (outside the course)
            size = path.stat().st_size
            pixels = size_of(path)
            too_big = bool(max_bytes) and size > max_bytes
            too_wide = bool(max_side) and pixels is not None and max(pixels) > max_side
            if not (too_big or too_wide):
                continue
            dims = f", {pixels[0]}×{pixels[1]} pixels" if pixels else ""
            scaled = (
                f"the EPUB and PDFs use a copy scaled to {max_side} pixels on its longest "
                "side, the website the original"
                if too_wide
                else "every output carries it whole"
            )
            note(
                app,
                f"image {candidate} is {size / MB:.1f} MB{dims}: {scaled}; a smaller file "
                "makes the course lighter",
                (app.env.docname, located_line(image)),
            )


def shrink(source: Path, target: Path, max_side: int) -> bool:
    """Write ``target`` as ``source`` scaled to ``max_side`` pixels on its longest side, if it is
    larger; deterministic bytes (no date, no text or EXIF; the colour profile kept)."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(source)
    except (OSError, UnidentifiedImageError, ValueError):
        return False  # not a raster image (SVG): nothing to scale
    with image:
        kind = image.format
        if kind not in ("PNG", "JPEG", "WEBP") or getattr(image, "n_frames", 1) > 1:
            return False  # GIF, TIFF, animations: copied as they are
        if max(image.size) <= max_side:
            return False
        profile = image.info.get("icc_profile")
        if image.mode in ("P", "1", "LA", "PA", "I;16"):
            image = image.convert("RGBA" if "A" in image.mode or image.mode == "P" else "RGB")
        scale = max_side / max(image.size)
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        scaled = image.resize(size, Image.Resampling.LANCZOS)
    options: dict[str, object] = {"icc_profile": profile} if profile else {}
    if kind == "JPEG":
        options |= {"quality": 85, "optimize": False, "progressive": False}
        if scaled.mode not in ("L", "RGB", "CMYK"):
            scaled = scaled.convert("RGB")
    scaled.save(target, format=kind, **options)
    return True


def shrink_copies(builder: Builder) -> None:
    """After a builder copied its images: scale down every copy over the configured size."""
    max_side = builder.config.lessonpack_image_max_pixels
    if not max_side:
        return
    folder = Path(builder.outdir) / getattr(builder, "imagedir", "_images")
    for source, name in sorted(builder.images.items()):
        target = folder / name
        if target.is_file():
            shrink(Path(builder.srcdir) / source, target, max_side)


def setup_images(app: Sphinx) -> None:
    app.connect("doctree-read", note_large_images, priority=950)  # after paths.py's check
