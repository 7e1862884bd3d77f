"""Checks of the source that neither Sphinx nor MyST makes, each a warning with file and line.

- a file that is not UTF-8 (Sphinx stops with "Encoding error!" and names no file);
- an empty file (it would build as a page with no title);
- an unclosed code or directive fence (MyST silently runs it to the end of the file, swallowing
  everything after it);
- an image without alternative text;
- a document in no toctree (Sphinx says so too, but without a line to go to).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.util import logging

from .nodes import located_line

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")


def unclosed_fences(text: str) -> list[tuple[int, str]]:
    """(line, fence) of every fence that is opened and never closed.

    A fence closes with the same character, at least as long, and nothing after it. Directives
    (`{name}` after the fence) hold MyST, so fences nest in them; any other fence holds literal
    text, in which only its own closing fence counts.
    """
    stack: list[tuple[int, str, bool]] = []  # (line, fence, literal content)
    for number, line in enumerate(text.splitlines(), 1):
        match = FENCE.match(line)
        if not match:
            continue
        fence, info = match["fence"], match["info"].strip()
        if stack:
            _, top, literal = stack[-1]
            closes = fence[0] == top[0] and len(fence) >= len(top) and not info
            if closes:
                stack.pop()
                continue
            if literal:
                continue
        if fence[0] == "`" and "`" in info:
            continue  # inline code, not a fence
        stack.append((number, fence, not info.startswith("{")))
    return [(line, fence) for line, fence, _ in stack]


def check_encoding(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """env-before-read-docs: a file that is not UTF-8 is reported where its first bad byte is,
    and left unread (reading it would crash the build with no file named), and unwritten (the
    writer, finding no doctree for it, would crash with a traceback)."""
    for docname in list(docnames):
        data = env.doc2path(docname).read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            _warn(
                f"is not UTF-8: byte {data[error.start]:#04x} cannot be read; save the file "
                "as UTF-8",
                (docname, line),
                "encoding",
            )
            docnames.remove(docname)
            env.found_docs.discard(docname)


def check_source(app: Sphinx, docname: str, source: list[str]) -> None:
    """source-read: an empty file, or a fence that is never closed."""
    if app.env.doc2path(docname).suffix != ".md":
        return
    text = source[0]
    if not text.strip():
        _warn("file is empty: write the page, or take it out of the book", (docname, 1), "empty")
        return
    for line, fence in unclosed_fences(text):
        _warn(
            f"{fence} fence is never closed (everything after it is swallowed)",
            (docname, line),
            "fence",
        )


def check_images(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read: every image has alternative text (decorative images are not in lessons)."""
    for image in doctree.findall(nodes.image):
        if not str(image.get("alt", "")).strip():
            line = located_line(image)
            _warn(f"image {image.get('uri', '')} has no alt text", (app.env.docname, line), "alt")


def check_toctrees(app: Sphinx, env: BuildEnvironment) -> None:
    """env-check-consistency: every document is in a toctree, unless marked ``orphan``."""
    included = {doc for docs in env.toctree_includes.values() for doc in docs}
    for docname in sorted(env.found_docs - included - {env.config.root_doc}):
        if "orphan" in env.metadata.get(docname, {}):
            continue
        _warn(
            "is in no toctree, so no reader can reach it: add it to a toctree "
            "(or mark it `orphan: true`)",
            (docname, 1),
            "toctree",
        )


def _warn(message: str, location: tuple[str, int | None], subtype: str) -> None:
    logger.warning(message, location=location, type="lessonpack", subtype=subtype)


def setup_sourcecheck(app: Sphinx) -> None:
    app.connect("env-before-read-docs", check_encoding)
    app.connect("source-read", check_source)
    app.connect("doctree-read", check_images)
    app.connect("env-check-consistency", check_toctrees)
