"""Every label the package prints comes from its message catalogue, in the book's language."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from lessonpack import labels
from lessonpack.check import teachersite

PACKAGE = Path(labels.__file__).parent
CATALOGUES = sorted(labels.LOCALES.glob("*/LC_MESSAGES/lessonpack.po"))
SPANISH = labels.LOCALES / "es" / "LC_MESSAGES" / "lessonpack.po"
TEMPLATE_LABEL = re.compile(r"""lp_\(\s*(["'])(.*?)\1\s*\)""")

LESSON = """
# Una lección

:::{lesson}
:central-question: ¿Por qué?
:duration: 50 minutos

::::{objectives}
- Leer una fuente.
::::
:::

:::{content-advisory}
Texto difícil.
:::

:::{source} Un documento
:label: doc
:who: Un autor
:cite: smith2000
:kind: excerpt

Texto original del documento, largo y difícil de leer para muchos alumnos de la clase.

::::{adapted}
Texto fácil.
::::
:::

:::{teacher-note}
Solo para el docente.
:::

:::{discussion}
::::{question}
¿Qué dice el documento?
::::
:::

:::{exercise} Preguntas
::::{question}
¿Quién lo escribió?
::::
::::{solution}
El autor.
::::
:::
"""

QUIZ = """
# Una prueba

:::::{quiz}
:seed: s1

::::{mc}
¿Quién escribió el documento?

- [ ] Nadie
- [x] Un autor
- [ ] Dos autores
- [ ] Un alumno

```{rationale}
El documento lo dice.
```
::::

::::{short}
¿Por qué?

```{marking}
Cualquier razón del texto.
```
::::
:::::
"""

MAP = """
# Un mapa

:::{choropleth} datos/regiones.geojson
:values: datos/tasas.csv
:region: Región
:value: Tasa
:bins: 20, 30
:unit: Por mil
:note: Fronteras actuales.
:alt: Dos cuadrados.
:source: Un anuario.

Tasas por región.
:::
"""

SQUARES = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[x, 30], [x + 2, 30], [x + 2, 32], [x, 32], [x, 30]]],
                },
            }
            for name, x in (("Este", 110), ("Oeste", 106))
        ],
    }
)


def catalogue(po: Path = SPANISH) -> dict[str, str]:
    with po.open("rb") as source:
        return {m.id: m.string for m in read_po(source) if m.id}


def marked_labels() -> set[str]:
    """Every string passed to _() or N_() in the package's Python, and to lp_() in its
    templates: what the catalogue must translate."""
    found: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"_", "N_"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    for path in sorted(PACKAGE.rglob("*.html")):
        found.update(m.group(2) for m in TEMPLATE_LABEL.finditer(path.read_text("utf-8")))
    return found


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda po: po.parent.parent.name)
def test_every_catalogue_translates_every_marked_label_and_nothing_else(po: Path):
    marked, translated = marked_labels(), catalogue(po)
    assert len(marked) > 40
    assert sorted(marked - set(translated)) == [], "labels the catalogue lacks"
    assert sorted(set(translated) - marked) == [], "translations of labels no code prints"
    assert all(translated.values()), "an empty translation"
    # A placeholder kept, and nothing added: "{title}" in, "{title}" out.
    for english, text in translated.items():
        assert sorted(re.findall(r"{\w+}", english)) == sorted(re.findall(r"{\w+}", text))


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda po: po.parent.parent.name)
def test_the_committed_mo_is_the_po_compiled(tmp_path: Path, po: Path):
    assert SPANISH in CATALOGUES
    copy = tmp_path / po.parent.parent.name / "LC_MESSAGES"
    copy.mkdir(parents=True)
    (copy / po.name).write_bytes(po.read_bytes())
    (compiled,) = labels.compile_catalogues(tmp_path)
    assert compiled.read_bytes() == po.with_suffix(".mo").read_bytes()


def test_a_spanish_book_prints_spanish_labels_and_an_english_one_english(build):
    files = {
        "lessons/una.md": LESSON,
        "extra/prueba.md": QUIZ,
        "extra/mapa.md": MAP,
        "extra/datos/regiones.geojson": SQUARES,
        "extra/datos/tasas.csv": "Región,Tasa\nEste,39.6\nOeste,\n",
    }
    spanish = build(files, edition="teacher", conf='language = "es"\n')
    assert "ERROR" not in spanish.warnings, spanish.warnings
    page = spanish.html("lessons/una")
    for label in (
        "Pregunta central",
        "Objetivos de aprendizaje",
        "Citado de",
        "Duración",
        "Aviso sobre el contenido",
        "Fuente: Un documento",
        "Versión adaptada",
        "Texto original",
        "Quién",
        "Nota para el docente",
        "Preguntas para el debate",
        "Pregunta 1",
        "Hoja de trabajo: Preguntas",
        "Solucionario",
    ):
        assert label in page, label
    for english in ("Central question", "Teacher note", "Question 1", "Adapted version"):
        assert english not in page
    # The teacher site's banner and title, a quiz's labels and answer grid, a map's labels.
    assert "<title>" in page and ": edición para el docente" in page
    assert "Respuestas y notas didácticas, solo para docentes" in page
    assert teachersite.page_problems("una.html", page) == []  # the gate reads it in Spanish
    quiz = spanish.html("extra/prueba")
    for label in (
        "Cuestionario",
        "Pregunta 2",
        "Clave: ",
        "Tabla de respuestas de las versiones impresas",
        "Versión A",
        "respuesta breve (ítem 2)",
        "Criterios de corrección",
    ):
        assert label in quiz, label
    for english in ("Quiz", "Key: ", "Answer grid", "Version A", "short answer", "Marking note"):
        assert english not in quiz, english
    chart = spanish.html("extra/mapa")
    for label in ("Fuente: Un anuario", "Los datos del mapa", "sin datos"):
        assert label in chart, label
    # The next build in this process, in English, is not left with the Spanish catalogue.
    english = build(files, edition="teacher")
    page = english.html("lessons/una")
    assert "Central question" in page and "Teacher note" in page and "Question 1" in page
    assert "Pregunta central" not in page
    quiz = english.html("extra/prueba")
    assert "Answer grid of the printed versions" in quiz and "short answer (item 2)" in quiz
    assert "Key: " in quiz and "Marking note" in quiz and "Version A" in quiz
    chart = english.html("extra/mapa")
    assert "Source: Un anuario" in chart and "no data" in chart
    assert "The data behind the map" in chart


def test_a_spanish_deck_prints_spanish_labels(build):
    result = build({"lessons/una.md": LESSON}, builder="lessonslides", conf='language = "es"\n')
    assert "ERROR" not in result.warnings, result.warnings
    deck = (result.outdir / "_deck" / "una.html").read_text(encoding="utf-8")
    for label in (
        "<title>Una lección: diapositivas</title>",
        "Duración: 50 minutos",  # found by its label: the title slide's subtitle
        'data-group="Pregunta central"',
        'data-group="Objetivos"',
        'data-group="Términos clave"',
        'data-group="Documentos"',
        "Adaptado del original. Un autor. Citado de",  # the who field, found by its label
        'data-group="Preguntas para el debate"',
        "Pregunta 1",
    ):
        assert label in deck, label
