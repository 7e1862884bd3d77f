"""Once writing starts, a build reads each doctree from its file when asked and keeps nothing
(doctreefiles.py): Sphinx would keep the bytes of every doctree it loaded until the end."""

from __future__ import annotations

import pickle

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
