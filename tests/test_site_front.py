"""The built website's front door is a real page that headless Chromium screenshots at once,
and every page names an icon the site serves (no favicon 404), without docutils' extra viewport."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from conftest import DIST, need
from lessonpack.check.browser import CHROMIUM, CHROMIUM_ARGS, serve

HTML = DIST / "html"


def test_front_door_screenshot_does_not_hang(tmp_path: Path):
    door = need(HTML / "index.html").read_text(encoding="utf-8")
    assert "http-equiv" not in door and 'class="lessonpack-front-door"' in door
    assert "<h1></h1>" not in door  # the theme's print header has the title too
    shot = tmp_path / "front.png"
    with serve(HTML) as base:
        subprocess.run(
            [CHROMIUM, "--headless=new", *CHROMIUM_ARGS, "--hide-scrollbars",
             f"--screenshot={shot}", "--window-size=390,844", base],
            capture_output=True, timeout=90, check=True,
        )  # fmt: skip
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 20_000


def test_every_page_names_an_icon_the_site_has():
    pages = sorted(need(HTML).rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        icons = re.findall(r'<link rel="icon" href="([^"]+)"', page.read_text(encoding="utf-8"))
        assert len(icons) == 1, page
        assert (page.parent / icons[0]).resolve().is_file(), (page, icons)
        # one viewport meta: docutils' and the theme's are dropped, the base template's stays
        assert page.read_text(encoding="utf-8").count('name="viewport"') == 1, page
