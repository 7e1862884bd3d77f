"""Slide decks: one per lesson, 16:9 PDF and PowerPoint, from the lesson's own doctree.

A small course is built by the real ``lessonslides`` builder in both editions; the PDFs are read
with pypdf and pikepdf, the PowerPoint files with python-pptx and converted by Debian's
LibreOffice (``soffice --headless``); the decks ``make`` published for the real course are checked
the same way.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from pptx import Presentation
from pptx.util import Pt
from pypdf import PdfReader

from conftest import BASE_CONF, DIST, REFS, ROOT, dedent, need, write_files
from conftest import sphinx_build as website_build
from lessonpack.check.leaks import find_leaks
from lessonpack.check.texts import output_texts
from lessonpack.manifest import read_manifest
from lessonpack.pdf.render import render_html
from lessonpack.slides import fit
from lessonpack.slides.html import STYLES, deck_html, overflowing
from lessonpack.slides.model import Block, Deck, Run, Slide

FONTS = ROOT / "book" / "_static" / "fonts"
CONF = """
lessonpack_fonts = ["_static/fonts/NotoSerif-Regular.ttf"]
html_static_path = ["_static"]
"""
LONG = "The county reported a record harvest while the granaries stood empty. " * 18
SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="320pt" height="200pt" viewBox="0 0 320 200">
<rect width="320" height="200" fill="#ffffff"/><path d="M10 190 L160 60 L310 20" stroke="#1f3a5f"
stroke-width="6" fill="none"/></svg>
"""

LESSON = """
(lesson-a)=
# Lesson A: harvests

::::{lesson}
:central-question: Why did the harvest of 1959 fail?
:duration: One 50-minute period
:key-terms: commune, quota

:::{objectives}
- Explain the grain quota.
- Judge two sources.
:::
::::

Students read this paragraph about the harvest {cite:p}`smith2000`.

```{figure} ../chart.svg
:alt: A line rising from 1957 to 1959.
:slide: after src-report

Grain reported, 1957 to 1959.
```

::::{source} A county report, 1959
:label: src-report
:who: A county official
:when: Autumn 1959
:cite: smith2000

ORIGINAL-WORDS notwithstanding considerable meteorological irregularities, agricultural
productivity demonstrated unprecedented augmentation throughout the administrative territory.

:::{adapted}
ADAPTED-WORDS the weather was bad, but the harvest was very big.
:::
::::

::::{source} A dropped paraphrase
:label: src-dropped
:who: A farmer
:cite: lee1990
:kind: paraphrase
:slide: no

DROPPED-WORDS the farmer says there was nothing to eat.
::::

:::{slide} Think first
:after: src-report
AUTHOR-SLIDE What is a quota? Say it in your own words.

```{teacher-only}
SLIDE-NOTE-SECRET Expect "the grain a village must sell".
```
:::

::::{discussion}
:::{question}
QUESTION-ONE What did the report claim?

```{guidance}
GUIDE-SECRET-ONE the report claimed a record.
```
:::

:::{question}
QUESTION-TWO-LONG LONGTEXT

```{guidance}
GUIDE-SECRET-TWO the figures were false.
```
:::
::::

```{toctree}
:hidden:
../exercises/a
```
""".replace("LONGTEXT", LONG)

EXERCISE = """
# Exercises for lesson A

::::{exercise} Exit ticket: one sentence
:kind: exit-ticket

:::{question}
EXIT-QUESTION Why did the harvest fail? Answer in one sentence.
:::

```{solution}
KEY-SECRET any sentence that names the quota.
```
::::
"""

GLOSSARY = """
# Glossary

```{glossary}
commune
  COMMUNE-DEFINITION A large collective farm of 1958.

quota
  QUOTA-DEFINITION The grain a village had to sell to the state.
```
"""


