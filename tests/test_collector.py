"""lessonpack.collector: during a build what was alive at set-up is frozen, the thresholds are the
interpreter's; after it, nothing stays frozen."""

from __future__ import annotations

import gc
import json

PROBE = """
import gc, json

def setup(app):
    def seen(app, env):
        record = {"frozen": gc.get_freeze_count(), "threshold": list(gc.get_threshold())}
        (app.srcdir.parent / "collector.json").write_text(json.dumps(record))

    app.connect("env-updated", seen)
"""


def test_a_build_freezes_its_start_and_gives_the_collector_back(build, tmp_path):
    before = gc.get_threshold()
    result = build({"page.md": "# Page\n\nSome text.\n"}, conf=PROBE)
    assert result.warnings == ""
    during = json.loads((tmp_path / "collector.json").read_text())
    assert during["frozen"] > 10_000  # Sphinx's, docutils' and the extensions' objects
    assert tuple(during["threshold"]) == before  # collecting rarely let the book's doctrees pile up
    assert gc.get_freeze_count() == 0


def test_two_applications_at_once_unfreeze_when_the_last_one_ends(tmp_path):
    """A process that sets up a second application before the first has built: the first to
    finish does not unfreeze what the other froze at its start; the last one does."""
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    from conftest import BASE_CONF, REFS, write_files

    def app(name: str) -> Sphinx:
        src = write_files(
            tmp_path / name,
            {"conf.py": BASE_CONF, "refs.bib": REFS, "index.md": f"# {name}\n\nText.\n"},
        )
        return Sphinx(
            str(src),
            str(src),
            str(tmp_path / f"{name}-out"),
            str(tmp_path / f"{name}-dt"),
            "html",
            status=None,
            warning=None,
            freshenv=True,
        )

    with docutils_namespace():
        first = app("first")
        frozen = gc.get_freeze_count()
        assert frozen > 10_000
        second = app("second")  # the same docutils namespace: the first one's nodes stay
        second.build()
        assert gc.get_freeze_count() > frozen // 2  # the first one's start stays frozen
        first.build()
    assert gc.get_freeze_count() == 0


def test_an_application_that_fails_to_be_made_does_not_keep_later_builds_frozen(build, tmp_path):
    """A conf.py whose setting is refused after the extensions were set up (collector.py froze):
    the failed application never builds, and must not keep what the next build froze frozen
    once that build ends (the tests' processes make many applications, some failing)."""
    import pytest
    from sphinx.application import Sphinx
    from sphinx.errors import SphinxError
    from sphinx.util.docutils import docutils_namespace

    from conftest import BASE_CONF, REFS, write_files

    bad = write_files(
        tmp_path / "bad",
        {
            "conf.py": BASE_CONF + "\nlessonpack_edition = 'principal'\n",
            "refs.bib": REFS,
            "index.md": "# Bad\n\nText.\n",
        },
    )
    with docutils_namespace(), pytest.raises(SphinxError):
        Sphinx(str(bad), str(bad), str(tmp_path / "bad-out"), str(tmp_path / "bad-dt"), "html",
               status=None, warning=None, freshenv=True)  # fmt: skip
    assert gc.get_freeze_count() > 10_000  # frozen at set-up, before the setting was refused
    result = build({"page.md": "# Page\n\nSome text.\n"}, conf=PROBE)
    assert result.warnings == ""
    assert gc.get_freeze_count() == 0
