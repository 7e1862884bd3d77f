"""Per-document facts gathered while reading: lesson structure, reading statistics, teacher text.

A small Domain keeps them, so incremental and parallel builds merge them correctly; checks run
when all documents are read, and the whole record is written as JSON beside the doctrees.

The long texts of each document (its public text, its teacher passages) are not kept in the
environment, which every build holds (and pickles, and merges from its reading processes) to the
end: they go to a file per document beside the doctrees while it is read (``TEXT_FOLDER``), and
the report is written from those files one document at a time, the same bytes as before. Other
modules keep their documents' bulk the same way: the quizzes go into the same file
(``add_texts``), a quiz's source-box texts into a folder of their own (``keep_texts`` with
``folder``).
"""

from __future__ import annotations

import fnmatch
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.domains import Domain
from sphinx.util import logging

from . import nodes as lp
from .grades import cached_grade, release
from .paths import source_dirs
from .teacher import document_files
from .typography import settings

if TYPE_CHECKING:
    from collections.abc import Iterator, Set

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

NOT_READING = (
    lp.lesson,
    lp.discussion,
    lp.exercise,
    lp.teacher,
    lp.advisory,
    lp.adapted,  # a second version of an excerpt: the original is counted
    lp.organiser,  # a grid of the sources for students to fill in, not reading
    lp.quiz,  # questions, not reading
    nodes.table,
    nodes.field_list,
    nodes.caption,
    nodes.legend,  # a graphic's source line
)
REPORT_NAME = "lessonpack-report.json"
TEXT_FOLDER = "lessonpack-report-text"  # beside the doctrees: one JSON file per document
TEXT_KEYS = ("public_text", "teacher")  # the record's keys kept there, not in the environment
# Kept there too when a document has them (quiz.py): every key of the file goes into the report.
MORE_TEXT_KEYS = ("quizzes",)
DOCUMENTS_MARK = "\x00lessonpack-documents\x00"  # where the documents go in the report's JSON


class LessonpackDomain(Domain):
    name = "lessonpack"
    label = "lessonpack"
    initial_data: dict[str, Any] = {"docs": {}}  # noqa: RUF012 - Sphinx API

    @property
    def docs(self) -> dict[str, dict[str, Any]]:
        return self.data["docs"]

    def clear_doc(self, docname: str) -> None:
        self.docs.pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for docname in docnames:
            if docname in otherdata["docs"]:
                self.docs[docname] = otherdata["docs"][docname]

    def resolve_any_xref(self, *args: Any, **kwargs: Any) -> list:
        return []


def is_lesson_doc(env: BuildEnvironment, docname: str) -> bool:
    return any(fnmatch.fnmatch(docname, pat) for pat in env.config.lessonpack_lesson_patterns)


def reading_text(doctree: nodes.Node) -> str:
    """The student reading: paragraphs outside metadata, questions, exercises and teacher text."""
    parts = []
    for para in doctree.findall(nodes.paragraph):
        if isinstance(para, lp.version_label):
            continue
        if not any(isinstance(parent, NOT_READING) for parent in lp.ancestors(para)):
            parts.append(para.astext())
    return "\n".join(parts)


def public_text(doctree: nodes.document) -> str:
    """The document's text with every teacher passage taken out (what students may read).

    Raw markup is taken out too: it is not prose an author wrote for students, and a teacher
    sentence carried into a page by raw HTML must count as a leak, not as student text."""
    from .quiz import quiz_grid  # a teacher edition's answer grid: keys, never student text

    copy = doctree.deepcopy()
    for node in [*copy.findall(lp.teacher), *copy.findall(nodes.raw), *copy.findall(quiz_grid)]:
        if node.parent is not None:
            node.parent.remove(node)
    return copy.astext()


