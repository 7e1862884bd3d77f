"""The release gate's checks catch what they exist to catch, on small planted faults."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, write_files
from lessonpack.check import Site, ace, epub, vnu
from lessonpack.check.__main__ import main
from lessonpack.check.browser import AXE, foreign, visits
from lessonpack.check.links import broken_links, html_links
from lessonpack.manifest import Entry, sha256, write_manifest


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
    from lessonpack.manifest import Entry, sha256, write_manifest

    entries = []
    for folder, edition in (("html", "student"), ("teacher-html", "teacher")):
        page = tmp_path / "dist" / folder / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f'<a href="{folder}.html">x</a>')
        entries.append(Entry(f"{folder}/index.html", edition, folder, sha256(page)))
    write_manifest(tmp_path / "dist", entries)
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


@pytest.fixture(scope="module")
def bad_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """Two small websites with faults, published (their manifest written). Made once: the
    browser visits each page once (``visits`` keeps what it saw by site) for all the tests
    below, as the gate's axe and privacy checks share one visit of each page."""
    tmp_path = tmp_path_factory.mktemp("bad-site")
    html = tmp_path / "dist" / "html"
    html.mkdir(parents=True)
    # No language, no title, an image without alt text, a script from another host (on the
    # loopback range, so the request never leaves this machine).
    (html / "index.html").write_text(
        "<!DOCTYPE html><html><body><img src='x.png'>"
        "<script src='http://127.0.0.2:9/tracker.js'></script></body></html>"
    )
    # The teacher's website: a page whose one fault is an image from another host.
    teacher = tmp_path / "dist" / "teacher-html"
    teacher.mkdir()
    (teacher / "plan.html").write_text(
        "<!DOCTYPE html><html lang='en'><title>Plan</title><body><main><p>Plan</p>"
        "<img src='http://127.0.0.3:9/pixel.png' alt=''></main></body></html>"
    )
    (tmp_path / AXE.parent).mkdir(parents=True)
    (tmp_path / AXE).write_bytes((ROOT / AXE).read_bytes())
    site = Site(tmp_path, tmp_path / "build", tmp_path / "dist")
    record(site)
    return site


def record(site: Site) -> None:
    """The manifest of ``site``'s dist/ as a publish would write it (the gate reads its files
    and formats from it): each file of a website folder, as that website's edition."""
    editions = {"html": ("student", "html"), "teacher-html": ("teacher", "teacher-html")}
    files = [p for p in site.dist.rglob("*") if p.is_file() and p.name != ".manifest.json"]
    rows = []
    for path in files:
        name = path.relative_to(site.dist).as_posix()
        edition, format = editions[name.split("/", 1)[0]]
        rows.append(Entry(name, edition, format, sha256(path)))
    write_manifest(site.dist, rows)


def test_browser_checks_see_violations_and_foreign_requests(bad_site: Site):
    pages = {visit.page: visit for visit in visits(bad_site)}
    visit = pages["html/index.html"]
    rules = {v["id"] for v in visit.violations}
    assert {"image-alt", "html-has-lang", "document-title"} <= rules
    assert "http://127.0.0.2:9/tracker.js" in visit.requests
    assert [f for f in visit.failed if f.startswith("404 ")] == [
        f"404 {visit.requests[0][:-10]}x.png"
    ]


def test_browser_checks_visit_the_teacher_site_too(bad_site: Site):
    pages = {visit.page: visit for visit in visits(bad_site)}
    assert sorted(pages) == ["html/index.html", "teacher-html/plan.html"]
    assert "http://127.0.0.3:9/pixel.png" in pages["teacher-html/plan.html"].requests


def test_gate_fails_and_says_why(bad_site: Site, capsys):
    assert main(["--root", str(bad_site.root), "--only", "axe", "--only", "privacy"]) == 1
    out = capsys.readouterr().out
    assert "FAIL axe: " in out and "image-alt" in out
    assert "on 1 html + 1 teacher-html pages" in out
    assert "FAIL privacy: 2 requests to other hosts" in out and "; 1 not found" in out
    assert "index.html: 404 http://127.0.0.1:" in out
    assert "teacher-html/plan.html: requests http://127.0.0.3:9/pixel.png" in out


def _xhtml(title: str, body: str, lang: str = ' lang="en" xml:lang="en"') -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"'
        f"{lang}><head><title>{title}</title></head><body>{body}</body></html>"
    )


SCHEMA = {
    "accessMode": "textual",
    "accessModeSufficient": "textual",
    "accessibilityFeature": "tableOfContents",
    "accessibilityHazard": "none",
    "accessibilitySummary": "Text only.",
}


