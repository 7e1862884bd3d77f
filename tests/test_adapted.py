"""An excerpt's adapted version ({adapted} in a {source}): where each edition shows it, and the
checks that it is there, in its place, and reads at a lower grade than the original."""

from __future__ import annotations

import json
import re
import zipfile

from pypdf import PdfReader

from lessonpack.report import format_table
from test_directives import LESSON, lesson_files
from textutil import normalise

ORIGINAL = "There is no grain left in the village."
ADAPTED = "The village has no grain."

EPUB_CONF = """
version = "1"
epub_copyright = "2026, Test author"
epub_basename = "test"
"""

PDF_CONF = """
lessonpack_pdf_basename = "t"
lessonpack_pdf_papers = ["a4"]
lessonpack_pdf_outputs = [
    {"name": "{basename}-{edition}-{paper}", "mode": "book"},
    {"name": "packs/{doc}-handout-{paper}", "mode": "handout", "edition": "student",
     "documents": ["lessons/*"]},
]
"""


def test_website_shows_the_adapted_version_then_the_original_in_details(build):
    result = build(lesson_files())
    assert result.warnings == ""
    page = result.html("lessons/one")
    box = page[page.index('id="src-letter"') :]
    box = box[: box.index('class="lp-provenance')]
    adapted = re.search(
        r'<div aria-labelledby="(lp-version-\d+)" class="lp-adapted[^"]*" role="group">\s*'
        r'<p class="lp-version-label" id="\1"><strong>Adapted version</strong></p>\s*'
        rf"<p>{re.escape(ADAPTED)}</p>",
        box,
    )
    assert adapted, box
    original = re.search(
        r'<details class="lp-original">\s*'
        r'<summary class="lp-version-label"><strong>Original text</strong></summary>'
        rf".*{re.escape(ORIGINAL)}.*</details>",
        box,
        re.S,
    )
    assert original and original.start() > adapted.end(), box
    # Both grades are in the report, for the closing note; the reading counts the original only.
    report = json.loads((result.app.doctreedir / "lessonpack-report.json").read_text())
    record = report["documents"]["lessons/one"]
    [grades] = record["source_grades"]
    assert grades["label"] == "src-letter" and grades["title"] == "A letter"
    assert grades["adapted"] < grades["original"]
    lines = LESSON.lstrip("\n").splitlines()
    assert grades["line"] == lines.index("::::{source} A letter") + 1
    assert grades["adapted_line"] == lines.index(":::{adapted}") + 1
    # The adapted version is not counted as more reading.
    without = LESSON.replace(f"\n:::{{adapted}}\n{ADAPTED}\n:::\n", "")
    again = build(lesson_files(without), conf="suppress_warnings = ['lessonpack']")
    other = json.loads((again.app.doctreedir / "lessonpack-report.json").read_text())
    assert other["documents"]["lessons/one"]["reading_words"] == record["reading_words"]


def test_epub_shows_both_versions_without_details(build):
    result = build(lesson_files(), builder="epub", conf=EPUB_CONF)
    assert result.warnings == ""
    with zipfile.ZipFile(result.outdir / "test.epub") as epub:
        page = epub.read("lessons/one.xhtml").decode()
    assert "<details" not in page
    labels = [page.index(t) for t in ("Adapted version", ADAPTED, "Original text", ORIGINAL)]
    assert labels == sorted(labels), page
    assert re.search(
        r'<div aria-labelledby="(lp-version-\d+)" class="lp-original[^"]*" role="group">\s*'
        r'<p class="lp-version-label" id="\1"><strong>Original text</strong></p>',
        page,
    ), page


def test_handout_prints_the_adapted_version_only_and_the_book_both(build):
    advisory = ":::{content-advisory}\nADVISORY-ALPHA hunger.\n:::\n\n"
    lesson = LESSON.replace("Students read this", advisory + "## Reading\n\nStudents read this")
    lesson = lesson.replace("::::{source}", advisory.replace("ALPHA", "BRAVO") + "::::{source}")
    result = build(lesson_files(lesson), builder="lessonpdf", conf=PDF_CONF)
    assert result.warnings == ""

    def text(name: str) -> str:
        pages = PdfReader(result.outdir / name).pages
        return normalise(" ".join(p.extract_text() for p in pages))

    handout = text("packs/one-handout-a4.pdf")
    assert normalise("Source: A letter") in handout
    assert normalise(ADAPTED) in handout
    assert normalise(ORIGINAL) not in handout and normalise("Original text") not in handout
    assert normalise("What failed?") in handout  # the questions are still there
    assert normalise("Students read this paragraph") not in handout  # the reading is not
    # The lesson's advisory stays, before the documents; one inside the reading goes with it.
    assert handout.index(normalise("ADVISORY-ALPHA")) < handout.index(normalise(ADAPTED))
    assert normalise("ADVISORY-BRAVO") not in handout
    book = text("t-student-a4.pdf")
    order = [book.index(normalise(t)) for t in ("Adapted version", ADAPTED, "Original text")]
    assert order == sorted(order) and normalise(ORIGINAL) in book


