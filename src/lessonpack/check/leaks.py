"""Leaks: every teacher passage is in the teacher's pack, and none is in a student output.

The passages come from the teacher edition's own doctrees (every teacher-only directive),
recorded by the build in its report beside the doctrees.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import Outcome, Site
from .texts import epub_texts, normalise, pdf_pages, sentences, site_texts


def teacher_report(site: Site) -> dict:
    path = site.build / "teacher" / "pdf-doctrees" / "lessonpack-report.json"
    return json.loads(path.read_text(encoding="utf-8"))


def teacher_sentences(report: dict) -> tuple[list[tuple[str, str]], set[str]]:
    """(document, sentence) of every teacher passage, and the normalised public text."""
    found, public = [], set()
    for docname, record in report["documents"].items():
        for passage in record["teacher"]:
            found.extend((docname, s) for s in sentences(passage["text"]))
        if "public_text" in record:
            public.add(normalise(record["public_text"]))
    return found, public


def student_outputs(site: Site) -> dict[str, str]:
    """Every text of the student editions, by name: website files, EPUB entries, student PDFs
    and photocopiable handouts."""
    texts = {f"html/{k}": v for k, v in site_texts(site.html).items()}
    for epub in site.files("*.epub"):
        texts.update({f"{epub.name}/{k}": v for k, v in epub_texts(epub).items()})
    for pdf in [*site.files("*-student-*.pdf"), *site.files("packs/*-handout-*.pdf")]:
        texts[f"pdf/{pdf.relative_to(site.dist)}"] = "\n".join(pdf_pages(pdf))
    return texts


def find_leaks(
    found: list[tuple[str, str]], public: set[str], outputs: dict[str, str]
) -> tuple[int, list[tuple[str, str, str]]]:
    """(sentences checked, [(document, sentence, output)]) for teacher text in student outputs."""
    normalised = {name: normalise(text) for name, text in outputs.items()}
    checked = 0
    leaks = []
    for doc, sentence in found:
        needle = normalise(sentence)
        if any(needle in text for text in public):
            continue  # the same words are student text too (e.g. a question quoted in guidance)
        checked += 1
        leaks.extend((doc, sentence, name) for name, text in normalised.items() if needle in text)
    return checked, leaks


def missing_from(pdf: Path, found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    text = normalise("".join(pdf_pages(pdf)))
    return [(doc, s) for doc, s in found if normalise(s) not in text]


def check(site: Site) -> Outcome:
    found, public = teacher_sentences(teacher_report(site))
    outputs = student_outputs(site)
    checked, leaks = find_leaks(found, public, outputs)
    problems = [f"{doc}: {sentence[:60]!r} is in {name}" for doc, sentence, name in leaks]
    pdfs = site.files("*-teacher-*.pdf")
    for pdf in pdfs:
        problems += [
            f"{doc}: {s[:60]!r} is missing from {pdf.name}" for doc, s in missing_from(pdf, found)
        ]
    if checked < 1 or not pdfs:
        problems.append("nothing to check: no teacher passage or no teacher's pack")
    figure = (
        f"{len(leaks)} of {checked} teacher sentences in {len(outputs)} student files; "
        f"all {len(found)} in {len(pdfs)} teacher PDFs"
        if not problems
        else f"{len(problems)} problems"
    )
    return Outcome("leaks", figure, problems)
