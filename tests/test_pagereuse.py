"""The keys of kept web pages (lessonpack.pagereuse): what a page cannot show is left out."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import NamedTuple

import pytest

from conftest import BASE_CONF, REFS, ROOT, snapshot, sphinx_app, sphinx_build, write_files
from lessonpack import rawhtml
from lessonpack.pagereuse import (
    ASIDE_SUFFIX,
    RECORD_NAME,
    RESOLVED_DIR,
    WORDS_SUFFIX,
    aside,
    unlined,
)
from lessonpack.rawhtml import _scan_key as scan_key


class CitationRef(NamedTuple):  # as sphinxcontrib-bibtex keeps a citation in its domain data
    citation_id: str
    docname: str
    line: int
    targets: list[str]


def test_source_line_numbers_in_domain_data_do_not_change_a_key():
    def data(line: int, key: str = "smith2000") -> dict:
        return {
            "citation_refs": [CitationRef("id1", "lessons/two", line, [key])],
            "stimuli": {"quiz": [{"line": line, "source": "src-letter", "quotes": ["no grain"]}]},
        }

    assert unlined(data(12)) == unlined(data(40))  # the lines moved: the same key
    assert unlined(data(12)) != unlined(data(12, "lee1990"))  # what a page shows changed
    assert "line" not in str(unlined(data(12))) and "smith2000" in str(unlined(data(12)))


def test_the_makefile_moves_the_last_output_folder_where_the_builds_look(tmp_path):
    """`make` moves each web build's output folder aside; the builder copies from there."""
    rule = re.search(r"^ASIDE = (.*)$", (ROOT / "Makefile").read_text(), re.M)
    assert rule is not None
    assert rule.group(1).count(f"$(1){ASIDE_SUFFIX}") == 2  # removed, then the folder moved there
    for build in ("student/html", "teacher/html", "student/epub"):
        assert f"$(call ASIDE,$(BUILDDIR)/{build})" in (ROOT / "Makefile").read_text()
    assert aside(tmp_path / "student" / "html") == tmp_path / "student" / f"html{ASIDE_SUFFIX}"


def test_a_website_build_keys_its_pages_without_loading_weasyprint(tmp_path):
    """The pages' keys take the installed packages from their metadata: an HTML build (three of
    `make`'s seven) never imports WeasyPrint, about a second of CPU each (cache.package_salt)."""
    src = write_files(
        tmp_path / "src",
        {
            "conf.py": BASE_CONF
            + "extensions.append('probe')\nimport os, sys\n"
            + "sys.path.insert(0, os.path.dirname(__file__))\n",
            "probe.py": """
                import sys
                from pathlib import Path

                def setup(app):
                    def finished(app, exception):
                        loaded = sorted(m for m in ("weasyprint", "pikepdf") if m in sys.modules)
                        Path(app.outdir, "loaded.txt").write_text(" ".join(loaded) + "\\n")

                    app.connect("build-finished", finished)
            """,
            "refs.bib": REFS,
            "index.md": "# Course\n\nText.\n",
        },
    )
    done = sphinx_build(src, tmp_path / "out")
    assert done.returncode == 0, done.stderr
    record = tmp_path / "out" / ".doctrees" / RECORD_NAME
    assert record.is_file()  # the pages were keyed
    assert (tmp_path / "out" / "html" / "loaded.txt").read_text() == "\n"


# A kept page is copied, never resolved again ---------------------------------------------------
# In-process builds of a small course into the same doctree folder, the last output folder moved
# aside first, as `make` does; a probe extension lists the documents each build resolved.

PROBE = """
from pathlib import Path

def setup(app):
    def resolved(app, doctree, docname):
        with open(Path(app.outdir).parent / "resolved.txt", "a") as f:
            f.write(docname + "\\n")

    app.connect("doctree-resolved", resolved)

    def rendered(app, pagename, templatename, context, doctree):
        with open(Path(app.outdir).parent / "rendered.txt", "a") as f:
            f.write(pagename + "\\n")

    app.connect("html-page-context", rendered)
"""


def kept_course(root: Path) -> Path:
    pixel = (
        b"<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4'><rect width='4' "
        b"height='4'/></svg>"
    )
    return write_files(
        root,
        {
            "conf.py": BASE_CONF
            + "extensions.append('kept_probe')\nimport os, sys\n"
            + "sys.path.insert(0, os.path.dirname(__file__))\n"
            + "version = '1'\ncopyright = '2024, Test author'\n",
            "kept_probe.py": PROBE,
            "refs.bib": REFS,
            "square.svg": pixel,
            "index.md": "# Course\n\n```{toctree}\none\ntwo\nglossary\nrefs\n```\n",
            "refs.md": "# References\n\n```{bibliography}\n```\n",
            # Kept after the edit: words, a citation, an image, a glossary term (an index entry).
            "one.md": "# One\n\nWombats dig {cite:p}`smith2000`, like a {term}`commune`.\n\n"
            "```{image} square.svg\n:alt: A square\n```\n",
            "two.md": "# Two\n\nPlatypus farmers planted wheat.\n",
            "glossary.md": "# Glossary\n\n```{glossary}\ncommune\n  A large farm.\n```\n",
        },
    )


