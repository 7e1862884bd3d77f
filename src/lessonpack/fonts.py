"""Bundled fonts: subset them to what the book uses, and check that they cover every character.

Run as ``python -m lessonpack.fonts SRC OUT --text DIR [DIR ...]`` to write a subset of SRC that
keeps the base Latin ranges (or, with ``--only-found``, just the characters found in DIR).
"""

from __future__ import annotations

import argparse
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.util import logging

from . import fontfacts

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

# Latin with pinyin tone marks (Latin Extended-A/B), combining marks, Cyrillic, punctuation,
# currency, arrows and geometric shapes: what an English history book with Chinese names needs.
BASE_RANGES = [
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x300, 0x36F),
    (0x370, 0x3FF),
    (0x400, 0x4FF),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x215F),
    (0x2190, 0x21FF),
    (0x2212, 0x2212),
    (0x2460, 0x2473),
    (0x25A0, 0x25FF),
]
SOURCE_SUFFIXES = {".md", ".bib", ".csv"}


def characters_in(dirs: list[Path]) -> set[str]:
    found: set[str] = set()
    for folder in dirs:
        for path in sorted(folder.rglob("*")):
            if path.suffix in SOURCE_SUFFIXES and path.is_file():
                found.update(path.read_text(encoding="utf-8"))
    return {c for c in found if ord(c) >= 0x20}


def subset_font(src: Path, out: Path, codepoints: set[int], font_number: int = 0) -> None:
    from fontTools import subset

    options = subset.Options()
    options.font_number = font_number
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False  # the same input gives the same bytes
    font = subset.load_font(str(src), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    out.parent.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(out), options)


@cache
def _cmap(path: str, cache_dir: str = "") -> frozenset[int]:
    """The characters the font draws, kept across builds (``fontfacts.py``: no fontTools
    imported when the font did not change)."""
    found = fontfacts.facts(Path(path), cache_dir)
    if found is not None:
        return found.codepoints
    from fontTools.ttLib import TTFont  # not a font: fontTools says why

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def check_coverage(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read: warn (file and line) about characters none of the book's fonts can draw."""
    files = app.config.lessonpack_fonts
    if not files:
        return
    covered: set[int] = set()
    for name in files:
        covered |= _cmap(str(Path(app.confdir) / name), app.config.lessonpack_cache_dir)
    reported: set[str] = set()
    for text in doctree.findall(nodes.Text):
        for char in str(text):
            if ord(char) in covered or char.isspace() or char in reported:
                continue
            reported.add(char)
            parent = text.parent
            while parent is not None and parent.line is None:
                parent = parent.parent
            logger.warning(
                "no bundled font has a glyph for %r (U+%04X); run `make fonts`",
                char,
                ord(char),
                location=parent or doctree,
                type="lessonpack",
                subtype="font",
            )


def setup_fonts(app: Sphinx) -> None:
    app.connect("doctree-read", check_coverage)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("src", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument(
        "--text",
        type=Path,
        nargs="+",
        required=True,
        help="folders whose characters the subset must cover",
    )
    parser.add_argument("--font-number", type=int, default=0, help="face index in a .ttc")
    parser.add_argument(
        "--only-found",
        action="store_true",
        help="keep only characters found in the text (for CJK fonts)",
    )
    parser.add_argument(
        "--min",
        type=lambda s: int(s, 16),
        default=0,
        help="with --only-found: lowest code point to keep (hex)",
    )
    args = parser.parse_args(argv)
    if not args.src.is_file():
        parser.exit(
            1, f"{args.src}: no such font file (Debian packages fonts-noto-core, fonts-noto-cjk)\n"
        )
    found = {ord(c) for c in characters_in(args.text)}
    if args.only_found:
        points = {p for p in found if p >= args.min}
    else:
        points = found | {p for lo, hi in BASE_RANGES for p in range(lo, hi + 1)}
    subset_font(args.src, args.out, points, args.font_number)
    print(f"{args.out}: {len(points)} code points requested")


if __name__ == "__main__":
    main()
