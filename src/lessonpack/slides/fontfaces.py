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
    """Copy the faces into ``static``, declare them under their own family names (so the PDF
    names the fonts the PowerPoint file names) and set the body in the first family, then the
    others (the Chinese subset)."""
    folder = static / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    rules = []
    families: list[str] = []
    for face in found:
        shutil.copyfile(face.path, folder / face.path.name)
        style = "italic" if face.italic else "normal"
        rules.append(
            f'@font-face {{ font-family: "{face.family}"; src: url("{FOLDER}/{face.path.name}"); '
            f"font-weight: {face.weight}; font-style: {style}; }}"
        )
        if face.family not in families:
            families.append(face.family)
    stack = ", ".join([*(f'"{f}"' for f in families), "serif"])
    rules.append(f"html, body {{ font-family: {stack}; }}")
    path = static / CSS_NAME
    path.write_text("\n".join(rules) + "\n", encoding="utf-8")
    return path
