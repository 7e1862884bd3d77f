"""Every configuration value lessonpack adds to Sphinx, declared in one place."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

EDITIONS = ("student", "teacher")


@dataclass
class LessonpackConfig:
    """Config values (``lessonpack_<name>`` in conf.py) with their defaults.

    The edition defaults to ``student``: a build that forgets to choose never shows answers.
    """

    edition: str = "student"
    # Documents that must each hold exactly one {lesson} block (glob patterns).
    lesson_patterns: list[str] = field(default_factory=lambda: ["lessons/*"])
    # Thresholds the content report enforces per lesson (0 switches a check off).
    min_reading_words: int = 0
    max_reading_words: int = 0
    min_questions: int = 0
    min_sources: int = 0
    # Every question needs {guidance} or {answer}, and every exercise a {solution}.
    require_answers: bool = False
    min_grade: float = 0.0
    max_grade: float = 0.0
    # Paper sizes of the teacher's pack; one PDF is written for each.
    pdf_papers: list[str] = field(default_factory=lambda: ["a4"])
    # Basename of PDF outputs: <basename>-<edition>-<paper>.pdf
    pdf_basename: str = "book"
    # The cover's subtitle: one text, or one per edition ({"student": ..., "teacher": ...}).
    pdf_subtitle: str | dict[str, str] = ""
    # The PDFs to write (see pdf/outputs.py): dicts of name, mode (book, pack or handout),
    # edition and documents. Empty: the whole book, as <basename>-<edition>-<paper>.pdf.
    pdf_outputs: list[dict[str, Any]] = field(default_factory=list)
    # How many levels of the book the PDF's contents page lists.
    pdf_toc_depth: int = 2
    # A book's front (contents lines and worksheets) with more entries than this is laid out in
    # pieces of at most this many, each from a new page (pdf/front.py); 0: always one piece.
    pdf_front_entries: int = 150
    # A book's answer key with more entries (solutions) than this is laid out in pieces of at
    # most this many, cut between the book's parts, each from a new page (pdf/answers.py); 0:
    # always one piece.
    pdf_answer_entries: int = 32
    # A lesson pack laid out a piece per document (lesson, worksheet, quiz, answer key): an edit
    # lays out only the edited document's pages, but a cold build lays each piece out twice (the
    # pack's page count, in every footer, is known after a first round): on the real course
    # 1.3 s less CPU per edit, 22 s more per cold teacher build. False (default): one piece.
    pdf_pack_pieces: bool = False
    # Processes that render PDFs at once; 0: one per available core. The environment variable
    # LESSONPACK_PDF_JOBS overrides it (the benchmark compares 1 with the default).
    pdf_jobs: int = 0
    # A folder shared by every build of the project for slow results that depend only on their
    # input (a lesson's reading grade); empty: none. The Makefile sets build/cache.
    cache_dir: str = ""
    # Font files (relative to conf.py) that must cover every character of the book.
    fonts: list[str] = field(default_factory=list)
    # The font file (relative to conf.py) charts and maps draw their text with; empty:
    # matplotlib's DejaVu Sans. Text is drawn as outlines, so the SVG needs no font to show.
    chart_font: str = ""
    # EPUB accessibility metadata (schema.org terms) written into content.opf.
    epub_accessibility: dict[str, Any] = field(default_factory=dict)
    # EPUB Accessibility conformance, each a <meta property> of content.opf, e.g.
    # {"dcterms:conformsTo": "EPUB Accessibility 1.1 - WCAG 2.1 Level AA", "a11y:certifiedBy": ...}.
    epub_conformance: dict[str, str] = field(default_factory=dict)
    # The folders (relative to the source directory) every file a document reads or ships must
    # lie in (paths.py); empty: the folders include_patterns reads (book/**.md -> book).
    source_dirs: list[str] = field(default_factory=list)
    # Images (images.py): one wider or taller than this is scaled down to it, on its longest side,
    # in the EPUB and the PDFs (the website keeps the original), with a note; 0: never.
    image_max_pixels: int = 2400
    # An image file larger than this (bytes) gets a note: every output carries it; 0: never.
    image_note_bytes: int = 2_000_000


# Settings that take more than their default's type.
MORE_TYPES: dict[str, tuple[type, ...]] = {"pdf_subtitle": (str, dict)}


def subtitle_problem(subtitle: object) -> str:
    """What is wrong with a ``lessonpack_pdf_subtitle`` (empty: nothing)."""
    if not isinstance(subtitle, dict):
        return ""
    wrong = sorted(str(k) for k in set(subtitle) - set(EDITIONS))
    texts = all(isinstance(v, str) for v in subtitle.values())
    if wrong or not texts:
        return (
            "lessonpack_pdf_subtitle must be one text, or one text per edition "
            f"({', '.join(EDITIONS)})" + (f", not {', '.join(wrong)}" if wrong else "")
        )
    return ""


def setup_config(app: Sphinx) -> None:
    """Register each field as ``lessonpack_<name>``; the edition changes what is read."""
    for f in fields(LessonpackConfig):
        default = f.default_factory() if callable(f.default_factory) else f.default  # type: ignore[misc]
        # chart_font: charts are drawn while documents are read, so they must be read again.
        env_values = {"edition", "lesson_patterns", "source_dirs", "chart_font"}
        rebuild = "env" if f.name in env_values else "html"
        if f.name in {"pdf_jobs", "cache_dir"}:
            rebuild = ""  # neither changes any output
        types = list(MORE_TYPES.get(f.name, (type(default),)))
        app.add_config_value(f"lessonpack_{f.name}", default, rebuild, types=types)
    app.connect("config-inited", _validate, priority=100)


def _validate(app: Sphinx, config: Config) -> None:
    from sphinx.errors import ConfigError

    if config.lessonpack_edition not in EDITIONS:
        raise ConfigError(
            f"lessonpack_edition must be one of {', '.join(EDITIONS)}, "
            f"not {config.lessonpack_edition!r}"
        )
    problem = subtitle_problem(config.lessonpack_pdf_subtitle)
    if problem:
        raise ConfigError(problem)
    if config.lessonpack_edition == "student" and config.html_copy_source:
        # Copied sources would carry every teacher passage into the student site.
        raise ConfigError("the student edition needs html_copy_source = False")


def pdf_subtitle(config: Config) -> str:
    """The cover's subtitle for this build's edition."""
    subtitle = config.lessonpack_pdf_subtitle
    if isinstance(subtitle, dict):
        return str(subtitle.get(config.lessonpack_edition, ""))
    return str(subtitle)


def is_teacher(config: Config) -> bool:
    return config.lessonpack_edition == "teacher"
