"""Bytes kept under a key (lessonpack.keyed): found only whole (a file changed, cut short or
missing, a record spoiled, is a miss), another key for other inputs, written whole by writers
in other processes at once, pruned of what a build did not use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lessonpack.keyed import KeyedStore


def test_an_entry_is_found_with_its_files_and_record(tmp_path: Path):
    store = KeyedStore(tmp_path / "store", "salt-1")
    key = store.key("inputs", b"\x00bytes")
    assert store.find(key) is None and store.get(key, ".pdf") is None
    source = tmp_path / "deck.pptx"
    source.write_bytes(b"pptx bytes")
    store.put(key, {".pdf": b"pdf bytes", ".pptx": source}, {"slides": 3})
    again = KeyedStore(tmp_path / "store", "salt-1")  # another build
    assert again.record(key) == {"slides": 3}
    assert again.get(key, ".pdf") == b"pdf bytes"
    targets = {".pdf": tmp_path / "out" / "a.pdf", ".pptx": tmp_path / "out" / "a.pptx"}
    assert again.copy(key, targets) == {"slides": 3}
    assert targets[".pptx"].read_bytes() == b"pptx bytes"
    assert again.copy(key, {".png": tmp_path / "out" / "a.png"}) is None  # no such file
    assert not (tmp_path / "out" / "a.png").exists()
    assert again.blob(key, lambda: b"never made", ".pdf") == b"pdf bytes"
    assert again.blob("other", lambda: b"made", ".png") == b"made"
    assert again.get("other", ".png") == b"made"
    # A record alone (no files) is an entry too; no record is {}.
    again.put("plain", record=None)
    assert KeyedStore(tmp_path / "store").record("plain") == {}


def test_other_inputs_or_salt_are_another_key():
    store = KeyedStore(Path("unused"), "salt-1")
    keys = {
        store.key("a", "b"),
        store.key("ab"),  # parts are told apart
        store.key("a", "b", ""),
        store.key(b"a", b"c"),
        KeyedStore(Path("unused"), "salt-2").key("a", "b"),
    }
    assert len(keys) == 5
    assert store.key(b"a", b"b") == store.key("a", "b")


def test_a_spoiled_entry_is_a_miss(tmp_path: Path):
    store = KeyedStore(tmp_path / "store")
    for name in ("edited", "short", "missing", "record", "json", "hand"):
        store.put(name, {".bin": b"0123456789" * 100}, {"pages": 2})
    store.path("edited", ".bin").write_bytes(b"9" + b"0123456789"[1:] + b"0123456789" * 99)
    store.path("short", ".bin").write_bytes(b"0123456789" * 50)  # cut short
    store.path("missing", ".bin").unlink()
    (tmp_path / "store" / "record.json").write_text("")  # the record cut short
    (tmp_path / "store" / "json.json").write_text("[1, 2]")
    meta = tmp_path / "store" / "hand.json"
    meta.write_text(meta.read_text().replace('"pages": 2', '"pages": 3'))  # edited by hand
    fresh = KeyedStore(tmp_path / "store")
    for name in ("edited", "short", "missing", "record", "json", "hand"):
        assert fresh.find(name) is None, name
        assert fresh.copy(name, {".bin": tmp_path / f"{name}.bin"}) is None, name
        assert not (tmp_path / f"{name}.bin").exists()
    fresh.put("short", {".bin": b"made again"})
    assert fresh.get("short", ".bin") == b"made again"


def test_prune_keeps_what_was_used_and_removes_leftovers(tmp_path: Path):
    store = KeyedStore(tmp_path / "store")
    for name in ("a", "b", "c"):
        store.put(name, {".x": name.encode()})
    (tmp_path / "store" / ".a.x.1234.tmp").write_bytes(b"a writer killed")
    (tmp_path / "store" / "stray.x").write_bytes(b"no record")
    build = KeyedStore(tmp_path / "store")
    build.get("a", ".x")
    assert build.prune(limit=3) == 0  # not more than the limit: nothing goes
    assert build.prune() == 2
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == [".lock", "a.json", "a.x"]
    assert build.prune(keep={"b"}) == 1
    assert build.kept() == []


WRITER = """
import sys
from pathlib import Path
from lessonpack.keyed import KeyedStore
store = KeyedStore(Path(sys.argv[1]))
me = sys.argv[2]
for i in range(60):
    data = (me * 20_000).encode()  # each writer its own bytes for the same key
    store.put("shared", {".a": data, ".b": data[::-1]}, {"writer": me})
    found = store.find("shared")
    if found is not None:  # whole, from one writer only
        record, files = found
        assert files[".a"] == (record["writer"] * 20_000).encode(), "mixed"
        assert files[".b"] == files[".a"][::-1], "mixed"
    store.put(f"own-{me}-{i % 5}", {".a": me.encode()})
    store.prune(limit=10)
print("done")
"""


def test_writers_in_other_processes_at_once_leave_whole_entries(tmp_path: Path):
    folder = tmp_path / "store"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(folder), name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("x", "y", "z")
    ]
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        assert out == "done\n"
    found = KeyedStore(folder).find("shared")
    assert found is not None  # the last writer's entry, whole
    record, files = found
    assert record["writer"] in "xyz"
    assert files[".a"] == (record["writer"] * 20_000).encode()
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    meta = json.loads((folder / "shared.json").read_text())
    assert sorted(meta["files"]) == [".a", ".b"]
