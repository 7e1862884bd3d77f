"""The answer key at the end of a teacher's PDF, and the list of worksheets after the contents.

The Sphinx todolist pattern: every {solution} is taken out of its exercise and collected, in
book order, into one "Answer key" section at the end. Each entry names its exercise and the page
it is on (a link whose number WeasyPrint fills in with ``target-counter``), and the exercise
keeps a pointer to its entry, so a teacher can go both ways on paper.

WeasyPrint holds every page of a piece until it writes it, and the key grows with the book (60
pages at 64 lessons): a book's key with more entries than ``lessonpack_pdf_answer_entries`` is
laid out in pieces of at most that many (:func:`split_entries`: cut between the parts of the
book, a part with more entries between its worksheets). A piece after the first continues the
key from a new page, without a heading of its own (one heading, one bookmark), and names the key
in its running head as the first does (:class:`answer_key_more`, ``print.css``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from docutils import nodes

from .. import nodes as lp
from ..labels import N_, _
from ..questions import EXERCISE_KINDS
from .ids import walk_with_owner

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.writers.html5 import HTML5Translator

ANSWER_KEY_ID = "lp-answer-key"


@dataclass(frozen=True)
class Worksheet:
    """An exercise as listed on the worksheets page: its anchor and its printed label."""

    id: str
    label: str


def _page_link(target: str, text: str) -> nodes.reference:
    # The link text ends where the stylesheet appends the page number (a.lp-pageref::after).
    ref = nodes.reference("", "", refuri=f"#{target}", internal=True, classes=["lp-pageref"])
    ref += nodes.Text(text)
    return ref


def _used_ids(tree: nodes.document) -> set[str]:
    return {i for node in tree.findall(nodes.Element) for i in node.get("ids", [])}


def _unique(base: str, used: set[str]) -> str:
    new, n = base, 1
    while new in used:
        n += 1
        new = f"{base}-{n}"
    used.add(new)
    return new


def exercise_labels(doctrees: Iterable[tuple[str, nodes.document]]) -> dict[tuple[str, int], str]:
    """Each exercise's label, numbered per kind in book order ("Worksheet 3: ...").

    Keyed by (document, position in the document), so a lesson pack calls a worksheet by the
    same number as the full book does.
    """
    counts: dict[str, int] = {}
    labels: dict[tuple[str, int], str] = {}
    for docname, tree in doctrees:
        for position, exercise in enumerate(tree.findall(lp.exercise), 1):
            kind = exercise.get("kind", "worksheet")
            counts[kind] = counts.get(kind, 0) + 1
            name = _(EXERCISE_KINDS.get(kind, N_("Exercise")))
            # A title may repeat its kind ("Exit ticket: why ..."): say it once.
            title = str(exercise["title"]).removeprefix(f"{name}:").strip()
            labels[(docname, position)] = _("{kind} {number}: {title}").format(
                kind=name, number=counts[kind], title=title
            )
    return labels


def label_exercises(
    tree: nodes.document,
    root: str,
    labels: dict[tuple[str, int], str],
    used: set[str] | None = None,
    start: int = 0,
) -> list[Worksheet]:
    """Give every exercise of an assembled tree an anchor and its label from the book.

    A book assembled piece by piece passes the ids of the whole book (``used``, added to) and
    how many exercises the pieces before this one hold (``start``).
    """
    used = _used_ids(tree) if used is None else used
    positions: dict[str, int] = {}
    found = []
    for exercise, doc in walk_with_owner(tree, root):
        if not isinstance(exercise, lp.exercise):
            continue
        positions[doc] = positions.get(doc, 0) + 1
        anchor = _unique(f"lp-exercise-{start + len(found) + 1}", used)
        exercise["ids"].append(anchor)
        label = labels.get((doc, positions[doc]), str(exercise["title"]))
        exercise["lp_label"] = label
        found.append(Worksheet(anchor, label))
    return found


def collect_answer_key(tree: nodes.document, title: str = "", numbered: bool = True) -> str:
    """Move every {solution} into an answer-key section appended to ``tree``; return its id.

    Call after :func:`label_exercises`. Without solutions (a student edition) nothing changes and
    the id is empty. Each exercise keeps a pointer to its entry: "Answer key: page N" when
    ``numbered``, else a link to the key at the back of the book.
    """
    used = _used_ids(tree)
    section = answer_key(take_solutions(tree, used, 0, numbered), used, title)
    if section is None:
        return ""
    tree += section
    return section["ids"][0]


def take_solutions(
    tree: nodes.Node, used: set[str], start: int = 0, numbered: bool = True
) -> list[nodes.Element]:
    """Take every {solution} out of ``tree``'s exercises: the answer key's entries, numbered
    from ``start`` + 1, their ids unique in ``used`` (added to); each exercise keeps a pointer."""
    entries: list[nodes.Element] = []
    for exercise in list(tree.findall(lp.exercise)):
        for solution in list(exercise.findall(lp.teacher)):
            if solution.get("kind") != "solution":
                continue
            entry_id = _unique(f"lp-answers-{start + len(entries) + 1}", used)
            first = solution.children[0] if solution.children else None
            # The directive's default title: the entry's heading already says it.
            if isinstance(first, nodes.paragraph) and first.astext() == _("Answer key"):
                solution.remove(first)
            pointer = nodes.paragraph(classes=["lp-answer-pointer"])
            if numbered:
                pointer += nodes.Text(_("Answer key: "))
                pointer += _page_link(entry_id, _("page "))
            else:
                pointer += nodes.Text(_("Answers: in the "))
                link = nodes.reference("", "", refuri=f"#{entry_id}", internal=True)
                link += nodes.Text(_("answer key"))
                pointer += link
                pointer += nodes.Text(_(" at the back of the book."))
            solution.replace_self(pointer)
            entry = nodes.container(ids=[entry_id], classes=["lp-answer-entry"])
            heading = nodes.paragraph(classes=["lp-answer-for"])
            heading += nodes.strong(exercise["lp_label"], exercise["lp_label"])
            heading += nodes.Text(", ")
            heading += _page_link(exercise["ids"][-1], _("page "))
            entry += heading
            entry += solution
            entries.append(entry)
    return entries


def answer_key(
    entries: list[nodes.Element], used: set[str], title: str = ""
) -> nodes.section | None:
    """The answer-key section holding ``entries`` (None without any); its id unique in ``used``."""
    if not entries:
        return None
    title = title or _("Answer key")
    section = nodes.section(ids=[_unique(ANSWER_KEY_ID, used)], classes=["lp-answer-key"])
    section += nodes.title(title, title)
    section.extend(entries)
    return section


class answer_key_more(nodes.General, nodes.Element):
    """The answer key continued in a piece of its own: its entries, no heading; written as a
    ``<section>`` whose ``data-title`` is the key's title (the running head, ``print.css``)."""


