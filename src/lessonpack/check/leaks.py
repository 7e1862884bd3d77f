"""Leaks: every teacher passage is in the teacher's pack, and none is in a student output.

Teacher passages come from two places, so that the parser alone never decides what is secret:

- the teacher edition's report: the text of every teacher directive as MyST parsed it;
- the source text itself: every teacher-directive fence in every file the build read (the
  report lists them), found by :mod:`lessonpack.teacherscan`, its body as plain words.

The student outputs are what ``dist/.manifest.json`` lists as the student edition, whatever their
names: website files, every entry of an EPUB, PDFs. A dist/ without manifest, or with a file it
does not list, fails. Every sentence is checked: a long one (30 characters or more) however the
lines broke, a short one as whole words. A sentence that is also student text (the report's
public text) is excused, and counted. The student search index is checked by its terms: a stem
of a word only teacher text uses is a leak.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..manifest import Entry, ManifestError, read_manifest
from ..teacherscan import PRINTED, fences, read_text
from . import Outcome, Site
from .texts import (
    epub_texts,
    lms_texts,
    normalise,
    output_texts,
    pdf_text,
    search_terms,
    sentences,
    words,
)

LONG = 30  # characters without white space: from here a sentence is matched however lines broke
REPORT = Path("teacher") / "pdf-doctrees" / "lessonpack-report.json"


def teacher_report(site: Site) -> dict:
    return json.loads((site.build / REPORT).read_text(encoding="utf-8"))


# Teacher sentences ---------------------------------------------------------------------------


def teacher_sentences(report: dict) -> tuple[list[tuple[str, str]], list[str]]:
    """(document, sentence) of every teacher passage as parsed, and each document's public text."""
    found, public = [], []
    for docname, record in report["documents"].items():
        for passage in record["teacher"]:
            found.extend((docname, s) for s in sentences(passage["text"]))
        if "public_text" in record:
            public.append(record["public_text"])
    return found, public


def source_scan(report: dict) -> tuple[list[tuple[str, str]], list[str]]:
    """(file:line, sentence) of every teacher-directive fence in the files the build read, from
    their raw text (what a fence holds, whether or not MyST read it as a directive); and the text
    of every such file that has none and is no document's own source (bibliographies, data:
    student text the report's public text does not hold before references resolve)."""
    root = Path(report["srcdir"])
    documents = report["documents"].values()
    files = sorted({f for record in documents for f in record["files"]})
    sources = {record.get("source") for record in documents}
    found, plain = [], []
    for name in files:
        text = read_text(root / name)
        if text is None:
            continue
        scanned = fences(text)
        if not scanned and name not in sources:
            plain.append(text)
        for fence in scanned:
            found.extend((f"{name}:{fence.line}", s) for s in sentences(fence.text))
    return found, plain


def all_sentences(report: dict) -> tuple[list[tuple[str, str]], list[str]]:
    """The parsed sentences, then the scanned ones not among them; and every public text."""
    parsed, public = teacher_sentences(report)
    scanned, plain = source_scan(report)
    seen = {normalise(s) for _, s in parsed}
    extra = []
    for where, sentence in scanned:
        key = normalise(sentence)
        if key not in seen:
            seen.add(key)
            extra.append((where, sentence))
    return parsed + extra, public + plain


# Matching ------------------------------------------------------------------------------------


@dataclass
class Text:
    """A text prepared for both ways of matching: all of it without white space (long needles),
    and the words of its prose (short needles: a page's visible text, not its markup, scripts
    or styles, where "Optional:" is code)."""

    compact: str
    words: str

    @classmethod
    def of(cls, text: str, prose: str | None = None) -> Text:
        return cls(normalise(text), words(text if prose is None else prose))


def matcher(sentence: str, *, punctuation: bool = True) -> Callable[[Text], bool]:
    """Whether a text holds the sentence: a long one anywhere, however lines broke (PDF text);
    a short one as whole words and punctuation marks, in order ("Yes." is not in "yesterday").
    """
    compact = normalise(sentence)
    if len(compact) >= LONG:
        return lambda text: compact in text.compact
    needle = words(sentence, punctuation=punctuation)
    return lambda text: needle in text.words


@dataclass
class Findings:
    checked: int = 0
    excused: int = 0
    leaks: list[tuple[str, str, str]] = field(default_factory=list)  # (where, sentence, output)


