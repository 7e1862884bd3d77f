"""Reading a cartridge back, for the gate and the tests: its manifest is whole (every resource's
files exist, every file is named by a resource, every reference resolves) and its pages load
nothing from another host."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

from bs4 import BeautifulSoup

MANIFEST = "imsmanifest.xml"
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)
# What a browser loads by itself when it shows a page (a link a reader follows is not a request).
LOADS = {
    "img": ("src", "srcset"),
    "script": ("src",),
    "link": ("href",),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "track": ("src",),
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")
SAFE_SCHEMES = ("data:", "blob:", "about:")


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def manifest_problems(names: set[str], manifest: bytes) -> tuple[int, list[str]]:
    """(resources, problems) of a cartridge whose entries are ``names``."""
    root = ET.fromstring(manifest)
    problems: list[str] = []
    resources = [e for e in root.iter() if local(e.tag) == "resource"]
    ids = [e.get("identifier", "") for e in root.iter() if e.get("identifier")]
    problems += [
        f"identifier {i} is used twice" for i in sorted({i for i in ids if ids.count(i) > 1})
    ]
    by_id = {r.get("identifier"): r for r in resources}
    named: dict[str, str] = {}
    for res in resources:
        rid = res.get("identifier", "")
        files = [f.get("href", "") for f in res if local(f.tag) == "file"]
        for name in files:
            if name not in names:
                problems.append(f"resource {rid} names {name}, which the cartridge does not hold")
            if name in named:
                problems.append(f"{name} is named by resources {named[name]} and {rid}")
            named[name] = rid
        href = res.get("href")
        if href and href not in files:
            problems.append(f"resource {rid}: its href {href} is not one of its files")
        for dep in (d for d in res if local(d.tag) == "dependency"):
            if dep.get("identifierref") not in by_id:
                problems.append(
                    f"resource {rid} depends on {dep.get('identifierref')}: no such resource"
                )
    for item in (e for e in root.iter() if local(e.tag) == "item"):
        ref = item.get("identifierref")
        if ref and ref not in by_id:
            problems.append(f"item {item.get('identifier')} refers to {ref}: no such resource")
    problems += [f"{n} is named by no resource" for n in sorted(names - set(named) - {MANIFEST})]
    return len(resources), problems


def outside_loads(name: str, text: str) -> Iterator[str]:
    """What a page or stylesheet would load from another host."""
    if name.endswith(".css"):
        for match in CSS_URL.finditer(text):
            url = match[1] or match[2]
            if EXTERNAL.match(url) and not url.startswith(SAFE_SCHEMES):
                yield f"{name}: loads {url}"
        return
    soup = BeautifulSoup(text, "html.parser")
    for tag, attrs in LOADS.items():
        for element in soup.find_all(tag):
            for attr in attrs:
                for url in re.split(r",\s*", element.get(attr) or ""):
                    url = url.strip().split(" ")[0]
                    if url and EXTERNAL.match(url) and not url.startswith(SAFE_SCHEMES):
                        yield f"{name}: <{tag} {attr}> loads {url}"
    for style in soup.find_all(style=True):
        yield from outside_loads(f"{name} (style)" + ".css", style["style"])
    for style in soup.find_all("style"):
        yield from outside_loads(f"{name} (style)" + ".css", style.get_text())


def cartridge_problems(path: Path) -> tuple[int, list[str]]:
    """(resources, problems) of a cartridge file's manifest."""
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        if MANIFEST not in names:
            return 0, [f"{path.name}: no {MANIFEST}"]
        count, problems = manifest_problems(names, package.read(MANIFEST))
    return count, [f"{path.name}: {p}" for p in problems]


def cartridge_loads(path: Path) -> tuple[int, list[str]]:
    """(pages and stylesheets scanned, what they load from other hosts) of a cartridge file."""
    problems: list[str] = []
    scanned = 0
    with zipfile.ZipFile(path) as package:
        for name in sorted(package.namelist()):
            if name.endswith((".html", ".htm", ".xhtml", ".css")):
                scanned += 1
                text = package.read(name).decode("utf-8", errors="replace")
                problems += [f"{path.name}/{p}" for p in outside_loads(name, text)]
    return scanned, problems
