"""The lesson directives, the teacher-only mechanism and the lesson checks, on small projects."""

from __future__ import annotations

import re

import pytest

from lessonpack.segments import format_clock, parse_duration

LESSON = """
(lesson-one)=
# Lesson one

::::{lesson}
:central-question: Why did the harvest fail?
:duration: One 50-minute period
:key-terms: commune

:::{objectives}
- Explain the harvest.
:::
::::

::::{lesson-plan}
PLAN-SECRET-ALPHA ten minutes of starter.
::::

:::{teacher-note} Pacing
NOTE-SECRET-BRAVO keep it short.
:::

Students read this paragraph about the harvest {cite:p}`smith2000{p. 4}`.

::::{source} A letter
:label: src-letter
:who: A farmer
:when: 1959
:audience: His family
:purpose: To ask for food
:cite: smith2000
:page: 12

There is no grain left in the village.

:::{adapted}
The village has no grain.
:::
::::

::::{discussion}
:::{question}
:level: recall
:lines: 3
What failed?

```{guidance}
GUIDE-SECRET-CHARLIE the harvest.
```
:::

:::{question}
:level: evaluation
Why? See {ref}`src-letter`.
:::
::::
"""

GLOSSARY = """
# Glossary

```{glossary}
commune
  A large farm.
```
"""


def lesson_files(lesson: str = LESSON) -> dict[str, str]:
    return {"lessons/one.md": lesson, "glossary.md": GLOSSARY}


def test_teacher_edition_shows_teacher_material(build):
    result = build(lesson_files(), edition="teacher")
    assert result.warnings == ""
    page = result.html("lessons/one")
    for secret in ("PLAN-SECRET-ALPHA", "NOTE-SECRET-BRAVO", "GUIDE-SECRET-CHARLIE"):
        assert secret in page
    assert "Answer guidance" in page and "Lesson plan" in page


def test_student_edition_drops_teacher_material_when_reading(build):
    result = build(lesson_files(), edition="student")
    assert result.warnings == ""
    secrets = ("PLAN-SECRET-ALPHA", "NOTE-SECRET-BRAVO", "GUIDE-SECRET-CHARLIE")
    # Every file of the output and every doctree pickle: nothing may carry them.
    places = [*result.outdir.rglob("*"), *result.app.doctreedir.rglob("*")]
    files = [p for p in places if p.is_file()]
    assert any(p.name == "searchindex.js" for p in files)
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"{secret} leaked into {path}"
    assert "There is no grain left" in result.html("lessons/one")


def test_questions_are_numbered_and_sources_cited(build):
    page = build(lesson_files()).html("lessons/one")
    assert re.search(r"Question 1.*What failed\?.*Question 2.*Why\?", page, re.S)
    assert "Smith, 2000" in page
    assert "Source: A letter" in page
    assert 'href="#src-letter"' in page
    for label in ("Who", "When", "For whom", "Why"):
        assert f">{label}<" in page


def test_key_terms_link_to_the_glossary(build):
    page = build(lesson_files()).html("lessons/one")
    assert re.search(r'href="\.\./glossary\.html#term-commune"', page)


def test_unknown_key_term_fails_with_location(build):
    result = build(lesson_files(LESSON.replace(":key-terms: commune", ":key-terms: nope")))
    assert re.search(r"lessons/one\.md:\d+: WARNING: term not in glossary: 'nope'", result.warnings)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            (":central-question: Why did the harvest fail?\n", ""),
            r"lessons/one\.md:\d+: ERROR: \{lesson\} needs :central-question:",
        ),
        (
            (":::{objectives}\n- Explain the harvest.\n:::\n", ""),
            r"lessons/one\.md:\d+: WARNING: \{lesson\} has no \{objectives\} list",
        ),
        ((":cite: smith2000\n", ""), r"lessons/one\.md:\d+: ERROR: \{source\} needs :cite:"),
        (
            (":cite: smith2000\n", ":cite: nobody1999\n"),
            r"lessons/one\.md:\d+: WARNING: could not find bibtex key \"nobody1999\"",
        ),
        (
            (":level: recall\n", ":level: guess\n"),
            r"lessons/one\.md:\d+: WARNING: 'question': Invalid option value for 'level': guess",
        ),
    ],
)
def test_broken_lesson_parts_fail_with_file_and_line(build, change, message):
    old, new = change
    assert old in LESSON
    result = build(lesson_files(LESSON.replace(old, new, 1)))
    assert re.search(message, result.warnings), result.warnings


def test_lesson_without_discussion_fails(build):
    lesson = LESSON[: LESSON.index("::::{discussion}")]
    result = build(lesson_files(lesson))
    assert re.search(
        r"lessons/one\.md:\d+: WARNING: has no \{discussion\} with \{question\}s", result.warnings
    ), result.warnings


def test_lesson_file_without_lesson_block_fails(build):
    result = build({"lessons/two.md": "# Two\n\nJust prose.\n", "glossary.md": GLOSSARY})
    assert "lessons/two.md:1: WARNING: has no {lesson} block" in result.warnings


