"""The Nu HTML Checker (``vnu-jar``, pinned in package.json; Java) on every page: 0 errors.

It checks each website folder given (by default every one in dist/: ``html``, ``teacher-html``)
and the XHTML content documents of every EPUB. In an EPUB, ``epub:type`` is an attribute of the
EPUB namespace the checker does not know (EPUBCheck validates it); that one message is not
counted, every other one is. Warnings do not fail the check; they are counted by kind (each
message's first sentence) in its line, so a kind that comes back is seen.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import Outcome, Site

VNU = Path("node_modules") / "vnu-jar" / "build" / "dist" / "vnu.jar"
PAGES = ("*.html", "*.xhtml")


@dataclass
class Findings:
    pages: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: Counter[str] = field(default_factory=Counter)  # by kind


KIND_LENGTH = 60


def kind(message: str) -> str:
    """A warning's kind: its first sentence, shortened."""
    first = message.split(". ")[0].rstrip(".")
    return first if len(first) <= KIND_LENGTH else first[: KIND_LENGTH - 1].rstrip() + "…"


def warnings_figure(warnings: Counter[str]) -> str:
    """The figure: "0 warnings", or their number and each kind's, most first ("3 warnings: 2 × A;
    1 × B")."""
    total = sum(warnings.values())
    kinds = sorted(warnings.items(), key=lambda item: (-item[1], item[0]))
    listed = "; ".join(f"{count} × {name}" for name, count in kinds)
    return f"{total} warnings" + (f": {listed}" if listed else "")


def _epub_namespace(message: dict) -> bool:
    return message.get("message", "").startswith("Attribute “type” not allowed") and (
        "epub:type" in message.get("extract", "")
    )


def nu_check(root: Path, folders: Sequence[Path], names: Sequence[str] | None = None) -> Findings:
    """Every page under ``folders`` through the checker; ``names`` are the folders' names in
    messages (default: the paths as given)."""
    names = list(names or [str(f) for f in folders])
    pages = [p for folder in folders for pattern in PAGES for p in sorted(folder.rglob(pattern))]
    findings = Findings(pages=len(pages))
    if not pages:
        return findings
    run = subprocess.run(
        ["java", "-jar", str(root / VNU), "--format", "json", "--exit-zero-always"]
        + [str(p) for p in pages],
        capture_output=True,
        text=True,
        timeout=900,
    )
    try:
        messages = json.loads(run.stderr)["messages"]
    except (ValueError, KeyError) as error:
        raise RuntimeError(f"the Nu checker gave no report: {run.stderr[-500:]}") from error
    for message in messages:
        if message.get("type") == "info":
            if message.get("subType") == "warning":
                findings.warnings[kind(message.get("message", ""))] += 1
            continue
        if _epub_namespace(message):
            continue
        where = message.get("url", "").removeprefix("file:")
        for folder, name in zip(folders, names, strict=True):
            where = where.replace(str(folder.resolve()), name, 1)
        findings.errors.append(
            f"{where}:{message.get('lastLine', '?')}: {message.get('message', message.get('type'))}"
        )
    return findings


def site_folders(site: Site) -> list[Path]:
    """Every website of dist/: ``html`` and any ``*-html`` folder (``teacher-html``)."""
    found = site.dist.iterdir() if site.dist.is_dir() else []
    return sorted(d for d in found if d.is_dir() and (d.name == "html" or d.name.endswith("-html")))


def check(site: Site, folders: Sequence[Path] | None = None) -> Outcome:
    """``folders``: the website folders to check (default: ``site_folders``); every EPUB too."""
    folders = list(folders if folders is not None else site_folders(site))
    names = [
        str(f.relative_to(site.dist)) if f.is_relative_to(site.dist) else str(f) for f in folders
    ]
    epubs = site.files("*.epub")
    with tempfile.TemporaryDirectory(prefix="lessonpack-vnu-") as tmp:
        for epub in epubs:
            unpacked = Path(tmp) / epub.name
            with zipfile.ZipFile(epub) as book:
                book.extractall(unpacked)
            folders.append(unpacked)
            names.append(epub.name)
        findings = nu_check(site.root, folders, names)
    problems = list(findings.errors)
    if not findings.pages:
        problems.append("no page in " + (", ".join(names) or "dist/"))
    figure = (
        f"{len(findings.errors)} errors on {findings.pages} pages of "
        f"{len(folders) - len(epubs)} site(s) and {len(epubs)} EPUB(s) "
        f"({warnings_figure(findings.warnings)})"
    )
    return Outcome("vnu", figure, problems)
