"""The keys of kept web pages (lessonpack.pagereuse): what a page cannot show is left out."""

from __future__ import annotations

import re
from typing import NamedTuple

from conftest import ROOT
from lessonpack.pagereuse import ASIDE_SUFFIX, aside, unlined


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
