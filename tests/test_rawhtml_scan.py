"""The scan of a build's written pages for loads from another host (rawhtml.py) parses again
only what changed: a page the last scan of the same build folder found clean, byte for byte,
is not parsed; a page or stylesheet that now loads from another host is still found."""

from __future__ import annotations

import re
from pathlib import Path

from lessonpack import rawhtml

HOST = "tracker.example.com"


def test_a_page_scanned_clean_before_is_not_parsed_again_and_a_new_load_is_found(
    build, monkeypatch
):
    files = {"notes/one.md": "# Notes\n\nText.\n", "_static/extra.css": "p { margin: 0; }\n"}
    conf = "html_static_path = ['_static']\nhtml_css_files = ['extra.css']\n"
    first = build(files, conf=conf)
    assert "another host" not in first.warnings
    record = Path(first.app.doctreedir) / rawhtml.CLEAN_RECORD
    assert record.is_file()
    parsed: list[str] = []
    html_loads, css_loads = rawhtml.html_loads, rawhtml.css_loads

    def counted(scan):
        def run(text: str):
            parsed.append(text)
            return scan(text)

        return run

    monkeypatch.setattr(rawhtml, "html_loads", counted(html_loads))
    monkeypatch.setattr(rawhtml, "css_loads", counted(css_loads))
    again = build(files, conf=conf)
    assert "another host" not in again.warnings and parsed == []  # nothing changed: nothing parsed
    # The stylesheet now imports from another host: it alone is parsed, and refused.
    files["_static/extra.css"] = f'/* fonts */\n@import url("https://{HOST}/fonts.css");\n'
    changed = build(files, conf=conf)
    css = re.escape(str(changed.outdir / "_static" / "extra.css"))
    expected = rf"{css}:2: WARNING: CSS url\(\) loads https://{HOST}/fonts\.css from another"
    assert re.search(expected, changed.warnings), changed.warnings
    assert len(parsed) == 1 and HOST in parsed[0]
    # A file that loads from another host is never recorded clean: refused at every build.
    parsed.clear()
    once_more = build(files, conf=conf)
    assert re.search(expected, once_more.warnings), once_more.warnings
    assert len(parsed) == 1
