"""A printed student quiz, one version: the quiz document cut to its title and quizzes, the
items and options in the version's order (quiz.py), writing lines under short answers.

A lesson's handout never holds its quiz (students would read the questions before the test):
:func:`drop_quizzes` cuts every document that holds one from the handout's tree.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes

from ..labels import _
from ..quiz import add_quiz_lines, quiz, shuffle_version


def keep_quizzes_only(tree: nodes.document) -> None:
    """Reduce a document to its title and its quizzes (instructions and items), in order."""
    top = next(iter(tree.findall(nodes.section)), None)
    if top is None:
        return
    kept = list(top.findall(quiz))
    title = [top[0]] if top.children and isinstance(top[0], nodes.title) else []
    top.clear()
    top.extend([*title, *kept])


def make_paper(tree: nodes.document, version: str) -> list[str]:
    """Shuffle the tree's quizzes as ``version`` and add writing lines; the version names no
    quiz of the tree knows (empty when all is well)."""
    unknown = shuffle_version(tree, version)
    add_quiz_lines(tree)
    for top in tree.findall(nodes.title):
        top += nodes.Text(_(" (version {version})").format(version=version))
        break
    return unknown


def drop_quizzes(tree: nodes.document) -> None:
    """Cut every inlined document that holds a quiz, and any other quiz, from a handout."""
    for node in list(tree.findall(quiz)):
        holder = node.parent
        while holder is not None and not isinstance(holder, addnodes.start_of_file):
            holder = holder.parent
        if holder is not None and holder.parent is not None:
            holder.parent.remove(holder)
        elif node.parent is not None:
            node.parent.remove(node)
