"""The contents page of a PDF: documents at any depth, sections to a set depth, right targets.

Sphinx's global toctree links a document's sections with bare ``#anchor`` hrefs; in one
assembled book those anchors were renamed per document (see ids.py), so each link is resolved
against the document whose entry encloses it.
"""

from __future__ import annotations

from docutils import nodes

DOC_PREFIX = "#document-"


def _own_reference(item: nodes.list_item) -> nodes.reference | None:
    for child in item.children:
        if not isinstance(child, nodes.bullet_list):
            for ref in child.findall(nodes.reference):
                return ref
    return None


def _is_document(item: nodes.list_item) -> bool:
    ref = _own_reference(item)
    return ref is not None and ref.get("refuri", "").startswith(DOC_PREFIX)


def fix_contents_references(toc: nodes.Node, mapping: dict[tuple[str, str], str]) -> None:
    def walk(node: nodes.Node, doc: str) -> None:
        for item in _items(node):
            ref = _own_reference(item)
            current = doc
            if ref is not None:
                uri = ref.get("refuri", "")
                if uri.startswith(DOC_PREFIX):
                    current = uri.removeprefix(DOC_PREFIX).split("#")[0]
                    rest = uri.removeprefix(DOC_PREFIX).partition("#")[2]
                    if rest:
                        ref["refuri"] = "#" + mapping.get((current, rest), rest)
                elif uri.startswith("#"):
                    ref["refuri"] = "#" + mapping.get((doc, uri[1:]), uri[1:])
            for sub in item.children:
                if isinstance(sub, nodes.bullet_list):
                    walk(sub, current)

    walk(toc, "")


def _items(node: nodes.Node) -> list[nodes.list_item]:
    """The list items of the first bullet lists below ``node`` (not their descendants)."""
    found: list[nodes.list_item] = []
    for child in node.children if isinstance(node, nodes.Element) else []:
        if isinstance(child, nodes.list_item):
            found.append(child)
        elif isinstance(child, nodes.Element):
            found.extend(_items(child))
    return found


def prune_contents(toc: nodes.Node, section_depth: int) -> None:
    """Drop section entries deeper than ``section_depth``; lift documents found below them."""

    def walk(blist: nodes.bullet_list, depth: int) -> None:
        for item in list(blist.children):
            if not isinstance(item, nodes.list_item):
                continue
            for sub in [c for c in item.children if isinstance(c, nodes.bullet_list)]:
                if depth + 1 > section_depth:
                    lifted = _documents_below(sub)
                    item.remove(sub)
                    index = blist.index(item)
                    for offset, doc_item in enumerate(lifted):
                        blist.insert(index + 1 + offset, doc_item)
                else:
                    walk(sub, depth + 1)

    for blist in _top_lists(toc):
        walk(blist, 1)


def _top_lists(node: nodes.Node) -> list[nodes.bullet_list]:
    if isinstance(node, nodes.bullet_list):
        return [node]
    found: list[nodes.bullet_list] = []
    for child in node.children if isinstance(node, nodes.Element) else []:
        found.extend(_top_lists(child))
    return found


def _documents_below(blist: nodes.bullet_list) -> list[nodes.list_item]:
    """Document entries anywhere below ``blist``, detached, with their own sub-lists removed."""
    lifted: list[nodes.list_item] = []
    for item in blist.findall(nodes.list_item):
        if _is_document(item):
            copy = item.deepcopy()
            for sub in [c for c in copy.children if isinstance(c, nodes.bullet_list)]:
                copy.remove(sub)
            lifted.append(copy)
    return lifted
