"""Privacy: each page of each website (student and teacher), loaded in Chromium from
127.0.0.1, requests nothing from any other host (and every request it makes of the site is
answered: no missing favicon, stylesheet or image)."""

from __future__ import annotations

from ..lms.package import cartridge_loads
from . import Outcome, Site
from .browser import foreign, pages_per_site, visits


def check(site: Site) -> Outcome:
    pages = visits(site)
    problems = [f"{p.page}: requests {url}" for p in pages for url in p.requests if foreign(url)]
    total = sum(len(p.requests) for p in pages)
    if not pages or total == 0:
        problems.append("no page or no request seen: the network log is empty")
    sites, empty = pages_per_site(site, pages)
    figure = f"{len(problems)} requests to other hosts of {total} made by {sites} pages"
    problems += empty
    missing = [f"{p.page}: {failed}" for p in pages for failed in p.failed]
    if missing:
        figure += f"; {len(missing)} not found"
    problems += missing
    # The cartridges' pages (dist/lms/) are read from their files: nothing they load may name
    # another host (lms/package.py).
    cartridges = [p for p in site.published("lms") if p.suffix == ".imscc"]
    scanned = 0
    for cartridge in cartridges:
        count, loads = cartridge_loads(cartridge)
        scanned += count
        problems += loads
    if cartridges:
        figure += f"; {scanned} cartridge pages and styles ({len(cartridges)} files) load nothing"
    return Outcome("privacy", figure, problems)
