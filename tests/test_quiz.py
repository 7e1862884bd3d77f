"""The {quiz} directive: items, keys kept from students, faults at file and line, versions."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import ROOT
from lessonpack.quiz import key_line, version_order

SOURCE = """
(lesson-a)=
# Lesson A

:::{source} A speech
:label: src-a
:who: A leader
:cite: smith2000
:kind: excerpt

We shall overtake Britain in fifteen years, and the people will eat their fill.

::::{adapted}
We will catch up with Britain in fifteen years.
::::
:::
"""


def mc(n: int, key: int = 1, options: int = 4, rationale: bool = True, marks: str = "") -> str:
    lines = [
        f"- [{'x' if i == key or str(i) in marks else ' '}] Option {n}.{i} text"
        for i in range(options)
    ]
    note = f"\n```{{rationale}}\nWhy item {n} is keyed so: the misconception number {n}.\n```\n"
    return (
        f"::::{{mc}}\nWhich is the right answer to item {n}?\n\n"
        + "\n".join(lines)
        + "\n"
        + (note if rationale else "")
        + "::::\n"
    )


SHORT = """::::{short}
:lines: 3
Explain one cause.

```{marking}
Credit an answer that names the procurement quotas and links them to hunger.
```
::::
"""


def quiz_doc(*items: str, seed: str = "s1") -> str:
    body = "\n".join(items)
    head = f"# Quiz A\n\n:::::{{quiz}} Quiz on lesson A\n:seed: {seed}\n\n"
    return f"{head}Answer every question.\n\n{body}:::::\n"


def report(result) -> dict:
    path = Path(result.app.doctreedir) / "lessonpack-report.json"
    return json.loads(path.read_text(encoding="utf-8"))


ITEMS = [mc(n, key=n % 4) for n in range(1, 7)] + [SHORT]


def test_student_edition_has_the_items_but_no_key_or_rationale(build):
    result = build({"quiz.md": quiz_doc(*ITEMS)})
    assert "WARNING" not in result.warnings, result.warnings
    page = result.html("quiz")
    assert page.count("Option 1.") == 4 and "Question 7" in page
    assert "[x]" not in page and "[ ]" not in page
    assert "lp-quiz-key" not in page and "misconception" not in page
    assert "procurement quotas" not in page
    doctree = (Path(result.app.doctreedir) / "quiz.doctree").read_bytes()
    assert b"misconception" not in doctree and b"lp-quiz-key" not in doctree
    [record] = report(result)["documents"]["quiz"]["quizzes"]
    item = record["items"][0]
    assert item["options"] == [f"Option 1.{i} text" for i in range(4)]
    assert "key" not in item and "rationale" not in item
    assert "keys" not in record["versions"]["A"]


def test_teacher_edition_records_key_rationale_marking_and_grid(build):
    result = build({"quiz.md": quiz_doc(*ITEMS)}, edition="teacher")
    assert "WARNING" not in result.warnings, result.warnings
    [record] = report(result)["documents"]["quiz"]["quizzes"]
    assert [i.get("key") for i in record["items"]] == [1, 2, 3, 0, 1, 2, None]
    assert record["items"][0]["rationale"].startswith("Why item 1")
    assert "procurement quotas" in record["items"][6]["marking"]
    page = result.html("quiz")
    assert "Key: B" in page and "Answer grid" in page and "Version B" in page
    for version in ("A", "B"):
        entry = record["versions"][version]
        assert len(entry["keys"].split()) == 12  # six lettered keys, the short answer left out


def test_versions_hold_the_same_items_in_other_orders_with_matching_keys(build):
    result = build({"quiz.md": quiz_doc(*ITEMS)}, edition="teacher")
    [record] = report(result)["documents"]["quiz"]["quizzes"]
    items = record["items"]
    a, b = record["versions"]["A"], record["versions"]["B"]
    assert sorted(a["order"]) == sorted(b["order"]) == list(range(7))
    assert a["order"] != b["order"] and a["order"] != list(range(7))
    for entry in (a, b):
        letters = entry["keys"].split()[1::2]
        mcs = [i for i in entry["order"] if items[i]["kind"] == "mc"]
        for index, letter in zip(mcs, letters, strict=True):
            shown = [items[index]["options"][o] for o in entry["options"][index]]
            assert shown["ABCD".index(letter)] == items[index]["options"][items[index]["key"]]


def test_version_order_is_a_pure_function_of_seed_and_version():
    sizes = [4] * 10 + [0]
    assert version_order("x", "A", sizes) == version_order("x", "A", sizes)
    assert version_order("x", "A", sizes) != version_order("y", "A", sizes)
    assert key_line(["B", "", "D"]) == "1 B 3 D"


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (mc(1, key=-1), "{mc} has no key"),
        (mc(1, marks="2"), "{mc} has 2 keys"),
        (mc(1, options=3), "{mc} has 3 options; it needs 4"),
        (mc(1, rationale=False), "{mc} has no {rationale}"),
        (SHORT.replace("marking", "note"), "{short} has no {marking}"),
    ],
)
def test_each_fault_is_one_warning_at_the_item_line(build, item, message):
    result = build({"quiz.md": quiz_doc(mc(9), item)})
    lines = [w for w in result.warnings.splitlines() if "WARNING" in w]
    assert len(lines) == 1, result.warnings
    assert message in lines[0], lines[0]
    # The faulty item's first line: after the quiz's 7 lines, the good item's 12 and a blank.
    start = 7 + len(mc(9).splitlines()) + 2
    assert quiz_doc(mc(9), item).splitlines()[start - 1] == item.splitlines()[0]
    assert f"quiz.md:{start}:" in lines[0], (start, lines[0])


def test_a_stimulus_quotes_only_its_source_box(build):
    quote = "> We shall overtake Britain ... the people will eat"
    stimulus = f":::{{stimulus}}\n:source: src-a\n{quote}\n\nA leader\n:::\n"
    item = mc(1).replace("::::{mc}\n", "::::{mc}\n" + stimulus, 1)
    files = {"docs/a.md": SOURCE, "quiz.md": quiz_doc(item)}
    result = build(files)
    assert "WARNING" not in result.warnings, result.warnings
    assert "We shall overtake Britain" in result.html("quiz")
    bad = {**files, "quiz.md": files["quiz.md"].replace("the people will eat", "the people starve")}
    result = build(bad)
    assert "{stimulus} quotes words that are not in src-a: 'the people starve'" in result.warnings


def test_the_guides_quiz_example_builds_strictly(build):
    """AUTHORING.md's quiz, with the source box it quotes from lesson 1, builds with no warning
    (its stimulus is found in the box) and shows no key to students."""
    from test_authoring import blocks, section

    [example] = [body for _, body in blocks(section("Quizzes")) if "{quiz}" in body]
    lesson = (ROOT / "lessons" / "01-soviet-origins.md").read_text(encoding="utf-8")
    box = re.search(r"^::::\{source\}.*?\n:label: src-l1-mao-1955\n.*?\n::::$", lesson, re.M | re.S)
    assert box is not None
    box_text = re.sub(r":cite: \w+", ":cite: smith2000", box.group(0))  # in the test's refs
    result = build({"lessons.md": "# Sources\n\n" + box_text, "quiz.md": "# Quiz\n\n" + example})
    assert "WARNING" not in result.warnings, result.warnings
    page = result.html("quiz")
    assert "more than 91 per cent" in page and "lp-quiz-key" not in page


def test_a_rationale_fence_not_read_as_a_directive_fails_the_build(build):
    """The teacher-fence scan knows {rationale} and {marking}: indented into a code block, the
    rationale would print for students."""
    item = mc(1).replace("```{rationale}", "    ```{rationale}")
    result = build({"quiz.md": quiz_doc(item)})
    assert "{rationale} fence is not read as a directive" in result.warnings, result.warnings


def test_a_quiz_without_seed_is_one_warning(build):
    text = quiz_doc(mc(1)).replace(":seed: s1\n", "")
    result = build({"quiz.md": text})
    lines = [w for w in result.warnings.splitlines() if "WARNING" in w]
    assert len(lines) == 1 and "quiz.md:3: WARNING: {quiz} needs :seed:" in lines[0], lines
