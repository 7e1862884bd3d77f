"""What a web build takes from a page it keeps (``pagereuse``), without its whole doctree.

A kept page is copied, but the build still feeds the page to the search index and collects its
images (Sphinx's ``write_doc_serialized``), which needs the page's resolved doctree: unpickling
every kept page's (some 25 in this course) cost about 0.2 s of CPU per build. The build that
writes a page keeps, beside that doctree, a skeleton of it: a small document that the search
index's word collector (``sphinx.search``: words of text nodes, titles with their section ids,
raw HTML, keyword meta tags, nothing inside comments or ``no-search`` elements, in document
order) reads as it reads the page, followed by the page's images and index entries. The search
index and the images copied are those of a clean build (tests/test_pagereuse.py compares them).
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import new_document

NO_SEARCH = "no-search"


class KeptTitle(nodes.title):
    """A title of the skeleton: its text is the page's title's whole text, though some of its
    parts (a comment, a ``no-search`` element) are not words of the index."""

    def astext(self) -> str:
        return str(self.get("lp_text", ""))


def skeleton(doctree: nodes.document) -> nodes.document:
    """The page's words, titles, raw HTML and keyword meta tags in the order the search index
    reads them, then every image and index entry of the page."""
    kept = new_document(str(doctree.get("source", "")))
    words = nodes.container()
    _mirror(doctree, words)
    kept += words
    kept.extend(node.copy() for node in doctree.findall(nodes.image))
    kept.extend(node.copy() for node in doctree.findall(addnodes.index))
    return kept


def _mirror(node: nodes.Node, into: nodes.Element) -> None:
    """``node`` as ``sphinx.search._feed_visit_nodes`` reads it, added to ``into``."""
    if isinstance(node, nodes.comment):
        return
    if isinstance(node, nodes.Element) and NO_SEARCH in node["classes"]:
        return
    if isinstance(node, nodes.raw):
        into += node.deepcopy()
        return
    if isinstance(node, nodes.Text):
        into += node.copy()
        return
    if isinstance(node, nodes.meta):
        into += node.copy()
    elif isinstance(node, nodes.title):
        ids = list(node.parent["ids"]) if isinstance(node.parent, nodes.Element) else []
        title = KeptTitle(lp_text=node.astext())
        into += nodes.section("", title, ids=ids)
        into = title
    for child in node.children:
        _mirror(child, into)
