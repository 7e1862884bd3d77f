"""DAISY Ace on every EPUB: 0 violations, and the conformance metadata it looks for.

Ace (``@daisy/ace-cli``, pinned in package.json) opens each content document in Debian's
Chromium through puppeteer (``PUPPETEER_EXECUTABLE_PATH``; puppeteer's own browser is never
downloaded: ``npm ci --ignore-scripts``) and runs its axe-core rules and EPUB checks.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

from . import Outcome, Site
from .browser import CHROMIUM

ACE = Path("node_modules") / "@daisy" / "ace-cli" / "bin" / "ace.js"
# Of the metadata Ace reports missing, these the EPUB Accessibility spec asks every publication
# to state (a certifier's credential and report are optional).
REQUIRED_METADATA = ("dcterms:conformsTo", "a11y:certifiedBy")


def ace_report(root: Path, epub: Path) -> dict:
    """Ace's JSON report on one EPUB."""
    env = {
        **os.environ,
        "PUPPETEER_EXECUTABLE_PATH": CHROMIUM,
        "PUPPETEER_SKIP_DOWNLOAD": "1",
        # Chromium may take more than Ace's 5 s to start on a busy machine.
        "ACE_TIMEOUT_INITIAL": "60000",
    }
    with tempfile.TemporaryDirectory(prefix="lessonpack-ace-") as out:
        env["HOME"] = out  # Ace keeps its settings in the home folder: a fresh one per run
        command = ["node", str(root / ACE), "--silent", "--force", "--outdir", out]
        run = subprocess.run(
            [*command, "--tempdir", str(Path(out) / "tmp"), str(epub)],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        report = Path(out) / "report.json"
        if not report.is_file():
            raise RuntimeError(f"Ace wrote no report (exit {run.returncode}): {run.stderr[-500:]}")
        return json.loads(report.read_text(encoding="utf-8"))


def violations(report: dict) -> list[str]:
    """One line per violation: the document, Ace's rule and impact, the element."""
    found = []
    for document in report.get("assertions", []):
        url = document["earl:testSubject"]["url"]
        for assertion in document.get("assertions", []):
            test = assertion["earl:test"]
            element = " ".join(assertion["earl:result"].get("html", "").split())[:120]
            found.append(f"{url}: {test['dct:title']} ({test['earl:impact']}) {element}")
    return found


def check(site: Site) -> Outcome:
    epubs = site.files("*.epub")
    problems = [] if epubs else ["no EPUB in dist/"]
    count = documents = 0
    for epub in epubs:
        report = ace_report(site.root, epub)
        # the nav is listed twice (as the navigation document and as a content document)
        urls = (d["earl:testSubject"]["url"] for d in report.get("assertions", []))
        opened = {url.lstrip("/") for url in urls if url.endswith(".xhtml")}
        if not opened:
            problems.append(f"{epub.name}: Ace opened no content document")
        documents += len(opened)
        found = violations(report)
        count += len(found)
        problems += [f"{epub.name}: {line}" for line in found]
        missing = set(report.get("a11y-metadata", {}).get("missing", []))
        problems += [
            f"{epub.name}: no {name} metadata" for name in REQUIRED_METADATA if name in missing
        ]
    figure = f"{count} violations in {documents} content documents of {len(epubs)} EPUB (DAISY Ace)"
    return Outcome("ace", figure, problems)
