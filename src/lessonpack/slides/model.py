"""A lesson's slide deck, built from its doctree: plain data that both writers (PDF, PPTX) read.

The deck follows the lesson: a title slide; the central question; the objectives; the key terms
with their glossary definitions; each document (its adapted version where it has one) with its
sourcing line, each figure, and each author's {slide}, in the order of the lesson; each
discussion question on a slide of its own; the exit ticket. Teacher text (a question's guidance,
an exercise's answer key) exists only in the teacher edition's doctrees and becomes the slide's
speaker notes; the student edition has none to copy.

Long items are split over several slides by an estimate of the lines they fill at the deck's
one body size (``fit.py``); the PDF build proves the estimate held (a slide that overflows its
page is a warning).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes

from .. import nodes as lp
from ..labels import _
from . import fit
from .directive import slide as slide_node

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

# The teacher directives whose text becomes speaker notes.
NOTE_KINDS = ("guidance", "answer", "solution", "teacher-note", "teacher-only")


@dataclass(frozen=True)
class Run:
    """A piece of text in one style."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Block:
    """A paragraph: ``body``, ``bullet`` (a list item), ``quote`` (a document's words) or
    ``sourcing`` (a document's who, when and citation)."""

    runs: tuple[Run, ...]
    style: str = "body"

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Figure:
    """A picture: its file in the source folder, its alternative text."""

    path: Path
    alt: str


@dataclass(frozen=True)
class Slide:
    """One slide. ``group`` is the bookmark it falls under; ``kind`` names its layout."""

    kind: str  # title, question, objectives, terms, document, figure, discussion, exit, custom
    group: str
    title: str
    blocks: tuple[Block, ...] = ()
    notes: tuple[Block, ...] = ()
    figure: Figure | None = None
    subtitle: str = ""


@dataclass
class Deck:
    docname: str
    title: str
    course: str
    edition: str
    slides: list[Slide] = field(default_factory=list)

    def groups(self) -> list[tuple[str, list[Slide]]]:
        """The slides by group, in order (a group's slides follow each other)."""
        out: list[tuple[str, list[Slide]]] = []
        for item in self.slides:
            if not out or out[-1][0] != item.group:
                out.append((item.group, []))
            out[-1][1].append(item)
        return out


@dataclass
class Item:
    """One thing the lesson shows, before it is cut into slides; ``labels`` name it for an
    author's ``after``."""

    slides: list[Slide]
    labels: set[str]
    after: str = ""
    where: tuple[str, int | None] = ("", None)


# ---------------------------------------------------------------------------------------------
# Text from nodes


def runs_of(node: nodes.Node) -> tuple[Run, ...]:
    """The text of ``node`` as runs, bold and italic kept; teacher text and footnotes left out."""
    out: list[Run] = []

    def walk(n: nodes.Node, bold: bool, italic: bool) -> None:
        if isinstance(n, (lp.teacher, nodes.footnote_reference, nodes.system_message)):
            return
        if isinstance(n, nodes.Text):
            text = str(n).replace("\n", " ")
            if out and out[-1].bold == bold and out[-1].italic == italic:
                out[-1] = Run(out[-1].text + text, bold, italic)
            else:
                out.append(Run(text, bold, italic))
            return
        bold = bold or isinstance(n, nodes.strong)
        italic = italic or isinstance(n, nodes.emphasis)
        for child in n.children:
            walk(child, bold, italic)

    walk(node, False, False)
    return tuple(r for r in out if r.text)


def blocks_of(node: nodes.Node, style: str = "body") -> list[Block]:
    """Paragraph-level blocks of ``node``: paragraphs, list items (bullets), line blocks; teacher
    text, titles of groups and writing lines left out."""
    out: list[Block] = []
    for child in node.children if isinstance(node, nodes.Element) else []:
        skipped = (lp.teacher, lp.version_label, nodes.system_message, nodes.target, nodes.comment)
        if isinstance(child, skipped):
            continue
        if isinstance(child, (nodes.title, nodes.caption)):
            continue
        if isinstance(child, nodes.paragraph):
            if {"lp-question-number", "lp-group-title", "lp-title"} & set(child["classes"]):
                continue
            runs = runs_of(child)
            if runs:
                out.append(Block(runs, style))
        elif isinstance(child, (nodes.bullet_list, nodes.enumerated_list)):
            for number, item in enumerate(child.children, start=1):
                inner = blocks_of(item, style)
                if not inner:
                    continue
                mark = f"{number}. " if isinstance(child, nodes.enumerated_list) else ""
                first = inner[0]
                runs = (Run(mark), *first.runs) if mark else first.runs
                out.append(Block(runs, "bullet"))
                out.extend(inner[1:])
        elif isinstance(child, nodes.table):
            for row in child.findall(nodes.row):
                cells = [" ".join(b.text for b in blocks_of(e, style)) for e in row.children]
                out.append(Block((Run(" | ".join(cells)),), style))
        elif isinstance(child, nodes.Element):
            out.extend(blocks_of(child, style))
    return out


