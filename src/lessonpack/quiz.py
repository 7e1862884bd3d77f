"""Quizzes: ``{quiz}`` of multiple-choice (``{mc}``) and short-answer (``{short}``) items.

An ``{mc}`` item holds an optional ``{stimulus}`` (a document excerpt, a table), its stem, a
list of four options written ``- [ ] text``, the key marked ``- [x] text``, and a one-line
``{rationale}``; a ``{short}`` item holds its stem and a ``{marking}`` note. The rationale and
the marking note are teacher directives (:mod:`lessonpack.teacher`): a student edition never
parses them. The key is read from the raw option lines and kept only by a teacher edition: the
student doctree holds the options with their markers taken out, and no trace of which is right.

A quiz has a ``:seed:``: each of its ``:versions:`` (default ``A B``) orders its items and each
item's options by a shuffle seeded from it (:func:`version_order`, the same in both editions, as
it needs only the number of items and options), so a rebuild is byte-identical. The printed
student quiz of each version is a PDF output mode (``quiz``, :mod:`lessonpack.pdf.quizpaper`);
the teacher edition shows the items in their written order with key and rationale, and an
answer grid of every version.

Everything is recorded in the build's report (``quizzes`` of each document: items with stem,
stimulus, options, key, rationale or marking note; each version's order and key letters), so
another builder (an LMS export) reads it without parsing MyST. The student edition's report
has no keys, rationales or marking notes. Neither the quizzes nor the stimuli and the source
boxes' texts (for the stimulus check) stay in the environment: each document's are kept in a
file beside the doctrees (:func:`lessonpack.report.keep_texts`), read back when the report is
written and when the stimuli are checked.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.domains import Domain
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.parsing import nested_parse_to_nodes

from . import nodes as lp
from .config import is_teacher
from .labels import _
from .questions import teacher_blocks
from .report import add_texts, keep_texts, read_texts

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

LETTERS = "ABCDEFGH"
OPTIONS = 4  # options of a multiple-choice item
DEFAULT_VERSIONS = ("A", "B")
DEFAULT_LINES = 4  # writing lines of a short-answer item on a printed quiz
OPTION = re.compile(r"^- \[(?P<mark>[ xX])\][ \t]+(?P<text>\S.*)$")
FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,}|:{3,})")
ITEMS_KEY = "lessonpack_quiz_items"
SOURCES_KEY = "lessonpack_quiz"  # data of the quiz domain
# Beside the doctrees: each document's source-box texts by label and its stimuli, one file each.
TEXT_FOLDER = "lessonpack-quiz-texts"
STIMULI_KEY = "lessonpack_quiz_stimuli"  # the document's stimuli while it is read


quiz = lp.quiz


class quiz_item(nodes.container):
    """One item (``kind`` mc or short); a teacher edition's mc item also has its ``key``."""


class quiz_stimulus(nodes.container):
    """The document or table an item asks about."""


class quiz_grid(nodes.container):
    """The teacher's answer grid of every version (a teacher edition only)."""


def _warn(message: str, location: tuple[str, int | None] | str) -> None:
    logger.warning(message, location=location, type="lessonpack", subtype="quiz")


def split_options(content: StringList) -> tuple[StringList, list[tuple[int, bool, str]]]:
    """The content without its option lines, and each option's (offset, is the key, text).

    Only lines at the item's own level count: an option-like line inside a nested fence (a
    stimulus, the rationale) is that block's text.
    """
    kept = StringList()
    found: list[tuple[int, bool, str]] = []
    fence = ""
    for index, line in enumerate(content):
        source, offset = content.items[index]
        match = FENCE.match(line)
        if fence:
            if (
                match
                and line.strip() == fence[0] * len(line.strip())
                and len(line.strip()) >= len(fence)
            ):
                fence = ""
        elif match:
            fence = match["fence"]
        else:
            option = OPTION.match(line)
            if option:
                found.append((offset, option["mark"] != " ", option["text"].strip()))
                continue
        kept.append(line, source, offset)
    return kept, found


