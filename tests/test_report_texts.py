"""The report's long texts (each document's public text and teacher passages) are not held in the
Sphinx environment: written to a file per document while it is read, read back one document at a
time when the report is written, and the report is the same bytes as the whole mapping dumped."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

from lessonpack import report

NOTE = "Ask which \u201cquota\u201d the cadres feared most."


def test_the_documents_are_written_one_at_a_time_as_the_whole_mapping(tmp_path: Path):
    records = {
        "b/two": {"lesson": True, "lessons": [{"line": 3, "objectives": True}], "title": "Two"},
        "a": {"lesson": False, "lessons": [], "exercises": [], "title": '\u00c9t\u00e9 "1959"'},
    }
    texts = {
        "a": {"public_text": "Line one\nline two \u2014 1959\u20131961", "teacher": []},
        "b/two": {"public_text": "", "teacher": [{"kind": "note", "line": 4, "text": "x\ny"}]},
    }
    for name, kept in texts.items():
        report.keep_texts(tmp_path, name, kept)
    whole = {name: {**records[name], **texts[name]} for name in records}
    top = {"edition": "teacher", "documents": whole, "srcdir": "/x", "course": {"a": [1, 2]}}
    head, tail = report.dumps({**top, "documents": report.DOCUMENTS_MARK}).split(
        report.dumps(report.DOCUMENTS_MARK)
    )
    streamed = head + "".join(report.documents_json(tmp_path, records)) + tail
    assert streamed == report.dumps(top)
    assert "".join(report.documents_json(tmp_path, {})) == report.dumps({})


def test_the_environment_keeps_no_text_and_the_report_has_it(build):
    result = build(
        {"pages/one.md": f"# One\n\nStudent prose.\n\n:::{{teacher-note}}\n{NOTE}\n:::\n"},
        edition="teacher",
    )
    assert result.warnings == ""
    env = result.app.env
    records = env.domains["lessonpack"].docs
    assert set(records) >= {"index", "pages/one"}
    # Not in the environment Sphinx keeps, nor in the one it saved.
    assert all(key not in r for r in records.values() for key in report.TEXT_KEYS)
    saved = pickle.loads((Path(env.doctreedir) / "environment.pickle").read_bytes())
    assert NOTE not in json.dumps(saved.domaindata["lessonpack"], ensure_ascii=False)
    kept = report.text_file(Path(env.doctreedir), "pages/one")
    assert NOTE in json.loads(kept.read_text(encoding="utf-8"))["teacher"][0]["text"]
    written = json.loads((Path(env.doctreedir) / report.REPORT_NAME).read_text(encoding="utf-8"))
    one = written["documents"]["pages/one"]
    assert [p["text"] for p in one["teacher"]] == [NOTE]
    assert "Student prose." in one["public_text"] and NOTE not in one["public_text"]
    assert written["documents"]["index"]["teacher"] == []
