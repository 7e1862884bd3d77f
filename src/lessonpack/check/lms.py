"""The files for learning platforms (dist/lms/, format ``lms``): each cartridge's manifest is
whole (every resource's files exist, every file is named by a resource, every reference
resolves: lms/package.py), each QTI zip and the Moodle XML parse and hold every quiz item of the
teacher report, each multiple-choice item with one key."""

from __future__ import annotations

import zipfile
from xml.etree import ElementTree as ET

from ..lms.package import cartridge_problems, local
from . import Outcome, Site
from .leaks import teacher_report


def report_items(report: dict) -> int:
    return sum(
        len(quiz["items"])
        for record in report["documents"].values()
        for quiz in record.get("quizzes", [])
    )


def qti_items(root: ET.Element) -> tuple[int, list[str]]:
    """(items, problems): each choice item has exactly one option that scores 100."""
    items = [e for e in root.iter() if local(e.tag) == "item"]
    problems = []
    for item in items:
        if not any(local(e.tag) == "response_lid" for e in item.iter()):
            continue
        keys = [
            e for e in item.iter() if local(e.tag) == "setvar" and (e.text or "").strip() == "100"
        ]
        if len(keys) != 1:
            problems.append(f"item {item.get('ident')} has {len(keys)} keys")
    return len(items), problems


def check(site: Site) -> Outcome:
    files = site.published("lms")
    expected = report_items(teacher_report(site))
    problems: list[str] = []
    resources = zips = qti_total = 0
    for path in files:
        if path.suffix == ".imscc":
            count, found = cartridge_problems(path)
            resources += count
            problems += found
        elif path.suffix == ".zip":
            zips += 1
            with zipfile.ZipFile(path) as package:
                counted = 0  # items of this zip
                for name in package.namelist():
                    if name.endswith(".xml") and name != "imsmanifest.xml":
                        root = ET.fromstring(package.read(name))
                        if local(root.tag) == "questestinterop":
                            count, found = qti_items(root)
                            counted += count
                            problems += [f"{path.name}: {p}" for p in found]
            qti_total += counted
        elif path.suffix == ".xml":
            root = ET.parse(path).getroot()
            questions = [q for q in root if q.get("type") in ("multichoice", "essay")]
            if len(questions) != expected:
                problems.append(
                    f"{path.name}: {len(questions)} questions, the report has {expected}"
                )
    if qti_total != expected:
        problems.append(f"the QTI zips hold {qti_total} items, the report's quizzes {expected}")
    cartridges = sum(p.suffix == ".imscc" for p in files)
    if expected and not (cartridges and zips):
        problems.append("the course has quizzes but dist/lms/ has no cartridge or QTI zip")
    figure = (
        f"{cartridges} cartridges ({resources} resources, every file named and present), "
        f"{zips} QTI zips, {expected} quiz items"
    )
    return Outcome("lms", figure, problems)
