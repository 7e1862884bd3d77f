"""Doctree nodes of lessonpack.

Each is a container subclass: Sphinx translators dispatch along the class hierarchy, so every
HTML-family builder (html, epub, singlehtml, our PDF builder) renders them as ``<div>`` with
their classes, and no builder needs visitors of its own.
"""

from __future__ import annotations

from collections.abc import Iterator

from docutils import nodes


def ancestors(node: nodes.Node) -> Iterator[nodes.Element]:
    """The node's parents, nearest first."""
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def located_line(node: nodes.Node) -> int | None:
    """The node's source line, or its nearest ancestor's (MyST leaves some nodes unlocated)."""
    return node.line or next((p.line for p in ancestors(node) if p.line), None)


class lesson(nodes.container):
    """The lesson metadata block: central question, duration, key terms, objectives."""


class objectives(nodes.container):
    """The learning objectives of a lesson."""


class teacher(nodes.container):
    """Teacher-only material; it exists only in the teacher edition's doctrees."""


class source_box(nodes.container):
    """An excerpt or paraphrase of a source, with provenance and citation."""


class adapted(nodes.container):
    """The adapted version of an excerpt (our shorter, glossed words), shown before the original."""


class original(nodes.container):
    """The original text of an excerpt that has an adapted version, shown after it."""


class version_label(nodes.paragraph):
    """A version's label: a ``<summary>`` for the website's original, a paragraph elsewhere."""


class advisory(nodes.container):
    """A content advisory."""


class discussion(nodes.container):
    """A group of numbered questions."""


class question(nodes.container):
    """One numbered question; ``lines`` is its writing space on a handout."""


class exercise(nodes.container):
    """A worksheet, exit ticket or essay task."""


class quiz(nodes.container):
    """A quiz: instructions, then its items; ``seed`` and ``versions`` for the printed papers."""


class segment(nodes.container):
    """One timed segment of a film in a viewing guide."""


def title_paragraph(text: str, cls: str) -> nodes.paragraph:
    """A bold title line that is not a section (so it stays out of contents and bookmarks)."""
    para = nodes.paragraph(classes=[cls])
    para += nodes.strong(text, text)
    return para


class organiser(nodes.container):
    """A sourcing and corroboration grid: one row per source box, prefilled after reading."""


class organiser_slot(nodes.container):
    """Where an organiser's grid goes once its document is read (replaced then)."""


class graphic(nodes.container):
    """A chart or map drawn from data: its figure, source line and data table, kept together
    (a handout keeps it with the documents when it cuts the reading)."""
