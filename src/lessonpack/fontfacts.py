"""What the builds read of a font file, kept across builds: a build whose fonts did not change
imports no fontTools (about 0.2 s of CPU in each of the seven builds of an edit).

Three readers ask a font file something: the coverage check (``fonts.py``: the characters it
draws), the slide decks (``slides/fontfaces.py``: family, weight, italic) and the EPUB cover
(``epubcover.py``: the family). Each asks :func:`facts`, which reads the file with fontTools once
and keeps what it found in ``font-facts/`` in the shared ``lessonpack_cache_dir`` (a
:class:`~.keyed.KeyedStore`), by the file's bytes and fontTools' version (a changed font or
fontTools is read again). A file that is not a font is kept as such. Entries of fonts no build
asked for lately are pruned.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from .keyed import KeyedStore

FOLDER = "font-facts"
# Entries kept beyond those this process used (fonts since replaced) before it prunes.
SLACK = 8


@dataclass(frozen=True)
class FontFacts:
    preferred_family: str | None  # the name table's ID 16
    family: str | None  # ID 1
    weight: int  # OS/2 usWeightClass (400 without the table)
    italic: bool  # head.macStyle's italic bit
    codepoints: frozenset[int]  # the best cmap's characters


@cache
def _salt() -> str:
    return f"fonttools=={metadata.version('fonttools')}"


def read_facts(path: Path) -> FontFacts:
    """Read ``path`` with fontTools (the first face of a collection); raises if it is no font."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True, fontNumber=0) as font:
        names = font["name"]
        preferred, family = names.getDebugName(16), names.getDebugName(1)
        return FontFacts(
            preferred_family=str(preferred) if preferred else None,
            family=str(family) if family else None,
            weight=int(font["OS/2"].usWeightClass) if "OS/2" in font else 400,
            italic=bool(font["head"].macStyle & 2),
            codepoints=frozenset(font.getBestCmap() or {}),
        )


def _plain(found: FontFacts | None) -> dict[str, Any]:
    if found is None:
        return {"font": False}
    return {
        "font": True,
        "preferred_family": found.preferred_family,
        "family": found.family,
        "weight": found.weight,
        "italic": found.italic,
        "codepoints": sorted(found.codepoints),
    }


def _facts(data: dict[str, Any]) -> FontFacts | None:
    if not data.get("font"):
        return None
    return FontFacts(
        preferred_family=data.get("preferred_family"),
        family=data.get("family"),
        weight=int(data["weight"]),
        italic=bool(data["italic"]),
        codepoints=frozenset(int(c) for c in data["codepoints"]),
    )


class FactStore:
    """The kept facts of one cache folder (none: every font read, nothing kept)."""

    def __init__(self, folder: str) -> None:
        self.store = KeyedStore(Path(folder) / FOLDER, _salt()) if folder else None
        self.seen: dict[Path, FontFacts | None] = {}  # by path: a process's fonts do not change
        self.read = 0  # fonts this process read with fontTools

    def facts(self, path: Path) -> FontFacts | None:
        """What ``path`` is as a font, or None if it is not one (or cannot be read)."""
        if path in self.seen:
            return self.seen[path]
        store = self.store
        key = store.key(path.read_bytes()) if store is not None else ""
        if store is not None:
            kept = store.record(key)
            if kept is not None:
                try:
                    self.seen[path] = _facts(kept)
                    return self.seen[path]
                except (KeyError, TypeError, ValueError, AttributeError):
                    pass
        self.read += 1
        try:
            found: FontFacts | None = read_facts(path)
        except Exception:  # not a font (fontTools raises many kinds): kept as such
            found = None
        if store is not None:
            store.put(key, record=_plain(found))
            store.prune(limit=SLACK + len(store.used))
        self.seen[path] = found
        return found


_STORES: dict[str, FactStore] = {}


def store(folder: str) -> FactStore:
    """The store of ``folder`` (one per process and folder)."""
    if folder not in _STORES:
        _STORES[folder] = FactStore(folder)
    return _STORES[folder]


def facts(path: Path, folder: str) -> FontFacts | None:
    """:meth:`FactStore.facts` of the store of ``folder`` (``""``: nothing kept)."""
    return store(folder).facts(path)
