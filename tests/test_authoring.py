"""A new author adds a lesson from AUTHORING.md alone, first time.

The steps of its "Adding a lesson" section are followed literally on a copy of the course: its
commands run, its code blocks pasted where it says, then a strict build. Its examples of a lesson
file are built too: what the guide shows must pass the build it describes.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import BASE_CONF, ROOT, write_files

GUIDE = ROOT / "AUTHORING.md"
FENCE = re.compile(r"^( *)(`{3,})(\w*)\n(.*?)\n\1\2$", re.M | re.S)


def blocks(text: str) -> list[tuple[str, str]]:
    """(language, text) of every outermost fenced block, indentation (list items) removed."""
    return [
        (lang, textwrap.dedent(textwrap.indent(body, indent)))
        for indent, _, lang, body in FENCE.findall(text)
    ]


def section(title: str) -> str:
    """The guide's section of that title, to the next heading of its level outside code."""
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    code = [m.span() for m in FENCE.finditer(text)]
    ends = [
        m.start()
        for m in re.finditer(r"\n## ", text)
        if m.start() > start and not any(a <= m.start() < b for a, b in code)
    ]
    return text[start : ends[0] if ends else None]


def strict_html(src: Path, out: Path, *options: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n", "-q"]
    command += [*options, "-d", str(out / ".doctrees"), str(src), str(out / "html")]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def rename_labels(path: Path, number: str) -> None:
    """Step 2: every label the file defines gets a new name, and so do its references."""
    text = path.read_text(encoding="utf-8")
    labels = re.findall(r"^\(([^)\s]+)\)=$", text, re.M) + re.findall(
        r"^:label: (\S+)$", text, re.M
    )
    for label in labels:
        text = re.sub(rf"(?<![\w-]){re.escape(label)}(?![\w-])", f"{label}-{number}", text)
    path.write_text(text, encoding="utf-8")


def test_a_lesson_added_by_following_the_guide_builds_strictly(tmp_path: Path):
    course = tmp_path / "course"
    for folder in ("book", "lessons", "exercises"):
        shutil.copytree(ROOT / folder, course / folder)
    steps = blocks(section("Adding a lesson"))
    commands = [body for lang, body in steps if lang == "console"]
    toctree = next(body for lang, body in steps if "{toctree}" in body)
    index_line = next(body for lang, body in steps if body.startswith("../lessons/"))

    # 1. the commands, as written
    for line in commands[0].splitlines():
        subprocess.run(shlex.split(line), cwd=course, check=True)
    lesson = course / "lessons" / "05-your-topic.md"
    exercise = course / "exercises" / "05-your-topic.md"
    # 2. new labels in both files
    for path in (lesson, exercise):
        rename_labels(path, "05")
    # 3. the lesson's hidden toctree points at its own exercises
    text = lesson.read_text(encoding="utf-8")
    hidden = re.compile(r"```\{toctree\}\n:hidden:\n.*?\n```", re.S)
    assert len(hidden.findall(text)) == 1
    lesson.write_text(hidden.sub(lambda _: toctree.strip(), text), encoding="utf-8")
    # 4. the line after the last lesson of book/index.md
    index = course / "book" / "index.md"
    lines = index.read_text(encoding="utf-8").splitlines()
    last = max(i for i, line in enumerate(lines) if line.startswith("../lessons/"))
    lines.insert(last + 1, index_line.strip())
    index.write_text("\n".join(lines) + "\n", encoding="utf-8")

    out = tmp_path / "out"
    done = strict_html(course, out, "-c", str(course / "book"), "-D", "lessonpack_edition=student")
    assert done.returncode == 0, done.stdout + done.stderr
    html = out / "html"
    assert (html / "lessons" / "05-your-topic.html").is_file()
    assert "It has five lessons" in (html / "book" / "index.html").read_text(encoding="utf-8")
    assert "Five lessons" in (html / "_static" / "cover.svg").read_text(encoding="utf-8")
    overview = (html / "book" / "front" / "overview.html").read_text(encoding="utf-8")
    assert "five lessons" in overview
    assert not re.search(r"\bfour lessons\b", overview + (html / "book/index.html").read_text())


def bib_entries(*keys: str) -> str:
    """The entries of the course's bibliography that the guide's examples cite."""
    text = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    entries = re.split(r"\n(?=@)", text)
    return "\n".join(e for e in entries if re.match(rf"@\w+\{{({'|'.join(keys)}),", e))


def test_the_guides_lesson_and_exercise_examples_build_strictly(tmp_path: Path):
    """The guide's lesson file, source box, discussion and exercise, put together as it
    describes, build with no warning (every question with its guidance, every term and
    citation found)."""
    examples = blocks(section("A lesson file")) + blocks(section("Source boxes"))
    examples += blocks(section("Discussion questions")) + blocks(
        section("Exercises (worksheets and assessments)")
    )
    lesson_file = next(b for _, b in examples if "::::{lesson}" in b)
    source = next(b for _, b in examples if b.startswith(":::{source}"))
    discussion = next(b for _, b in examples if b.startswith("::::{discussion}"))
    exercise = next(b for _, b in examples if "::::{exercise}" in b)
    toctree = next(b for _, b in examples if b.startswith("```{toctree}"))
    exercise_doc = re.search(r"\.\./(exercises/\S+)", toctree).group(1)
    keys = sorted(set(re.findall(r"\{cite:[pt]\}`(\w+)", lesson_file)) | {"zhou2013"})
    terms = re.search(r":key-terms: (.*)", lesson_file).group(1).split(", ")
    glossary = "# Glossary\n\n```{glossary}\n" + "".join(f"{t}\n  A term.\n\n" for t in terms)
    # What the course requires of a lesson (answers for every question, ...), as book/conf.py.
    book_conf = (ROOT / "book" / "conf.py").read_text(encoding="utf-8")
    requires = re.findall(r"^lessonpack_require_\w+ = .*$", book_conf, re.M)
    assert requires
    files = {
        "conf.py": BASE_CONF + "\n".join(requires) + "\n",
        "refs.bib": bib_entries(*keys),
        "index.md": "# Course\n\n```{toctree}\nlessons/one\nglossary\nbibliography\n```\n",
        "lessons/one.md": "\n\n".join([lesson_file, source, discussion, toctree]),
        f"{exercise_doc}.md": exercise,
        "glossary.md": glossary + "```\n",
        "bibliography.md": "# Bibliography\n\n```{bibliography}\n```\n",
    }
    write_files(tmp_path / "src", files)
    done = strict_html(tmp_path / "src", tmp_path / "out")
    assert done.returncode == 0, done.stdout + done.stderr