def course(lesson: str = LESSON) -> dict[str, str | bytes]:
    fonts = {f"_static/fonts/{p.name}": p.read_bytes() for p in FONTS.glob("NotoSerif-*.ttf")}
    return {
        "lessons/a.md": lesson,
        "exercises/a.md": EXERCISE,
        "glossary.md": GLOSSARY,
        "chart.svg": SVG,
        **fonts,
    }


EPOCH = "1700000000"


def write_course(src: Path) -> Path:
    index = "# Course\n\n```{toctree}\nlessons/a\nglossary\nbibliography\n```\n"
    bibliography = "# Bibliography\n\n```{bibliography}\n```\n"
    files = {"conf.py": BASE_CONF + CONF, "refs.bib": REFS, "index.md": index}
    return write_files(src, {**files, "bibliography.md": bibliography, **course()})


def lessonslides(
    src: Path, out: Path, edition: str, doctrees: Path, *options: str
) -> subprocess.CompletedProcess[str]:
    """``sphinx-build -b lessonslides OPTIONS`` of one edition, in a process of its own, at a
    fixed date; it must succeed."""
    command = [sys.executable, "-m", "sphinx", "-b", "lessonslides", *options]
    command += ["-D", f"lessonpack_edition={edition}", "-d", str(doctrees)]
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    run = subprocess.run(
        [*command, str(src), str(out)], capture_output=True, text=True, env=env, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run


def sphinx_build(src: Path, out: Path, edition: str) -> str:
    """A strict, fresh slide build; its warnings."""
    return lessonslides(src, out, edition, out / ".doctrees", "-q", "-E", "-n").stderr


@pytest.fixture(scope="module")
def decks(tmp_path_factory) -> dict[str, tuple[Path, Path, str]]:
    """The small course's decks, built once: edition -> (pdf, pptx, warnings)."""
    base = tmp_path_factory.mktemp("decks")
    src = write_course(base / "src")
    out = {}
    for edition in ("student", "teacher"):
        warnings = sphinx_build(src, base / edition, edition)
        folder = base / edition / "slides"
        out[edition] = (folder / f"a-{edition}.pdf", folder / f"a-{edition}.pptx", warnings)
    return out


def titles(pptx: Path) -> list[str]:
    deck = Presentation(str(pptx))
    return [slide.shapes[0].text_frame.text for slide in deck.slides]


def text_of(path: Path) -> str:
    return " ".join(output_texts(path, "x")["x"][0].split())


def char_sizes(pdf: Path) -> dict[int, set[float]]:
    """Every drawn character's size in points, by page."""
    sizes: dict[int, set[float]] = {}
    for number, page in enumerate(PdfReader(pdf).pages):

        def visit(text, cm, tm, font, size, number=number):
            if text.strip():
                scale = abs(tm[3] * cm[3]) or 1.0
                sizes.setdefault(number, set()).add(round(size * scale, 2))

        page.extract_text(visitor_text=visit)
    return sizes


def run_sizes(pptx: Path) -> set[float]:
    found = set()
    for slide in Presentation(str(pptx)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                for paragraph in shape.text_frame.paragraphs:
                    found |= {run.font.size.pt for run in paragraph.runs if run.text.strip()}
    return found


def test_a_deck_follows_the_lesson(decks):
    pdf, pptx, warnings = decks["student"]
    assert warnings == ""
    shown = titles(pptx)
    expected_start = [
        "Lesson A: harvests",
        "Central question",
        "Learning objectives",
        "Key terms",
        "Source: A county report, 1959",
        "Think first",  # the author's {slide}, moved :after: src-report
        "Grain reported, 1957 to 1959.",  # written before the source, moved by :slide: after
        "Question 1",
        "Question 2",
        "Question 2 (2/2)",  # a long question split, never set smaller
        "Exit ticket: one sentence",
    ]
    assert shown == expected_start
    assert len(PdfReader(pdf).pages) == len(shown)  # every slide on a page of its own
    for path in (pdf, pptx):
        text = text_of(path)
        for wanted in (
            "Why did the harvest of 1959 fail?",
            "COMMUNE-DEFINITION A large collective farm",  # key terms with their definitions
            "QUOTA-DEFINITION",
            "ADAPTED-WORDS",  # the adapted version of an excerpt, not the original
            "A county official. Autumn 1959",  # its sourcing line
            "AUTHOR-SLIDE",
            "EXIT-QUESTION",
        ):
            assert wanted in text, (wanted, path)
        for unwanted in ("ORIGINAL-WORDS", "DROPPED-WORDS", "A dropped paraphrase"):
            assert unwanted not in text, (unwanted, path)


def test_student_deck_has_no_teacher_text_and_teacher_deck_has_notes(decks):
    student_pdf, student_pptx, _ = decks["student"]
    teacher_pdf, teacher_pptx, warnings = decks["teacher"]
    assert warnings == ""
    secrets = ("GUIDE-SECRET-ONE", "GUIDE-SECRET-TWO", "KEY-SECRET", "SLIDE-NOTE-SECRET")
    for path in (student_pdf, student_pptx):
        assert not any(s in text_of(path) for s in secrets), path
        assert not any(s.encode() in path.read_bytes() for s in secrets), path
    deck = Presentation(str(teacher_pptx))
    notes = {
        slide.shapes[0].text_frame.text: slide.notes_slide.notes_text_frame.text
        for slide in deck.slides
        if slide.has_notes_slide
    }
    assert "GUIDE-SECRET-ONE" in notes["Question 1"]
    assert "GUIDE-SECRET-TWO" in notes["Question 2 (2/2)"]  # on the question's last slide
    assert "KEY-SECRET" in notes["Exit ticket: one sentence"]
    assert "SLIDE-NOTE-SECRET" in notes["Think first"]  # teacher text in an author's {slide}
    assert titles(teacher_pptx) == titles(student_pptx)  # the same slides, notes added
    # The PDF: a notes page after each slide with notes.
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(teacher_pdf).pages]
    assert len(pages) == len(titles(teacher_pptx)) + 4
    first = next(n for n, p in enumerate(pages) if p.startswith("Question 1"))
    assert (
        pages[first + 1].startswith("Notes: Question 1") and "GUIDE-SECRET-ONE" in pages[first + 1]
    )


def test_slides_are_16_by_9_and_no_text_is_below_24_pt(decks):
    for edition in ("student", "teacher"):
        pdf, pptx, _ = decks[edition]
        reader = PdfReader(pdf)
        for page in reader.pages:
            assert (float(page.mediabox.width), float(page.mediabox.height)) == (960, 540)
        sizes = char_sizes(pdf)
        assert len(sizes) == len(reader.pages)  # text on every page
        assert min(min(s) for s in sizes.values()) >= fit.BODY_PT, sizes
        deck = Presentation(str(pptx))
        assert deck.slide_width * 9 == deck.slide_height * 16
        assert deck.slide_width == Pt(960)
        assert min(run_sizes(pptx)) >= fit.BODY_PT


def elements(node: pikepdf.Object, kind: str = "/Figure") -> list[pikepdf.Object]:
    """Every structure element of ``kind`` below ``node``."""
    found = []
    kids = node.get("/K", [])
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary):
            if kid.get("/S") == kind:
                found.append(kid)
            found += elements(kid, kind)
    return found


