"""What each build wrote, and what dist/ holds: the records the publisher and the gate read.

Each Sphinx build records the files it wrote for publishing (an *output record*, beside its
output folder): their edition, their format and where each goes in dist/. The publisher builds
dist/ from these records only, and writes a *manifest* into dist/ listing every published file
with its edition, format and SHA-256. The release gate finds the student outputs from the
manifest, never from file-name patterns, and fails on any file of dist/ the manifest does not
list.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from .filehash import sha256 as sha256  # the hash the manifest records

MANIFEST = ".manifest.json"
EDITIONS = ("student", "teacher")


class ManifestError(Exception):
    """dist/ and its manifest disagree, or a record is malformed."""


@dataclass(frozen=True, order=True)
class Entry:
    """One published file: its path in dist/ (POSIX), edition, format and SHA-256."""

    path: str
    edition: str
    format: str
    sha256: str


def write_manifest(dist: Path, entries: Iterable[Entry]) -> Path:
    """Write the manifest of ``dist`` (sorted, so the same files give the same bytes)."""
    rows = sorted(entries)
    for entry in rows:
        if entry.edition not in EDITIONS:
            raise ManifestError(f"{entry.path}: unknown edition {entry.edition!r}")
    data = {"version": 1, "files": [asdict(entry) for entry in rows]}
    path = dist / MANIFEST
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_manifest(dist: Path, *, verify: bool = True) -> dict[str, Entry]:
    """Every file of ``dist`` by its path, from the manifest.

    With ``verify`` (the default), every file of dist/ must be listed and every listed file
    must exist with the recorded SHA-256: a file nobody recorded is an error, never ignored.
    """
    path = dist / MANIFEST
    if not path.is_file():
        raise ManifestError(f"{path} is missing: dist/ was not published by lessonpack.publish")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = {row["path"]: Entry(**row) for row in data["files"]}
    except (ValueError, KeyError, TypeError) as error:
        raise ManifestError(f"{path} is malformed: {error}") from error
    if verify:
        on_disk = {
            p.relative_to(dist).as_posix()
            for p in dist.rglob("*")
            if p.is_file() and p.name != MANIFEST
        }
        unlisted = sorted(on_disk - entries.keys())
        missing = sorted(entries.keys() - on_disk)
        if unlisted:
            raise ManifestError(f"{dist}: files no build recorded: {', '.join(unlisted[:5])}")
        if missing:
            raise ManifestError(f"{dist}: listed but missing: {', '.join(missing[:5])}")
        changed = [p for p, e in entries.items() if sha256(dist / p) != e.sha256]
        if changed:
            raise ManifestError(f"{dist}: changed since published: {', '.join(changed[:5])}")
    return entries


def files_of(dist: Path, edition: str, entries: dict[str, Entry] | None = None) -> list[Path]:
    """The files of dist/ of one edition, sorted."""
    entries = read_manifest(dist) if entries is None else entries
    return sorted(dist / p for p, e in entries.items() if e.edition == edition)
