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


def test_gate_fails_and_says_why(bad_site: Site, capsys):
    assert main(["--root", str(bad_site.root), "--only", "axe", "--only", "privacy"]) == 1
    out = capsys.readouterr().out
    assert "FAIL axe: " in out and "image-alt" in out
    assert "FAIL privacy: 1 requests to other hosts" in out


def test_gate_passes_on_the_built_book(capsys):
    """The cheap checks on dist/ (the slow ones run in `make check`, before pytest)."""
    assert (DIST / "html").is_dir() and BUILD.is_dir()
    assert main(["--root", str(ROOT), "--only", "links", "--only", "pdf"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["ok   links", "ok   pdf-tags"]


def test_pdf_tags_reads_every_published_pdf_and_wants_figures_only_of_a_book_with_images(
    tmp_path: Path,
):
    """PDFs come from the manifest wherever a course puts them; a book without images has no
    figure to check, one with images must tag them."""
    from weasyprint import HTML

    from lessonpack.check.links import check as links_check
    from lessonpack.check.pdf import check as pdf_check
    from lessonpack.manifest import Entry, sha256, write_manifest

    dist = tmp_path / "dist"
    pdf = dist / "fichas" / "uno.pdf"
    pdf.parent.mkdir(parents=True)
    text = "<p><a href='#dos'>Dos</a></p><p id='dos'>Texto.</p>"
    HTML(string=f"<html lang='es'><title>Uno</title>{text}</html>").write_pdf(
        pdf, pdf_variant="pdf/ua-1"
    )
    page = dist / "html" / "index.html"
    page.parent.mkdir()
    site = Site(tmp_path, tmp_path / "build", dist)

    def publish(html: str) -> None:
        page.write_text(html, encoding="utf-8")
        write_manifest(
            dist,
            [
                Entry("fichas/uno.pdf", "student", "pdf", sha256(pdf)),
                Entry("html/index.html", "student", "html", sha256(page)),
            ],
        )

    publish("<p>No image.</p>")
    # The links check reads the same PDFs: the handout's one internal link is counted.
    assert " 1 PDF internal links" in links_check(site).figure
    outcome = pdf_check(site)
    assert outcome.ok and outcome.figure.startswith("1 PDFs tagged, 0 figures"), outcome
    publish("<p><img src='x.png' alt='A map'></p>")
    assert pdf_check(site).problems == [
        "no figure in any PDF's structure tree: alt text cannot be checked"
    ]
