"""Rendered PDFs kept by what they were made from, so a rebuild lays out only what changed.

The key of a render is a hash of everything that decides its bytes: the HTML text, the paper,
the number of its first page, every file of the build's ``_static`` and ``_images`` folders
(stylesheets, fonts, charts), the versions of WeasyPrint and pydyf, and this package's PDF code.
The same key always gives the same bytes (the builds are reproducible), so a hit is as good as
a new render. Entries no build used are removed when the build ends.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from functools import cache
from pathlib import Path

from .render import Rendered

RESOURCE_FOLDERS = ("_static", "_images")


@cache
def code_salt() -> str:
    """WeasyPrint's and pydyf's versions and the source of the modules that write PDFs."""
    import pikepdf
    import pydyf
    import weasyprint

    digest = hashlib.sha256()
    digest.update(f"{weasyprint.__version__} {pydyf.__version__} {pikepdf.__version__}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def resources_digest(root: Path) -> str:
    """One hash of every file a page may load from the build folder."""
    digest = hashlib.sha256()
    for folder in RESOURCE_FOLDERS:
        base = root / folder
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class RenderCache:
    """A folder of ``<key>.pdf`` files, each with ``<key>.json`` (pages, anchors, warnings)."""

    def __init__(self, folder: Path, salt: str) -> None:
        self.folder = folder
        self.salt = salt
        folder.mkdir(parents=True, exist_ok=True)

    def key(self, text: str, paper: str, first_page: int) -> str:
        digest = hashlib.sha256(self.salt.encode())
        digest.update(f"\0{paper}\0{first_page}\0".encode())
        digest.update(text.encode("utf-8"))
        return digest.hexdigest()

    def pdf(self, key: str) -> Path:
        return self.folder / f"{key}.pdf"

    def get(self, key: str) -> Rendered | None:
        meta = self.folder / f"{key}.json"
        if not (meta.is_file() and self.pdf(key).is_file()):
            return None
        os.utime(meta)  # used by this build: kept by prune()
        return Rendered.from_json(json.loads(meta.read_text(encoding="utf-8")))

    def put(self, key: str, result: Rendered) -> None:
        """Record a render whose PDF was written to :meth:`pdf` (the file is complete)."""
        meta = self.folder / f"{key}.json"
        tmp = meta.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(result.to_json(), sort_keys=True), encoding="utf-8")
        tmp.replace(meta)

    def copy(self, key: str, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        shutil.copyfile(self.pdf(key), tmp)
        tmp.replace(target)

    def prune(self, keep: set[str]) -> int:
        """Remove every entry not in ``keep``; return how many went."""
        removed = 0
        for meta in self.folder.glob("*.json"):
            key = meta.stem
            if key in keep:
                continue
            meta.unlink(missing_ok=True)
            self.pdf(key).unlink(missing_ok=True)
            removed += 1
        for stray in self.folder.glob("*.pdf"):
            if not (self.folder / f"{stray.stem}.json").exists():
                stray.unlink(missing_ok=True)
        return removed
