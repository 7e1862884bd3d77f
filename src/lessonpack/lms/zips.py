"""Reproducible zip files: entries sorted by name, dated from ``SOURCE_DATE_EPOCH``, one mode.

The zips are written here, record by record as the zip format (PKWARE's APPNOTE) lays them
out, in the bytes Python's ``zipfile`` writes for the same entries (``tests/test_lms_zips.py``
compares them): each entry deflated as ``zipfile`` deflates it (raw deflate, zlib's default
level), but a stream deflated before is taken from a :class:`~lessonpack.keyed.KeyedStore`,
by the SHA-256 of the entry's bytes and zlib's version. ``zipfile`` has no public way to write
data deflated beforehand, and the two cartridges of every ``make`` hold the same website, fonts
and handouts: deflating them again took about 0.9 s of CPU on every edit. A zip too large for
the plain format (ZIP64) is written by ``zipfile``, deflating everything.

An entry is bytes, or the path of a file read when its entry is written: a cartridge holds the
whole website and every handout, and the process that wrote it held them all at once (the
course's size in memory); now it holds one entry at a time, and of the streams deflated for
both cartridges only their keys (the streams stay in the store).
"""

from __future__ import annotations

import hashlib
import os
import struct
import time
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path

from ..keyed import KeyedStore

Data = bytes | Path  # an entry's bytes, or the file that holds them

ZIP_EPOCH = 315532800  # 1980-01-01: the first date a zip entry can hold
# Everything that decides a deflated stream's bytes beside the data.
SALT = (
    f"raw deflate, wbits -15, level {zlib.Z_DEFAULT_COMPRESSION}, zlib {zlib.ZLIB_RUNTIME_VERSION}"
)
STORE_FOLDER = "lms-deflated"
SUFFIX = ".deflate"

VERSION = 20  # zip 2.0: deflate (what zipfile writes as version needed and made by)
UNIX = 3  # made on Unix: the external attributes are a file mode
MODE = 0o644 << 16
UTF8_NAME = 1 << 11
LOCAL = struct.Struct("<4s2B4HL2L2H")
CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
END = struct.Struct("<4s4H2LH")
PLAIN_LIMIT = (1 << 31) - 1  # zipfile's ZIP64_LIMIT
COUNT_LIMIT = (1 << 16) - 1


def epoch() -> int:
    return int(os.environ.get("SOURCE_DATE_EPOCH", str(ZIP_EPOCH)))


def read(data: Data) -> bytes:
    """An entry's bytes (a file's read now)."""
    return data.read_bytes() if isinstance(data, Path) else data


def size(data: Data) -> int:
    return data.stat().st_size if isinstance(data, Path) else len(data)


def deflate(data: bytes) -> bytes:
    """``data`` as ``zipfile`` deflates an entry."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


class Deflater:
    """Deflated streams: from the store in ``cache`` (an earlier run, or this one: the same
    file in both cartridges), else deflated now and kept there; without a store, from this
    run's own. ``deflated`` counts the streams this one deflated."""

    def __init__(self, cache: Path | None = None) -> None:
        self.store = KeyedStore(cache / STORE_FOLDER, SALT) if cache is not None else None
        self.made: dict[str, bytes] = {}  # without a store only
        self.deflated = 0

    def __call__(self, data: bytes) -> bytes:
        store = self.store
        if store is None:
            key = hashlib.sha256(data).hexdigest()
            if key not in self.made:
                self.made[key] = deflate(data)
                self.deflated += 1
            return self.made[key]
        key = store.key(data)
        kept = store.get(key, SUFFIX)
        if kept is None:
            kept = deflate(data)
            self.deflated += 1
            store.put(key, {SUFFIX: kept})
        return kept

    def prune(self) -> None:
        """Keep in the store the streams this run used, no other."""
        if self.store is not None:
            self.store.prune()


def _dos_time(stamp: int) -> tuple[int, int]:
    year, month, day, hour, minute, second = time.gmtime(max(stamp, ZIP_EPOCH))[:6]
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def _name(name: str) -> tuple[bytes, int]:
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), UTF8_NAME


def write_zip(
    path: Path,
    entries: Mapping[str, Data],
    stamp: int | None = None,
    deflater: Deflater | None = None,
) -> None:
    """``entries`` (name -> bytes, or a file's path) as a zip at ``path``, byte for byte the
    same on every build."""
    moment = epoch() if stamp is None else stamp
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    total = sum(size(data) for data in entries.values())
    if total * 1.05 > PLAIN_LIMIT or len(entries) > COUNT_LIMIT:
        _write_zip64(tmp, entries, moment)
    else:
        _write_plain(tmp, entries, moment, deflater or Deflater())
    os.replace(tmp, path)


def _write_plain(tmp: Path, entries: Mapping[str, Data], stamp: int, deflater: Deflater) -> None:
    dostime, dosdate = _dos_time(stamp)
    central = []
    offset = 0
    with open(tmp, "wb") as out:
        for name in sorted(entries):
            data = read(entries[name])
            stream = deflater(data)
            encoded, flags = _name(name)
            crc = zlib.crc32(data)
            fields = (flags, zipfile.ZIP_DEFLATED, dostime, dosdate, crc, len(stream), len(data))
            out.write(LOCAL.pack(b"PK\003\004", VERSION, 0, *fields, len(encoded), 0))
            out.write(encoded)
            out.write(stream)
            central.append(
                CENTRAL.pack(
                    b"PK\001\002",
                    VERSION,
                    UNIX,
                    VERSION,
                    0,
                    *fields,
                    len(encoded),
                    0,
                    0,
                    0,
                    0,
                    MODE,
                    offset,
                )
                + encoded
            )
            offset += LOCAL.size + len(encoded) + len(stream)
        directory = b"".join(central)
        out.write(directory)
        out.write(
            END.pack(b"PK\005\006", 0, 0, len(central), len(central), len(directory), offset, 0)
        )


def _write_zip64(tmp: Path, entries: Mapping[str, Data], stamp: int) -> None:
    moment = time.gmtime(max(stamp, ZIP_EPOCH))[:6]
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=moment)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = MODE
            info.create_system = UNIX
            out.writestr(info, read(entries[name]))
