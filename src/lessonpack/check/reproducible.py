"""Reproducibility: a second, independent build of the same commit is byte-identical to dist/.

The rebuild goes to another folder (so no path can leak into the output) with the
SOURCE_DATE_EPOCH the published build recorded in its report.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from . import Outcome, Site

BUILDS = [
    ("html", "student"),
    ("epub", "student"),
    ("lessonpdf", "teacher"),
    ("lessonpdf", "student"),
]


def source_date_epoch(site: Site) -> str:
    report = site.build / "student" / "epub-doctrees" / "lessonpack-report.json"
    return json.loads(report.read_text(encoding="utf-8"))["source_date_epoch"] or ""


def rebuild(site: Site, builder: str, edition: str, out: Path) -> None:
    env = {
        **os.environ,
        "SOURCE_DATE_EPOCH": source_date_epoch(site),
        "PYTHONHASHSEED": "0",
    }
    command = [sys.executable, "-m", "sphinx", "-b", builder, "-W", "--keep-going", "-n", "-q"]
    command += ["-c", "book", "-D", f"lessonpack_edition={edition}"]
    command += ["-d", str(out.with_name(out.name + "-doctrees")), ".", str(out)]
    subprocess.run(command, cwd=site.root, env=env, check=True, stdout=subprocess.DEVNULL)


def differences(published: Path, again: Path) -> tuple[int, list[str]]:
    """(files compared, differing ones): every file of ``published`` against ``again``."""
    files = (
        sorted(p for p in published.rglob("*") if p.is_file())
        if published.is_dir()
        else [published]
    )
    base = published if published.is_dir() else published.parent
    differ = []
    for path in files:
        twin = again / path.relative_to(base)
        if not twin.is_file() or twin.read_bytes() != path.read_bytes():
            differ.append(str(path.relative_to(base.parent)))
    return len(files), differ


def check(site: Site) -> Outcome:
    if not source_date_epoch(site):
        return Outcome("reproducible", "not checked", ["dist/ was built without SOURCE_DATE_EPOCH"])
    base = site.build / "rebuild"
    shutil.rmtree(base, ignore_errors=True)
    for builder, edition in BUILDS:
        rebuild(site, builder, edition, base / f"{builder}-{edition}")
    compared, differ = differences(site.html, base / "html-student")
    pairs = [(epub, base / "epub-student") for epub in site.files("*.epub")]
    # Teacher PDFs and lesson packs come from the teacher build; the student book and the
    # handouts from the student one. Packs sit in a packs/ folder in both.
    for pdf in [*site.files("*.pdf"), *site.files("packs/*.pdf")]:
        edition = "teacher" if "-teacher-" in pdf.name else "student"
        folder = base / f"lessonpdf-{edition}"
        pairs.append((pdf, folder / "packs" if pdf.parent.name == "packs" else folder))
    for published, again in pairs:
        count, found = differences(published, again)
        compared, differ = compared + count, differ + found
    problems = [f"{name} differs in a second build" for name in differ]
    figure = f"{len(differ)} of {compared} files differ in a second build (EPUB, PDFs, website)"
    return Outcome("reproducible", figure, problems)
