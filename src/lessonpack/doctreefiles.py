"""Doctrees read from their files when asked, their bytes not kept for the rest of the build.

Sphinx keeps the pickled bytes of every doctree it loads (``env.get_doctree``) until the process
ends: a build that reads every document while it writes (the PDF book, then its packs; a website
page by page) ends up holding all of them, about 20 MB at 64 lessons and twice that at 128. Once
writing starts (after the environment was saved), each build's environment reads a doctree from
its file in the doctree folder whenever asked, as Sphinx reads it the first time, and keeps
nothing: the operating system's file cache makes the next read as fast. The doctrees are the
same, so are the outputs.
"""

from __future__ import annotations

import functools
import pickle
from typing import TYPE_CHECKING

from sphinx.util.docutils import LoggingReporter

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment


def read_doctree(env: BuildEnvironment, docname: str) -> nodes.document:
    """The doctree of ``docname`` from its file, as ``env.get_doctree`` returns it."""
    with open(env.doctreedir / f"{docname}.doctree", "rb") as file:
        doctree = pickle.load(file)
    doctree.settings.env = env
    doctree.reporter = LoggingReporter(str(env.doc2path(docname)))
    return doctree


def read_without_keeping(_app: Sphinx, builder: Builder) -> None:
    """write-started: the environment, saved already, reads doctrees without keeping them."""
    env = builder.env
    env.get_doctree = functools.partial(read_doctree, env)  # type: ignore[method-assign]


def setup_doctreefiles(app: Sphinx) -> None:
    app.connect("write-started", read_without_keeping)


def write_without_keeping(builder: Builder, docname: str, doctree: nodes.document) -> None:
    """What ``Builder.write_doctree`` does, without keeping the nodes for this run's writers.

    Sphinx keeps every document a serial read made, as nodes, until it is written (its switch for
    that is a private keyword). A builder whose writers read the pickles one at a time (the PDF
    and slide builders) overrides ``write_doctree`` with this: the same pickle in the same file,
    the nodes freed once read (hundreds of MB for a book of 64 lessons read cold).
    """
    # Made picklable as Sphinx makes it: no reporter, transformer or environment kept, and a copy
    # of the settings shared with the other documents.
    doctree.reporter = None  # type: ignore[assignment]
    doctree.transformer = None  # type: ignore[assignment]
    doctree.settings = doctree.settings.copy()
    doctree.settings.warning_stream = None
    doctree.settings.env = None
    doctree.settings.record_dependencies = None
    path = builder.doctreedir / f"{docname}.doctree"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:
        pickle.dump(doctree, file, pickle.HIGHEST_PROTOCOL)
