"""The theme's templates are compiled by the first build and loaded compiled by the next
(lessonpack.compiledtemplates): the same pages, no template compiled twice."""

from __future__ import annotations

from pathlib import Path

import jinja2

from conftest import snapshot
from lessonpack.compiledtemplates import FOLDER, compiler_key


def written(outdir: Path) -> dict[str, bytes]:
    """The pages and files of a build (Sphinx's ``.buildinfo``: a hash of this process's
    settings; in-process builds into one folder leave a ``.bak`` of it)."""
    return {k: v for k, v in snapshot(outdir).items() if not k.startswith(".buildinfo")}


FILES = {"notes/one.md": "# One\n\nWombats dig.\n"}


def test_a_second_build_compiles_no_template_and_writes_the_same_pages(build, monkeypatch):
    compiled: list[str] = []
    compile_source = jinja2.Environment.compile

    def counted(self, source, name=None, filename=None, *args, **kwargs):
        if name is not None:
            compiled.append(name)
        return compile_source(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    first = build(FILES)
    assert first.warnings == ""
    assert {"page.html", "layout.html"} <= set(compiled)  # the theme's, compiled from source
    pages = written(first.outdir)
    cache = Path(first.app.doctreedir) / FOLDER  # no lessonpack_cache_dir: beside the doctrees
    assert len(list(cache.glob("*.cache"))) >= len({"page.html", "layout.html"})
    compiled.clear()
    again = build(FILES)
    assert again.warnings == ""
    assert compiled == []  # every template loaded compiled
    assert written(again.outdir) == pages


def test_a_changed_compiler_setting_is_another_cache():
    plain, trimmed = jinja2.Environment(), jinja2.Environment(trim_blocks=True)
    assert compiler_key(plain) != compiler_key(trimmed)
    assert compiler_key(plain) == compiler_key(jinja2.Environment())