def visit_answer_key_more(self: HTML5Translator, node: answer_key_more) -> None:
    self.body.append(self.starttag(node, "section", **{"data-title": node["title"]}))


def depart_answer_key_more(self: HTML5Translator, _node: answer_key_more) -> None:
    self.body.append("</section>\n")


def split_entries(groups: list[list[nodes.Element]], limit: int) -> list[list[nodes.Element]]:
    """The answer key's entries (one group per part of the book, in order) in pieces of at most
    ``limit``: a part's entries go with the piece before while they fit, else start a piece,
    and a part with more than ``limit`` is cut between its entries. One piece when every entry
    fits (or ``limit`` is 0); none without entries."""
    entries = [entry for group in groups for entry in group]
    if not entries:
        return []
    if limit <= 0 or len(entries) <= limit:
        return [entries]
    pieces: list[list[nodes.Element]] = []
    for group in groups:
        if not group:
            continue
        if pieces and len(pieces[-1]) + len(group) <= limit:
            pieces[-1].extend(group)
        else:
            pieces.extend(group[i : i + limit] for i in range(0, len(group), limit))
    return pieces


def answer_key_pieces(
    groups: list[list[nodes.Element]], used: set[str], limit: int, title: str = ""
) -> list[nodes.Element]:
    """The answer key as the sections of its pieces (:func:`split_entries`): the key's section
    with its heading and id first, then each continuation (:class:`answer_key_more`); none
    without entries. In one piece, the section :func:`answer_key` makes."""
    pieces = split_entries(groups, limit)
    if not pieces:
        return []
    first = answer_key(pieces[0], used, title)
    assert first is not None
    title = first[0].astext()
    found: list[nodes.Element] = [first]
    for entries in pieces[1:]:
        more = answer_key_more(classes=["lp-answer-key", "lp-answer-key-more"], title=title)
        more.extend(entries)
        found.append(more)
    return found


def setup_answers(app: Sphinx) -> None:
    """The continued key's HTML, for the print translator (an HTML builder's format)."""
    visitors = (visit_answer_key_more, depart_answer_key_more)
    app.add_node(answer_key_more, override=True, html=visitors)  # again in a second app: no warning
