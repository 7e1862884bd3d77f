"""A second course, sharing nothing with this one, published by `make` and passed by `make check`.

``tests/curso/`` is a tiny Spanish course: its own folders (``ajustes/`` holds conf.py, the
bibliography and the glossary; ``unidades/``, ``ejercicios/``), two lessons, one handout per lesson,
``language = "es"``. `make` and the whole gate run on it through SRCDIR, CONFDIR, SOURCE_DIRS,
BUILDDIR and DISTDIR: every gate line passes (the reproducibility check's second build included,
in a copy with a fresh virtual environment), its labels are Spanish in the HTML and the PDFs, and
nothing of this repository's own course reaches its outputs.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT, make
from lessonpack.check.__main__ import CHECKS
from lessonpack.manifest import read_manifest

COURSE = Path(__file__).parent / "curso"
VARIABLES = [
    f"SRCDIR={COURSE}",
    f"CONFDIR={COURSE / 'ajustes'}",
    "SOURCE_DIRS=ajustes unidades ejercicios",
]
GATE_LINE = re.compile(r"^(ok  |FAIL) ([\w-]+): ", re.M)


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The course built, published and checked: (its dist folder, the gate's output)."""
    base = tmp_path_factory.mktemp("curso")
    run = make(base, "check", variables=VARIABLES)
    out, _ = run.communicate(timeout=1500)
    assert run.returncode == 0, out
    return base / "dist", out


def this_courses_names() -> list[str]:
    """The names of this repository's course: title, short titles, file stem, lesson titles."""
    conf = (ROOT / "book" / "conf.py").read_text(encoding="utf-8")
    names = re.findall(r'^(?:project|html_title|html_short_title) = "(.+)"$', conf, re.M)
    names += re.findall(r'^(?:epub_basename|lessonpack_pdf_basename) = "(.+)"$', conf, re.M)
    for lesson in sorted((ROOT / "lessons").glob("*.md")):
        names.append(lesson.stem.split("-", 1)[1])  # "soviet-origins"
        title = re.search(r"^# (.+)$", lesson.read_text(encoding="utf-8"), re.M)
        assert title, lesson
        names.append(title.group(1))
    assert len(names) >= 8 and "Great Leap Forward" in " ".join(names)
    return [*sorted(set(names)), "Great Leap", "Great Famine"]


def texts(dist: Path) -> dict[str, str]:
    """Every published file's text (an EPUB's entries, a PDF's pages and metadata), by name."""
    found: dict[str, str] = {}
    for name in sorted(read_manifest(dist)):
        path = dist / name
        if name.endswith(".epub"):
            with zipfile.ZipFile(path) as epub:
                for entry in epub.namelist():
                    found[f"{name}/{entry}"] = epub.read(entry).decode("utf-8", "replace")
        elif name.endswith(".pdf"):
            reader = PdfReader(path)
            meta = " ".join(str(v) for v in (reader.metadata or {}).values())
            pages = "\n".join(page.extract_text() for page in reader.pages)
            found[name] = f"{meta}\n{pages}"
        else:
            found[name] = path.read_bytes().decode("utf-8", "replace")
    return found


def test_every_gate_line_passes_on_the_second_course(checked: tuple[Path, str]):
    _dist, out = checked
    lines = dict((name, verdict) for verdict, name in GATE_LINE.findall(out))
    assert len(lines) == len(CHECKS) and {"leaks", "links", "reproducible"} <= set(lines), out
    assert set(lines.values()) == {"ok  "}, out
    assert "0 of " in out.split("reproducible:")[1].splitlines()[0], out


def test_its_labels_are_spanish_in_the_html_and_the_pdfs(checked: tuple[Path, str]):
    dist, _out = checked
    page = (dist / "html" / "unidades" / "01-maguncia.html").read_text(encoding="utf-8")
    assert '<html lang="es"' in page
    for label in ("Pregunta central", "Fuente: Un pleito entre socios", "Versión adaptada"):
        assert label in page, label
    assert "Central question" not in page and "Adapted version" not in page
    found = texts(dist)
    teacher = found["imprenta-teacher-a4.pdf"]
    for label in ("Edición para el docente", "Índice", "Hojas de trabajo", "Solucionario"):
        assert label in teacher, label
    for label in ("Nota para el docente", "Orientaciones para la respuesta", "Pregunta 1"):
        assert label in teacher, label
    handout = found["fichas/01-maguncia-ficha-a4.pdf"]
    for label in ("Nombre", "Grupo", "Fecha", "Aviso sobre el contenido", "Quién"):
        assert label in handout, label
    english = ("Teacher note", "Central question", "Contents", "Answer key", "Question 1")
    for name, text in found.items():
        if name.endswith(".pdf"):
            assert not [label for label in english if label in text], name


def test_nothing_of_this_course_reaches_its_outputs(checked: tuple[Path, str]):
    dist, _out = checked
    names = this_courses_names()
    found = texts(dist)
    assert len(found) > 20 and any(".epub/" in name for name in found)
    leaks = sorted(
        f"{file}: {name}" for file, text in found.items() for name in names if name in text
    )
    leaks += sorted(f"file name {file}" for file in found for name in names if name in file)
    assert leaks == []
