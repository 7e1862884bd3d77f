"""A raster cover for the EPUB, drawn at build time from an SVG ``epub_cover``.

Common reading systems (calibre, many e-ink readers) ignore an SVG cover image. When the cover
is SVG, the builder draws it as a PNG beside it with resvg (pinned on PyPI), using only the
fonts the book ships in its output folder (no system font), so the bytes are the same on every
machine, and the PNG becomes the ``cover-image``.
"""

from __future__ import annotations

from pathlib import Path

from . import fontfacts

FONT_SUFFIXES = {".ttf", ".otf", ".ttc"}


def family(font: Path, cache_dir: str = "") -> str | None:
    """A font file's family name (its name table's ID 1; kept across builds: ``fontfacts.py``)."""
    found = fontfacts.facts(font, cache_dir)
    if found is None:
        from fontTools.ttLib import TTFont  # not a font: fontTools says why

        with TTFont(str(font), fontNumber=0, lazy=True) as tt:
            return tt["name"].getDebugName(1) or None
    return found.family


def raster_cover(outdir: Path, image: str, serif: str | None = None) -> str | None:
    """Draw ``outdir/image`` (an SVG) as a PNG beside it; returns the PNG's name, or None when
    the cover is not SVG or was not written. ``serif`` names the family that the generic
    families (``serif``, ``sans-serif``) stand for (the book's first ``lessonpack_fonts``)."""
    svg = outdir / image
    if svg.suffix.lower() != ".svg" or not svg.is_file():
        return None
    import resvg_py

    fonts = sorted(str(p) for p in outdir.rglob("*") if p.suffix.lower() in FONT_SUFFIXES)
    png = svg.with_suffix(".png")
    generic = ("font_family", "serif_family", "sans_serif_family")
    options = dict.fromkeys(generic, serif) if serif else {}
    png.write_bytes(
        bytes(
            resvg_py.svg_to_bytes(
                svg_path=str(svg), skip_system_fonts=True, font_files=fonts, **options
            )
        )
    )
    return png.relative_to(outdir).as_posix()