def test_pdf_is_tagged_with_fonts_embedded_and_a_bookmark_per_group(decks):
    pdf, _, _ = decks["student"]
    with pikepdf.open(pdf) as document:
        assert "/StructTreeRoot" in document.Root and document.Root.MarkInfo.Marked
        assert str(document.Root.Lang) == "en"
        fonts = []
        for page in document.pages:
            for font in page.Resources.Font.values():
                for descendant in font.get("/DescendantFonts", [font]):
                    fonts.append(descendant.FontDescriptor)
        assert fonts and all(("/FontFile2" in f or "/FontFile3" in f) for f in fonts)
        # Named after the book's font (its family from the font file), as the PowerPoint names it.
        names = {str(f.FontName).split("+")[-1] for f in fonts}
        assert names == {"Noto-Serif", "Noto-Serif-Bold", "Noto-Serif-Italic"}
        with document.open_outline() as outline:
            groups = [item.title for item in outline.root]
        figures = [str(e.get("/Alt", "")) for e in elements(document.Root.StructTreeRoot)]
        assert figures == ["A line rising from 1957 to 1959."]  # the chart, with its alt text
    assert groups == [
        "Lesson A: harvests",
        "Central question",
        "Objectives",
        "Key terms",
        "Documents",
        "Think first",
        "Charts and maps",
        "Discussion questions",
        "Exit ticket",
    ]