def find_leaks(
    found: Iterable[tuple[str, str]],
    public: Iterable[str],
    outputs: dict[str, tuple[str, str]],
) -> Findings:
    """Teacher sentences in student outputs, each (all its text, its prose); a sentence that is
    also public text is excused."""
    joined = "\n\n".join(public)
    # Its words alone: generated punctuation ("An Oral History" becomes "An Oral History." in a
    # bibliography) does not make a teacher sentence secret.
    public_text = Text(normalise(joined), words(joined, punctuation=False))
    prepared = {name: Text.of(*text) for name, text in outputs.items()}
    result = Findings()
    for where, sentence in found:
        holds = matcher(sentence)
        if matcher(sentence, punctuation=False)(public_text):
            result.excused += 1  # the same words are student text too (a question quoted)
            continue
        result.checked += 1
        result.leaks.extend((where, sentence, n) for n, text in prepared.items() if holds(text))
    return result


def missing_from(pdf: Path, found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    text = Text.of(pdf_text(pdf))
    return [(doc, s) for doc, s in found if not matcher(s)(text)]


def missing_of(own: list[tuple[str, str]], missing: set[tuple[str, str]]) -> list[tuple[str, str]]:
    return [p for p in own if p in missing]


def teacher_pdf_problems(pdfs: list[Path], found: list[tuple[str, str]]) -> list[str]:
    """Every parsed teacher sentence is in a teacher PDF, and a teacher PDF that holds half a
    document's teacher sentences holds them all (a pack holds its lessons whole; a book holds
    every document)."""
    problems: list[str] = []
    docs: dict[str, list[tuple[str, str]]] = {}
    for doc, sentence in found:
        docs.setdefault(doc, []).append((doc, sentence))
    somewhere: set[tuple[str, str]] = set()
    for pdf in pdfs:
        missing = set(missing_from(pdf, found))
        for own in docs.values():
            present = [p for p in own if p not in missing]
            somewhere.update(present)
            if 2 * len(present) >= len(own):  # the PDF holds this document: all of it
                problems += [
                    f"{d}: {s[:60]!r} is missing from {pdf.name}"
                    for d, s in missing_of(own, missing)
                ]
    problems += [
        f"{d}: {s[:60]!r} is in no teacher PDF" for d, s in found if (d, s) not in somewhere
    ]
    return problems


# Outputs, from the manifest ------------------------------------------------------------------


def student_outputs(
    site: Site, entries: dict[str, Entry] | None = None
) -> dict[str, tuple[str, str]]:
    """Every text of the student edition, by its path in dist/ (an EPUB's entries under it),
    as (all of it, its prose)."""
    entries = read_manifest(site.dist) if entries is None else entries
    texts: dict[str, tuple[str, str]] = {}
    for name, entry in sorted(entries.items()):
        if entry.edition == "student":
            texts.update(output_texts(site.dist / name, name))
    # The LMS files are teacher's files (the quiz keys) but student text except the keys and
    # feedback; a copy of a student file inside them (a page, a handout) was read above.
    checked = {e.sha256 for e in entries.values() if e.edition == "student"}
    for name, entry in sorted(entries.items()):
        if entry.format == "lms" and entry.edition != "student":
            texts.update(lms_texts(site.dist / name, name, checked))
    return texts


def teacher_pdfs(site: Site, entries: dict[str, Entry]) -> list[Path]:
    """The teacher's printed books and packs (format ``pdf``), which hold their documents whole.
    A teacher slide deck is a PDF too, but holds a selection by design (each question's guidance
    as notes, no lesson plan): it is not asked to hold every teacher sentence of its lesson."""
    return sorted(
        site.dist / n
        for n, e in entries.items()
        if e.edition == "teacher" and e.format == "pdf" and n.endswith(".pdf")
    )


def printed_fences(outputs: dict[str, tuple[str, str]]) -> list[tuple[str, str]]:
    """(output, directive) for every teacher-directive fence shown as text in a student output:
    a fence that was not read as a directive (a code block, a copied file) carries teacher text
    the report may not know of."""
    found = []
    for name, (text, _) in outputs.items():
        found += sorted({(name, m["name"]) for m in PRINTED.finditer(text)})
    return found


# Quiz keys ------------------------------------------------------------------------------------


def quiz_keys(report: dict) -> list[tuple[str, str]]:
    """(document: quiz and version, key list) of every quiz version in the teacher report, the
    keys as a teacher's list reads ("1 B 2 D ..."): a letter alone is no sentence, but the list
    of a version must never reach a student."""
    found = []
    for docname, record in report["documents"].items():
        for quiz in record.get("quizzes", []):
            for version, entry in sorted(quiz.get("versions", {}).items()):
                if entry.get("keys"):
                    found.append((f"{docname}:{quiz['line']} version {version}", entry["keys"]))
    return found


def key_leaks(
    keys: list[tuple[str, str]], outputs: dict[str, tuple[str, str]]
) -> list[tuple[str, str]]:
    """(quiz version, output) for every key list found in a student output, however it was
    spaced or punctuated ("1 B 2 D", "1. B, 2. D", "1B2D")."""
    compact = {name: re.sub(r"[\W_]+", "", text).lower() for name, (text, _) in outputs.items()}
    return [
        (where, name)
        for where, line in keys
        for name, text in compact.items()
        if re.sub(r"[\W_]+", "", line).lower() in text
    ]


# The search index ----------------------------------------------------------------------------


def stemmer(language: str) -> Callable[[str], str | None]:
    """The index key Sphinx gives a word in this language (its stem), or None if not indexed."""
    from sphinx.search import SearchLanguage, languages

    found: Any = languages.get(language.split("_")[0], languages["en"])
    if isinstance(found, str):
        module, _, name = found.rpartition(".")
        found = getattr(importlib.import_module(module), name)
    lang: SearchLanguage = found({})

    def key(word: str) -> str | None:
        stem = lang.stem(word).lower()
        if lang.word_filter(stem):
            return stem
        return word if lang.word_filter(word) else None

    return key


def search_indexes(site: Site, entries: dict[str, Entry]) -> dict[str, set[str]]:
    """The terms of every student search index: website ones and any inside an EPUB."""
    out = {}
    for name, entry in sorted(entries.items()):
        if entry.edition != "student":
            continue
        if Path(name).name == "searchindex.js":
            out[name] = search_terms((site.dist / name).read_text(encoding="utf-8"))
        elif name.endswith(".epub"):
            for inner, text in epub_texts(site.dist / name).items():
                if Path(inner).name == "searchindex.js":
                    out[f"{name}/{inner}"] = search_terms(text)
    return out


def index_leaks(
    found: list[tuple[str, str]], public: list[str], indexes: dict[str, set[str]], language: str
) -> list[tuple[str, str, str]]:
    """(where, word, index) for every stem of a teacher-only word in a student search index.

    Teacher-only: no word of the public text has its stem (so "organs" in the reading excuses
    "organization" in a note, as the index cannot tell them apart)."""
    key = stemmer(language)
    public_keys = {key(w) for w in set(re.findall(r"\w+", "\n".join(public)))}
    secret: dict[str, tuple[str, str]] = {}
    for where, sentence in found:
        for word in re.findall(r"\w+", sentence):
            stem = key(word)
            if stem and stem not in public_keys:
                secret.setdefault(stem, (where, word))
    return [
        (where, word, name)
        for name, terms in indexes.items()
        for stem, (where, word) in sorted(secret.items())
        if stem in terms
    ]


# The check -----------------------------------------------------------------------------------


def check(site: Site) -> Outcome:
    try:
        entries = read_manifest(site.dist)
    except ManifestError as error:
        return Outcome("leaks", "no manifest to find the student outputs", [str(error)])
    report = teacher_report(site)
    parsed, _ = teacher_sentences(report)
    found, public = all_sentences(report)
    outputs = student_outputs(site, entries)
    findings = find_leaks(found, public, outputs)
    problems = [f"{w}: {s[:60]!r} is in {name}" for w, s, name in findings.leaks]
    indexes = search_indexes(site, entries)
    words = index_leaks(found, public, indexes, report.get("language", "en"))
    problems += [f"{w}: teacher-only word {word!r} is in {name}" for w, word, name in words]
    problems += [
        f"a {{{name}}} fence is printed in {output}: teacher text reached it as text"
        for output, name in printed_fences(outputs)
    ]
    keys = quiz_keys(report)
    problems += [f"{w}: the key list is in {name}" for w, name in key_leaks(keys, outputs)]
    pdfs = teacher_pdfs(site, entries)
    problems += teacher_pdf_problems(pdfs, parsed)
    if findings.checked < 1 or not pdfs or not outputs:
        problems.append("nothing to check: no teacher passage, student output or teacher PDF")
    figure = (
        f"0 of {findings.checked} teacher sentences in {len(outputs)} student texts "
        f"({findings.excused} more excused as student text too; {len(found) - len(parsed)} "
        f"found by the source scan only); 0 teacher-only words in {len(indexes)} search "
        f"index{'es' * (len(indexes) != 1)}; 0 of {len(keys)} quiz key lists; all "
        f"{len(parsed)} in {len(pdfs)} teacher PDFs"
        if not problems
        else f"{len(problems)} problems"
    )
    return Outcome("leaks", figure, problems)
