"""dist/ changes all at once or not at all, assembled from what the builds recorded.

The make-level tests (a failed PDF step, a kill inside the PDF step or inside publishing) are at
the end of tests/test_bad_input.py; these drive the publisher on small folders of real files.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from lessonpack import publish
from lessonpack.manifest import read_manifest
from lessonpack.records import RecordError, read_record, record_path, shipped_files, write_record


def built(root: Path, files: dict[str, str]) -> Path:
    """A build output folder holding ``files``."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def html_record(build: Path, files: dict[str, str]) -> Path:
    out = built(build / "student" / "html", files)
    shipped = {f"html/{p.relative_to(out).as_posix()}": p for p in shipped_files(out)}
    return write_record(out, "student", "html", shipped)


def pdf_record(build: Path, edition: str, files: dict[str, str]) -> Path:
    out = built(build / edition / "pdf", files)
    return write_record(out, edition, "pdf", {name: out / name for name in files})


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def first(tmp_path: Path) -> tuple[Path, Path]:
    """(build, dist): a website and a teacher PDF published once."""
    build, dist = tmp_path / "build", tmp_path / "dist"
    records = [
        html_record(build, {"index.html": "one", "old.html": "stale", "_static/a.css": "css"}),
        pdf_record(build, "teacher", {"book.pdf": "pdf", "packs/01.pdf": "pack"}),
    ]
    publish.publish(dist, records)
    return build, dist


def test_the_record_of_a_website_drops_bookkeeping_and_sources(tmp_path: Path):
    record = html_record(
        tmp_path,
        {
            "index.html": "page",
            ".buildinfo": "x",
            "_sources/index.md.txt": "teacher source",
            "objects.inv": "inv",
            "_static/webpack-macros.html": "{% macro %}",
            "_static/site.css": "css",
        },
    )
    assert record == tmp_path / "student" / "html.outputs.json"
    read = read_record(record)
    assert (read.edition, read.format) == ("student", "html")
    assert sorted(f.dist for f in read.files) == ["html/_static/site.css", "html/index.html"]
    assert read.files[1].source == tmp_path / "student" / "html" / "index.html"


def test_publish_writes_every_recorded_file_and_a_manifest(first: tuple[Path, Path]):
    _, dist = first
    assert snapshot(dist).keys() == {
        ".manifest.json",
        "html/index.html",
        "html/old.html",
        "html/_static/a.css",
        "book.pdf",
        "packs/01.pdf",
    }
    entries = read_manifest(dist)  # verifies every file and hash
    assert entries["book.pdf"].edition == "teacher" and entries["book.pdf"].format == "pdf"
    assert entries["html/index.html"].edition == "student"
    assert [p.name for p in dist.parent.iterdir() if p.name.startswith(".dist")] == []


def test_a_format_replaces_only_its_own_files_and_links_unchanged_ones(first: tuple[Path, Path]):
    build, dist = first
    pdf_inode = (dist / "book.pdf").stat().st_ino
    css_inode = (dist / "html/_static/a.css").stat().st_ino
    # `make html`: a new website (one page gone, one changed, one unchanged), no PDF build.
    (build / "student" / "html" / "old.html").unlink()
    record = html_record(build, {"index.html": "two", "_static/a.css": "css"})
    summary = publish.publish(dist, [record])
    assert (summary.copied, summary.linked, summary.kept) == (1, 1, 2)
    files = snapshot(dist)
    assert files.pop(".manifest.json")
    assert files == {
        "html/index.html": b"two",
        "html/_static/a.css": b"css",
        "book.pdf": b"pdf",
        "packs/01.pdf": b"pack",
    }
    assert sorted(read_manifest(dist)) == sorted(set(snapshot(dist)) - {".manifest.json"})
    # Unchanged files are the old dist's own (hard links), never the build's (rewritten in place).
    assert (dist / "book.pdf").stat().st_ino == pdf_inode
    assert (dist / "html/_static/a.css").stat().st_ino == css_inode
    build_css = build / "student" / "html" / "_static" / "a.css"
    assert (dist / "html/_static/a.css").stat().st_ino != build_css.stat().st_ino
    build_page = build / "student" / "html" / "index.html"
    assert (dist / "html/index.html").stat().st_ino != build_page.stat().st_ino


@pytest.mark.parametrize("atomic", [True, False])
def test_the_swap_replaces_dist_whole(first: tuple[Path, Path], atomic: bool):
    build, dist = first
    if atomic:
        probe = dist.parent / "probe"
        probe.mkdir()
        assert publish.exchange(probe, dist)  # Linux: renameat2(RENAME_EXCHANGE) is there
        assert publish.exchange(probe, dist)  # and back
        probe.rmdir()
    record = pdf_record(build, "teacher", {"book.pdf": "new pdf"})
    publish.publish(dist, [record], atomic=atomic)
    assert (dist / "book.pdf").read_bytes() == b"new pdf"
    assert not (dist / "packs").exists()  # the teacher PDFs were rebuilt: the old pack is gone
    assert (dist / "html/index.html").read_bytes() == b"one"
    assert sorted(p.name for p in dist.parent.iterdir()) == ["build", "dist"]


