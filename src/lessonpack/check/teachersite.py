"""The teacher's website stays the teacher's: every page marked, no way in from the student side.

- Every page of the teacher edition's website (its format in dist/.manifest.json) names the
  edition in its ``<title>`` and carries the banner (lessonpack.teachersite), and asks robots
  not to index it.
- No student file of the website or the EPUB (pages, search index, scripts, every EPUB entry)
  names the teacher site's folder: no link, redirect or search result leads from the student
  side into it.
"""

from __future__ import annotations

import gettext

from bs4 import BeautifulSoup

from ..labels import CATALOGUE, LOCALES
from ..manifest import ManifestError, read_manifest
from ..records import SITE_FORMATS
from ..teachersite import LABEL
from . import Outcome, Site
from .texts import normalise, output_texts

FOLDER = SITE_FORMATS["teacher"]


def edition_label(language: str) -> str:
    """The edition's label as a page in ``language`` prints it (English without a catalogue)."""
    languages = [language.replace("-", "_")] if language else []
    found = gettext.translation(
        CATALOGUE, str(LOCALES), languages=languages or ["en"], fallback=True
    )
    return found.gettext(LABEL)


def page_problems(name: str, html: str) -> list[str]:
    """What a teacher page lacks of its marking (the label in the page's language)."""
    soup = BeautifulSoup(html, "html.parser")
    problems = []
    root = soup.find("html")
    label = edition_label(str(root.get("lang", "")) if root is not None else "")
    title = soup.title.get_text() if soup.title else ""
    # In the title, after a colon, the label may start lower case ("…: edición para el docente"),
    # and its quotes are the text's ("Teacher’s"): compared as normalise() folds them.
    if normalise(label) not in normalise(title):
        problems.append(f"{name}: its title {title.strip()!r} does not say {label!r}")
    banner = soup.select_one(".lp-edition-label")
    if banner is None or label not in banner.get_text():
        problems.append(f"{name}: no {label!r} banner")
    robots = soup.find("meta", attrs={"name": "robots"})
    if robots is None or "noindex" not in str(robots.get("content", "")):
        problems.append(f"{name}: no robots noindex")
    return problems


def check(site: Site) -> Outcome:
    try:
        entries = read_manifest(site.dist)
    except ManifestError as error:
        return Outcome("teacher-site", "no manifest to find the websites", [str(error)])
    problems: list[str] = []
    pages = sorted(
        name
        for name, entry in entries.items()
        if entry.edition == "teacher" and entry.format == FOLDER and name.endswith(".html")
    )
    for name in pages:
        problems += page_problems(name, (site.dist / name).read_text(encoding="utf-8"))
    if not pages:
        problems.append(f"no page of the teacher's website ({FOLDER}) in {site.dist}")
    student = sorted(
        name
        for name, entry in entries.items()
        if entry.edition == "student" and not name.endswith(".pdf")
    )
    texts = {}
    for name in student:
        texts.update(output_texts(site.dist / name, name))
    problems += [f"{name} names {FOLDER}/" for name, (text, _) in texts.items() if FOLDER in text]
    figure = (
        f"{len(pages)} teacher pages marked {LABEL!r}; 0 of {len(texts)} student texts "
        f"name {FOLDER}/"
    )
    return Outcome(
        "teacher-site", figure if not problems else f"{len(problems)} problems", problems
    )
