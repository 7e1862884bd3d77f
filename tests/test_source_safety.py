"""Source safety: no file from outside the course, nothing loaded from another host, file names
that make can build, and very large images scaled for print and EPUB.

Each fault is planted in a small project in tmp_path and built for real (in-process Sphinx, or
`sphinx-build` and `make` as the author runs them).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import sphinx_main, write_files

SECRET = "TOP-SECRET-PASSWD-LINE"
OUT = "../../outside"  # from lessons/one.md to the folder beside the project


def outputs_text(folder: Path) -> str:
    """Every byte the build wrote, as text (images and downloads included)."""
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in folder.rglob("*") if p.is_file()
    )


# Files outside the course ---------------------------------------------------------------------

# route -> the markup, from line 5 of lessons/one.md (reStructuredText's include is on line 6)
ROUTES: dict[str, str] = {
    "MyST include": "```{include} ../../outside/secret.txt\n```\n",
    "MyST include, literal": "```{include} ../../outside/secret.txt\n:literal:\n```\n",
    "rst include": "```{eval-rst}\n.. include:: ../../outside/secret.txt\n```\n",
    "rst include, literal": f"```{{eval-rst}}\n.. include:: {OUT}/secret.txt\n   :literal:\n```\n",
    "literalinclude": "```{literalinclude} ../../outside/secret.txt\n```\n",
    "csv-table file": "```{csv-table} Data\n:file: ../../outside/secret.csv\n```\n",
    "raw file": "```{raw} html\n:file: ../../outside/secret.txt\n```\n",
    "markdown image": "![A map](../../outside/secret.png)\n",
    "figure": "```{figure} ../../outside/secret.png\n:alt: A map\n\nThe map.\n```\n",
    "download": "Get {download}`the file <../../outside/secret.txt>`.\n",
    "range-chart": (
        ":::{range-chart} ../../outside/secret.csv\n:category: Who\n:low: Low\n:high: High\n"
        ":alt: Bars.\n:::\n"
    ),
    "symlink in lessons": "```{include} data/notes.txt\n```\n",
    "symlinked folder, literalinclude": "```{literalinclude} linked/secret.txt\n```\n",
}


def secret_files(root: Path) -> None:
    """Files beside the project (outside its source folder) that must never be published."""
    write_files(
        root / "outside",
        {
            "secret.txt": f"{SECRET}\n",
            "secret.csv": f"Who,Low,High\n{SECRET},1,2\n",
            # A PNG with the secret in a text chunk, so a copied image shows up in the outputs.
            "secret.png": png_with_text(SECRET),
        },
    )
    (root / "src" / "lessons" / "data").mkdir(parents=True, exist_ok=True)
    (root / "src" / "lessons" / "data" / "notes.txt").symlink_to(root / "outside" / "secret.txt")
    (root / "src" / "lessons" / "linked").symlink_to(root / "outside", target_is_directory=True)


def png_with_text(text: str) -> bytes:
    import io

    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", text)
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG", pnginfo=info)
    return out.getvalue()


@pytest.mark.parametrize("route", ROUTES)
def test_a_file_outside_the_course_is_refused(build, tmp_path: Path, route: str):
    secret_files(tmp_path)
    markup = ROUTES[route]
    lesson = f"# Lesson\n\nIntro.\n\n{markup}\nAfter.\n"
    result = build({"lessons/one.md": lesson})
    where = re.escape(str(tmp_path / "src" / "lessons" / "one.md"))
    line = 6 if route.startswith("rst") else 5
    secret = re.escape(str(tmp_path / "outside" / "secret"))
    expected = rf"{where}:{line}: (WARNING|ERROR): .*reads {secret}\.\w+, outside the course"
    assert re.search(expected, result.warnings), result.warnings
    assert result.warnings.count("outside the course") == 1, result.warnings  # one message
    assert "copy the file into the course" in result.warnings
    assert SECRET not in outputs_text(result.outdir)


def test_a_symlinked_document_outside_the_course_is_not_read(build, tmp_path: Path):
    secret_files(tmp_path)
    (tmp_path / "outside" / "secret.md").write_text(f"# Secret\n\n{SECRET}\n", encoding="utf-8")
    (tmp_path / "src" / "lessons" / "two.md").symlink_to(tmp_path / "outside" / "secret.md")
    result = build({"lessons/one.md": "# Lesson\n\nIntro.\n"}, conf="")
    where = re.escape(str(tmp_path / "src" / "lessons" / "two.md"))
    assert re.search(rf"{where}:1: WARNING: the document reads .*secret\.md", result.warnings)
    assert SECRET not in outputs_text(result.outdir)


def test_files_inside_the_course_still_work(build, tmp_path: Path):
    shared = "INSIDE-THE-COURSE"
    files = {
        "chapter/one.md": (
            "# Chapter\n\n```{include} ../shared/part.txt\n```\n\n"
            "```{literalinclude} ../shared/code.txt\n```\n\n"
            "![A map](../shared/map.png)\n\nGet {download}`it <../shared/code.txt>`.\n\n"
            "```{eval-rst}\n.. include:: ../shared/part.inc\n```\n"
        ),
        "shared/part.txt": f"{shared} from an include.\n",
        "shared/code.txt": f"{shared} literally\n",
        "shared/part.inc": f"{shared} in reStructuredText.\n",
        "shared/map.png": png_with_text("fine"),
    }
    result = build(files)
    assert result.warnings == ""
    page = result.html("chapter/one")
    assert f"{shared} from an include" in page and "literally" in page
    assert f"{shared} in reStructuredText" in page
    assert (result.outdir / "_images" / "map.png").is_file()
    assert any((result.outdir / "_downloads").rglob("code.txt"))


def test_source_folders_come_from_include_patterns(build, tmp_path: Path):
    """A course that reads lessons/ only: a file in another folder of the source directory is
    outside it too."""
    write_files(tmp_path / "src", {"private/key.txt": f"{SECRET}\n"})
    files = {
        "lessons/index.md": "# Course\n\n```{toctree}\none\n```\n",
        "lessons/one.md": "# Lesson\n\n```{include} ../private/key.txt\n```\n",
    }
    conf = "root_doc = 'lessons/index'\ninclude_patterns = ['lessons/**.md']\n"
    result = build(files, conf=conf)
    where = re.escape(str(tmp_path / "src" / "lessons" / "one.md"))
    expected = rf"{where}:3: WARNING: \{{include\}} reads .*private/key\.txt"
    assert re.search(expected, result.warnings)
    assert "outside the course's source folders (lessons)" in result.warnings
    assert SECRET not in outputs_text(result.outdir)


def test_sphinx_build_fails_on_a_file_outside_the_course(tmp_path: Path):
    from test_bad_input import course

    secret_files(tmp_path)
    files = course()
    files["lessons/one.md"] = f"{files['lessons/one.md']}\n```{{include}} {OUT}/secret.txt\n```\n"
    src = write_files(tmp_path / "src", files)
    result = sphinx_main(src, tmp_path / "out")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    expected = r"lessons/one\.md:\d+: WARNING: \{include\} reads .*secret\.txt, outside"
    assert re.search(expected, result.stderr), result.stderr


# Resources from other hosts -------------------------------------------------------------------

HOST = "cdn.example.net"
# route -> markup from line 5 of lessons/one.md, whose load from another host is on line 5
REMOTE: dict[str, str] = {
    "script (HTML block)": f'<script src="https://{HOST}/track.js"></script>\n',
    "img (inline HTML)": f'A map: <img src="https://{HOST}/map.png" alt="map"> here.\n',
    "protocol-relative": f'<img src="//{HOST}/map.png" alt="map">\n',
    "backslashes": f'<img src="/\\{HOST}/map.png" alt="map">\n',
    "srcset": f'<img src="map.png" srcset="map.png 1x, https://{HOST}/map2.png 2x" alt="m">\n',
    "link stylesheet": f'<link rel="stylesheet" href="https://{HOST}/s.css">\n',
    "iframe": f'<iframe src="https://{HOST}/video" title="v"></iframe>\n',
    "video poster": f'<video controls poster="https://{HOST}/p.jpg"></video>\n',
    "audio source": f'<audio controls><source src="https://{HOST}/a.mp3"></audio>\n',
    "track": f'<video controls><track src="https://{HOST}/t.vtt"></video>\n',
    "object": f'<object data="https://{HOST}/o.swf"></object>\n',
    "embed": f'<embed src="https://{HOST}/e.swf">\n',
    "style attribute": f"<div style=\"background: url('https://{HOST}/bg.png')\">x</div>\n",
    "style element": f'<style>@import "https://{HOST}/fonts.css";</style>\n',
    "meta refresh": f'<meta http-equiv="refresh" content="0; url=https://{HOST}/">\n',
    "raw directive": f'```{{raw}} html\n<script src="https://{HOST}/t.js"></script>\n```\n',
    "markdown image": f"![A map](https://{HOST}/map.png)\n",
    "image directive": f"```{{image}} https://{HOST}/map.png\n:alt: A map\n```\n",
}


@pytest.mark.parametrize("route", REMOTE)
def test_a_resource_from_another_host_is_refused_when_read(build, tmp_path: Path, route: str):
    lesson = f"# Lesson\n\nIntro.\n\n{REMOTE[route]}\nAfter.\n"
    result = build({"lessons/one.md": lesson})
    where = re.escape(str(tmp_path / "src" / "lessons" / "one.md"))
    line = "[56]" if route == "raw directive" else "5"
    expected = rf"{where}:{line}: WARNING: .*loads \S*{HOST}\S* from another host"
    assert re.search(expected, result.warnings), result.warnings
    assert HOST not in outputs_text(result.outdir)
    assert "After." in result.html("lessons/one")


def test_sphinx_build_fails_on_a_script_from_another_host(tmp_path: Path):
    from test_bad_input import course

    files = course()
    script = f'<script src="https://{HOST}/track.js"></script>'
    files["lessons/one.md"] = str(files["lessons/one.md"]).replace(
        "Students read this", f"{script}\n\nStudents read this"
    )
    src = write_files(tmp_path / "src", files)
    line = (src / "lessons" / "one.md").read_text().splitlines().index(script) + 1
    result = sphinx_main(src, tmp_path / "out")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    where = re.escape(str(src / "lessons" / "one.md"))
    expected = rf"{where}:{line}: WARNING: raw HTML: <script src> loads https://{HOST}/track\.js"
    assert re.search(expected, result.stderr), result.stderr


def test_links_and_local_resources_are_fine(build):
    lesson = (
        f'# Lesson\n\nSee <a href="https://{HOST}/page">the archive</a> and [it](https://{HOST}).\n\n'
        '<img src="../map.png" alt="A map">\n\n<img src="data:image/png;base64,AAAA" alt="dot">\n'
    )
    result = build({"lessons/one.md": lesson, "map.png": png_with_text("fine")})
    assert "another host" not in result.warnings, result.warnings
    assert f"https://{HOST}/page" in result.html("lessons/one")


@pytest.mark.parametrize("setting", ["html_js_files", "html_css_files"])
def test_a_setting_that_loads_from_another_host_stops_the_build(tmp_path: Path, setting: str):
    from test_bad_input import course

    files = course()
    files["conf.py"] = f'{files["conf.py"]}\n{setting} = ["https://{HOST}/x"]\n'
    src = write_files(tmp_path / "src", files)
    result = sphinx_main(src, tmp_path / "out")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    line = (src / "conf.py").read_text().splitlines().index(f'{setting} = ["https://{HOST}/x"]') + 1
    expected = (
        rf"{re.escape(str(src / 'conf.py'))}:{line}: WARNING: {setting} loads https://{HOST}/x"
    )
    assert re.search(expected, result.stderr), result.stderr
    assert result.stderr.count("another host") == 1, result.stderr


@pytest.mark.parametrize("builder", ["html", "epub"])
def test_written_pages_and_styles_are_scanned_when_the_build_ends(build, builder: str):
    """Loads that no source shows (a template, a static stylesheet) fail the build too."""
    files = {
        "lessons/one.md": "# Lesson\n\nText.\n",
        "_templates/layout.html": (
            '{% extends "!layout.html" %}\n{% block extrahead %}\n'
            f'<script src="https://{HOST}/analytics.js"></script>\n{{{{ super() }}}}\n'
            "{% endblock %}\n"
        ),
        "_static/extra.css": f'/* fonts */\n@import url("https://{HOST}/fonts.css");\n',
    }
    conf = "templates_path = ['_templates']\nhtml_static_path = ['_static']\n"
    # linked from every page (an EPUB ships only the static files its pages use: epubfiles.py)
    conf += "html_css_files = ['extra.css']\nepub_css_files = ['extra.css']\n"
    result = build(files, builder=builder, conf=conf)
    page = "lessons/one.xhtml" if builder == "epub" else "lessons/one.html"
    page = re.escape(str(result.outdir / page))
    expected = rf"{page}:\d+: WARNING: <script src> loads https://{HOST}/analytics\.js from"
    assert re.search(expected, result.warnings), result.warnings
    css = re.escape(str(result.outdir / "_static" / "extra.css"))
    expected = rf"{css}:2: WARNING: CSS url\(\) loads https://{HOST}/fonts\.css from another"
    assert re.search(expected, result.warnings), result.warnings


# File names -----------------------------------------------------------------------------------


def test_make_refuses_a_file_name_with_a_space_before_building(tmp_path: Path):
    from conftest import make, snapshot
    from test_bad_input import GOOD_LESSON, PNG, course

    write_files(tmp_path / "src", course())
    first = make(tmp_path, "html")
    out, _ = first.communicate(timeout=300)
    assert first.returncode == 0, out
    before = snapshot(tmp_path / "dist")
    assert before
    # An image named as a camera or a file manager names it, and used as Markdown allows.
    write_files(
        tmp_path / "src",
        {
            "lessons/my map.png": PNG,
            "lessons/one.md": GOOD_LESSON + "\n![The region](<my map.png>)\n",
        },
    )
    run = make(tmp_path, "html")
    out, _ = run.communicate(timeout=300)
    assert run.returncode != 0, out
    assert re.search(r'rename "[^"]*/lessons/my map\.png" with letters, digits', out), out
    assert "AUTHORING.md" in out
    assert "sphinx-build" not in out  # refused before any build starts
    assert "Traceback" not in out and "No rule to make target" not in out
    assert snapshot(tmp_path / "dist") == before


# Very large images ----------------------------------------------------------------------------

BIG = (1600, 1200)  # noise, so the PNG is large (about 5.8 MB) and its scaled copy small
IMAGE_CONF = "lessonpack_image_max_pixels = 400\nlessonpack_image_note_bytes = 1_000_000\n"


def big_png() -> bytes:
    import io
    import random

    from PIL import Image

    noise = random.Random(10).randbytes(BIG[0] * BIG[1] * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", BIG, noise).save(out, format="PNG", compress_level=1)
    return out.getvalue()


@pytest.fixture(scope="module")
def photo() -> bytes:
    return big_png()


def image_course(photo: bytes) -> dict[str, str | bytes]:
    return {
        "chapter/one.md": "# Chapter\n\nIntro.\n\n![A photograph](big.png)\n",
        "chapter/big.png": photo,
    }


def test_a_very_large_image_gets_a_note_with_file_and_line(tmp_path: Path, photo: bytes):
    import subprocess
    import sys

    from conftest import BASE_CONF, REFS

    files = {
        "conf.py": BASE_CONF + IMAGE_CONF,
        "refs.bib": REFS,
        "index.md": "# Course\n\n```{toctree}\nchapter/one\n```\n",
        **image_course(photo),
    }
    src = write_files(tmp_path / "src", files)
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        "-W",
        "--keep-going",
        "-n",
        "-q",  # as make runs it: info messages hidden, the note still shown
        str(src),
        str(tmp_path / "out"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    # A note, not a warning: the strict build passes.
    assert result.returncode == 0, result.stderr
    where = re.escape(str(src / "chapter" / "one.md"))
    expected = rf"{where}:5: note: image chapter/big\.png is \d+\.\d MB, 1600×1200 pixels: "
    expected += "the EPUB and PDFs use a copy scaled to 400 pixels"
    assert re.search(expected, result.stderr), result.stderr
    # The website keeps the original.
    assert (tmp_path / "out" / "_images" / "big.png").read_bytes() == photo


def test_a_very_large_image_is_scaled_in_the_epub_deterministically(build, photo: bytes):
    import io
    import zipfile

    from PIL import Image

    first = build(image_course(photo), builder="epub", conf=IMAGE_CONF)
    epub = next(first.outdir.glob("*.epub")).read_bytes()
    scaled = zipfile.ZipFile(io.BytesIO(epub)).read("_images/big.png")
    assert b"tEXt" not in scaled and b"tIME" not in scaled  # no text, no date
    assert len(scaled) < len(photo) / 10
    assert Image.open(io.BytesIO(scaled)).size == (400, 300)
    assert len(epub) < len(photo) / 10
    # Two builds give the same bytes (the second from an empty output folder).
    shutil.rmtree(first.outdir)
    second = build(image_course(photo), builder="epub", conf=IMAGE_CONF)
    epub = next(second.outdir.glob("*.epub")).read_bytes()
    assert zipfile.ZipFile(io.BytesIO(epub)).read("_images/big.png") == scaled


def test_a_very_large_image_is_scaled_in_the_pdf(build, photo: bytes):
    result = build(image_course(photo), builder="lessonpdf", conf=IMAGE_CONF)
    pdfs = list(result.outdir.glob("*.pdf"))
    assert pdfs, result.warnings
    assert all(pdf.stat().st_size < len(photo) / 10 for pdf in pdfs)
    assert (result.outdir / "_images" / "big.png").stat().st_size < len(photo) / 10


THIRD_PARTY = '''
from pathlib import Path
from docutils import nodes
from sphinx.directives.other import Include
from sphinx.util.docutils import SphinxDirective


class Snippet(SphinxDirective):
    """A directive that reads a file by itself and records it, as extensions do."""

    required_arguments = 1

    def run(self):
        _, path = self.env.relfn2path(self.arguments[0])
        self.env.note_dependency(path)
        return [nodes.paragraph(text=Path(path).read_text()[:3])]


def setup(app):
    app.add_directive("other-include", Include)
    app.add_directive("snippet", Snippet)
'''


def test_the_backstop_catches_other_directives(build, tmp_path: Path):
    """Directives lessonpack does not know: an include under another name (its text is dropped)
    and one that records the file it read (the build fails)."""
    secret_files(tmp_path)
    lesson = (
        f"# Lesson\n\nIntro.\n\n```{{other-include}} {OUT}/secret.txt\n```\n\n"
        f"```{{snippet}} {OUT}/secret.csv\n```\n"
    )
    result = build({"lessons/one.md": lesson}, conf=THIRD_PARTY)
    where = re.escape(str(tmp_path / "src" / "lessons" / "one.md"))
    secret = re.escape(str(tmp_path / "outside" / "secret"))
    assert re.search(rf"{where}:5: WARNING: an include reads {secret}\.txt", result.warnings)
    assert re.search(rf"{where}:8: WARNING: the document reads {secret}\.csv", result.warnings)
    assert SECRET not in outputs_text(result.outdir)


def test_make_refuses_a_file_outside_the_course_build_after_build(tmp_path: Path):
    """The refusal repeats in the next build (the document is read again), so a second `make`
    cannot publish what the first refused; dist/ keeps the last good outputs."""
    from conftest import make, snapshot
    from test_bad_input import LESSON_DOC, course

    write_files(tmp_path / "src", course())
    first = make(tmp_path, "html")
    out, _ = first.communicate(timeout=300)
    assert first.returncode == 0, out
    before = snapshot(tmp_path / "dist")
    secret_files(tmp_path)
    lesson = tmp_path / "src" / LESSON_DOC
    lesson.write_text(lesson.read_text() + f"\n```{{include}} {OUT}/secret.txt\n```\n")
    for _ in range(2):
        run = make(tmp_path, "html")
        out, _ = run.communicate(timeout=300)
        assert run.returncode != 0, out
        assert re.search(rf"{re.escape(str(lesson))}:\d+: WARNING: \{{include\}} reads", out), out
        assert snapshot(tmp_path / "dist") == before


@pytest.mark.parametrize("setting", ["html_static_path", "html_extra_path", "templates_path"])
def test_a_setting_naming_a_folder_outside_the_course_is_refused(
    build, tmp_path: Path, setting: str
):
    secret_files(tmp_path)
    conf = f'{setting} = ["../outside"]\n'
    result = build({"lessons/one.md": "# Lesson\n\nText.\n"}, conf=conf)
    conf_py = tmp_path / "src" / "conf.py"
    line = conf_py.read_text().splitlines().index(conf.strip()) + 1
    expected = rf"{re.escape(str(conf_py))}:{line}: WARNING: {setting}: the build reads "
    expected += rf"{re.escape(str(tmp_path / 'outside'))}, outside the course's source folders"
    assert re.search(expected, result.warnings), result.warnings
    assert SECRET not in outputs_text(result.outdir)
