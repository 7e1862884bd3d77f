"""PDF/UA-1, by two checkers we did not write, on every PDF ``dist/.manifest.json`` lists.

- ``page`` (PyPI ``page-validation``: a Rust validator that runs veraPDF's PDF/UA-1 rules),
  profile ``ua1``: every failed check;
- ``pdfua`` (pikepdf, the machine-checkable subset of PDF/UA-1): every finding of warning or
  error severity. A rule the checker cannot run on a file (it raised) fails nothing, but is
  named in the figure, so nobody reads its silence as a pass.

0 failures, or each remaining one's rule listed in ``KNOWN`` with the WeasyPrint issue that
causes it and the workaround tried; excused failures are counted in the figure.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ..manifest import ManifestError, read_manifest
from . import Outcome, Site

# "checker RULE" -> why it is not fixed here: the WeasyPrint issue and the workaround tried.
KNOWN: dict[str, str] = {
    # Each rule a checker fails on every WeasyPrint file, with its WeasyPrint issue and the
    # workaround tried. Empty: the link's untagged twin annotation (page
    # PDFUA1-LINK-LINK-TAG-001, WeasyPrint #2482) is dropped by pdf/render.py since issue 14.
}


def pdfs_of(site: Site) -> list[Path]:
    """Every published PDF, from the manifest (a dist/ the manifest does not describe fails)."""
    entries = read_manifest(site.dist)
    return sorted(site.dist / name for name in entries if name.endswith(".pdf"))


def page_failures(pdf: Path) -> list[tuple[str, str]]:
    """(rule, message) for every check ``page`` failed on ``pdf``."""
    import page

    report = page.validate_pdf(pdf, profile="ua1")
    return [(f"page {f.rule_id}", f.message) for f in report.failures]


def pdfua_failures(pdf: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """(rule, message) for every warning or error of ``pdfua``; and the rules it could not run."""
    import pdfua

    report = pdfua.validate(str(pdf))
    found = [
        (f"pdfua {f.rule_id}", f.message)
        for f in report.findings
        if f.severity >= pdfua.Severity.WARNING
    ]
    return found, sorted(o.rule_id for o in report.skipped)


def failures_of(pdf: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """Both checkers' failures on ``pdf``, and the rules pdfua could not run."""
    found, skipped = pdfua_failures(pdf)
    return [*page_failures(pdf), *found], skipped


def check(site: Site) -> Outcome:
    try:
        pdfs = pdfs_of(site)
    except ManifestError as error:
        return Outcome("pdfua", "no manifest to find the PDFs", [str(error)])
    problems = [] if pdfs else ["no PDF in dist/'s manifest"]
    kinds: Counter[str] = Counter()
    excused = 0
    unrun: set[str] = set()
    # pdfua walks the structure tree in Python (seconds per book): one process per core,
    # started afresh (a fork of a process with threads can deadlock).
    workers = min(len(pdfs), os.cpu_count() or 1) or 1
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=spawn) as pool:
        results = list(pool.map(failures_of, pdfs))
    for pdf, (failures, skipped) in zip(pdfs, results, strict=True):
        name = pdf.relative_to(site.dist).as_posix()
        unrun.update(skipped)
        per_rule = Counter(rule for rule, _ in failures)
        messages = dict(failures)
        for rule, count in sorted(per_rule.items()):
            kinds[rule] += count
            if rule in KNOWN:
                excused += count
                continue
            problems.append(f"{name}: {count} × {rule}: {messages[rule]}")
    total = sum(kinds.values())
    figure = f"{len(pdfs)} PDFs, {total - excused} PDF/UA-1 failures (page ua1, pdfua)"
    if excused:
        figure += f", {excused} excused ({', '.join(f'{r}: {KNOWN[r]}' for r in sorted(KNOWN))})"
    if unrun:
        figure += f"; pdfua could not run {', '.join(sorted(unrun))}"
    return Outcome("pdfua", figure, problems)
