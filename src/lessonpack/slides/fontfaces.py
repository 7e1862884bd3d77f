"""The decks' fonts: the book's own (``lessonpack_fonts``), each with its bold and italic faces
found beside it, declared for the PDF (``slides-fonts.css``) and named in the PowerPoint file."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = {".ttf", ".otf", ".ttc"}
CSS_NAME = "slides-fonts.css"
FOLDER = "slide-fonts"


@dataclass(frozen=True)
class Face:
    family: str
    path: Path
    weight: int
    italic: bool


def _describe(path: Path) -> Face | None:
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(path, lazy=True, fontNumber=0)
    except Exception:  # not a font: left out (fonts.py checks the listed ones)
        return None
    names = font["name"]
    family = str(names.getDebugName(16) or names.getDebugName(1) or path.stem)
    weight = int(font["OS/2"].usWeightClass) if "OS/2" in font else 400
    italic = bool(font["head"].macStyle & 2)
    font.close()
    return Face(family, path, 700 if weight >= 600 else 400, italic)


def faces(confdir: Path, listed: list[str]) -> list[Face]:
    """The faces of each listed font's family, the first listed family first."""
    out: list[Face] = []
    for name in listed:
        main = _describe(confdir / name)
        if main is None or any(f.family == main.family for f in out):
            continue
        siblings = sorted(p for p in (confdir / name).parent.iterdir() if p.suffix in SUFFIXES)
        found = [f for f in map(_describe, siblings) if f is not None and f.family == main.family]
        out += found or [main]
    return out


def write_css(found: list[Face], static: Path) -> Path:
    """Copy the faces into ``static`` and declare them: the first family as "Slide Body", any
    other (the Chinese subset) as "Slide CJK"."""
    folder = static / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    rules = []
    first = found[0].family if found else ""
    for face in found:
        shutil.copyfile(face.path, folder / face.path.name)
        alias = "Slide Body" if face.family == first else "Slide CJK"
        style = "italic" if face.italic else "normal"
        rules.append(
            f'@font-face {{ font-family: "{alias}"; src: url("{FOLDER}/{face.path.name}"); '
            f"font-weight: {face.weight}; font-style: {style}; }}"
        )
    path = static / CSS_NAME
    path.write_text("\n".join(rules) + "\n", encoding="utf-8")
    return path