def render_deck(root: Path, slides: list[Slide], target: Path) -> int | None:
    """Lay ``slides`` out as the builder does, in its build folder; the first that overflows."""
    deck = Deck("lessons/x", "X", "Course", "student", slides)
    html = deck_html(deck, "en", lambda slide: "", teacher=False)
    rendered = render_html(root, html, "slide", target, stylesheets=STYLES)
    return overflowing(len(slides), rendered.pages, rendered.anchors)


def test_long_items_are_split_to_fit_and_a_slide_that_does_not_fit_is_found(decks, tmp_path):
    root = decks["student"][0].parent.parent  # the build folder, with its fonts and styles
    short = [Block((Run(f"Line {n}: the harvest was reported twice."),)) for n in range(40)]
    split = fit.split("custom", "Many short paragraphs", "Many short paragraphs", short)
    assert len(split) > 1
    assert render_deck(root, split, tmp_path / "split.pdf") is None  # each slide fits its page
    crammed = Slide("custom", "Crammed", "Crammed", tuple(short))
    first = Slide("question", "Q", "Q", (Block((Run("One line."),)),))
    assert render_deck(root, [first, crammed, first], tmp_path / "crammed.pdf") == 2


def test_pptx_has_real_text_named_fonts_and_the_figure(decks):
    _, pptx, _ = decks["student"]
    deck = Presentation(str(pptx))
    fonts = {
        run.font.name
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
        for paragraph in shape.text_frame.paragraphs
        for run in paragraph.runs
    }
    assert fonts == {"Noto Serif"}  # the book's own font, named (its family from the font file)
    pictures = [s for slide in deck.slides for s in slide.shapes if s.shape_type == 13]
    assert len(pictures) == 1
    assert pictures[0]._element.nvPicPr.cNvPr.get("descr") == "A line rising from 1957 to 1959."
    assert pictures[0].image.content_type == "image/png"


def test_decks_rebuild_byte_identical(decks, tmp_path):
    """Another build, from a copy of the sources in another folder, gives the same bytes."""
    first = {p.name: p.read_bytes() for e in decks.values() for p in e[:2]}
    src = write_course(tmp_path / "elsewhere")
    again = {}
    for edition in ("student", "teacher"):
        sphinx_build(src, tmp_path / edition, edition)
        for path in sorted((tmp_path / edition / "slides").iterdir()):
            again[path.name] = path.read_bytes()
    assert again == first


