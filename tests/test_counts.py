"""The number of lessons the text states is counted by the build: the MyST substitutions
``{{ lesson_count }}`` and ``{{ lesson_count_words }}`` and the static templates (an EPUB cover)
follow the lessons of the build, and adding a lesson re-reads the pages that state it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import BASE_CONF, REFS, write_files
from lessonpack.counts import in_words
from test_directives import GLOSSARY, LESSON

CONF = 'myst_enable_extensions = ["colon_fence", "substitution"]\nhtml_static_path = ["_static"]\n'
INDEX = """\
# Course

It has {{ lesson_count_words }} lessons ({{ lesson_count }}).

```{toctree}
TOC
glossary
bibliography
```
"""
COVER = (
    '<svg xmlns="http://www.w3.org/2000/svg">'
    "<text>{{ lesson_count_words|capitalize }} lessons</text></svg>\n"
)


def lesson(n: int) -> str:
    return (
        LESSON.replace("lesson-one", f"lesson-{n}")
        .replace("src-letter", f"src-letter-{n}")
        .replace("# Lesson one", f"# Lesson {n}")
    )


def course(src: Path, lessons: int) -> None:
    names = [f"lessons/l{n}" for n in range(1, lessons + 1)]
    write_files(
        src,
        {
            "conf.py": BASE_CONF + CONF,
            "refs.bib": REFS,
            "index.md": INDEX.replace("TOC", "\n".join(names)),
            "glossary.md": GLOSSARY,
            "bibliography.md": "# Bibliography\n\n```{bibliography}\n```\n",
            "_static/cover.svg.jinja": COVER,
            **{f"{name}.md": lesson(n) for n, name in enumerate(names, 1)},
        },
    )


def sphinx(builder: str, src: Path, out: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sphinx", "-b", builder, "-W", "--keep-going", "-n", "-q"]
    command += ["-d", str(out / ".doctrees"), str(src), str(out / builder)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_numbers_in_words():
    assert [in_words(n) for n in (1, 4, 5, 20, 21)] == ["one", "four", "five", "twenty", "21"]


def test_the_lesson_count_follows_the_lessons_even_in_an_incremental_build(tmp_path: Path):
    src, out = tmp_path / "src", tmp_path / "out"
    course(src, 2)
    done = sphinx("html", src, out)
    assert done.returncode == 0, done.stderr
    assert "It has two lessons (2)." in (out / "html" / "index.html").read_text()
    assert "Two lessons" in (out / "html" / "_static" / "cover.svg").read_text()
    course(src, 3)  # a lesson added; index.md's text is unchanged, but states the count
    done = sphinx("html", src, out)
    assert done.returncode == 0, done.stderr
    assert "It has three lessons (3)." in (out / "html" / "index.html").read_text()
    assert "Three lessons" in (out / "html" / "_static" / "cover.svg").read_text()


def test_the_epub_cover_is_rendered_from_its_template(tmp_path: Path):
    src, out = tmp_path / "src", tmp_path / "out"
    course(src, 1)
    extra = 'epub_cover = ("_static/cover.svg", "")\ncopyright = "2026"\nversion = release = "1"\n'
    (src / "conf.py").write_text(BASE_CONF + CONF + extra)
    done = sphinx("epub", src, out)
    assert done.returncode == 0, done.stderr
    # The EPUB ships the cover drawn as a PNG from the rendered SVG (epubcover.py), not the SVG.
    assert (out / "epub" / "_static" / "cover.png").is_file()
    done = sphinx("html", src, out)
    assert done.returncode == 0, done.stderr
    assert "One lessons" in (out / "html" / "_static" / "cover.svg").read_text()


def test_the_count_in_words_is_in_the_books_language(tmp_path: Path):
    """A Spanish book says "dos", in its pages and its static templates (Spanish catalogue)."""
    src, out = tmp_path / "src", tmp_path / "out"
    course(src, 2)
    (src / "conf.py").write_text(BASE_CONF + CONF + 'language = "es"\n', encoding="utf-8")
    done = sphinx("html", src, out)
    assert done.returncode == 0, done.stderr
    assert "It has dos lessons (2)." in (out / "html" / "index.html").read_text()
    assert "Dos lessons" in (out / "html" / "_static" / "cover.svg").read_text()
