"""The decks' fonts: the book's own (``lessonpack_fonts``), each with its bold and italic faces
found beside it, declared for the PDF (``slides-fonts.css``) and named in the PowerPoint file."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from .. import fontfacts

SUFFIXES = {".ttf", ".otf", ".ttc"}
CSS_NAME = "slides-fonts.css"
FOLDER = "slide-fonts"


@dataclass(frozen=True)
class Face:
    family: str
    path: Path
    weight: int
    italic: bool


def _describe(path: Path, cache_dir: str = "") -> Face | None:
    """The face of a font file (kept across builds: ``fontfacts.py``); None if it is no font
    (left out: fonts.py checks the listed ones)."""
    found = fontfacts.facts(path, cache_dir)
    if found is None:
        return None
    family = found.preferred_family or found.family or path.stem
    return Face(family, path, 700 if found.weight >= 600 else 400, found.italic)


def faces(confdir: Path, listed: list[str], cache_dir: str = "") -> list[Face]:
    """The faces of each listed font's family, the first listed family first."""
    out: list[Face] = []
    for name in listed:
        main = _describe(confdir / name, cache_dir)
        if main is None or any(f.family == main.family for f in out):
            continue
        siblings = sorted(p for p in (confdir / name).parent.iterdir() if p.suffix in SUFFIXES)
        described = [_describe(p, cache_dir) for p in siblings]
        found = [f for f in described if f is not None and f.family == main.family]
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
