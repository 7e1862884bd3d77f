"""deploy/nginx.conf in a real nginx (Debian's) on 127.0.0.1, the site driven in Chromium."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import DIST, ROOT, need
from lessonpack.check.browser import chromium
from nginxutil import free_port, running

CONF = ROOT / "deploy" / "nginx.conf"
# Collects the browser's CSP reports on every page before any of its scripts run.
LISTEN_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
    e => window.__csp.push(
        `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber} ${e.sample}`));
"""


def site_conf(root: Path, port: int) -> str:
    """The school's server block as shipped, with only its address and folder changed."""
    text = CONF.read_text(encoding="utf-8")
    text, listens = re.subn(r"(?m)^(\s*)listen\s+80;", rf"\1listen 127.0.0.1:{port};", text)
    text, roots = re.subn(r"(?m)^(\s*)root\s+\S+;", rf"\1root {root};", text)
    assert listens == roots == 1, "deploy/nginx.conf must keep one `listen 80;` and one `root`"
    return text


@pytest.fixture(scope="module")
def nginx(tmp_path_factory) -> Iterator[str]:
    """nginx serving dist/html with the shipped block; yields the base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    conf = site_conf(need(DIST / "html").resolve(), port)
    with running(
        tmp_path_factory.mktemp("nginx"), conf, lambda: urllib.request.urlopen(base, timeout=1)
    ):
        yield base


def test_headers_security_and_caching(nginx):
    with urllib.request.urlopen(nginx + "book/index.html") as page:
        headers = page.headers
        html = page.read().decode()
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self' 'nonce-" in csp and "'unsafe-inline'" not in csp.split("style-src")[0]
    nonce = re.search(r"'nonce-([0-9a-f]+)'", csp)[1]
    assert f'<script nonce="{nonce}">' in html and "<script>" not in html
    assert f'<script data-cfasync="false" nonce="{nonce}">' in html
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-cache"
    css = next(p for p in (DIST / "html" / "_static").glob("*.css"))
    with urllib.request.urlopen(nginx + f"_static/{css.name}") as asset:
        assert "max-age=" in asset.headers["Cache-Control"]
        assert "default-src 'self'" in asset.headers["Content-Security-Policy"]
        assert asset.headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture(scope="module")
def browser():
    with chromium() as context:
        context.add_init_script(LISTEN_CSP)
        yield context


def visit(browser, url: str) -> tuple[object, list[str]]:
    """Load a page; the console also gets every failed request (status 400 or more)."""
    page = browser.new_page()
    console: list[str] = []
    page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    page.on(
        "response",
        lambda r: r.status >= 400 and console.append(f"failed: {r.status} {r.url}"),
    )
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page, console


def test_every_page_renders_with_no_csp_violation(nginx, browser):
    pages = sorted(p.relative_to(DIST / "html").as_posix() for p in (DIST / "html").rglob("*.html"))
    assert len(pages) > 20
    problems = []
    for path in pages:
        page, console = visit(browser, nginx + path)
        reports = page.evaluate("window.__csp")
        styled = page.evaluate(
            "getComputedStyle(document.querySelector('.bd-sidebar-primary, body')).display"
        )
        problems += [f"{path}: {r}" for r in reports]
        problems += [
            f"{path}: {m}"
            for m in console
            if "Content Security Policy" in m or m.startswith("pageerror")
        ]
        if styled == "none":
            problems.append(f"{path}: not rendered")
        page.close()
    assert problems == []


def test_search_finds_a_lesson(nginx, browser):
    page, console = visit(browser, nginx + "search.html")
    box = page.locator("input[name=q]:visible").first
    box.fill("collectivization")
    box.press("Enter")
    page.wait_for_url("**/search.html?q=collectivization*")
    results = page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=20_000)
    assert results.count() >= 3
    assert "Collectivization" in page.locator("#search-results").inner_text()
    assert page.evaluate("window.__csp") == []
    assert [m for m in console if "Content Security Policy" in m] == []
    page.close()
