"""Bytes kept under a key of everything they are made of, for the next build or run.

A store is a folder (in the shared ``lessonpack_cache_dir``, ``build/cache``, or beside a build's
doctrees). An entry is its files, ``<key><suffix>`` (one per suffix: ``.pickle``, ``.pdf``...,
or none), and its record ``<key>.json``: the SHA-256 of each file and what the caller keeps
beside them (plain JSON data), with a hash of the record itself. An entry is found only whole:
a record that does not parse or whose hash is wrong, a file missing, or changed or cut short
since it was kept (by hand, by a crash), is no entry: the caller makes it again.

Writers take the folder's lock (``flock`` on ``.lock``): each file is written beside and renamed
into place, the record last, so no reader ever sees half a file; two builds that make the same
entry at once write it one after the other, never their files mixed; pruning takes it too.
Readers take no lock (a build asks for a hundred small entries): what they read is checked
against the record, so an entry replaced or pruned while it was read is a miss, made again.

Every key asked for or kept by this process is in :attr:`KeyedStore.used`, which ``prune`` keeps.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .filehash import sha256

RECORD = ".json"
LOCK = ".lock"


def _digest(record: Any, files: Mapping[str, str]) -> str:
    text = json.dumps([record, dict(files)], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class KeyedStore:
    """The entries of one folder; ``salt`` (versions, code) is part of every :meth:`key`."""

    def __init__(self, folder: Path, salt: str = "") -> None:
        self.folder = Path(folder)
        self.salt = salt
        self.used: set[str] = set()

    def key(self, *parts: str | bytes) -> str:
        """One hash of the salt and ``parts`` (each told apart from the next)."""
        digest = hashlib.sha256(self.salt.encode())
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(b"\0%d\0" % len(data))
            digest.update(data)
        return digest.hexdigest()

    def path(self, key: str, suffix: str = "") -> Path:
        """Where the file of ``key`` with ``suffix`` is kept (a writer may write it in place,
        then :meth:`put` it)."""
        if suffix == RECORD or "/" in suffix:
            raise ValueError(f"not a suffix of a kept file: {suffix!r}")
        return self.folder / f"{key}{suffix}"

    @contextmanager
    def locked(self) -> Iterator[None]:
        """The folder's lock, held to write or prune."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _record(self, key: str) -> tuple[Any, dict[str, str]] | None:
        """The record of ``key`` and its files' hashes, if the record is whole."""
        try:
            data = json.loads((self.folder / f"{key}{RECORD}").read_text(encoding="utf-8"))
            record, files = data["record"], data["files"]
            if data["check"] != _digest(record, files) or not isinstance(files, dict):
                return None
        except (OSError, ValueError, TypeError, KeyError):
            return None
        return record, files

    def _read(self, key: str) -> tuple[Any, dict[str, bytes]] | None:
        found = self._record(key)
        if found is None:
            return None
        record, files = found
        contents = {}
        for suffix, sha in files.items():
            try:
                data = self.path(key, suffix).read_bytes()
            except (OSError, ValueError):
                return None
            if hashlib.sha256(data).hexdigest() != sha:
                return None
            contents[suffix] = data
        return record, contents

    def find(self, key: str) -> tuple[Any, dict[str, bytes]] | None:
        """The record of ``key`` and its files' bytes (by suffix), or None if it is not kept
        whole."""
        self.used.add(key)
        return self._read(key)

    def get(self, key: str, suffix: str = "") -> bytes | None:
        """The bytes of the kept file of ``key`` with ``suffix``, or None."""
        found = self.find(key)
        return None if found is None else found[1].get(suffix)

    def record(self, key: str) -> Any | None:
        """What the caller kept beside the files of ``key`` (None if not kept whole)."""
        found = self.find(key)
        return None if found is None else found[0]

    def copy(self, key: str, targets: Mapping[str, Path]) -> Any | None:
        """Write the kept files of ``key`` to ``targets`` (by suffix); its record, or None
        (nothing written) if it is not kept whole or lacks a file asked for."""
        found = self.find(key)
        if found is None or not set(targets) <= set(found[1]):
            return None
        for suffix, target in targets.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            tmp.write_bytes(found[1][suffix])
            os.replace(tmp, target)
        return found[0]

    def put(self, key: str, files: Mapping[str, bytes | Path] | None = None, record: Any = None):
        """Keep ``files`` (by suffix: bytes, or a file copied; a file already at
        :meth:`path` is kept in place) and ``record`` (JSON data, ``{}`` if None: a record
        found is never None) under ``key``."""
        self.used.add(key)
        hashes = {}
        with self.locked():
            for suffix, data in sorted((files or {}).items()):
                kept = self.path(key, suffix)
                if isinstance(data, Path) and data.resolve() == kept.resolve():
                    hashes[suffix] = sha256(kept)
                    continue
                tmp = self.folder / f".{kept.name}.{os.getpid()}.tmp"
                if isinstance(data, Path):
                    shutil.copyfile(data, tmp)
                    hashes[suffix] = sha256(tmp)  # the copy, a block at a time
                else:
                    tmp.write_bytes(data)
                    hashes[suffix] = hashlib.sha256(data).hexdigest()  # in memory already
                os.replace(tmp, kept)
            plain = json.loads(json.dumps({} if record is None else record))
            text = json.dumps(
                {"check": _digest(plain, hashes), "files": hashes, "record": plain},
                sort_keys=True,
            )
            meta = self.folder / f"{key}{RECORD}"
            tmp = self.folder / f".{meta.name}.{os.getpid()}.tmp"
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, meta)

    def blob(self, key: str, make: Callable[[], bytes], suffix: str = "") -> bytes:
        """The bytes kept under ``key``, made by ``make`` and kept first if not kept whole."""
        data = self.get(key, suffix)
        if data is None:
            data = make()
            self.put(key, {suffix: data})
        return data

    def kept(self) -> list[str]:
        """Every key with a record in the folder (whole or not)."""
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return []
        return sorted(n[: -len(RECORD)] for n in names if n.endswith(RECORD) and n[0] != ".")

    def prune(self, keep: Iterable[str] | None = None, limit: int = 0) -> int:
        """When more than ``limit`` entries are kept, remove every entry not in ``keep``
        (default: the keys this process used), and any stray file (a writer's leftover, a file
        without record); how many entries went."""
        keep = set(self.used if keep is None else keep)
        removed = 0
        with self.locked():
            keys = self.kept()
            if len(keys) <= limit:
                return 0
            for name in os.listdir(self.folder):
                if name == LOCK:
                    continue
                key = name.lstrip(".").split(".")[0]
                if key in keep and not name.startswith("."):
                    continue
                if name.endswith(RECORD) and not name.startswith("."):
                    removed += 1
                (self.folder / name).unlink(missing_ok=True)
        return removed
