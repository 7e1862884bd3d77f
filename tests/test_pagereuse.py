"""The keys of kept web pages (lessonpack.pagereuse): what a page cannot show is left out."""

from __future__ import annotations

import re
from typing import NamedTuple

from conftest import BASE_CONF, REFS, ROOT, sphinx_build, write_files
from lessonpack.pagereuse import ASIDE_SUFFIX, RECORD_NAME, aside, unlined


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
