"""Once writing starts, a build reads each doctree from its file when asked and keeps nothing
(doctreefiles.py): Sphinx would keep the bytes of every doctree it loaded until the end; and the
PDF and slide builders keep none of the documents a serial read made (Sphinx keeps them as nodes
until they are written)."""

from __future__ import annotations

import json
import pickle

import pytest
from docutils import nodes

from test_pdf_builder import two_chapters

CONF = 'lessonpack_pdf_basename = "t"\nlessonpack_pdf_papers = ["a4"]\n'


def test_the_pdf_build_reads_each_doctree_from_its_file_every_time(build):
    result = build(two_chapters(), edition="teacher", builder="lessonpdf", conf=CONF)
    assert result.warnings == ""
    env = result.app.env
    # The builder read "one" while it wrote the book; a read now is the file's as it is now.
    assert "Text of chapter 1." in env.get_doctree("one").astext()
    path = env.doctreedir / "one.doctree"
    doctree = pickle.loads(path.read_bytes())
    doctree += nodes.paragraph(text="Written after the build.")
    path.write_bytes(pickle.dumps(doctree, pickle.HIGHEST_PROTOCOL))
    again = env.get_doctree("one")
    assert "Written after the build." in again.astext()
    # Read as Sphinx reads it: the environment and a reporter for the document's file.
    assert again.settings.env is env
    assert again.reporter.source == str(env.doc2path("one"))
    assert env.get_doctree("one") is not again


# Counts, when writing starts, the documents still alive that were read from the project, and
# the documents the project has.
KEPT_PROBE = """
import gc, json
from docutils import nodes

def setup(app):
    def count(app, builder):
        gc.collect()  # what nothing refers to is not kept
        documents = [o for o in gc.get_objects() if isinstance(o, nodes.document)]
        read = [d for d in documents if str(d.get("source", "")).startswith(str(app.srcdir))]
        (app.srcdir.parent / "kept.json").write_text(json.dumps(len(read)))
        (app.srcdir.parent / "documents.json").write_text(json.dumps(len(app.env.found_docs)))

    app.connect("write-started", count, priority=100)
"""


@pytest.mark.parametrize("builder", ["lessonpdf", "lessonslides"])
def test_a_serial_read_keeps_no_document_for_the_writers(build, tmp_path, builder):
    files = {**two_chapters(), "three.md": "# Three\n\nMore text.\n"}
    result = build(files, edition="teacher", builder=builder, conf=CONF + KEPT_PROBE)
    assert result.warnings == ""
    # Five documents read; at most the last one read is still referred to (by the reader).
    assert json.loads((tmp_path / "documents.json").read_text()) == 5
    assert json.loads((tmp_path / "kept.json").read_text()) <= 1
