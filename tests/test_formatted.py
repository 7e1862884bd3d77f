"""Formatted bibliography entries kept across builds (formatted.py): a build formats only the
entries whose inputs changed, and its pages are the bytes of a build that formatted them all."""

from __future__ import annotations

import types
from importlib import metadata
from pathlib import Path

import pytest

from conftest import BASE_CONF, sphinx_app, write_files
from lessonpack import formatted
from lessonpack.citations import TitleCaseStyle

REFS = """
@book{smith2000, author = {Smith, Ann}, title = {A History}, publisher = {Press}, year = {2000}}
@article{lee1990, author = {Lee, Bo}, title = {Famine in China, 1959}, journal = {Journal},
  year = {1990}}
"""
SECOND_SMITH = """
@book{smith2000b, author = {Smith, Ann}, title = {Another History}, publisher = {Press},
  year = {2000}}
"""
PAGES = {
    "index.md": "# Index\n\n```{toctree}\nlesson\nbibliography\n```\n",
    "lesson.md": "# Lesson\n\nAs {cite:t}`smith2000` and {cite:t}`lee1990` show.\n",
    "bibliography.md": "# Bibliography\n\n```{bibliography}\n```\n",
}


class Project:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.src = write_files(root / "src", {**PAGES, "conf.py": BASE_CONF, "refs.bib": REFS})
        self.runs = 0

    def build(self, cache: bool = True) -> tuple[dict[str, str], int]:
        """A fresh build (every entry formatted by sphinxcontrib-bibtex); its pages and the
        number of entries this build formatted itself (-1 without a cache folder)."""
        self.runs += 1
        out = self.root / f"out{self.runs}"
        overrides = {"lessonpack_cache_dir": str(self.root / "cache")} if cache else {}
        _app, _status, warnings = sphinx_app(
            self.src, out, self.root / f"doctrees{self.runs}", **overrides
        )
        assert warnings == ""
        pages = {p: (out / f"{p}.html").read_text("utf-8") for p in ("lesson", "bibliography")}
        store = TitleCaseStyle.store
        return pages, (store.formatted if store is not None else -1)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


def test_a_second_build_formats_no_entry_and_writes_the_same_pages(project: Project):
    first, formatted_first = project.build()
    assert formatted_first == 2
    second, formatted_second = project.build()
    assert formatted_second == 0
    assert second == first
    plain, _ = project.build(cache=False)
    assert plain == first
    assert "A History" in first["bibliography"]


def test_an_edited_entry_is_formatted_again(project: Project):
    project.build()
    bib = project.src / "refs.bib"
    bib.write_text(REFS.replace("{A History}", "{A New History}"), encoding="utf-8")
    pages, count = project.build()
    assert count == 1  # the edited entry only
    assert "A New History" in pages["bibliography"]
    assert "A History<" not in pages["bibliography"]
    assert pages == project.build(cache=False)[0]


def test_a_new_entry_that_letters_the_years_changes_the_kept_ones(project: Project):
    before, _ = project.build()
    assert "2000a" not in before["bibliography"]
    (project.src / "refs.bib").write_text(REFS + SECOND_SMITH, encoding="utf-8")
    lesson = project.src / "lesson.md"
    lesson.write_text(PAGES["lesson.md"] + "\nAnd {cite:t}`smith2000b`.\n", encoding="utf-8")
    pages, count = project.build()
    assert count == 2  # smith2000 is now 2000a, smith2000b is new
    assert "2000a" in pages["bibliography"] and "2000b" in pages["bibliography"]
    assert "2000a" in pages["lesson"]
    assert pages == project.build(cache=False)[0]


def test_another_package_version_formats_every_entry_again(
    project: Project, monkeypatch: pytest.MonkeyPatch
):
    project.build()
    real = metadata.version
    other = types.SimpleNamespace(
        version=lambda name: real(name) + ("+other" if name == "pybtex" else "")
    )
    monkeypatch.setattr(formatted, "metadata", other)
    formatted.salt.cache_clear()
    try:
        _pages, count = project.build()
    finally:
        formatted.salt.cache_clear()
    assert count == 2


def test_a_spoiled_store_is_no_entry(project: Project):
    first, _ = project.build()
    kept = sorted((project.root / "cache" / formatted.FOLDER).glob(f"*{formatted.SUFFIX}"))
    assert len(kept) == 2
    kept[0].write_bytes(b"not a pickle")  # changed by hand
    kept[1].write_bytes(kept[1].read_bytes()[:-5])  # cut short
    pages, count = project.build()
    assert count == 2
    assert pages == first
