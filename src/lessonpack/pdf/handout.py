"""What makes a lesson's doctree a photocopiable handout or a self-contained pack.

A handout holds the lesson's documents (source boxes), questions and worksheets, not the reading:
the reading is cut from the doctree (not merely hidden), so no link can point into it and
WeasyPrint has less to lay out. An excerpt keeps its adapted version only (the original text is
for the website, the EPUB and the books).
Each question gets as many ruled writing lines as its ``:lines:`` option asks for, and each
student cell of an {organiser} grid a few.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes

from .. import nodes as lp
from ..organiser import add_grid_lines

KEPT = (lp.source_box, lp.graphic, lp.organiser, lp.discussion, addnodes.toctree)


def keep_questions_only(tree: nodes.document) -> None:
    """Reduce a document to its title, its content advisory, its source boxes (adapted versions
    only), its charts and maps (with their data tables), its {organiser} grids, its {discussion}
    groups and its toctrees (worksheets), in their order."""
    top = next(iter(tree.findall(nodes.section)), None)
    if top is None:
        return
    # The lesson's own content advisory (before the reading, not in a section) stays, ahead of
    # the documents it warns about; an advisory inside the reading points into it, and goes.
    kept: list[nodes.Element] = [n for n in top.children if isinstance(n, lp.advisory)]
    for node in top.findall(lambda n: isinstance(n, KEPT)):
        if not any(node is k or _inside(node, k) for k in kept):
            kept.append(node)
    for node in list(top.findall(lp.original)):
        node.parent.remove(node)
    title = [top[0]] if top.children and isinstance(top[0], nodes.title) else []
    top.clear()
    top.extend([*title, *kept])


def _inside(node: nodes.Node, ancestor: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.parent
    return False


def add_writing_lines(tree: nodes.document) -> int:
    """Append ``question["lines"]`` ruled lines to every question; return how many were added."""
    total = 0
    for question in tree.findall(lp.question):
        box = nodes.container(classes=["lp-lines"])
        for _ in range(question.get("lines", 0)):
            box += nodes.container(classes=["lp-line"])
        question += box
        total += question.get("lines", 0)
    return total + add_grid_lines(tree)


def unlink_missing(tree: nodes.document) -> None:
    """Keep the words of links whose target is not in this PDF (the glossary, another lesson).

    WeasyPrint reports a link to a missing anchor as an error, and a pack holds one lesson only.
    """
    ids = {i for node in tree.findall(nodes.Element) for i in node.get("ids", [])}
    ids.update(f"document-{n['docname']}" for n in tree.findall(addnodes.start_of_file))
    for ref in list(tree.findall(nodes.reference)):
        uri = ref.get("refuri", "")
        target = ref.get("refid") or (uri[1:] if uri.startswith("#") else None)
        if target is not None and target not in ids:
            ref.replace_self(nodes.inline("", "", *ref.children, classes=ref.get("classes", [])))
