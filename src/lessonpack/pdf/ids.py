"""Make one assembled book safe to render as one HTML file.

Every document was given ids on its own, so two lessons can both hold ``#timeline`` or ``#id1``.
Here each repeated id is renamed after its document, and every reference is pointed at the
renamed id, including Sphinx's ``#document-x#y`` form for cross-document links.

The owning document is carried down a walk of the tree: Sphinx inlines each document's
subtree without resetting ``parent`` pointers, so they cannot be followed upwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from docutils import nodes
from sphinx import addnodes


def _doc_slug(docname: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", docname).strip("-")


def walk_with_owner(node: nodes.Node, doc: str) -> Iterator[tuple[nodes.Node, str]]:
    """Every node below ``node`` (itself included) with the document it came from."""
    if isinstance(node, addnodes.start_of_file):
        doc = node["docname"]
    yield node, doc
    if isinstance(node, nodes.Element):
        for child in node.children:
            yield from walk_with_owner(child, doc)


class IdRenamer:
    """Renames ids met in reading order: an id seen before gets its document's prefix.

    ``chapters``: every document the tree inlines (their chapter ids are taken first). Used
    on a whole tree (:func:`make_ids_unique`) or on a book's ids one piece at a time.
    """

    def __init__(self, root: str, chapters: Iterable[str]) -> None:
        self.seen: set[str] = {f"document-{root}"}
        self.seen.update(f"document-{doc}" for doc in chapters)
        self.mapping: dict[tuple[str, str], str] = {}

    def rename(self, doc: str, old: str) -> str:
        new = old
        if new in self.seen:
            new = f"{_doc_slug(doc)}--{old}"
            counter = 1
            while new in self.seen:
                counter += 1
                new = f"{_doc_slug(doc)}--{old}-{counter}"
        self.seen.add(new)
        self.mapping.setdefault((doc, old), new)
        return new


def ids_in_order(tree: nodes.Node, root: str) -> list[tuple[str, str]]:
    """Every (document, id) of ``tree``, in the order :func:`make_ids_unique` meets them."""
    return [
        (doc, old)
        for node, doc in walk_with_owner(tree, root)
        if isinstance(node, nodes.Element)
        for old in node.get("ids", [])
    ]


def set_ids(tree: nodes.Node, root: str, new: Iterator[str]) -> None:
    """Give the ids of ``tree``, in :func:`ids_in_order`'s order, the names ``new`` yields."""
    for node, _doc in walk_with_owner(tree, root):
        if isinstance(node, nodes.Element) and node.get("ids"):
            node["ids"] = [next(new) for _old in node["ids"]]


def make_ids_unique(tree: nodes.document, root: str) -> dict[tuple[str, str], str]:
    """Rename repeated ids per document; return (docname, old id) -> new id for every id."""
    renamer = IdRenamer(root, (n["docname"] for n in tree.findall(addnodes.start_of_file)))
    for node, doc in walk_with_owner(tree, root):
        if isinstance(node, nodes.Element) and node.get("ids"):
            node["ids"] = [renamer.rename(doc, old) for old in node["ids"]]
    return renamer.mapping


def fix_references(tree: nodes.document, root: str, mapping: dict[tuple[str, str], str]) -> None:
    """Point every internal reference at the (possibly renamed) id it means."""
    for node, doc in walk_with_owner(tree, root):
        if isinstance(node, (nodes.reference, nodes.footnote_reference)):
            if node.get("refid"):
                node["refid"] = mapping.get((doc, node["refid"]), node["refid"])
                continue
            uri = node.get("refuri", "")
            if not uri.startswith("#"):
                continue
            head, _, anchor = uri[1:].partition("#")
            if head.startswith("document-"):
                if anchor:
                    target = head.removeprefix("document-")
                    node["refuri"] = "#" + mapping.get((target, anchor), anchor)
            else:
                node["refuri"] = "#" + mapping.get((doc, head), head)
        elif isinstance(node, (nodes.footnote, nodes.citation)):
            node["backrefs"] = [mapping.get((doc, b), b) for b in node.get("backrefs", [])]