def test_leftovers_of_a_killed_publish_are_cleaned_or_put_back(first: tuple[Path, Path]):
    build, dist = first
    before = snapshot(dist)
    # Killed while staging: a half-filled staging folder.
    (dist.parent / ".dist.new.abc").mkdir()
    (dist.parent / ".dist.new.abc" / "half.pdf").write_text("half")
    # Killed between the two renames of the fallback: dist/ moved aside, the new one not in place.
    os.rename(dist, dist.parent / ".dist.old.def")
    publish.clean_leftovers(dist)
    assert snapshot(dist) == before
    assert sorted(p.name for p in dist.parent.iterdir()) == ["build", "dist"]
    # And the next publish works from there.
    publish.publish(dist, [pdf_record(build, "teacher", {"book.pdf": "again"})])
    assert (dist / "book.pdf").read_text() == "again"


def test_nothing_is_published_from_a_bad_record(first: tuple[Path, Path]):
    build, dist = first
    before = snapshot(dist)
    good = html_record(build, {"index.html": "three"})
    clash = pdf_record(build, "student", {"html/index.html": "a PDF build claiming a page"})
    with pytest.raises(publish.PublishError, match=r"two builds write html/index\.html"):
        publish.publish(dist, [good, clash])
    missing = build / "teacher" / "pdf.outputs.json"
    missing.unlink()
    with pytest.raises(RecordError, match="no output record"):
        publish.publish(dist, [good, missing])
    assert snapshot(dist) == before
    assert sorted(p.name for p in dist.parent.iterdir()) == ["build", "dist"]
    # From the command line: one line naming the record, a non-zero exit, no traceback.
    run = subprocess.run(
        [sys.executable, "-m", "lessonpack.publish", str(dist), str(good), str(missing)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        f"error: nothing published to {dist}: {missing}: no output record "
        "(the build did not finish successfully)"
    ]
    assert snapshot(dist) == before


def test_a_record_may_not_point_outside_dist(tmp_path: Path):
    out = built(tmp_path / "student" / "html", {"index.html": "x"})
    with pytest.raises(RecordError, match="not a path inside dist"):
        write_record(out, "student", "html", {"../escape.html": out / "index.html"})
    record = record_path(out)
    record.write_text(
        '{"edition": "student", "format": "html", '
        '"files": [{"dist": "html/x.html", "source": "../../etc/passwd"}]}'
    )
    with pytest.raises(RecordError, match="outside"):
        read_record(record)


def test_publishers_take_turns(tmp_path: Path):
    record = html_record(tmp_path / "build", {"index.html": "new"})
    dist = tmp_path / "dist"
    done = threading.Event()

    def publish_now() -> None:
        publish.publish(dist, [record])
        done.set()

    with publish.locked(dist.parent):
        worker = threading.Thread(target=publish_now)
        worker.start()
        assert not done.wait(0.5)  # waits while another publisher holds the lock
    worker.join(10)
    assert done.is_set() and (dist / "html" / "index.html").read_text() == "new"


def test_a_dist_without_a_readable_manifest_is_replaced_whole(first: tuple[Path, Path]):
    build, dist = first
    (dist / ".manifest.json").write_text('{"files": [{"path": "../../escape"}]}')
    run = subprocess.run(
        [sys.executable, "-m", "lessonpack.publish", str(dist), str(html_record(build, {}))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "has a bad manifest" in run.stderr and "none of its files are kept" in run.stderr
    # Only the website just built: the PDFs the unreadable manifest listed are gone.
    assert sorted(snapshot(dist)) == [
        ".manifest.json",
        "html/_static/a.css",
        "html/index.html",
        "html/old.html",
    ]


def test_a_build_records_what_it_wrote_and_refuses_a_pdf_outside_its_folder(build):
    page = {"one.md": "# One\n\nText.\n"}
    result = build(page, builder="epub", conf='copyright = "2024"\nversion = "1"\n')
    assert result.warnings == ""
    record = read_record(record_path(result.outdir))
    assert (record.edition, record.format) == ("student", "epub")
    assert [(f.dist, f.source.name) for f in record.files] == [("Testcourse.epub",) * 2]
    outputs = '\nlessonpack_pdf_outputs = [{"name": "../escape-{paper}"}]\n'
    result = build(page, builder="lessonpdf", conf=outputs)
    assert "nothing to publish" in result.warnings
    assert not record_path(result.outdir).exists()
    lesson = {"lessons/one.md": "# One\n\nText.\n"}  # a lesson without its {lesson} block
    result = build(lesson, builder="epub", conf='copyright = "2024"\nversion = "1"\n')
    # A build that warned records nothing, strict (-W, as make builds) or not.
    assert "has no {lesson} block" in result.warnings
    assert not record_path(result.outdir).exists()
