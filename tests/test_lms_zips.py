"""The LMS zips (lms/zips.py): written record by record in the bytes Python's zipfile writes,
each entry deflated once and kept (lessonpack.keyed) for the next run: the files of a cartridge
that did not change are not deflated again, and the zip is the same bytes either way."""

from __future__ import annotations

import os
import random
import time
import zipfile
from pathlib import Path

import pytest

from lessonpack.lms import zips

ENTRIES = {
    "imsmanifest.xml": b'<?xml version="1.0"?>\n<manifest/>\n' * 40,
    "web_resources/_static/empty.css": b"",
    "web_resources/lessons/one.html": "<p>Famine, 1959–1961</p>\n".encode() * 300,
    "web_resources/_static/fonts/face.woff2": random.Random(7).randbytes(70_000),
    "web_resources/notes/é-accentué.txt": b"Non-ASCII name: UTF-8 flag\n",
    "a/b/c/deep.json": b"{}",
}


def zipfile_bytes(tmp: Path, entries: dict[str, bytes], stamp: int) -> bytes:
    """What Python's zipfile writes for ``entries`` (the writer this module replaced)."""
    path = tmp / "reference.zip"
    moment = time.gmtime(max(stamp, zips.ZIP_EPOCH))[:6]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=moment)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            out.writestr(info, entries[name])
    return path.read_bytes()


@pytest.mark.parametrize("stamp", [0, 1700000001, 2000000000])
def test_a_zip_is_the_bytes_zipfile_writes(tmp_path: Path, stamp: int):
    path = tmp_path / "out.zip"
    zips.write_zip(path, ENTRIES, stamp)
    assert path.read_bytes() == zipfile_bytes(tmp_path, ENTRIES, stamp)
    with zipfile.ZipFile(path) as done:
        assert done.testzip() is None
        assert {n: done.read(n) for n in done.namelist()} == ENTRIES


def test_the_stamp_comes_from_source_date_epoch(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    zips.write_zip(tmp_path / "out.zip", ENTRIES)
    assert (tmp_path / "out.zip").read_bytes() == zipfile_bytes(tmp_path, ENTRIES, 1700000000)


def test_kept_streams_are_not_deflated_again_and_give_the_same_bytes(tmp_path: Path):
    cache = tmp_path / "cache"
    first = zips.Deflater(cache)
    zips.write_zip(tmp_path / "a.zip", ENTRIES, 1700000000, first)
    zips.write_zip(tmp_path / "b.zip", {**ENTRIES, "extra.txt": b"x"}, 1700000000, first)
    assert first.deflated == len(ENTRIES) + 1  # the same files in two zips: deflated once
    first.prune()

    edited = {**ENTRIES, "web_resources/lessons/one.html": b"<p>An edited page</p>\n"}
    again = zips.Deflater(cache)  # the next run
    zips.write_zip(tmp_path / "c.zip", edited, 1700000000, again)
    assert again.deflated == 1  # the edited page only
    assert (tmp_path / "c.zip").read_bytes() == zipfile_bytes(tmp_path, edited, 1700000000)


def test_a_spoiled_stream_is_deflated_again(tmp_path: Path):
    cache = tmp_path / "cache"
    zips.write_zip(tmp_path / "a.zip", ENTRIES, 1700000000, zips.Deflater(cache))
    store = zips.Deflater(cache).store
    assert store is not None
    page = ENTRIES["web_resources/lessons/one.html"]
    kept = store.path(store.key(page), zips.SUFFIX)
    kept.write_bytes(kept.read_bytes()[:-3])  # cut short
    font = store.path(store.key(ENTRIES["web_resources/_static/fonts/face.woff2"]), zips.SUFFIX)
    font.unlink()
    again = zips.Deflater(cache)
    zips.write_zip(tmp_path / "b.zip", ENTRIES, 1700000000, again)
    assert again.deflated == 2
    assert (tmp_path / "b.zip").read_bytes() == zipfile_bytes(tmp_path, ENTRIES, 1700000000)


def test_a_run_keeps_only_the_streams_it_used(tmp_path: Path):
    cache = tmp_path / "cache"
    first = zips.Deflater(cache)
    zips.write_zip(tmp_path / "a.zip", ENTRIES, 0, first)
    first.prune()
    smaller = dict(list(ENTRIES.items())[:2])
    second = zips.Deflater(cache)
    zips.write_zip(tmp_path / "b.zip", smaller, 0, second)
    second.prune()
    store = second.store
    assert store is not None
    assert store.kept() == sorted(store.key(data) for data in smaller.values())
    assert sorted(os.listdir(cache / zips.STORE_FOLDER)) == sorted(
        [".lock"] + [f"{k}{s}" for k in store.kept() for s in (".json", zips.SUFFIX)]
    )


def test_entries_given_as_files_are_read_one_at_a_time(tmp_path: Path):
    """A cartridge holds the whole website and every handout: given as files, the zip is
    written holding one entry (and its stream) at a time, in both cartridges of a run, so three
    times the files take no more memory; the bytes are those of the same entries as bytes."""
    small, large = written(tmp_path / "small", 4), written(tmp_path / "large", 12)
    # Each entry held to the end would be 2 MB of file and 2 MB of stream more.
    assert large < small + EACH, (small, large)


EACH = 2 * 1024 * 1024  # incompressible: each stream as large as its file


def written(folder: Path, count: int) -> int:
    """The most memory (bytes, Python's own) two zips of ``count`` files took (the two
    cartridges of a run), their bytes checked."""
    import tracemalloc

    folder.mkdir()
    files = {}
    for n in range(count):
        path = folder / f"page-{n}.pdf"
        path.write_bytes(random.Random(n).randbytes(EACH))
        files[f"web_resources/handouts/{n}.pdf"] = path
    deflater = zips.Deflater(folder / "cache")
    tracemalloc.start()
    try:
        for name in ("a.zip", "b.zip"):
            zips.write_zip(folder / name, files, 1700000000, deflater)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert deflater.deflated == count  # once, for both
    as_bytes = {name: path.read_bytes() for name, path in files.items()}
    expected = zipfile_bytes(folder, as_bytes, 1700000000)
    assert (folder / "a.zip").read_bytes() == expected
    assert (folder / "b.zip").read_bytes() == expected
    return peak