def notes_of(node: nodes.Element) -> tuple[Block, ...]:
    """The teacher text (guidance, answers, answer keys) inside ``node``: the speaker notes."""
    out: list[Block] = []
    for teacher in node.findall(lp.teacher):
        if teacher.get("kind") in NOTE_KINDS:
            out.extend(blocks_of(teacher))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# The deck


def _labels(node: nodes.Element) -> set[str]:
    found = set(node.get("ids", [])) | set(node.get("names", []))
    if node.get("source_label"):
        found.add(node["source_label"])
    return found


def _dropped(node: nodes.Element) -> bool:
    return node.get("slide") == "no"


def _is_teacher(node: nodes.Node) -> bool:
    return any(isinstance(p, lp.teacher) for p in lp.ancestors(node))


def key_terms(tree: nodes.document) -> list[str]:
    """The {lesson} block's key terms, read before references are resolved (they are glossary
    references until then)."""
    lesson = next(iter(tree.findall(lp.lesson)), None)
    if lesson is None:
        return []
    refs = lesson.findall(addnodes.pending_xref)
    return [r["reftarget"] for r in refs if r.get("reftype") == "term"]


def build_deck(
    tree: nodes.document,
    terms: list[str],
    docname: str,
    course: str,
    edition: str,
    define: Callable[[str], nodes.Element | None],
    image_path: Callable[[nodes.image], Path | None],
    warn: Callable[[str, nodes.Node], None],
    typeset: Callable[[str], str] = str,
) -> Deck:
    """The deck of the lesson ``docname`` from its doctree (its worksheets inlined).

    ``terms`` are its key terms (:func:`key_terms`), ``define`` gives a glossary term's
    definition node; ``image_path`` an image's file. ``typeset`` sets text that smartquotes never
    saw as it sets the text it read (curly quotes, dashes): the course's name, the central
    question and every title and group, which come from directives' arguments and options.
    """
    section = next(iter(tree.findall(nodes.section)), None)
    title = typeset(section[0].astext() if section is not None and len(section) else docname)
    course = typeset(course)
    deck = Deck(docname, title, course, edition)
    lesson = next(iter(tree.findall(lp.lesson)), None)

    deck.slides.append(
        Slide("title", title, title, (Block((Run(course),)),), subtitle=_duration(lesson))
    )
    if lesson is not None and not _dropped(lesson):
        question = Block((Run(typeset(lesson["central_question"]), bold=True),))
        deck.slides.append(
            Slide("question", _("Central question"), _("Central question"), (question,))
        )
    for objectives in tree.findall(lp.objectives):
        if not _dropped(objectives) and not _is_teacher(objectives):
            deck.slides += fit.split(
                "objectives", _("Objectives"), _("Learning objectives"), blocks_of(objectives)
            )
    if lesson is not None and not _dropped(lesson):
        deck.slides += fit.split("terms", _("Key terms"), _("Key terms"), _terms(terms, define))

    items = list(_lesson_items(tree, image_path, warn))
    for item in _moved(items, warn):
        deck.slides += item.slides

    exits = [e for e in tree.findall(lp.exercise) if e.get("kind") == "exit-ticket"]
    for number, exercise in enumerate(exits, start=1):
        if _dropped(exercise) or _is_teacher(exercise):
            continue
        exit_ticket = _("Exit ticket")
        name = exercise.get("title") or exit_ticket
        if name.lower().startswith(exit_ticket.lower()):
            heading = name
        else:
            heading = _("Exit ticket: {title}").format(title=name)
        group = exit_ticket if len(exits) == 1 else _("Exit ticket {number}").format(number=number)
        deck.slides += fit.split("exit", group, heading, blocks_of(exercise), notes_of(exercise))
    deck.slides = [replace(s, group=typeset(s.group), title=typeset(s.title)) for s in deck.slides]
    return deck


def _duration(lesson: lp.lesson | None) -> str:
    if lesson is None:
        return ""
    # The {lesson} block's field, as lesson.py prints it: "Time: 50 minutes".
    time = _("{label}: ").format(label=_("Time")).rstrip()
    for para in lesson.findall(nodes.paragraph):
        if "lp-field" in para["classes"] and para.astext().startswith(time):
            return para.astext()
    return ""


def _terms(terms: list[str], define: Callable[[str], nodes.Element | None]) -> list[Block]:
    out = []
    for term in terms:
        definition = define(term)
        runs: tuple[Run, ...] = (Run(term, bold=True),)
        if definition is not None:
            body = blocks_of(definition)
            if body:
                runs += (Run(": "), *body[0].runs)
        out.append(Block(runs, "term"))
    return out


