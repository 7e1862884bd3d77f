"""The print theme's cover: its edition's subtitle, curly quotes, no break in a date range."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from pypdf import PdfReader

from lessonpack.confcheck import check as confcheck
from lessonpack.config import pdf_subtitle
from lessonpack.typography import title, typographic

TITLE = "The Great Leap Forward and Mao's Famine, 1958–1962"  # breaks after "1958–" if let
CONF = f"""
project = "{TITLE}"
lessonpack_pdf_basename = "t"
lessonpack_pdf_subtitle = {{
    "student": "A course for students",
    "teacher": "A course for students, with teaching notes",
}}
"""


def test_student_cover_has_its_own_subtitle_curly_quotes_and_an_unbroken_date_range(build):
    result = build(
        {"one.md": "# Chapter 1\n\nText of chapter 1.\n"}, builder="lessonpdf", conf=CONF
    )
    assert result.warnings == ""
    cover = (result.outdir / "_book" / "000.html").read_text(encoding="utf-8")
    assert "with teaching notes" not in cover
    assert '<p class="lp-cover-subtitle">A course for students</p>' in cover
    assert "Mao’s" in cover and "Mao's" not in cover and "Mao&#39;s" not in cover
    assert '<span class="lp-nowrap">1958–1962</span>' in cover
    # In the PDF: the title's last line holds the whole range, and the document title is curly.
    reader = PdfReader(result.outdir / "t-student-a4.pdf")
    lines = reader.pages[0].extract_text().splitlines()
    (line,) = [line for line in lines if "1958" in line]
    assert "1958–1962" in line, lines
    assert reader.metadata.title == TITLE.replace("'", "’")


def test_subtitle_per_edition_or_one_for_both():
    texts = {"student": "For students", "teacher": "For students, with teaching notes"}
    for edition, text in texts.items():
        config = SimpleNamespace(lessonpack_pdf_subtitle=texts, lessonpack_edition=edition)
        assert pdf_subtitle(config) == text  # type: ignore[arg-type]
    config = SimpleNamespace(lessonpack_pdf_subtitle="One", lessonpack_edition="student")
    assert pdf_subtitle(config) == "One"  # type: ignore[arg-type]


def test_a_subtitle_for_an_unknown_edition_is_one_error_at_its_line(tmp_path: Path):
    (tmp_path / "conf.py").write_text(
        'project = "x"\nhtml_copy_source = False\n'
        'lessonpack_pdf_subtitle = {"studnet": "A course"}\n'
    )
    (fault,) = confcheck(tmp_path)
    assert re.fullmatch(r".*conf\.py:3: lessonpack_pdf_subtitle must be one text, .*studnet", fault)


def test_typographic_titles():
    assert typographic('China\'s "Great" Leap') == "China’s “Great” Leap"
    assert typographic("China's", action="") == "China's"
    assert str(title("A & B's years 1958-1962, 1959–61")) == (
        'A &amp; B’s years <span class="lp-nowrap">1958-1962</span>, '
        '<span class="lp-nowrap">1959–61</span>'
    )
