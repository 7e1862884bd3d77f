"""Every quiz as Moodle XML, for Moodle's question bank (Question bank > Import > Moodle XML).

A category per quiz (``$course$/top/<course>/<quiz>``); a multiple-choice item is a
``multichoice`` question (one answer, ``fraction="100"`` on the key and ``0`` on the others,
the rationale as every answer's feedback and as the general feedback, options shuffled by
Moodle, numbered ABCD); a short answer is an ``essay`` question whose marking note is the
information for graders (``graderinfo``: shown to markers only). Text is HTML escaped into
``<text>``, as Moodle's format reads it.
"""

from __future__ import annotations

import html
import re
from xml.etree import ElementTree as ET

from ..typography import typographic
from .model import Course, Item, Quiz


def _html(text: str) -> str:
    """Plain text (paragraphs a blank line apart) as HTML paragraphs."""
    paragraphs = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", text)]
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs if p)


def _text(parent: ET.Element, tag: str, content: str, *, fmt: str | None = "html") -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(element, "text").text = content
    return element


def _plain(parent: ET.Element, tag: str, value: str) -> None:
    ET.SubElement(parent, tag).text = value


def _question_text(item: Item) -> str:
    stimulus = f"<blockquote>{_html(item.stimulus)}</blockquote>" if item.stimulus else ""
    return stimulus + _html(item.stem)


def _question(quiz: Quiz, number: int, item: Item) -> ET.Element:
    kind = "multichoice" if item.kind == "mc" else "essay"
    question = ET.Element("question", {"type": kind})
    name = ET.SubElement(question, "name")
    ET.SubElement(name, "text").text = f"{quiz.title} {number:02d}"
    _text(question, "questiontext", _question_text(item))
    _text(question, "generalfeedback", _html(item.rationale) if item.kind == "mc" else "")
    _plain(question, "defaultgrade", "1")
    _plain(question, "penalty", "0")
    _plain(question, "hidden", "0")
    _plain(question, "idnumber", "")
    if item.kind == "mc":
        _plain(question, "single", "true")
        _plain(question, "shuffleanswers", "true")
        _plain(question, "answernumbering", "ABCD")
        for index, option in enumerate(item.options):
            fraction = "100" if index == item.key else "0"
            answer = _text(question, "answer", _html(option))
            answer.set("fraction", fraction)
            _text(answer, "feedback", _html(item.rationale))
    else:
        _plain(question, "responseformat", "editor")
        _plain(question, "responserequired", "1")
        _plain(question, "responsefieldlines", "10")
        _plain(question, "attachments", "0")
        _plain(question, "attachmentsrequired", "0")
        _text(question, "graderinfo", _html(item.marking))
        _text(question, "responsetemplate", "")
    return question


def moodle_xml(course: Course) -> bytes:
    """The question bank of every quiz of ``course``, one category each."""
    root = ET.Element("quiz")
    # conf.py's project: "China’s", set as the text was (typography.settings)
    title = typographic(course.title, course.language, course.quotes)
    for module in course.modules:
        for quiz in module.quizzes:
            category = ET.SubElement(root, "question", {"type": "category"})
            path = "/".join(
                part.replace("/", "//") for part in (title, f"{module.title}: {quiz.title}")
            )
            _text(category, "category", f"$course$/top/{path}", fmt=None)
            for number, item in enumerate(quiz.items, start=1):
                root.append(_question(quiz, number, item))
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"
