"""lessonpack: publish a MyST course as a student website, a student EPUB and a teacher's pack."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.util.typing import ExtensionMetadata

__version__ = "0.1.0"
# Bumped when what this package stores in the Sphinx environment changes shape: old environments
# are then read again from scratch.
ENV_VERSION = 3  # 2: the report's texts in files beside the doctrees (report.py); 3: the quizzes
# there too; a quiz's source boxes by label and stimuli by number only (texts in files: quiz.py)
STATIC = Path(__file__).parent / "static"


def setup(app: Sphinx) -> ExtensionMetadata:
    # Imported here, so that the command-line tools (publish, fonts, sysdeps) start fast.
    from .allocator import fix_thresholds
    from .bibcheck import setup_bibcheck
    from .charts import setup_charts
    from .choropleth import setup_choropleth
    from .citations import setup_citations
    from .collector import setup_collector
    from .compiledtemplates import setup_compiledtemplates
    from .config import setup_config
    from .counts import setup_counts
    from .doctreefiles import setup_doctreefiles
    from .epub import setup_epub
    from .flashcards import setup_flashcards
    from .fonts import setup_fonts
    from .graphics import setup_graphics
    from .handback import setup_handback
    from .images import setup_images
    from .labels import setup_labels
    from .lean import setup_lean
    from .lesson import setup_lesson
    from .linechart import setup_linechart
    from .locations import setup_locations
    from .messages import setup_messages
    from .organiser import setup_organiser
    from .pagereuse import setup_pagereuse
    from .paths import setup_paths
    from .pdf import setup_pdf
    from .questions import setup_questions
    from .quiz import setup_quiz
    from .rawhtml import setup_rawhtml
    from .records import setup_records
    from .report import setup_report
    from .segments import setup_segments
    from .site import setup_site
    from .slides import setup_slides
    from .sourcebox import setup_sources
    from .sourcecheck import setup_sourcecheck
    from .teacher import setup_teacher
    from .teachersite import setup_teachersite
    from .translator import setup_translators
    from .typography import setup_typography

    fix_thresholds()  # before the build allocates: large blocks given back (allocator.py)
    setup_labels(app)  # first: every label is translated while reading
    setup_collector(app)
    setup_messages(app)
    setup_lean(app)
    setup_handback(app)
    setup_doctreefiles(app)
    setup_config(app)
    setup_locations(app)
    setup_citations(app)
    setup_bibcheck(app)
    setup_teacher(app)
    setup_lesson(app)
    setup_questions(app)
    setup_sources(app)
    setup_organiser(app)
    setup_quiz(app)
    setup_flashcards(app)
    setup_segments(app)
    setup_charts(app)
    setup_graphics(app)
    setup_linechart(app)
    setup_choropleth(app)
    setup_report(app)
    setup_epub(app)
    setup_pagereuse(app)
    setup_fonts(app)
    setup_pdf(app)
    setup_translators(app)
    setup_site(app)
    setup_compiledtemplates(app)
    setup_teachersite(app)
    setup_sourcecheck(app)
    setup_records(app)
    setup_paths(app)
    setup_rawhtml(app)
    setup_images(app)
    setup_counts(app)
    setup_typography(app)
    setup_slides(app)  # last: it adds :slide: to the directives registered above
    app.connect("doctree-read", _number_questions)
    app.connect("config-inited", _add_static)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }


def _number_questions(app: Sphinx, doctree: nodes.document) -> None:
    from .questions import number_questions

    number_questions(doctree)


def _add_static(app: Sphinx, config: Config) -> None:
    # Component styles (boxes, questions, sources) shared by the site, the EPUB and the PDF.
    config.html_static_path.append(str(STATIC))
    app.add_css_file("lessonpack.css")
