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
