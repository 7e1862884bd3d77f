"""A PDF's text is extracted once: the gate keeps it in the build folder's cache by the PDF's
bytes, and the next process reading the same bytes (the tests, after `make check`) reads it
there. A spoiled entry is extracted again; a changed PDF is a new entry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from weasyprint import HTML

from conftest import make_env
from lessonpack.manifest import Entry, sha256, write_manifest

SECRET = "Ask the quiet groups first, then the loud ones."
READ = """
import json, sys
from pathlib import Path
from lessonpack.check import texts
texts.keep_in(Path(sys.argv[1]))
print(json.dumps(texts.raw_pdf_pages(Path(sys.argv[2]))))
"""


def pdf(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=f"<html lang='en'><title>T</title><p>{text}</p></html>").write_pdf(path)
    return path


def pages_read(kept: Path, path: Path) -> list[str]:
    """The pages of ``path`` as a new process reads them, keeping text in ``kept``."""
    done = subprocess.run(
        [sys.executable, "-c", READ, str(kept), str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_pdfs_text_is_read_from_the_cache_until_its_bytes_change(tmp_path: Path):
    kept, book = tmp_path / "kept", pdf(tmp_path / "book.pdf", "Original words.")
    assert "Original words." in "".join(pages_read(kept, book))
    [entry] = kept.iterdir()
    # What is kept is what the next process reads: nothing is extracted again.
    entry.write_text(json.dumps(["Kept words."]), encoding="utf-8")
    assert pages_read(kept, book) == ["Kept words."]
    # A spoiled entry is extracted again, and kept whole.
    entry.write_text('["cut sho', encoding="utf-8")
    assert "Original words." in "".join(pages_read(kept, book))
    assert "Original words." in "".join(json.loads(entry.read_text(encoding="utf-8")))
    # Other bytes at the same path: another entry, the new text.
    entry.write_text(json.dumps(["Kept words."]), encoding="utf-8")
    pdf(book, "New words.")
    assert "New words." in "".join(pages_read(kept, book))
    assert len(list(kept.iterdir())) == 2


def test_the_gate_keeps_the_text_of_the_pdfs_it_reads_in_the_build_folder(tmp_path: Path):
    """`python -m lessonpack.check` keeps text in BUILD/cache/texts; a second run reads it there
    (a kept text planted with a teacher sentence is found as a leak)."""
    dist, build = tmp_path / "dist", tmp_path / "build"
    student = pdf(dist / "book.pdf", "Students read this.")
    teacher = pdf(dist / "teacher.pdf", SECRET)
    write_manifest(
        dist,
        [
            Entry("book.pdf", "student", "pdf", sha256(student)),
            Entry("teacher.pdf", "teacher", "pdf", sha256(teacher)),
        ],
    )
    report = build / "teacher" / "pdf-doctrees" / "lessonpack-report.json"
    report.parent.mkdir(parents=True)
    documents = {"one": {"teacher": [{"text": SECRET}], "public_text": "Read.", "files": []}}
    report.write_text(json.dumps({"srcdir": str(tmp_path), "documents": documents}))
    command = [sys.executable, "-m", "lessonpack.check", "--root", str(tmp_path)]
    command += ["--only", "leaks"]
    env = make_env()

    def gate() -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, capture_output=True, text=True, env=env)

    first = gate()
    assert first.returncode == 0 and first.stdout.startswith("ok   leaks: "), first.stdout
    kept = build / "cache" / "texts"
    assert len(list(kept.glob("*.json"))) == 2
    for entry in kept.glob("*.json"):
        if "Students read this." in "".join(json.loads(entry.read_text(encoding="utf-8"))):
            entry.write_text(json.dumps([SECRET]), encoding="utf-8")
    second = gate()
    assert second.returncode == 1, second.stdout
    assert "FAIL leaks: " in second.stdout and "is in book.pdf" in second.stdout, second.stdout