def soffice(pptx: list[Path], out: Path) -> list[Path]:
    """Each deck converted to PDF by LibreOffice Impress, headless, in a profile of its own."""
    assert shutil.which("soffice"), "LibreOffice is missing: make test installs libreoffice-impress"
    command = ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{out}/lo"]
    command += ["--convert-to", "pdf", "--outdir", str(out / "pdf"), *map(str, pptx)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    return [out / "pdf" / f"{p.stem}.pdf" for p in pptx]


def test_libreoffice_opens_the_decks(decks, tmp_path):
    files = [decks[e][1] for e in ("student", "teacher")]
    for pptx, pdf in zip(files, soffice(files, tmp_path), strict=True):
        assert pdf.is_file(), f"LibreOffice did not convert {pptx}"
        assert len(PdfReader(pdf).pages) == len(titles(pptx))
        assert "ADAPTED-WORDS" in " ".join(PdfReader(pdf).pages[4].extract_text().split())


def test_a_bad_slide_option_names_file_and_line(build):
    lesson = LESSON.replace(":kind: paraphrase\n:slide: no", ":kind: paraphrase\n:slide: maybe")
    lesson = lesson.replace(":after: src-report", ":after: src-nowhere")
    result = build(course(lesson), builder="lessonslides", conf=CONF)
    lines = dedent(lesson).splitlines()  # as the file is written
    option = next(n for n, line in enumerate(lines, 1) if line == ":slide: maybe")
    directive = next(n for n, line in enumerate(lines, 1) if line == ":::{slide} Think first")
    assert f"lessons/a.md:{option}: WARNING: 'source': Invalid option value for 'slide'" in (
        result.warnings
    ), result.warnings
    assert 'expected "no", "yes" or "after LABEL"' in result.warnings
    assert f"lessons/a.md:{directive}: WARNING: slides: no slide is labelled 'src-nowhere'" in (
        result.warnings
    ), result.warnings
    assert len(result.warnings.splitlines()) == 2  # each once


def test_the_leak_check_reads_a_decks_slides_and_notes(decks, tmp_path):
    """A teacher sentence in a student deck, on a slide or in its speaker notes, is a leak."""
    _, pptx, _ = decks["student"]
    secret = "The inspectors hid the grain reports from the county for three weeks."
    found = [("lessons/a.md", secret)]
    clean = output_texts(pptx, "slides/a-student.pptx")
    assert find_leaks(found, [], clean).leaks == []
    for where in ("slide", "notes"):
        deck = Presentation(str(pptx))
        slide = deck.slides[4]
        if where == "slide":
            slide.shapes[1].text_frame.add_paragraph().text = secret
        else:
            slide.notes_slide.notes_text_frame.text = secret
        planted = tmp_path / f"{where}.pptx"
        deck.save(str(planted))
        outputs = output_texts(planted, f"slides/{where}.pptx")
        leaks = find_leaks(found, [], outputs).leaks
        assert leaks == [("lessons/a.md", secret, f"slides/{where}.pptx")], where


def test_author_slides_stay_out_of_the_website(build):
    result = build(course(), conf=CONF)
    assert result.warnings == ""
    page = result.html("lessons/a")
    assert "AUTHOR-SLIDE" not in page and "ADAPTED-WORDS" in page


# The decks `make` published for the real course -------------------------------------------------


@pytest.fixture(scope="module")
def published_decks() -> dict[str, str]:
    """The decks in dist/.manifest.json: path -> edition."""
    entries = read_manifest(need(DIST))
    return {name: e.edition for name, e in entries.items() if e.format == "slides"}


def test_every_lesson_has_both_decks_in_both_editions(published_decks):
    lessons = sorted(p.stem for p in (ROOT / "lessons").glob("*.md"))
    expected = {
        f"slides/{lesson}-{edition}.{ext}": edition
        for lesson in lessons
        for edition in ("student", "teacher")
        for ext in ("pdf", "pptx")
    }
    assert published_decks == expected


def test_published_decks_are_legible_and_open_in_libreoffice(published_decks, tmp_path):
    counts = {}
    for name in sorted(n for n in published_decks if n.endswith(".pdf")):
        sizes = char_sizes(DIST / name)
        assert min(min(s) for s in sizes.values()) >= fit.BODY_PT, name
        pages = PdfReader(DIST / name).pages
        assert all((float(p.mediabox.width), float(p.mediabox.height)) == (960, 540) for p in pages)
        counts[name] = len(pages)
    decks = [DIST / n for n in sorted(published_decks) if n.endswith(".pptx")]
    for pptx, pdf in zip(decks, soffice(decks, tmp_path), strict=True):
        assert len(PdfReader(pdf).pages) == len(titles(pptx)), pptx
        assert min(run_sizes(pptx)) >= fit.BODY_PT, pptx
        if "-student" in pptx.name:
            assert counts[f"slides/{pptx.stem}.pdf"] == len(titles(pptx))
    for name in (n for n in published_decks if "-student" in n):
        text = text_of(DIST / name)
        assert "Answer guidance" not in text and "Notes:" not in text, name


RANGE = """
:::{range-chart} data/tolls.csv
:category: Who
:low: Low
:high: High
:unit: million excess deaths
:alt: Three estimates, one a bar from 15 to 45.

Estimates of the deaths.
:::
"""
TOLLS = "Who,Low,High\nA (1984),27,27\nB and C (2010),15,45\nD (2013),0,2.5\n"


@pytest.fixture(scope="module")
def graphic_deck(tmp_path_factory) -> Path:
    """One student deck (and website) of the small course with straight apostrophes in titles
    from directives, a line chart moved by ``:slide: after``, a map, a map ``:slide: no`` and a
    range chart."""
    from test_graphics import FILES as GRAPHICS
    from test_graphics import LINE, MAP

    line = LINE.replace("# Births", "").replace(":label: fig-rates", ":slide: after src-report")
    map_ = MAP.replace("# Regions", "")
    dropped = map_.replace(":values:", ":slide: no\n:values:").replace(
        "Death rates by region.", "A map left out."
    )
    lesson = (
        LESSON.replace("# Lesson A: harvests", "# Lesson A: the people's communes")
        .replace("Why did the harvest of 1959 fail?", "Who's to blame for 1959?")
        .replace("{source} A county report, 1959", "{source} A county's report, 1959")
        .replace("{slide} Think first", "{slide} Mao's view")
        .replace("```{toctree}", f"{line}\n{map_}\n{dropped}\n{RANGE}\n```{{toctree}}")
    )
    base = tmp_path_factory.mktemp("graphic-deck")
    src = write_course(base / "src")
    write_files(src, {"lessons/a.md": lesson})
    data = {
        k.removeprefix("graphs/"): v for k, v in GRAPHICS.items() if k.startswith("graphs/data")
    }
    write_files(src / "lessons", {**data, "data/tolls.csv": TOLLS})
    conf = src / "conf.py"
    conf.write_text(conf.read_text() + 'project = "The county\'s course"\n', encoding="utf-8")
    assert sphinx_build(src, base / "out", "student") == ""
    site = website_build(src, base / "site")
    assert site.returncode == 0, site.stderr
    return base


def test_titles_from_directives_are_set_with_curly_quotes(graphic_deck: Path):
    """A lesson's title, a source's title, an author's slide title, the central question and the
    course's name keep no straight apostrophe on any slide, in the PDF and the PowerPoint file
    (smartquotes sets the text it reads; these come from directives' arguments and options)."""
    pdf, pptx = (graphic_deck / "out" / "slides" / f"a-student.{ext}" for ext in ("pdf", "pptx"))
    shown = titles(pptx)
    for title in ("Lesson A: the people\u2019s communes", "Source: A county\u2019s report, 1959"):
        assert title in shown
    assert "Mao\u2019s view" in shown
    assert not [t for t in shown if "'" in t], shown
    for path in (pdf, pptx):
        text = text_of(path)
        for wanted in (
            "Who\u2019s to blame",
            "the people\u2019s communes",
            "The county\u2019s course",
        ):
            assert wanted in text, (path.name, wanted)
        assert "people's" not in text and "county's" not in text, path.name


def test_a_map_is_drawn_for_the_slide(graphic_deck: Path):
    """A {choropleth} on a slide is its slide-sized variant (880 x 340 pt, the picture's box,
    the key beside the map in type for a slide), in the PDF and the PowerPoint deck; the website
    keeps the page's map."""
    out = graphic_deck / "out"
    deck = (out / "_deck" / "a.html").read_text(encoding="utf-8")
    (image,) = set(re.findall(r'<img src="(_images/rates-by-region-slide-\w+\.svg)"', deck))
    svg = (out / image).read_text(encoding="utf-8")
    assert re.search(r'<svg [^>]*width="880pt" height="340pt"', svg)
    pictures = [
        shape
        for slide in Presentation(str(out / "slides" / "a-student.pptx")).slides
        for shape in slide.shapes
        if shape.shape_type == 13  # a picture
    ]
    ratios = {round(p.width / p.height, 2) for p in pictures}
    assert round(880 / 340, 2) in ratios, ratios  # the map's (beside the figure and line chart)
    page = (graphic_deck / "site" / "html" / "lessons" / "a.html").read_text(encoding="utf-8")
    assert re.search(r'src="\.\./_images/rates-by-region-\w+\.svg"', page)
    assert "-slide-" not in page


def test_charts_and_maps_take_the_slide_option(graphic_deck: Path):
    """Every graphic drawn from data takes ``:slide:`` as a figure does (set on the figure of
    its container): a map left out with ``no``, a line chart moved with ``after``."""
    shown = titles(graphic_deck / "out" / "slides" / "a-student.pptx")
    report = shown.index("Source: A county\u2019s report, 1959")
    assert shown[report + 1] == "Births and deaths per 1,000 people."  # moved after the source
    assert "Death rates by region." in shown
    assert "A map left out." not in shown


def glyph_sizes(svg: str) -> set[float]:
    """The type sizes (points, at the SVG's own size) of an SVG whose text matplotlib drew as
    outlines: each glyph is scaled from its 100-unit outline (``scale(0.18 -0.18)``: 18 pt)."""
    return {round(float(s) * 100, 1) for s in re.findall(r"scale\(([0-9.]+) -[0-9.]+\)", svg)}


def test_line_and_range_charts_are_drawn_for_the_slide(graphic_deck: Path):
    """A {line-chart} or {range-chart} on a slide is its slide-sized variant (880 x 340 pt, the
    picture's box, no type under 12 pt where the page's is 9-10 pt), in the PDF and the
    PowerPoint deck; the website keeps the page's chart."""
    out = graphic_deck / "out"
    deck = (out / "_deck" / "a.html").read_text(encoding="utf-8")
    page = (graphic_deck / "site" / "html" / "lessons" / "a.html").read_text(encoding="utf-8")
    assert "-slide-" not in page
    for stem, page_size in (("rates", 'width="374.4pt" height="280.8pt"'), ("tolls", None)):
        (image,) = set(re.findall(rf'<img src="(_images/{stem}-slide-\w+\.svg)"', deck))
        svg = (out / image).read_text(encoding="utf-8")
        assert re.search(r'<svg [^>]*width="880pt" height="340pt"', svg), stem
        assert min(glyph_sizes(svg)) >= 12, (stem, glyph_sizes(svg))
        (shown,) = re.findall(rf'src="\.\./(_images/{stem}-\w+\.svg)"', page)
        on_page = (graphic_deck / "site" / "html" / shown).read_text(encoding="utf-8")
        assert max(glyph_sizes(on_page)) <= 10, stem
        if page_size:
            assert page_size in on_page  # the page's chart as it was drawn before
    pictures = [
        shape
        for slide in Presentation(str(out / "slides" / "a-student.pptx")).slides
        for shape in slide.shapes
        if shape.shape_type == 13  # a picture
    ]
    ratios = [round(p.width / p.height, 2) for p in pictures]
    # The figure's, then the line chart's, the map's and the range chart's: the slide's box.
    assert ratios.count(round(880 / 340, 2)) == 3, ratios
