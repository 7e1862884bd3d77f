"""A teacher-directive fence MyST does not read as a directive fails the build, in both editions.

Such a fence is ordinary text (an indented code block, a line of a literal block) and would be
published to students; the build scans the raw text of every file a document reads and names
the file and line of each fence that did not run as a directive.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import sphinx_main
from test_bad_input import LESSON_DOC, course, write
from test_directives import lesson_files

SECRET = "ZULU-SECRET the answer is forty"
MESSAGE = (
    "fence is not read as a directive (indented? inside a code block?): its text would reach "
    "students"
)
INCLUDE_CONF = ""  # a file of another suffix is no page

# kind -> (MyST text added at the end of the lesson, the directive named)
BROKEN: dict[str, tuple[str, str]] = {
    "tab-indented": (f"\t:::{{teacher-note}}\n\t{SECRET}\n\t:::\n", "teacher-note"),
    "four spaces": (f"    ```{{guidance}}\n    {SECRET}\n    ```\n", "guidance"),
    "in a code block": (f"````text\n:::{{answer}}\n{SECRET}\n:::\n````\n", "answer"),
    "capitalised, in a code block": (f"```\n:::{{Answer}}\n{SECRET}\n:::\n```\n", "Answer"),
    "in a blockquote, indented": (
        f">     ~~~~{{solution}}\n>     {SECRET}\n>     ~~~~\n",
        "solution",
    ),
    "in a list, as a code block": (
        f"- an item\n\n          :::::{{lesson-plan}}\n          {SECRET}\n          :::::\n",
        "lesson-plan",
    ),
}


def _line_of(text: str, needle: str, *, last: bool = False) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[-1] if last else lines[0]


@pytest.mark.parametrize("edition", ["student", "teacher"])
@pytest.mark.parametrize("kind", BROKEN)
def test_a_fence_not_read_as_a_directive_fails_with_file_and_line(build, kind, edition):
    added, name = BROKEN[kind]
    files = lesson_files()
    lesson = files["lessons/one.md"].lstrip("\n") + "\n" + added
    files["lessons/one.md"] = lesson
    result = build(files, edition=edition)
    line = _line_of(lesson, f"{{{name}}}", last=True)
    path = Path(result.app.srcdir) / "lessons" / "one.md"
    expected = f"{path}:{line}: WARNING: {{{name.lower()}}} {MESSAGE}"
    assert expected in result.warnings, result.warnings
    assert result.warnings.count(MESSAGE) == 1, result.warnings


@pytest.mark.parametrize("edition", ["student", "teacher"])
def test_a_broken_fence_beside_a_real_one_of_the_same_name_is_found(build, edition):
    """MyST puts the real {guidance} of a question a line late; the broken one is still named."""
    files = lesson_files()
    real = "GUIDE-SECRET-CHARLIE the harvest.\n```\n"
    assert real in files["lessons/one.md"]
    lesson = files["lessons/one.md"].replace(
        real, real + f"\n    ```{{guidance}}\n    {SECRET}\n    ```\n"
    )
    files["lessons/one.md"] = lesson.lstrip("\n")
    result = build(files, edition=edition)
    line = _line_of(files["lessons/one.md"], "{guidance}", last=True)
    path = Path(result.app.srcdir) / "lessons" / "one.md"
    assert f"{path}:{line}: WARNING: {{guidance}} {MESSAGE}" in result.warnings, result.warnings
    assert result.warnings.count(MESSAGE) == 1, result.warnings


@pytest.mark.parametrize("edition", ["student", "teacher"])
def test_a_broken_fence_in_an_included_file_is_named_in_that_file(build, edition):
    files = lesson_files()
    files["lessons/one.md"] += "\n```{include} ../parts/extra.inc\n```\n"
    included = f"Extra reading.\n\n    :::{{teacher-note}}\n    {SECRET}\n    :::\n"
    files["parts/extra.inc"] = included
    result = build(files, edition=edition, conf=INCLUDE_CONF)
    path = Path(result.app.srcdir) / "parts" / "extra.inc"
    expected = f"{path}:3: WARNING: {{teacher-note}} {MESSAGE}"
    assert expected in result.warnings, result.warnings
    assert result.warnings.count(MESSAGE) == 1, result.warnings


NESTED = """
::::{teacher-note} Outer
Outer words for the teacher.

:::{guidance}
INNER-SECRET nested guidance.
:::

```{answer}
INNER-ANSWER nested answer.
```
::::

> :::{teacher-only}
> QUOTED-SECRET in a blockquote, read as a directive.
> :::

- A list item.

  ```{teacher-note}
  LISTED-SECRET in a list item, read as a directive.
  ```
"""


@pytest.mark.parametrize("edition", ["student", "teacher"])
def test_nested_and_contained_teacher_directives_build_cleanly(build, edition):
    files = lesson_files()
    files["lessons/one.md"] += NESTED
    files["parts/extra.inc"] = ":::{solution}\nINCLUDED-SECRET in an included file.\n:::\n"
    files["lessons/one.md"] += "\n```{include} ../parts/extra.inc\n```\n"
    result = build(files, edition=edition, conf=INCLUDE_CONF)
    assert result.warnings == ""
    page = result.html("lessons/one")
    for secret in ("INNER-SECRET", "INNER-ANSWER", "QUOTED-SECRET", "LISTED-SECRET", "INCLUDED"):
        assert (secret in page) == (edition == "teacher"), secret


def test_sphinx_build_exits_non_zero_on_a_broken_fence(tmp_path: Path):
    files = course()
    files[LESSON_DOC] = files[LESSON_DOC].lstrip("\n") + f"\n    ```{{guidance}}\n    {SECRET}\n"
    src = write(tmp_path / "src", files)
    result = sphinx_main(src, tmp_path / "out")
    assert result.returncode != 0
    line = _line_of((src / LESSON_DOC).read_text(), "{guidance}", last=True)
    where = rf"{re.escape(str(src / LESSON_DOC))}:{line}: WARNING: \{{guidance\}} fence is not"
    assert re.search(where, result.stderr), result.stderr


SCANNED = """\
Intro.

> ::::{teacher-note} Title
> :class: wide
> See {term}`the commune <commune>` and *read* **this** [the map](map.md) {cite:p}`smith2000`.
>
> :::{note}
> Inner words.
> :::
> ::::

\t~~~~~{answer}
\tTabbed `code` answer.
\t~~~~~

1. ```{guidance}
   Listed guidance.
   ```
Inline ```{guidance}``` mention is no fence.
"""


def test_the_scanner_finds_every_fence_and_reads_its_words():
    from lessonpack.teacherscan import fences

    found = fences(SCANNED)
    assert [(f.name, f.line, f.end) for f in found] == [
        ("teacher-note", 3, 10),
        ("answer", 12, 14),
        ("guidance", 16, 18),
    ]
    note = [line.strip() for line in found[0].text.splitlines() if line.strip()]
    assert note == ["See the commune and read this the map", ".", "Inner words."]
    assert found[1].text.strip() == "Tabbed code answer."
    assert found[2].text.strip() == "Listed guidance."