FAULTS = """
(lesson-one)=
# Lesson one

:::{adapted}
Outside any source.
:::

:::{source} No adapted version
:cite: smith2000

There is no grain left in the village.
:::

::::{source} A harder adapted version
:cite: smith2000

No grain is left.

:::{adapted}
Unfortunately, agricultural productivity deteriorated catastrophically throughout the region.
:::
::::

::::{source} A paraphrase
:cite: smith2000
:kind: paraphrase

Our words.

:::{adapted}
Our words again.
:::
::::

:::::{source} Nested too deep
:cite: smith2000

There is no grain left in the village.

::::{note}
:::{adapted}
The village has no grain.
:::
::::
:::::

::::{source} Two adapted versions
:cite: smith2000

There is no grain left in the village.

:::{adapted}
The village has no grain.
:::

:::{adapted}
No grain.
:::
::::
"""


def test_each_fault_is_reported_at_its_line(build):
    result = build({"lessons/one.md": FAULTS}, conf="lessonpack_lesson_patterns = []")
    lines = FAULTS.lstrip("\n").splitlines()

    def line(text: str, after: int = 0) -> int:
        return lines.index(text, after) + 1

    expected = [
        (line(":::{adapted}"), "ERROR: {adapted} must be directly inside a {source}"),
        (line(":::{source} No adapted version"), "WARNING: excerpt has no {adapted} version"),
        (
            line(":::{adapted}", line("::::{source} A harder adapted version")),
            "WARNING: the adapted version reads at grade",
        ),
        (
            line(":::{adapted}", line("::::{source} A paraphrase")),
            "WARNING: a paraphrase takes no {adapted}",
        ),
        (
            line(":::{adapted}", line(":::::{source} Nested too deep")),
            "WARNING: {adapted} must be directly inside a {source}",
        ),
        (line(":::::{source} Nested too deep"), "WARNING: excerpt has no {adapted} version"),
        (
            line(":::{adapted}", line("No grain.") - 3),
            "WARNING: a {source} takes one {adapted} at most",
        ),
    ]
    for number, message in expected:
        assert re.search(rf"lessons/one\.md:{number}: {re.escape(message)}", result.warnings), (
            number,
            message,
            result.warnings,
        )
    assert len(result.warnings.strip().splitlines()) == len(expected), result.warnings


HARDER = (
    "Unfortunately, agricultural productivity deteriorated catastrophically throughout the region."
)


def test_reading_grades_are_for_english_and_another_language_is_told_so(build):
    """Flesch-Kincaid is an English formula: a Spanish book gets no grade (no check of the
    adapted version's, none in the report) and the report's table says why."""
    harder = LESSON.replace(
        f"\n:::{{adapted}}\n{ADAPTED}\n:::\n", f"\n:::{{adapted}}\n{HARDER}\n:::\n"
    )
    assert harder != LESSON
    spanish = build(lesson_files(harder), conf='language = "es"\n')
    assert "grade" not in spanish.warnings, spanish.warnings
    report = json.loads((spanish.app.doctreedir / "lessonpack-report.json").read_text())
    record = report["documents"]["lessons/one"]
    assert "grade" not in record and not record.get("source_grades")
    table = format_table(report)
    assert re.search(r"lessons/one\s.*\sn/a$", table, re.M), table
    assert "Reading grades: none for a book in 'es': Flesch-Kincaid is a formula" in table
    english = build(lesson_files(harder))
    assert "the adapted version reads at grade" in english.warnings
    report = json.loads((english.app.doctreedir / "lessonpack-report.json").read_text())
    assert report["documents"]["lessons/one"]["grade"] > 0
    assert "Reading grades: none" not in format_table(report)