def teacher_passages(doctree: nodes.Node) -> list[dict[str, Any]]:
    """The text of every teacher passage, as it is read (before cross-references resolve).

    A reference's words are only known when it resolves (a citation becomes "(Yang, 2012)"), so
    each one is replaced by a line break: the passage splits there into pieces that read the
    same in every output.
    """
    out = []
    for original in doctree.findall(lp.teacher):
        node = original.deepcopy()
        for ref in list(node.findall(addnodes.pending_xref)):
            ref.parent.replace(ref, nodes.Text("\n"))
        body = [c for c in node.children if "lp-title" not in c.get("classes", [])]
        text = "\n".join(c.astext() for c in body).strip()
        if text:
            out.append({"kind": original.get("kind", ""), "line": original.line, "text": text})
    return out


def collect(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read: record what each document holds."""
    env = app.env
    record: dict[str, Any] = {
        "lesson": is_lesson_doc(env, env.docname),
        "lessons": [],
        "questions": sum(
            1
            for q in doctree.findall(lp.question)
            if any(isinstance(a, lp.discussion) for a in lp.ancestors(q))
        ),
        "sources": sum(1 for _ in doctree.findall(lp.source_box)),
        "exercises": [e.get("title", "") for e in doctree.findall(lp.exercise)],
        "unguided": [q.line for q in doctree.findall(lp.question) if not q.get("guided", True)],
        "unkeyed": [e.line for e in doctree.findall(lp.exercise) if not e.get("keyed", True)],
    }
    # Each excerpt's reading grade, original and adapted (the directive checked them).
    record["source_grades"] = [
        {
            "line": box.line,
            "adapted_line": box.get("adapted_line"),
            "label": box.get("source_label", ""),
            "title": box.get("source_title", ""),
            **box["grades"],
        }
        for box in doctree.findall(lp.source_box)
        if "grades" in box
    ]
    # The teacher passages, and the public text that lets a leak test tell a sentence that is
    # also student text from a leaked one: in a file of the document's own, not the environment.
    texts = {"teacher": teacher_passages(doctree), "public_text": public_text(doctree)}
    keep_texts(Path(env.doctreedir), env.docname, texts)
    # The files whose text can reach the document's pages (its source, includes, data), relative
    # to the source folder: the leak gate scans them for teacher fences without the parser.
    record["files"] = [
        os.path.relpath(path, app.srcdir) for path in document_files(env, env.docname)
    ]
    record["source"] = os.path.relpath(env.doc2path(env.docname), app.srcdir)
    # The document's title and the documents its toctrees hold, in order: an export of the
    # course (lms/) builds its modules from them.
    sections = list(doctree.findall(nodes.section))
    record["title"] = sections[0][0].astext() if sections and sections[0].children else ""
    record["toctree"] = [
        ref for toc in doctree.findall(addnodes.toctree) for _title, ref in toc["entries"]
    ]
    for node in doctree.findall(lp.lesson):
        has_objectives = any(any(o.findall(nodes.list_item)) for o in node.findall(lp.objectives))
        record["lessons"].append(
            {
                "line": node.line,
                "objectives": has_objectives,
                "central_question": node.get("central_question", ""),
            }
        )
    if record["lesson"]:
        text = reading_text(doctree)
        record["reading_words"] = len(text.split())
        if grades_apply(app.config.language):
            record["grade"] = cached_grade(text, app.config.lessonpack_cache_dir)
    env.domains["lessonpack"].docs[env.docname] = record  # type: ignore[attr-defined]


def text_file(doctreedir: Path, docname: str, folder: str = TEXT_FOLDER) -> Path:
    return doctreedir / folder / f"{docname}.json"


def keep_texts(
    doctreedir: Path, docname: str, texts: dict[str, Any], folder: str = TEXT_FOLDER
) -> None:
    """A document's long texts (``TEXT_KEYS``), written while it is read (in the process that
    reads it: a reading worker's file is the main process's): a new read replaces the file."""
    path = text_file(doctreedir, docname, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(texts, ensure_ascii=False, sort_keys=True), encoding="utf-8")


def read_texts(doctreedir: Path, docname: str, folder: str = TEXT_FOLDER) -> dict[str, Any]:
    return json.loads(text_file(doctreedir, docname, folder).read_text(encoding="utf-8"))


def add_texts(doctreedir: Path, docname: str, texts: dict[str, Any]) -> None:
    """More of a document's report (``MORE_TEXT_KEYS``) into its file, by a doctree-read handler
    after ``collect`` (which wrote the file in this read)."""
    keep_texts(doctreedir, docname, {**read_texts(doctreedir, docname), **texts})


def full_record(doctreedir: Path, docname: str, record: dict[str, Any]) -> dict[str, Any]:
    """A document's record as the report gives it: with its texts read back from their file
    (the report's JSON sorts keys, so where they were kept does not change its bytes)."""
    return {**record, **read_texts(doctreedir, docname)}


def check(app: Sphinx, env: BuildEnvironment) -> None:
    """env-check-consistency: every lesson is complete and meets the configured thresholds."""
    cfg = env.config
    docs = env.domains["lessonpack"].docs  # type: ignore[attr-defined]
    for docname in sorted(docs):
        record = docs[docname]
        if cfg.lessonpack_require_answers:
            for line in record.get("unguided", []):
                _warn("question has no {guidance} or {answer} for the teacher", (docname, line))
            for line in record.get("unkeyed", []):
                _warn("exercise has no {solution} (answer key) for the teacher", (docname, line))
        if not record["lesson"]:
            continue
        where = (docname, 1)
        if not record["lessons"]:
            _warn("has no {lesson} block (central question, duration, objectives)", where)
            continue
        if len(record["lessons"]) > 1:
            _warn("has more than one {lesson} block", (docname, record["lessons"][1]["line"]))
        first = record["lessons"][0]
        if not first["objectives"]:
            _warn("{lesson} has no {objectives} list", (docname, first["line"]))
        if record["questions"] == 0:
            _warn("has no {discussion} with {question}s", (docname, first["line"]))
        elif record["questions"] < cfg.lessonpack_min_questions:
            _warn(
                f"has {record['questions']} discussion questions; at least "
                f"{cfg.lessonpack_min_questions} are required",
                (docname, first["line"]),
            )
        if record["sources"] < cfg.lessonpack_min_sources:
            _warn(
                f"has {record['sources']} source boxes; at least {cfg.lessonpack_min_sources} "
                "are required",
                (docname, first["line"]),
            )
        words = record["reading_words"]
        if cfg.lessonpack_min_reading_words and words < cfg.lessonpack_min_reading_words:
            _warn(
                f"reading has {words} words; at least {cfg.lessonpack_min_reading_words} "
                "are required",
                (docname, first["line"]),
            )
        if cfg.lessonpack_max_reading_words and words > cfg.lessonpack_max_reading_words:
            _warn(
                f"reading has {words} words; at most {cfg.lessonpack_max_reading_words} "
                "are allowed",
                (docname, first["line"]),
            )
        grade = record.get("grade")  # none in a language the formula is not for
        low, high = cfg.lessonpack_min_grade, cfg.lessonpack_max_grade
        if grade is not None and ((low and grade < low) or (high and grade > high)):
            _warn(
                f"reading grade (Flesch-Kincaid) is {grade:.1f}; the target is {low:g}-{high:g}",
                (docname, first["line"]),
            )


def grades_apply(language: str | None) -> bool:
    """Whether a reading grade means anything for the book's language: Flesch-Kincaid counts
    English syllables with an English dictionary, so a grade of any other language is none."""
    return (language or "en").replace("-", "_").split("_")[0].lower() == "en"


def _warn(message: str, location: tuple[str, int | None]) -> None:
    logger.warning(message, location=location, type="lessonpack", subtype="lesson")


def write_report(app: Sphinx, exception: Exception | None) -> None:
    """build-finished: the record as JSON beside the doctrees (never inside an output)."""
    if exception is not None:
        return
    docs = app.env.domains["lessonpack"].docs  # type: ignore[attr-defined]
    report = {
        "edition": app.config.lessonpack_edition,
        "language": app.config.language or "en",
        # How smartquotes set the text ("" if not at all): the LMS export sets titles the same.
        "smartquotes_action": settings(app.config)[1],
        "srcdir": str(app.srcdir),
        # Where the course is, for the gate's second build (check/reproducible.py).
        "confdir": str(app.confdir),
        "source_dirs": source_dirs(app.config),
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH"),
        "documents": DOCUMENTS_MARK,
        # What an export of the course (lms/) names its files and modules by.
        "course": {
            "project": app.config.project,
            "root_doc": app.config.root_doc,
            "pdf_basename": app.config.lessonpack_pdf_basename,
            "pdf_papers": list(app.config.lessonpack_pdf_papers),
            "pdf_outputs": list(app.config.lessonpack_pdf_outputs),
        },
    }
    path = Path(app.doctreedir) / REPORT_NAME
    head, tail = dumps(report).split(dumps(DOCUMENTS_MARK))
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        for chunk in documents_json(Path(app.doctreedir), docs):
            out.write(chunk)
        out.write(tail + "\n")


def dumps(value: Any) -> str:
    """JSON as the report writes it."""
    return json.dumps(value, indent=1, ensure_ascii=False, sort_keys=True)


def documents_json(doctreedir: Path, docs: dict[str, dict[str, Any]]) -> Iterator[str]:
    """The report's ``documents`` (one level down in it), one document at a time, each with its
    texts read back: the bytes ``dumps`` gives the whole mapping, never all of it in memory."""
    if not docs:
        yield "{}"
        return
    names = sorted(docs)
    yield "{\n"
    for index, name in enumerate(names):
        record = dumps(full_record(doctreedir, name, docs[name])).replace("\n", "\n  ")
        yield f"  {dumps(name)}: {record}{',' if index < len(names) - 1 else ''}\n"
    yield " }"


def setup_report(app: Sphinx) -> None:
    app.add_domain(LessonpackDomain)
    # After every other doctree-read handler: the public text holds the labels they add.
    app.connect("doctree-read", collect, priority=900)
    app.connect("env-check-consistency", check)
    app.connect("env-updated", release_dictionary)
    app.connect("build-finished", end_grader)  # a build that stopped before env-updated
    app.connect("build-finished", write_report)


def release_dictionary(app: Sphinx, env: Any) -> list[str]:
    """After reading, end the grading process and with it the pronouncing dictionary (about
    150 MB) before the writers start: a book of many lessons needs that memory to write."""
    release()
    return []


def end_grader(app: Sphinx, exception: Exception | None) -> None:
    release()


def format_table(report: dict[str, Any]) -> str:
    """One line per lesson (reading words, discussion questions, source boxes, grade), then one
    per excerpt (the grade of its original and of its adapted version)."""
    rows = [("lesson", "words", "questions", "sources", "grade (FK)")]
    for name, record in report["documents"].items():
        if record.get("lesson"):
            grade = record.get("grade")
            rows.append(
                (
                    name,
                    str(record.get("reading_words", 0)),
                    str(record["questions"]),
                    str(record["sources"]),
                    "n/a" if grade is None else f"{grade:.1f}",
                )
            )
    table = _columns(rows)
    language = report.get("language", "en")
    if not grades_apply(language):
        table += (
            f"\n\nReading grades: none for a book in {language!r}: Flesch-Kincaid is a formula "
            "for English text (lessonpack_min_grade, lessonpack_max_grade and the adapted "
            "versions' grades are not checked)."
        )
    excerpts = [("excerpt", "line", "original (FK)", "adapted (FK)")]
    for name, record in report["documents"].items():
        for source in record.get("source_grades", []):
            excerpts.append(
                (
                    source.get("label") or source.get("title", ""),
                    f"{name}:{source['line']}",
                    f"{source['original']:.1f}",
                    f"{source['adapted']:.1f}",
                )
            )
    if len(excerpts) > 1:
        table += "\n\nReading grade of each excerpt and of its adapted version:\n" + _columns(
            excerpts
        )
    return table


def _columns(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


if __name__ == "__main__":
    import sys

    for arg in sys.argv[1:]:
        print(format_table(json.loads(Path(arg).read_text(encoding="utf-8"))))