class QuizDirective(SphinxDirective):
    """A quiz: its items are the ``{mc}`` and ``{short}`` blocks inside it, numbered in order."""

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict] = {
        "seed": directives.unchanged_required,
        "versions": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        where = (self.env.docname, self.lineno)
        seed = self.options.get("seed", "").strip()
        if not seed:
            _warn("{quiz} needs :seed: (any word or number: it fixes the printed versions)", where)
        versions = self.options.get("versions", " ".join(DEFAULT_VERSIONS)).split()
        if len(set(versions)) != len(versions) or not all(
            re.fullmatch(r"\w+", v) for v in versions
        ):
            _warn("{quiz} :versions: must be distinct names such as 'A B'", where)
            versions = list(DEFAULT_VERSIONS)
        title = self.arguments[0] if self.arguments else _("Quiz")
        node = quiz(classes=["lp-quiz"], seed=seed, versions=versions, title=title)
        self.set_source_info(node)
        node += lp.title_paragraph(title, "lp-group-title")
        node += self.parse_content_to_nodes(allow_section_headings=False)
        items = [n for n in node.findall(quiz_item)]
        if not items:
            _warn("{quiz} holds no {mc} or {short} item", where)
        for number, item in enumerate(items, start=1):
            label = _("Question {number}").format(number=number)
            item.insert(0, lp.title_paragraph(label, "lp-quiz-number"))
        if is_teacher(self.config) and items and seed:
            node += answer_grid(node)
        return [node]


class McDirective(SphinxDirective):
    """A multiple-choice item: stimulus, stem, four options (the key marked), rationale."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        where = (self.env.docname, self.lineno)
        content, options = split_options(self.content)
        item = quiz_item(classes=["lp-quiz-item", "lp-quiz-mc"], kind="mc")
        self.set_source_info(item)
        with teacher_blocks(self.env) as seen:
            body = nested_parse_to_nodes(self.state, content, allow_section_headings=False)
        keys = [i for i, (_offset, is_key, _text) in enumerate(options) if is_key]
        if len(options) != OPTIONS:
            _warn(
                f"{{mc}} has {len(options)} options; it needs {OPTIONS}, one line each "
                "('- [ ] text', the key '- [x] text')",
                where,
            )
        if not keys:
            _warn("{mc} has no key: mark the right option '- [x] text'", where)
        elif len(keys) > 1:
            _warn(f"{{mc}} has {len(keys)} keys: mark one option only '- [x]'", where)
        if "rationale" not in seen:
            _warn("{mc} has no {rationale} (one line: why the key is right)", where)
        listing = nodes.enumerated_list(enumtype="upperalpha", prefix="", suffix=".")
        listing["classes"] = ["lp-quiz-options"]
        for offset, _is_key, text in options:
            parsed, messages = self.parse_inline(text, lineno=offset + 1)
            entry = nodes.list_item("", nodes.paragraph("", "", *parsed), *messages)
            listing += entry
        teacher_nodes = [n for n in body if isinstance(n, lp.teacher)]
        stem = [n for n in body if not isinstance(n, lp.teacher)]
        item.extend(stem)
        item += listing
        if is_teacher(self.config) and len(keys) == 1:
            item["key"] = keys[0]
            listing[keys[0]]["classes"].append("lp-quiz-key")
            for teacher in teacher_nodes:
                if teacher.children and "lp-title" in teacher[0].get("classes", []):
                    title = _("Key: {letter}").format(letter=LETTERS[keys[0]])
                    teacher[0].replace_self(lp.title_paragraph(title, "lp-title"))
        item.extend(teacher_nodes)
        return [item]


class ShortDirective(SphinxDirective):
    """A short-answer item: its stem (a stimulus too, if any) and a {marking} note."""

    has_content = True
    option_spec: ClassVar[dict] = {"lines": directives.nonnegative_int}

    def run(self) -> list[nodes.Node]:
        item = quiz_item(
            classes=["lp-quiz-item", "lp-quiz-short"],
            kind="short",
            lines=self.options.get("lines", DEFAULT_LINES),
        )
        self.set_source_info(item)
        with teacher_blocks(self.env) as seen:
            item += self.parse_content_to_nodes(allow_section_headings=False)
        if "marking" not in seen:
            _warn(
                "{short} has no {marking} note (what a good answer says)",
                (self.env.docname, self.lineno),
            )
        return [item]


class StimulusDirective(SphinxDirective):
    """The document or table an item asks about. ``:source:`` names the source box (its label)
    a quotation comes from: every block quote in the stimulus must be in that box, word for word
    (an ellipsis may leave words out)."""

    has_content = True
    option_spec: ClassVar[dict] = {"source": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        label = self.options.get("source", "").strip()
        node = quiz_stimulus(classes=["lp-quiz-stimulus", "lp-box"], source=label)
        self.set_source_info(node)
        node += self.parse_content_to_nodes(allow_section_headings=False)
        if label:
            quotes = [q.astext() for q in node.findall(nodes.block_quote)]
            if not quotes:
                _warn(
                    f"{{stimulus}} names :source: {label} but quotes nothing (a '> ' block quote)",
                    (self.env.docname, self.lineno),
                )
            self.env.current_document.setdefault(STIMULI_KEY, []).append(
                {"line": self.lineno, "source": label, "quotes": quotes}
            )
        return [node]


# Versions -------------------------------------------------------------------------------------


def version_order(
    seed: str, version: str, sizes: list[int], others: list[list[int]] | None = None
) -> tuple[list[int], list[list[int]]]:
    """A version's item order and each item's option order (new position -> written index),
    from the quiz's seed and the version's name; ``sizes`` is each item's number of options
    (0 for a short answer). The order differs from the written one and from ``others`` (the
    orders of earlier versions) whenever that is possible."""
    count = len(sizes)
    attempt = 0
    while True:
        rng = random.Random(f"{seed}/{version}/{attempt}")
        order = list(range(count))
        rng.shuffle(order)
        taken = [list(range(count)), *(others or [])]
        if order not in taken or attempt >= 50 or count < 3:
            break
        attempt += 1
    options = []
    for size in sizes:
        perm = list(range(size))
        rng.shuffle(perm)
        options.append(perm)
    return order, options


def items_of(node: quiz) -> list[quiz_item]:
    return [n for n in node.findall(quiz_item)]


def sizes_of(items: list[quiz_item]) -> list[int]:
    return [len(_options(item)) for item in items]


def _options(item: quiz_item) -> list[nodes.list_item]:
    for listing in item.findall(nodes.enumerated_list):
        if "lp-quiz-options" in listing["classes"]:
            return list(listing.children)  # type: ignore[arg-type]
    return []


def versions_of(node: quiz) -> dict[str, tuple[list[int], list[list[int]]]]:
    """Every version's order, from the quiz node (either edition)."""
    sizes = sizes_of(items_of(node))
    out: dict[str, tuple[list[int], list[list[int]]]] = {}
    for version in node["versions"]:
        out[version] = version_order(node["seed"], version, sizes, [o for o, _ in out.values()])
    return out


def key_letters(node: quiz, order: list[int], options: list[list[int]]) -> list[str]:
    """The key of each position of a version: a letter, or "" for a short answer (teacher
    edition only: a student edition's items have no key)."""
    items = items_of(node)
    out = []
    for index in order:
        item = items[index]
        key = item.get("key")
        out.append("" if key is None else LETTERS[options[index].index(key)])
    return out


def key_line(letters: list[str]) -> str:
    """ "1 B 2 D 4 A": the keys of a version, as a teacher's answer list reads (short answers
    left out)."""
    return " ".join(f"{n} {letter}" for n, letter in enumerate(letters, start=1) if letter)


def answer_grid(node: quiz) -> quiz_grid:
    """The teacher's grid: for each question number, each version's key (or "short answer"),
    with the number of that item as written (in the teacher's pack)."""
    grid = quiz_grid(classes=["lp-quiz-grid", "lp-box"])
    title = _("Answer grid of the printed versions (item: the question's number above)")
    grid += lp.title_paragraph(title, "lp-title")
    versions = versions_of(node)
    table = nodes.table(classes=["lp-quiz-grid-table"])
    group = nodes.tgroup(cols=1 + len(versions))
    table += group
    for _column in range(1 + len(versions)):
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    row = nodes.row()
    for text in [_("Question"), *(_("Version {version}").format(version=v) for v in versions)]:
        row += nodes.entry("", nodes.paragraph(text, text), scope="col")
    head += row
    group += head
    body = nodes.tbody()
    columns = {v: (order, key_letters(node, order, opts)) for v, (order, opts) in versions.items()}
    for position in range(len(items_of(node))):
        row = nodes.row()
        row += nodes.entry("", nodes.paragraph(str(position + 1), str(position + 1)))
        for order, letters in columns.values():
            letter = letters[position] or _("short answer")
            text = _("{letter} (item {number})").format(letter=letter, number=order[position] + 1)
            row += nodes.entry("", nodes.paragraph(text, text))
        body += row
    group += body
    grid += table
    return grid


def shuffle_version(tree: nodes.Node, version: str) -> list[str]:
    """Reorder every quiz of ``tree`` (a printed paper) as ``version``; renumber; return the
    versions' names it did not know (an output asked for a version a quiz does not have)."""
    unknown = []
    for node in list(tree.findall(quiz)):
        if version not in node["versions"]:
            unknown.append(version)
            continue
        order, options = versions_of(node)[version]
        items = items_of(node)
        for index, item in enumerate(items):
            entries = _options(item)
            if entries:
                listing = entries[0].parent
                listing.clear()
                listing.extend(entries[i] for i in options[index])
        parent = items[0].parent
        first = parent.index(items[0])
        for item in items:
            item.parent.remove(item)
        for offset, index in enumerate(order):
            item = items[index]
            parent.insert(first + offset, item)
            label = _("Question {number}").format(number=offset + 1)
            item[0].replace_self(lp.title_paragraph(label, "lp-quiz-number"))
        node["version"] = version
    return unknown


def add_quiz_lines(tree: nodes.Node) -> None:
    """Ruled writing lines under each short-answer item (a printed quiz)."""
    for item in tree.findall(quiz_item):
        if item.get("kind") == "short":
            box = nodes.container(classes=["lp-lines"])
            for _line in range(item.get("lines", DEFAULT_LINES)):
                box += nodes.container(classes=["lp-line"])
            item += box


# The record and the checks ---------------------------------------------------------------------


def _data(env: BuildEnvironment) -> dict[str, Any]:
    return env.domains["lessonpack_quiz"].data  # type: ignore[attr-defined]


def _text(nodes_: list[nodes.Node]) -> str:
    return "\n\n".join(n.astext() for n in nodes_).strip()


def record_item(item: quiz_item, teacher: bool) -> dict[str, Any]:
    """One item as data: kind, line, stimulus (text, source label), stem, options; a teacher
    edition adds the key (index into options) and the rationale or marking note."""
    stimuli = [n for n in item.children if isinstance(n, quiz_stimulus)]
    stem = [
        n
        for n in item.children
        if not isinstance(n, (quiz_stimulus, lp.teacher, nodes.enumerated_list))
        and "lp-quiz-number" not in n.get("classes", [])
        and "lp-lines" not in n.get("classes", [])
    ]
    data: dict[str, Any] = {
        "kind": item["kind"],
        "line": item.line,
        "stimulus": (
            {"text": _text(stimuli), "source": stimuli[0].get("source", "")} if stimuli else None
        ),
        "stem": _text(stem),
    }
    if item["kind"] == "mc":
        data["options"] = [entry.astext() for entry in _options(item)]
    else:
        data["lines"] = item.get("lines", DEFAULT_LINES)
    if teacher:
        notes = [n for n in item.children if isinstance(n, lp.teacher)]
        body = [c for n in notes for c in n.children if "lp-title" not in c.get("classes", [])]
        if item["kind"] == "mc":
            data["key"] = item.get("key")
            data["rationale"] = _text(body)
        else:
            data["marking"] = _text(body)
    return data


def record_quizzes(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read, after the report's record: the document's quizzes as data, in the report's
    file of the document; the text of its source boxes and its stimuli, for the stimulus check,
    in a file of their own (the environment keeps the boxes' labels and how many stimuli)."""
    env = app.env
    teacher = is_teacher(app.config)
    sources = {
        box["source_label"]: box.astext()
        for box in doctree.findall(lp.source_box)
        if box.get("source_label")
    }
    stimuli = env.current_document.get(STIMULI_KEY, [])
    if sources or stimuli:
        texts = {"boxes": sources, "stimuli": stimuli}
        keep_texts(Path(env.doctreedir), env.docname, texts, folder=TEXT_FOLDER)
    if sources:
        _data(env)["sources"][env.docname] = list(sources)
    if stimuli:
        _data(env)["stimuli"][env.docname] = len(stimuli)
    quizzes = []
    for node in doctree.findall(quiz):
        items = items_of(node)
        versions = {}
        for version, (order, options) in versions_of(node).items():
            entry: dict[str, Any] = {"order": order, "options": options}
            if teacher:
                entry["keys"] = key_line(key_letters(node, order, options))
            versions[version] = entry
        quizzes.append(
            {
                "line": node.line,
                "title": node["title"],
                "seed": node["seed"],
                "items": [record_item(item, teacher) for item in items],
                "versions": versions,
            }
        )
    docs = env.domains["lessonpack"].docs  # type: ignore[attr-defined]
    if quizzes and env.docname in docs:
        add_texts(Path(env.doctreedir), env.docname, {"quizzes": quizzes})


def _compact(text: str) -> str:
    return re.sub(r"\W+", "", text).lower()


def check_stimuli(app: Sphinx, env: BuildEnvironment) -> None:
    """env-check-consistency: every quotation of a stimulus is in the source box it names, word
    for word (ellipses may leave words out): a quiz never quotes what the lesson did not."""
    data = _data(env)
    # Which document holds each label (the last read, as before); the files read are those of
    # documents the environment lists: with stimuli, and with the boxes they name.
    owners = {label: doc for doc, labels in data["sources"].items() for label in labels}
    boxes: dict[str, dict[str, str]] = {}
    for docname in sorted(data["stimuli"]):
        for stimulus in _texts(env, docname)["stimuli"]:
            where = (docname, stimulus["line"])
            label = stimulus["source"]
            if label not in owners:
                _warn(f"{{stimulus}} :source: {label} is not the label of a {{source}} box", where)
                continue
            owner = owners[label]
            if owner not in boxes:
                boxes[owner] = _texts(env, owner)["boxes"]
            box = _compact(boxes[owner][label])
            for quote in stimulus["quotes"]:
                for part in re.split(r"\.\.\.|…|\[[^\]]*\]", quote):
                    if _compact(part) and _compact(part) not in box:
                        _warn(
                            f"{{stimulus}} quotes words that are not in {label}: "
                            f"{part.strip()[:60]!r}",
                            where,
                        )


def _texts(env: BuildEnvironment, docname: str) -> dict[str, Any]:
    return read_texts(Path(env.doctreedir), docname, folder=TEXT_FOLDER)


class QuizDomain(Domain):
    """Source boxes' labels and the number of stimuli per document (their texts in files,
    ``TEXT_FOLDER``), merged for parallel and incremental reads."""

    name = "lessonpack_quiz"
    label = "lessonpack quiz"
    initial_data: dict[str, Any] = {"sources": {}, "stimuli": {}}  # noqa: RUF012 - Sphinx API

    def clear_doc(self, docname: str) -> None:
        self.data["sources"].pop(docname, None)
        self.data["stimuli"].pop(docname, None)

    def merge_domaindata(self, docnames: Any, otherdata: dict[str, Any]) -> None:
        for key in ("sources", "stimuli"):
            for docname in docnames:
                if docname in otherdata[key]:
                    self.data[key][docname] = otherdata[key][docname]

    def resolve_any_xref(self, *args: Any, **kwargs: Any) -> list:
        return []


def setup_quiz(app: Sphinx) -> None:
    app.add_domain(QuizDomain)
    app.add_directive("quiz", QuizDirective)
    app.add_directive("mc", McDirective)
    app.add_directive("short", ShortDirective)
    app.add_directive("stimulus", StimulusDirective)
    app.connect("doctree-read", record_quizzes, priority=950)
    app.connect("env-check-consistency", check_stimuli)
