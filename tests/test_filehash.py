"""Files are hashed a block at a time (filehash.py): checking or recording a kept file as large
as a merged book holds a block of it in memory, not the whole file."""

from __future__ import annotations

import hashlib
import os
import tracemalloc
from pathlib import Path

from lessonpack import filehash
from lessonpack.keyed import KeyedStore
from lessonpack.pdf.cache import checked_record, write_record

SIZE = 24 * 1024 * 1024  # a merged book of about 90 lessons
HELD = 4 * 1024 * 1024  # well above a block (1 MB), well below the file


def large_file(folder: Path) -> Path:
    path = folder / "book.pdf"
    with path.open("wb") as file:
        for _ in range(SIZE // (1 << 20)):
            file.write(os.urandom(1 << 20))
    return path


def peak(work) -> tuple[object, int]:
    """What ``work()`` returns and the most memory (bytes, Python's own) it held."""
    tracemalloc.start()
    try:
        result = work()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_file_s_hash_is_its_sha256(tmp_path):
    path = large_file(tmp_path)
    expected = hashlib.sha256(path.read_bytes())
    assert filehash.sha256(path) == expected.hexdigest()
    assert filehash.file_digest(path) == expected.digest()
    running = hashlib.sha256(b"before")
    assert (
        filehash.feed(running, path).hexdigest()
        == hashlib.sha256(b"before" + path.read_bytes()).hexdigest()
    )


def test_a_kept_file_is_recorded_and_checked_without_being_read_whole(tmp_path):
    path = large_file(tmp_path)
    meta = tmp_path / "book.json"
    _, recording = peak(lambda: write_record(meta, path, {"chunks": []}))
    record, checking = peak(lambda: checked_record(meta, path))
    assert record == {"chunks": [], "sha256": filehash.sha256(path)}
    assert recording < HELD, recording
    assert checking < HELD, checking


def test_a_file_kept_in_a_store_is_hashed_without_being_read_whole(tmp_path):
    path = large_file(tmp_path)
    store = KeyedStore(tmp_path / "store", "salt")
    _, held = peak(lambda: store.put("key", {".pdf": path}))
    assert held < HELD, held
    assert store.path("key", ".pdf").read_bytes() == path.read_bytes()
