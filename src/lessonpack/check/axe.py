"""Accessibility of the websites (student and teacher): axe-core in Chromium on every page,
0 violations at WCAG 2.1 AA."""

from __future__ import annotations

from . import Outcome, Site
from .browser import pages_per_site, visits


def check(site: Site) -> Outcome:
    pages = visits(site)
    problems = []
    count = 0
    for page in pages:
        for violation in page.violations:
            count += len(violation["nodes"])
            targets = ", ".join(str(n["target"]) for n in violation["nodes"][:3])
            problems.append(f"{page.page}: {violation['id']} ({violation['help']}) at {targets}")
    sites, empty = pages_per_site(site, pages)
    problems += empty
    return Outcome("axe", f"{count} violations on {sites} pages (WCAG 2.1 AA)", problems)
