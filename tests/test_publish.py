"""dist/ changes all at once or not at all."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from lessonpack import publish


def test_publish_tree_swaps_whole_folders_and_drops_bookkeeping(tmp_path: Path):
    src = tmp_path / "build"
    (src / "_sources").mkdir(parents=True)
    (src / "_sources" / "page.md.txt").write_text("teacher source")
    (src / "index.html").write_text("new")
    (src / ".buildinfo").write_text("x")
    dest = tmp_path / "dist" / "html"
    dest.mkdir(parents=True)
    (dest / "stale.html").write_text("old")
    publish.publish_tree(src, dest)
    assert sorted(p.name for p in dest.iterdir()) == ["index.html"]
    assert [p.name for p in dest.parent.iterdir()] == ["html"]  # no staging left behind


def test_failed_publish_leaves_previous_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    src = tmp_path / "build"
    src.mkdir()
    (src / "index.html").write_text("new")
    dest = tmp_path / "dist" / "html"
    dest.mkdir(parents=True)
    (dest / "index.html").write_text("old")

    def broken_copy(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(shutil, "copytree", broken_copy)
    with pytest.raises(OSError, match="disk full"):
        publish.publish_tree(src, dest)
    assert (dest / "index.html").read_text() == "old"
    assert [p.name for p in dest.parent.iterdir()] == ["html"]


def test_publish_file_replaces_atomically(tmp_path: Path):
    src = tmp_path / "book.epub"
    src.write_bytes(b"new")
    dest = tmp_path / "dist" / "book.epub"
    dest.parent.mkdir()
    dest.write_bytes(b"old")
    publish.publish_file(src, dest)
    assert dest.read_bytes() == b"new"
    assert [p.name for p in dest.parent.iterdir()] == ["book.epub"]


def test_publishers_take_turns(tmp_path: Path):
    src = tmp_path / "build"
    src.mkdir()
    (src / "index.html").write_text("new")
    dest = tmp_path / "dist" / "html"
    done = threading.Event()

    def publish_now() -> None:
        publish.publish_tree(src, dest)
        done.set()

    with publish.locked(dest.parent):
        worker = threading.Thread(target=publish_now)
        worker.start()
        assert not done.wait(0.5)  # waits while another publisher holds dist/
    worker.join(10)
    assert done.is_set() and (dest / "index.html").read_text() == "new"
