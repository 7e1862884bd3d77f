"""Two builds of the same commit give byte-identical EPUB and PDFs (and HTML pages)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BOOK, BUILD, DIST, ROOT, need


def source_date_epoch() -> str:
    """The value the build of dist/ used (it records it), so the rebuild is comparable."""
    report = need(BUILD / "student" / "epub-doctrees" / "lessonpack-report.json")
    epoch = json.loads(report.read_text(encoding="utf-8"))["source_date_epoch"]
    assert epoch, "dist/ was built without SOURCE_DATE_EPOCH: build it with make"
    return epoch


def sphinx(builder: str, edition: str, out: Path, doctrees: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": source_date_epoch(), "PYTHONHASHSEED": "0"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-b",
            builder,
            "-W",
            "--keep-going",
            "-n",
            "-q",
            "-c",
            "book",
            "-D",
            f"lessonpack_edition={edition}",
            "-d",
            str(doctrees),
            ".",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> Path:
    """A second, independent build in a different folder (so paths cannot leak into output)."""
    base = tmp_path_factory.mktemp("again")
    sphinx("epub", "student", base / "epub", base / "epub-doctrees")
    sphinx("lessonpdf", "teacher", base / "pdf", base / "pdf-doctrees")
    sphinx("html", "student", base / "html", base / "html-doctrees")
    return base


@pytest.mark.parametrize(
    "name",
    [
        f"{BOOK}.epub",
        f"{BOOK}-teacher-a4.pdf",
        f"{BOOK}-teacher-letter.pdf",
        "packs/01-soviet-origins-teacher-a4.pdf",
    ],
)
def test_outputs_are_byte_identical(rebuilt, name):
    folder = "epub" if name.endswith(".epub") else "pdf"
    again = (rebuilt / folder / name).read_bytes()
    assert again == need(DIST / name).read_bytes()


def test_html_pages_are_byte_identical(rebuilt):
    pages = sorted(p.relative_to(DIST / "html") for p in need(DIST / "html").rglob("*.html"))
    assert len(pages) > 20
    different = [
        str(p)
        for p in pages
        if (rebuilt / "html" / p).read_bytes() != (DIST / "html" / p).read_bytes()
    ]
    assert different == []
    index = "searchindex.js"
    assert (rebuilt / "html" / index).read_bytes() == (DIST / "html" / index).read_bytes()
