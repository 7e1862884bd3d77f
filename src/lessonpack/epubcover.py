"""A raster cover for the EPUB, drawn at build time from an SVG ``epub_cover``.

Common reading systems (calibre, many e-ink readers) ignore an SVG cover image. When the cover
is SVG, the builder draws it as a PNG beside it with resvg (pinned on PyPI), using only the
fonts the book ships in its output folder (no system font), so the bytes are the same on every
machine, and the PNG becomes the ``cover-image``. The drawing (about 0.2 s of CPU, paid by
every EPUB build) is kept in ``epub-covers/`` of the shared ``lessonpack_cache_dir`` by what it
is drawn from: the SVG's bytes, the fonts', the family, resvg's version and this module; an SVG
that refers to another file is drawn every time.
"""

from __future__ import annotations

import hashlib
import os
import re
from importlib import metadata
from pathlib import Path

from . import fontfacts
from .filehash import feed, file_digest

FONT_SUFFIXES = {".ttf", ".otf", ".ttc"}
KEPT = "epub-covers"
# A reference to another file (an image, a stylesheet): its bytes would be part of the drawing.
OTHER_FILE = re.compile(rb"""(?:href|src)\s*=\s*["'](?!#|data:)|url\(\s*["']?(?!#|data:)""", re.I)


def family(font: Path, cache_dir: str = "") -> str | None:
    """A font file's family name (its name table's ID 1; kept across builds: ``fontfacts.py``)."""
    found = fontfacts.facts(font, cache_dir)
    if found is None:
        from fontTools.ttLib import TTFont  # not a font: fontTools says why

        with TTFont(str(font), fontNumber=0, lazy=True) as tt:
            return tt["name"].getDebugName(1) or None
    return found.family


def cover_key(svg: bytes, fonts: list[Path], outdir: Path, serif: str | None) -> str | None:
    """What a drawing is made of, hashed; None when the SVG refers to another file."""
    if OTHER_FILE.search(svg):
        return None
    digest = feed(hashlib.sha256(), Path(__file__))
    digest.update(f"{metadata.version('resvg-py')}\0{serif}\0".encode())
    digest.update(hashlib.sha256(svg).digest())
    for font in fonts:
        name = font.relative_to(outdir).as_posix()
        digest.update(name.encode() + b"\0" + file_digest(font))
    return digest.hexdigest()


def raster_cover(
    outdir: Path, image: str, serif: str | None = None, cache_dir: str = ""
) -> str | None:
    """Draw ``outdir/image`` (an SVG) as a PNG beside it; returns the PNG's name, or None when
    the cover is not SVG or was not written. ``serif`` names the family that the generic
    families (``serif``, ``sans-serif``) stand for (the book's first ``lessonpack_fonts``).
    With ``cache_dir``, a drawing made of the same files is copied from there."""
    svg = outdir / image
    if svg.suffix.lower() != ".svg" or not svg.is_file():
        return None
    fonts = sorted(p for p in outdir.rglob("*") if p.suffix.lower() in FONT_SUFFIXES)
    png = svg.with_suffix(".png")
    key = cover_key(svg.read_bytes(), fonts, outdir, serif) if cache_dir else None
    kept = Path(cache_dir) / KEPT / f"{key}.png"
    if key is not None and kept.is_file():
        png.write_bytes(kept.read_bytes())
        return png.relative_to(outdir).as_posix()
    import resvg_py

    generic = ("font_family", "serif_family", "sans_serif_family")
    options = dict.fromkeys(generic, serif) if serif else {}
    drawn = bytes(
        resvg_py.svg_to_bytes(
            svg_path=str(svg), skip_system_fonts=True, font_files=[str(f) for f in fonts], **options
        )
    )
    png.write_bytes(drawn)
    if key is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        tmp = kept.with_name(f".{kept.name}.{os.getpid()}.tmp")
        tmp.write_bytes(drawn)
        os.replace(tmp, kept)
    return png.relative_to(outdir).as_posix()