def _lesson_items(
    tree: nodes.document,
    image_path: Callable[[nodes.image], Path | None],
    warn: Callable[[str, nodes.Node], None],
) -> Iterator[Item]:
    """Documents, figures, authors' slides and discussion questions, in the lesson's order
    (exercises are not the lesson's: their exit tickets come last)."""

    def wanted(n: nodes.Node) -> bool:
        return isinstance(n, (lp.source_box, nodes.figure, slide_node, lp.question))

    for node in tree.findall(wanted):
        if _is_teacher(node) or any(isinstance(p, lp.exercise) for p in lp.ancestors(node)):
            continue
        inner = any(isinstance(p, (lp.source_box, slide_node)) for p in lp.ancestors(node))
        if inner or _dropped(node):
            continue
        group_node = node.parent if isinstance(node, lp.question) else node
        if isinstance(node, lp.question) and _dropped(node.parent):
            continue
        where = (node.source or "", lp.located_line(node))
        after = node.get("slide_after", "")
        labels = _labels(node)
        if isinstance(node, lp.source_box):
            slides = _document(node)
        elif isinstance(node, nodes.figure):
            slides = _figure(node, image_path, warn)
        elif isinstance(node, slide_node):
            slides = fit.split(
                "custom", node["title"], node["title"], blocks_of(node), notes_of(node)
            )
            images = list(node.findall(nodes.image))
            if images:
                slides = [*slides, *_figure(node, image_path, warn, node["title"])]
        else:
            number = node.get("number", "")
            group = _group_title(group_node)
            slides = fit.split(
                "discussion",
                group,
                _("Question {number}").format(number=number),
                blocks_of(node),
                notes_of(node),
            )
        yield Item(slides, labels, after, where)


def _group_title(discussion: nodes.Element) -> str:
    for para in discussion.findall(nodes.paragraph):
        if "lp-group-title" in para["classes"]:
            return para.astext()
    return _("Discussion questions")


def _document(box: lp.source_box) -> list[Slide]:
    title = _("Source: {title}").format(title=box["source_title"])
    adapted = next(iter(box.findall(lp.adapted)), None)
    if adapted is not None:
        body = blocks_of(adapted, "quote")
    else:
        body = []
        for child in box.children:
            if isinstance(child, nodes.block_quote) or "lp-paraphrase-body" in child.get(
                "classes", []
            ):
                body += blocks_of(child, "quote")
    return fit.split(
        "document", _("Documents"), title, body, footer=_sourcing(box, adapted is not None)
    )


def _sourcing(box: lp.source_box, adapted: bool) -> Block:
    """Who, when, and the citation, in one line."""
    parts: list[str] = [_("Adapted from the original")] if adapted else []
    # The box's fields as sourcebox.py names them, in the book's language.
    wanted = {"who", "when", "speaker", "author", "date", _("Who").lower(), _("When").lower()}
    for field_node in box.findall(nodes.field):
        name = field_node[0].astext().strip().rstrip(":").lower()
        if name in wanted:
            parts.append(field_node[1].astext().strip())
    citation = next(
        (p for p in box.findall(nodes.paragraph) if "lp-citation" in p["classes"]), None
    )
    if citation is not None:
        parts.append(citation.astext().strip())
    return Block((Run(". ".join(p.rstrip(".") for p in parts) + "."),), "sourcing")


CAPTION_LINES = 2  # the most caption a picture's slide holds under it


def _figure(
    node: nodes.Element,
    image_path: Callable[[nodes.image], Path | None],
    warn: Callable[[str, nodes.Node], None],
    title: str = "",
) -> list[Slide]:
    out = []
    for image in node.findall(nodes.image):
        path = image_path(image)
        if path is None:
            warn("slides: no file for this image", image)
            continue
        caption = next(iter(node.findall(nodes.caption)), None)
        text = caption.astext() if caption is not None else ""
        heading = title or text.split(". ")[0] or _("Figure")
        # The caption under the picture, unless it is all the title says already.
        shown = caption is not None and text.strip().rstrip(".") != heading.strip().rstrip(".")
        caption_block = Block(runs_of(caption), "caption") if shown else None
        # A short caption goes under the picture; a long one would crowd it off the slide,
        # so it follows on slides of its own (never set smaller).
        under = caption_block is not None and fit.lines(text) <= CAPTION_LINES
        figure = Figure(path, image.get("alt", ""))
        blocks = (caption_block,) if under and caption_block is not None else ()
        charts = _("Charts and maps")
        out.append(Slide("figure", charts, fit.short(heading), blocks, figure=figure))
        if caption_block is not None and not under:
            out += fit.split("custom", charts, heading, [caption_block])
    return out


def _moved(items: list[Item], warn: Callable[[str, nodes.Node], None]) -> list[Item]:
    """The items in the lesson's order, except those an author placed ``after`` another."""
    placed = [i for i in items if not i.after]
    for item in (i for i in items if i.after):
        target = next((n for n, i in enumerate(placed) if item.after in i.labels), None)
        if target is None:
            node = nodes.Element()
            node.source, node.line = item.where
            warn(f"slides: no slide is labelled {item.after!r} (the :after: of a slide)", node)
            target = len(placed) - 1
        placed.insert(target + 1, item)
    return placed


def deck_text(deck: Deck) -> Iterable[str]:
    """Every text of the deck, notes included (for tests and the leak check's readers)."""
    for item in deck.slides:
        yield item.title
        yield from (b.text for b in (*item.blocks, *item.notes))