def write_epub(path: Path, chapters: dict[str, str]) -> Path:
    """A small EPUB 3 by hand: the nav (``epub:type="toc"`` with its role) and ``chapters``."""
    items = "".join(
        f'<item id="c{i}" href="{name}" media-type="application/xhtml+xml"/>'
        for i, name in enumerate(chapters)
    )
    spine = "".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
    links = "".join(f'<li><a href="{name}">{name}</a></li>' for name in chapters)
    opf = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<package xmlns="http://www.idpf.org/2007/opf"'
        ' version="3.0" unique-identifier="id" xml:lang="en"><metadata'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:x</dc:identifier>'
        "<dc:title>T</dc:title><dc:language>en</dc:language>"
        '<meta property="dcterms:modified">2020-01-01T00:00:00Z</meta>'
        + "".join(f'<meta property="schema:{k}">{v}</meta>' for k, v in SCHEMA.items())
        + "</metadata><manifest>"
        f'<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
        f"{items}</manifest><spine>{spine}</spine></package>"
    )
    container = (
        '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:'
        'xmlns:container"><rootfiles><rootfile full-path="content.opf"'
        ' media-type="application/oebps-package+xml"/></rootfiles></container>'
    )
    nav = _xhtml("Contents", f'<nav epub:type="toc" role="doc-toc"><ol>{links}</ol></nav>')
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as epub:
        epub.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        epub.writestr("META-INF/container.xml", container)
        epub.writestr("content.opf", opf)
        epub.writestr("nav.xhtml", nav)
        for name, text in chapters.items():
            epub.writestr(name, text)
    return path


def test_ace_finds_a_content_document_without_language(tmp_path: Path):
    dist = tmp_path / "dist"
    write_epub(
        dist / "book.epub",
        {
            "good.xhtml": _xhtml("Good", "<h1>Good</h1><p>Text.</p>"),
            "nolang.xhtml": _xhtml("No language", "<h1>No language</h1><p>Text.</p>", lang=""),
        },
    )
    outcome = ace.check(Site(ROOT, tmp_path / "build", dist))
    assert not outcome.ok
    assert outcome.figure.startswith("1 violations in 3 content documents of 1 EPUB")
    assert [p for p in outcome.problems if "violation" not in p and "metadata" not in p] == [
        p for p in outcome.problems if "nolang.xhtml: html-has-lang" in p
    ]
    assert "book.epub: no dcterms:conformsTo metadata" in outcome.problems


def test_vnu_finds_invalid_html_in_every_site_folder_and_epub(tmp_path: Path):
    dist = tmp_path / "dist"
    good = (
        "<!DOCTYPE html><html lang='en'><head><title>t</title></head><body><p>x</p></body></html>"
    )
    bad = good.replace("<p>x</p>", "<p>x<div>block in a paragraph's place</div></p><blink>")
    write_files(dist / "html", {"index.html": good, "sub/bad.html": bad})
    write_files(tmp_path / "teacher", {"index.html": good.replace("<p>x</p>", "<p><li>")})
    write_epub(
        dist / "book.epub",
        {"c.xhtml": _xhtml("C", '<section epub:type="chapter"><p>fine</p></section>')},
    )
    site = Site(ROOT, tmp_path / "build", dist)
    outcome = vnu.check(site, [site.html, tmp_path / "teacher"])
    assert not outcome.ok
    assert outcome.figure.startswith(
        f"{len(outcome.problems)} errors on 5 pages of 2 site(s) and 1 EPUB(s)"
    )
    # Only the two bad pages: the good page passes, and so do the EPUB's nav and chapter (their
    # epub:type is EPUB's, not an error). (One run of the checker: a second on clean pages only
    # would start Java again to show the same.)
    where = {p.split(":")[0] for p in outcome.problems}
    assert where == {"html/sub/bad.html", str(tmp_path / "teacher" / "index.html")}
    assert any("“blink”" in p for p in outcome.problems)
    # by default, every website of dist/ (a teacher-html beside html) and every EPUB
    write_files(dist / "teacher-html", {"x.html": bad})
    assert vnu.site_folders(site) == [dist / "html", dist / "teacher-html"]


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


def test_epubcheck_fails_on_what_epubcheck_reports(tmp_path: Path):
    """The gate's epubcheck line fails on an EPUB that EPUBCheck finds errors in (a chapter
    showing an image the package does not hold)."""
    dist = tmp_path / "dist"
    gone = '<h1>C</h1><p><img src="gone.png" alt="A map"/></p>'
    write_epub(dist / "bad.epub", {"c.xhtml": _xhtml("C", gone)})
    outcome = epub.check(Site(ROOT, tmp_path / "build", dist))
    assert not outcome.ok
    assert outcome.figure.startswith(f"{len(outcome.problems)} errors, 0 warnings on 1 EPUB")
    assert outcome.problems and all(p.startswith("bad.epub: ERROR ") for p in outcome.problems)
    assert any("gone.png" in p for p in outcome.problems), outcome.problems
