"""The teacher edition as a website: marked on every page, published apart, never reached from
the student side (lessonpack.teachersite, records, the Makefile, check/teachersite.py)."""

from __future__ import annotations

import json
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import write_files
from lessonpack.check import Site
from lessonpack.check.leaks import stemmer
from lessonpack.check.teachersite import check, page_problems
from lessonpack.check.texts import search_terms
from lessonpack.manifest import Entry, read_manifest, sha256, write_manifest
from lessonpack.records import record_path
from lessonpack.teachersite import LABEL
from test_bad_input import course, make, write

PAGES = {
    "lesson.md": """
    # Harvest lesson

    The harvest of 1958 was reported as a record.

    :::{teacher-note}
    Ask who checked the county's grain figures before they were sent on.
    :::
    """
}
BOOK_THEME = 'html_theme = "sphinx_book_theme"\nhtml_title = "Harvests"\n'


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_every_teacher_page_is_marked_in_the_theme(build):
    result = build(PAGES, edition="teacher", conf=BOOK_THEME)
    assert result.warnings == ""
    for page in ("lesson", "index", "search"):
        html = result.html(page)
        assert page_problems(page, html) == [], page
        page_soup = soup(html)
        # the site's title set as the text is (site.py): a curly apostrophe
        curly = LABEL.replace("'", "\u2019")
        assert page_soup.title.get_text().endswith(f"Harvests: {curly}")
        banner = page_soup.select_one(".bd-header-announcement .lp-edition-label")
        assert banner is not None and banner.get_text() == LABEL, page
    assert "grain figures before they were sent on" in result.html("lesson")
    # Searchable: the teacher's own words are in its search index.
    terms = search_terms((result.outdir / "searchindex.js").read_text(encoding="utf-8"))
    assert stemmer("en")("county's") in terms and stemmer("en")("checked") in terms


def test_the_student_site_is_not_marked(build):
    result = build(PAGES, edition="student", conf=BOOK_THEME)
    html = result.html("lesson")
    assert LABEL not in html and "noindex" not in html
    assert page_problems("lesson", html) == [
        f"lesson: its title 'Harvest lesson — Harvests' does not say {LABEL!r}",
        f"lesson: no {LABEL!r} banner",
        "lesson: no robots noindex",
    ]


def test_a_theme_without_a_banner_gets_one_before_the_body(build):
    """Only pages with a body: the gate finds the search page unmarked in such a theme."""
    result = build(PAGES, edition="teacher")  # alabaster: no announcement option
    html = result.html("lesson")
    assert page_problems("lesson", html) == []
    banner = soup(html).select_one("aside.lp-edition-banner")
    assert banner is not None and banner.find_next("h1").get_text().startswith("Harvest lesson")
    assert page_problems("search", result.html("search")) == [f"search: no {LABEL!r} banner"]


def test_the_teacher_site_is_recorded_apart(build):
    teacher = build(PAGES, edition="teacher")
    record = json.loads(record_path(teacher.outdir).read_text(encoding="utf-8"))
    assert (record["edition"], record["format"]) == ("teacher", "teacher-html")
    assert {row["dist"].split("/")[0] for row in record["files"]} == {"teacher-html"}
    assert "teacher-html/lesson.html" in {row["dist"] for row in record["files"]}
    student = build(PAGES, edition="student")
    record = json.loads(record_path(student.outdir).read_text(encoding="utf-8"))
    assert (record["edition"], record["format"]) == ("student", "html")
    assert {row["dist"].split("/")[0] for row in record["files"]} == {"html"}


def test_make_publishes_the_teacher_site_beside_the_student_one(tmp_path: Path):
    files = course()
    files["conf.py"] = str(files["conf.py"]) + BOOK_THEME
    write(tmp_path / "src", files)
    run = make(tmp_path, "teacher-html")
    out, _ = run.communicate(timeout=300)
    assert run.returncode == 0, out
    dist = tmp_path / "dist"
    assert not (dist / "html").exists()
    run = make(tmp_path, "html")
    out, _ = run.communicate(timeout=300)
    assert run.returncode == 0, out
    entries = read_manifest(dist)
    kinds = {(e.path.split("/")[0], e.edition, e.format) for e in entries.values()}
    assert kinds == {("html", "student", "html"), ("teacher-html", "teacher", "teacher-html")}
    page = (dist / "teacher-html" / "lessons" / "one.html").read_text(encoding="utf-8")
    assert page_problems("one.html", page) == []
    outcome = check(Site(tmp_path / "src", tmp_path / "build", dist))
    assert outcome.ok, outcome.problems
    assert outcome.figure.startswith(f"{len(list((dist / 'teacher-html').rglob('*.html')))} ")


def planted_dist(tmp_path: Path, files: dict[str, tuple[str, str]]) -> Site:
    """A published dist/: path -> (edition, text), with its manifest."""
    dist = tmp_path / "dist"
    write_files(dist, {path: text for path, (_, text) in files.items()})
    entries = []
    for path, (edition, _) in files.items():
        fmt = path.split("/")[0] if "/" in path else "epub"
        entries.append(Entry(path, edition, fmt, sha256(dist / path)))
    write_manifest(dist, entries)
    return Site(tmp_path, tmp_path / "build", dist)


MARKED = (
    '<html><head><title>Plan: Teacher\'s edition</title><meta name="robots" content="noindex">'
    '</head><body><strong class="lp-edition-label">Teacher\'s edition</strong></body></html>'
)


def test_the_gate_finds_a_way_in_from_the_student_site(tmp_path: Path):
    site = planted_dist(
        tmp_path,
        {
            "teacher-html/plan.html": ("teacher", MARKED),
            "teacher-html/bare.html": ("teacher", "<title>Plan</title><p>Answers</p>"),
            "html/one.html": ("student", '<a href="../teacher-html/plan.html">answers</a>'),
            "html/searchindex.js": ("student", 'Search.setIndex({"docurls":["teacher-html/x"]})'),
            "html/two.html": ("student", "<p>The teacher's edition has the answers.</p>"),
        },
    )
    outcome = check(site)
    assert outcome.problems == [
        f"teacher-html/bare.html: its title 'Plan' does not say {LABEL!r}",
        f"teacher-html/bare.html: no {LABEL!r} banner",
        "teacher-html/bare.html: no robots noindex",
        "html/one.html names teacher-html/",
        "html/searchindex.js names teacher-html/",
    ]


def test_the_gate_needs_a_teacher_site(tmp_path: Path):
    site = planted_dist(tmp_path, {"html/one.html": ("student", "<p>Reading</p>")})
    assert check(site).problems == [
        f"no page of the teacher's website (teacher-html) in {site.dist}"
    ]


def test_the_front_door_is_marked_too(build):
    """A root document in a folder gets a front door (site.py), our own template: marked too."""
    files = {**PAGES, "book/start.md": "# Start\n\n```{toctree}\n../lesson\n```\n"}
    files["index.md"] = "---\norphan: true\n---\n# Unused\n"
    teacher = build(files, edition="teacher", conf=BOOK_THEME + 'root_doc = "book/start"\n')
    door = teacher.html("index")
    assert 'href="book/start.html"' in door  # a real page (site.py), no redirect
    assert page_problems("index.html", door) == []
    student = build(files, edition="student", conf=BOOK_THEME + 'root_doc = "book/start"\n')
    assert LABEL not in student.html("index") and "noindex" not in student.html("index")
