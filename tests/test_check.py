"""The release gate's checks catch what they exist to catch, on small planted faults."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import BUILD, DIST, ROOT
from lessonpack.check import Site
from lessonpack.check.__main__ import main
from lessonpack.check.browser import AXE, foreign, visits
from lessonpack.check.links import broken_links, html_links


def test_broken_links_and_anchors_are_found():
    pages = {
        "a.html": (["b.html#here", "b.html#gone", "c.html", "#top", "https://x.org/"], {"top"}),
        "sub/b.html": (["../a.html#top", "#nowhere"], {"here"}),
        "b.html": ([], {"here"}),
    }
    checked, broken = broken_links(pages, lambda target: target in pages)
    assert checked == 6
    assert broken == [
        "a.html: b.html#gone (no anchor #gone in b.html)",
        "a.html: c.html (no file c.html)",
        "sub/b.html: #nowhere (no anchor #nowhere in sub/b.html)",
    ]


def test_html_links_reads_files(tmp_path: Path):
    (tmp_path / "index.html").write_text('<a href="x.html#y">x</a><img src="i.png" alt="">')
    (tmp_path / "x.html").write_text('<h1 id="z">x</h1>')
    assert html_links(tmp_path)[1] == [
        "index.html: x.html#y (no anchor #y in x.html)",
        "index.html: i.png (no file i.png)",
    ]


def test_links_are_checked_on_both_websites(tmp_path: Path):
    from lessonpack.check.links import check

    for folder in ("html", "teacher-html"):
        (tmp_path / "dist" / folder).mkdir(parents=True)
        (tmp_path / "dist" / folder / "index.html").write_text(f'<a href="{folder}.html">x</a>')
    problems = check(Site(tmp_path, tmp_path / "build", tmp_path / "dist")).problems
    assert problems[:2] == [
        "html/index.html: html.html (no file html.html)",
        "teacher-html/index.html: teacher-html.html (no file teacher-html.html)",
    ]


def test_foreign_requests():
    assert not foreign("http://127.0.0.1:8000/_static/x.js")
    assert not foreign("data:image/png;base64,AAAA")
    assert foreign("http://127.0.0.2:9/tracker.js")
    assert foreign("https://fonts.example.org/font.woff2")


@pytest.fixture
def bad_site(tmp_path: Path) -> Site:
    html = tmp_path / "dist" / "html"
    html.mkdir(parents=True)
    # No language, no title, an image without alt text, a script from another host (on the
    # loopback range, so the request never leaves this machine).
    (html / "index.html").write_text(
        "<!DOCTYPE html><html><body><img src='x.png'>"
        "<script src='http://127.0.0.2:9/tracker.js'></script></body></html>"
    )
    (tmp_path / AXE.parent).mkdir(parents=True)
    (tmp_path / AXE).write_bytes((ROOT / AXE).read_bytes())
    return Site(tmp_path, tmp_path / "build", tmp_path / "dist")


def test_browser_checks_see_violations_and_foreign_requests(bad_site: Site):
    (visit,) = visits(bad_site)
    rules = {v["id"] for v in visit.violations}
    assert {"image-alt", "html-has-lang", "document-title"} <= rules
    assert "http://127.0.0.2:9/tracker.js" in visit.requests


def test_browser_checks_visit_the_teacher_site_too(bad_site: Site, capsys):
    teacher = bad_site.dist / "teacher-html"
    teacher.mkdir()
    (teacher / "plan.html").write_text(
        "<!DOCTYPE html><html lang='en'><title>Plan</title><body><main><p>Plan</p>"
        "<img src='http://127.0.0.3:9/pixel.png' alt=''></main></body></html>"
    )
    pages = {visit.page: visit for visit in visits(bad_site)}
    assert sorted(pages) == ["html/index.html", "teacher-html/plan.html"]
    assert "http://127.0.0.3:9/pixel.png" in pages["teacher-html/plan.html"].requests
    assert main(["--root", str(bad_site.root), "--only", "axe", "--only", "privacy"]) == 1
    out = capsys.readouterr().out
    assert "on 1 html + 1 teacher-html pages" in out
    assert "teacher-html/plan.html: requests http://127.0.0.3:9/pixel.png" in out


def test_gate_fails_and_says_why(bad_site: Site, capsys):
    assert main(["--root", str(bad_site.root), "--only", "axe", "--only", "privacy"]) == 1
    out = capsys.readouterr().out
    assert "FAIL axe: " in out and "image-alt" in out
    assert "FAIL privacy: 1 requests to other hosts" in out


def test_gate_passes_on_the_built_book(capsys):
    """The cheap checks on dist/ (the slow ones run in `make check`, before pytest)."""
    assert (DIST / "html").is_dir() and BUILD.is_dir()
    args = ["--only", "links", "--only", "pdf", "--only", "teachersite"]
    assert main(["--root", str(ROOT), *args]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "ok   links",
        "ok   pdf-tags",
        "ok   teacher-site",
    ]