def test_thresholds_are_enforced(build):
    result = build(
        lesson_files(), conf="lessonpack_min_questions = 3\nlessonpack_min_reading_words = 500\n"
    )
    assert "has 2 discussion questions; at least 3 are required" in result.warnings
    assert re.search(r"reading has \d+ words; at least 500 are required", result.warnings)


def test_student_edition_refuses_copied_sources(build):
    from sphinx.errors import ConfigError

    with pytest.raises(ConfigError, match="html_copy_source = False"):
        build(lesson_files(), conf="html_copy_source = True\n")


def test_segments_are_timed_in_order(build):
    guide = """
    # Guide

    :::{segment} Opening
    :duration: 03:32
    First.
    :::

    :::{segment} Next
    :duration: 04:54
    Second.
    :::
    """
    page = build({"guide.md": guide}).html("guide")
    # Each time range kept on one line (typography.NUMBER_RANGE).
    assert 'Segment 1 (<span class="lp-nowrap">00:00–03:32</span>): Opening' in page
    assert 'Segment 2 (<span class="lp-nowrap">03:32–08:26</span>): Next' in page


def test_duration_parsing():
    assert parse_duration("03:32") == 212
    assert parse_duration("1:02:03") == 3723
    assert format_clock(3723) == "1:02:03"
    for bad in ("3:60", "abc", "1:75:00"):
        with pytest.raises(ValueError, match="duration"):
            parse_duration(bad)


def test_range_chart_draws_svg_and_table(build):
    files = {
        "data.md": """
        # Data

        :::{range-chart} tolls.csv
        :label: fig-tolls
        :category: Who
        :low: Low
        :high: High
        :unit: millions
        :alt: Two bars.
        :cite-column: Source

        Estimates.
        :::
        """,
        "tolls.csv": 'Who,Low,High,Source\nA (1984),27,27,smith2000\n"B, C (2010)",15,45,\n',
    }
    result = build(files)
    assert result.warnings == ""
    page = result.html("data")
    svg = re.search(r'<img alt="Two bars\." src="(_images/tolls-[0-9a-f]+\.svg)"', page)
    assert svg, page
    assert (result.outdir / svg[1]).read_text().startswith("<?xml")
    assert "<td><p>B, C (2010)</p></td>" in page
    # The source column is printed as citations linked to the bibliography.
    assert re.search(
        r'<td><p><span class="bibtex-citation"[^>]*>\[<a [^>]*bibliography\.html#'
        r"[^>]*>Smith, 2000</a>\]",
        page,
    )


def test_bibliography_keeps_the_capitals_of_titles(build):
    result = build({"page.md": "# Page\n\nA claim {cite:p}`lee1990`.\n"})
    assert result.warnings == ""
    assert "Famine in China, 1959." in result.html("bibliography")


def test_answers_are_required_when_configured(build):
    lesson = LESSON.replace("```{guidance}\nGUIDE-SECRET-CHARLIE the harvest.\n```\n", "")
    exercise = """
    # Worksheet

    ::::{exercise} Practice
    :::{question}
    Say why.

    ```{answer}
    Because.
    ```
    :::
    ::::
    """
    for edition in ("student", "teacher"):
        result = build(
            {**lesson_files(lesson), "ex.md": exercise},
            edition=edition,
            conf="lessonpack_require_answers = True\n",
        )
        assert re.search(
            r"lessons/one\.md:\d+: WARNING: question has no \{guidance\} or \{answer\}",
            result.warnings,
        ), result.warnings
        assert re.search(r"ex\.md:\d+: WARNING: exercise has no \{solution\}", result.warnings), (
            result.warnings
        )
        # both questions of the lesson (the second never had guidance) and the exercise
        assert result.warnings.count("WARNING") == 3


def test_site_front_door_is_a_page_leading_to_a_root_document_in_a_folder(build):
    result = build(
        {
            "book/index.md": "# Home\n\n```{toctree}\n:caption: Lessons\n\none\n```\n",
            "book/one.md": "# Lesson one\n\nText.\n",
        },
        conf='root_doc = "book/index"\nexclude_patterns = ["index.md", "bibliography.md"]\n',
    )
    assert result.warnings == ""
    door = (result.outdir / "index.html").read_text(encoding="utf-8")
    assert "http-equiv" not in door  # a real page, not a redirect
    link = '<a class="reference internal" href="book/{}.html">{}</a>'
    assert f'<p class="lessonpack-front-door">{link.format("index", "Home")}</p>' in door
    assert f"<h2>Lessons</h2>\n<ul>\n<li>{link.format('one', 'Lesson one')}</li>" in door


def test_exercise_titles_name_their_kind_once(build):
    page = """
    # Tasks

    ::::{exercise} Exit ticket: why?
    :kind: exit-ticket

    :::{question}
    Why?
    :::
    ::::

    ::::{exercise} Weighing aid
    Do it.
    ::::
    """
    html = build({"tasks.md": page}).html("tasks")
    assert "Exit ticket: why?" in html and "Exit ticket: Exit ticket" not in html
    assert "Worksheet: Weighing aid" in html
