"""Two builds of the same commit give byte-identical EPUB, PDFs and HTML files.

The second build of the whole book is the release gate's (`make check`, lessonpack.check.
reproducible, which `make test` runs); these tests prove its comparison catches a difference.
"""

from __future__ import annotations

from pathlib import Path

from lessonpack.check.reproducible import differences


def tree(base: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_bytes(data)
    return base


def test_identical_trees_do_not_differ(tmp_path: Path):
    files = {"index.html": b"<p>a</p>", "_static/x.css": b"p{}"}
    published = tree(tmp_path / "dist" / "html", files)
    again = tree(tmp_path / "again", files)
    assert differences(published, again) == (2, [])


def test_a_changed_byte_or_a_missing_file_is_a_difference(tmp_path: Path):
    published = tree(tmp_path / "dist" / "html", {"a.html": b"1", "b.html": b"2", "c.js": b"3"})
    again = tree(tmp_path / "again", {"a.html": b"1", "b.html": b"X"})
    assert differences(published, again) == (3, ["html/b.html", "html/c.js"])


def test_single_files_compare_by_name(tmp_path: Path):
    published = tree(tmp_path / "dist", {"book.epub": b"zip"}) / "book.epub"
    assert differences(published, tree(tmp_path / "again", {"book.epub": b"zip"})) == (1, [])
    assert differences(published, tree(tmp_path / "other", {"book.epub": b"zap"}))[1]
