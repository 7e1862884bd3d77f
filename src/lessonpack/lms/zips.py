"""Reproducible zip files: entries sorted by name, dated from ``SOURCE_DATE_EPOCH``, one mode."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

ZIP_EPOCH = 315532800  # 1980-01-01: the first date a zip entry can hold


def epoch() -> int:
    return int(os.environ.get("SOURCE_DATE_EPOCH", str(ZIP_EPOCH)))


def write_zip(path: Path, entries: dict[str, bytes], stamp: int | None = None) -> None:
    """``entries`` (name -> bytes) as a zip at ``path``, byte for byte the same on every build."""
    moment = time.gmtime(max(epoch() if stamp is None else stamp, ZIP_EPOCH))[:6]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=moment)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            out.writestr(info, entries[name])
    os.replace(tmp, path)
