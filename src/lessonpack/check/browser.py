"""Headless Chromium (Debian's) on the websites as served from 127.0.0.1, one visit per page.

Each website of dist/ (the student's and the teacher's, ``Site.websites``) is served on its own,
at the root of its own address, as a school serves it.

Each visit records every request the browser makes (from its network events) and runs axe-core
(pinned in package.json, injected from node_modules) at WCAG 2.1 AA. The visits are shared by
the accessibility and privacy checks.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from . import Site

CHROMIUM = "/usr/bin/chromium"
# Without these Chromium reaches out to Google hosts on its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE = Path("node_modules") / "axe-core" / "axe.min.js"


@dataclass
class Visit:
    page: str  # its path in dist/: html/..., teacher-html/...
    requests: list[str]
    violations: list[dict]
    console: list[str]
    # local requests the server answered with an error (a missing favicon, stylesheet, image)
    failed: list[str] = field(default_factory=list)


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """A static server for ``root`` on 127.0.0.1 and a free port; yields its base URL."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator[object]:
    """A Playwright browser context on Debian's Chromium with a fresh profile."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="lessonpack-chromium-")
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                service_workers="block",
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def visit(context, base: str, page_path: str, axe: str) -> Visit:
    page = context.new_page()
    requests: list[str] = []
    console: list[str] = []
    failed: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on(
        "response",
        lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    page.goto(base + page_path, wait_until="load")
    page.wait_for_load_state("networkidle")
    page.add_script_tag(content=axe)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    page.close()
    return Visit(page_path, requests, result["violations"], console, failed)


def site_pages(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html"))


@functools.cache
def visits(site: Site) -> tuple[Visit, ...]:
    """Every HTML page of every website, visited once."""
    axe = (site.root / AXE).read_text(encoding="utf-8")
    found: list[Visit] = []
    with chromium() as context:
        for root in site.websites:
            pages = site_pages(root)
            if not pages:
                continue
            with serve(root) as base:
                for page in pages:
                    seen = visit(context, base, page, axe)
                    seen.page = f"{root.name}/{page}"
                    found.append(seen)
    return tuple(found)


def pages_per_site(site: Site, pages: tuple[Visit, ...]) -> tuple[str, list[str]]:
    """How many pages each website had ("25 html + 25 teacher-html"), and a problem for each
    website without a page."""
    counts = {root.name: 0 for root in site.websites}
    for page in pages:
        counts[page.page.split("/", 1)[0]] += 1
    figure = " + ".join(f"{n} {name}" for name, n in counts.items())
    return figure, [f"no page in {site.dist / name}" for name, n in counts.items() if not n]


def foreign(url: str, base_host: str = "127.0.0.1") -> bool:
    """A request that leaves the local server (data: and blob: URLs stay in the page)."""
    parts = urlsplit(url)
    return parts.scheme not in {"data", "blob", "about"} and parts.hostname != base_host