def web_build(src: Path, root: Path, builder: str = "html") -> list[str]:
    """One build as `make` runs it: the last output folder moved aside, then removed; returns
    the documents it resolved."""
    out = root / builder
    shutil.rmtree(aside(out), ignore_errors=True)
    if out.exists():
        out.rename(aside(out))
    (root / "resolved.txt").unlink(missing_ok=True)
    (root / "rendered.txt").unlink(missing_ok=True)
    _app, _status, warnings = sphinx_app(src, out, root / "doctrees", builder, freshenv=False)
    assert warnings == ""
    shutil.rmtree(aside(out), ignore_errors=True)
    return sorted((root / "resolved.txt").read_text().split())


@pytest.mark.parametrize("builder", ["html", "epub"])
def test_a_kept_page_is_not_resolved_and_the_build_equals_a_clean_one(
    tmp_path, builder, monkeypatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # as make sets it
    src = kept_course(tmp_path / "src")
    every = ["glossary", "index", "one", "refs", "two"]
    assert sorted(set(web_build(src, tmp_path / "edit", builder))) == every
    two = src / "two.md"
    two.write_text(two.read_text().replace("planted wheat.", "planted rice."))
    # Only the edited page is resolved (its neighbours show only its title, unchanged); the
    # EPUB keeps its contents and tables of contents, made of the toctrees and titles only.
    again = web_build(src, tmp_path / "edit", builder)
    assert again == ["two"]
    kept = sorted(p.name for p in (tmp_path / "edit" / "doctrees" / RESOLVED_DIR).iterdir())
    # the old page's resolved doctree and its skeleton are dropped
    assert len([n for n in kept if n.endswith(WORDS_SUFFIX)]) == len(every)
    assert len(kept) == 2 * len(every)
    web_build(src, tmp_path / "clean", builder)
    edited, clean = snapshot(tmp_path / "edit" / builder), snapshot(tmp_path / "clean" / builder)
    for files in (edited, clean):  # Sphinx's own record (a hash of this process's settings)
        files.pop(".buildinfo", None)
    assert sorted(edited) == sorted(clean)
    assert [name for name in sorted(edited) if edited[name] != clean[name]] == []
    if builder == "html":
        index = edited["searchindex.js"].decode()
        # Found from kept pages: words, a citation's text, the glossary's index entry.
        assert all(word in index for word in ("wombat", "smith", "commune", "rice"))
        assert "wheat" not in index
        assert "square.svg" in "".join(edited)  # the kept page's image was copied
    # A kept page whose resolved doctree is gone is written again, to the same bytes.
    for path in (tmp_path / "edit" / "doctrees" / RESOLVED_DIR).glob("*.pickle"):
        path.unlink()
    two.write_text(two.read_text().replace("planted rice.", "planted wheat."))
    assert sorted(set(web_build(src, tmp_path / "edit", builder))) == every


def differences(one: Path, other: Path) -> list[str]:
    """The files of two output folders that differ (Sphinx's ``.buildinfo`` aside)."""
    first, second = snapshot(one), snapshot(other)
    for files in (first, second):
        files.pop(".buildinfo", None)
    return sorted(n for n in set(first) | set(second) if first.get(n) != second.get(n))


@pytest.mark.parametrize("builder", ["html", "epub"])
def test_pages_besides_the_documents_are_kept_until_what_they_show_changes(
    tmp_path, builder, monkeypatch
):
    """The general index, the search page and the EPUB's tables of contents are copied after
    an edit that changes nothing they show, and written again when it does (a new index
    entry); the output is a clean build's, byte for byte."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    src = kept_course(tmp_path / "src")
    root = tmp_path / "edit"
    web_build(src, root, builder)
    two = src / "two.md"
    two.write_text(two.read_text().replace("planted wheat.", "planted rice."))
    web_build(src, root, builder)
    # Only the edited document's page went through the templates.
    assert (root / "rendered.txt").read_text().split() == ["two"]
    record = json.loads((root / "doctrees" / RECORD_NAME).read_text("utf-8"))
    kept = sorted(name for name, file in record["files"].items() if file["reused"])
    assert kept == (
        ["genindex.html", "search.html"]
        if builder == "html"
        else ["genindex.xhtml", "nav.xhtml", "toc.ncx"]
    )
    # The scan of written pages (rawhtml) leaves the kept ones to this record: one record each.
    scanned = set(json.loads((root / "doctrees" / rawhtml.CLEAN_RECORD).read_text("utf-8")))
    code = hashlib.sha256(Path(rawhtml.__file__).read_bytes())
    pages = {p.name: p for p in (root / builder).rglob("*") if p.suffix in rawhtml.PAGES}
    in_scan = sorted(
        n for n, p in pages.items() if scan_key(code, p.suffix, p.read_bytes()) in scanned
    )
    assert in_scan == [f"two.{'html' if builder == 'html' else 'xhtml'}"]  # written now
    web_build(src, tmp_path / "clean", builder)
    assert differences(root / builder, tmp_path / "clean" / builder) == []
    # A new index entry is shown by the general index: written again.
    two.write_text(two.read_text() + "\n```{index} granary\n```\n\nGrain was stored.\n")
    web_build(src, root, builder)
    assert "genindex" in (root / "rendered.txt").read_text().split()
    suffix = "html" if builder == "html" else "xhtml"
    assert "granary" in (root / builder / f"genindex.{suffix}").read_text("utf-8")
    shutil.rmtree(tmp_path / "clean")
    web_build(src, tmp_path / "clean", builder)
    assert differences(root / builder, tmp_path / "clean" / builder) == []
