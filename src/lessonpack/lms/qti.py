"""A quiz as QTI 1.2 in the dialect Canvas imports, made by text2qti (a kept library).

Each multiple-choice item carries its key and, on every option, the rationale as the option's
feedback (whichever a student picks, they read why the key is right); a short-answer item is an
essay item whose general feedback is the marking note (Canvas has no field for graders only:
it shows it after submission). text2qti reads its own Markdown-based text, so the quiz's data
is written in it with every character escaped; its identifiers are hashes of the text, so a
rebuild gives the same XML. text2qti's zip is dated by the clock: :mod:`.zips` writes it. A
quiz's QTI is kept for the next run by the quiz's data and title (:func:`kept_qti`).

The cartridge's assessment is the same XML with the Common Cartridge profile of each item named
(``cc_profile``, as Moodle's and other platforms' importers read it), the Canvas XML beside it.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from ..filehash import sha256
from ..keyed import KeyedStore
from .model import Item, Quiz

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CC_PROFILES = {
    "multiple_choice_question": "cc.multiple_choice.v0p1",
    "essay_question": "cc.essay.v0p1",
}
LETTERS = "abcdefghijklmnopqrstuvwxyz"
STORE_FOLDER = "lms-qti"


class QuizError(Exception):
    """text2qti refused a quiz (two identical items, say)."""


@dataclass(frozen=True)
class QtiFiles:
    """A quiz's QTI: the identifier, the assessment (Canvas dialect), its Canvas settings, the
    manifest of a QTI zip, and the assessment with the Common Cartridge profile."""

    ident: str
    assessment: str
    meta: str
    manifest: str
    cc_assessment: str

    def zip_entries(self) -> dict[str, bytes]:
        """The entries of a QTI zip that Canvas imports (New Quizzes and Classic): text2qti's."""
        return {
            "imsmanifest.xml": self.manifest.encode(),
            f"{self.ident}/assessment_meta.xml": self.meta.encode(),
            f"{self.ident}/{self.ident}.xml": self.assessment.encode(),
        }


def _block(text: str, indent: str) -> str:
    """Plain text (paragraphs a blank line apart) as escaped Markdown, indented."""
    from text2qti.export import md_escape

    paragraphs = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", text)]
    lines = [md_escape(p) for p in paragraphs if p]
    return f"\n{indent}\n".join(f"{indent}{line}" if n else line for n, line in enumerate(lines))


def _one_line(text: str) -> str:
    from text2qti.export import md_escape

    return md_escape(re.sub(r"\s+", " ", text).strip())


def _question(number: int, item: Item) -> list[str]:
    head = f"{number}."
    indent = " " * 4
    text = ""
    if item.stimulus:
        quoted = _block(item.stimulus, indent + "> ")
        text = f"> {quoted}\n{indent}\n{indent}"
    text += _block(item.stem, indent)
    lines = [f"{head:<4}{text}"]
    if item.kind == "mc":
        for index, option in enumerate(item.options):
            mark = "*" if index == item.key else ""
            lines.append(f"{mark}{LETTERS[index]}) {_one_line(option)}")
            if item.rationale:
                lines.append(f"... {_one_line(item.rationale)}")
    else:
        if item.marking:
            lines.append(f"... {_one_line(item.marking)}")
        lines.append("____")
    return lines


def text2qti_text(quiz: Quiz, title: str) -> str:
    """The quiz in text2qti's text format."""
    out = [f"Quiz title: {_one_line(title)}", ""]
    for number, item in enumerate(quiz.items, start=1):
        out += [*_question(number, item), ""]
    return "\n".join(out)


def _with_cc_profile(assessment: str) -> str:
    """The assessment with each item's Common Cartridge profile and the assessment's type."""
    from lxml import etree

    root = etree.fromstring(assessment.encode())
    ns = {"q": QTI_NS}
    for field in root.iterfind(".//q:item//q:qtimetadatafield", ns):
        if field.findtext("q:fieldlabel", namespaces=ns) == "question_type":
            profile = CC_PROFILES.get(field.findtext("q:fieldentry", namespaces=ns) or "")
            if profile:
                new = etree.Element(f"{{{QTI_NS}}}qtimetadatafield")
                etree.SubElement(new, f"{{{QTI_NS}}}fieldlabel").text = "cc_profile"
                etree.SubElement(new, f"{{{QTI_NS}}}fieldentry").text = profile
                new.tail = field.tail
                field.addprevious(new)
    metadata = root.find("q:assessment/q:qtimetadata", ns)
    if metadata is not None:
        new = etree.SubElement(metadata, f"{{{QTI_NS}}}qtimetadatafield")
        etree.SubElement(new, f"{{{QTI_NS}}}fieldlabel").text = "qmd_assessmenttype"
        etree.SubElement(new, f"{{{QTI_NS}}}fieldentry").text = "Examination"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode()


def qti_of(quiz: Quiz, title: str) -> QtiFiles:
    """The QTI of ``quiz``, titled ``title``; QuizError names the quiz if text2qti refuses it."""
    from text2qti.config import Config
    from text2qti.err import Text2qtiError
    from text2qti.qti import QTI
    from text2qti.quiz import Quiz as Text2qtiQuiz

    try:
        made = QTI(Text2qtiQuiz(text2qti_text(quiz, title), config=Config()))
    except Text2qtiError as error:
        # Its own line numbers are those of the text written here: the quiz's own line instead.
        detail = re.sub(r"^In .*? on line \d+:\s*", "", str(error))
        raise QuizError(f"{quiz.where}: text2qti: {' '.join(detail.split())}") from None
    return QtiFiles(
        made.assessment_identifier,
        made.assessment,
        made.assessment_meta,
        made.imsmanifest_xml,
        _with_cc_profile(made.assessment),
    )


@cache
def salt() -> str:
    """What a quiz's QTI is made with beside the quiz: text2qti's and lxml's versions, this
    module's source."""
    code = sha256(Path(__file__))
    return f"text2qti=={metadata.version('text2qti')}\0lxml=={metadata.version('lxml')}\0{code}"


def kept_qti(quiz: Quiz, title: str, store: KeyedStore | None) -> QtiFiles:
    """:func:`qti_of`, or the QTI an earlier run made of the same quiz and title, kept in
    ``store`` (:func:`salt`): a run whose quizzes did not change imports no text2qti (about
    0.2 s of CPU on every edit of any page)."""
    if store is None:
        return qti_of(quiz, title)
    key = store.key(json.dumps(dataclasses.asdict(quiz), sort_keys=True), title)
    record = store.record(key)
    if isinstance(record, dict):
        try:
            return QtiFiles(**record)
        except TypeError:  # a record of other fields: made again
            pass
    made = qti_of(quiz, title)
    store.put(key, record=dataclasses.asdict(made))
    return made
