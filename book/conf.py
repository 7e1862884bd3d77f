# Settings of the book. Logic lives in the lessonpack package (src/lessonpack); content in MyST.
# Sphinx reads the repository root (lessons/ and exercises/ sit beside book/); this folder only
# holds the settings, the front and back matter, and the book's own static files.

project = "The Great Leap Forward and China's Great Famine, 1958–1962"
author = "The Great Leap Forward course authors"
copyright = "2026, the course authors. Text CC BY-SA 4.0"
release = version = "1.0"
language = "en"

root_doc = "book/index"
include_patterns = ["book/**.md", "lessons/**.md", "exercises/**.md"]
# Sphinx walks the whole source folder (the repository) before it filters: skipping the folders
# that hold no pages (the virtual environment, node_modules, builds) saves seconds per build.
exclude_patterns = [
    "book/_static/**",
    "book/data/**",
    ".venv",
    ".git",
    "node_modules",
    "build",
    "dist",
    "src",
    "tests",
]
templates_path = []

extensions = ["myst_parser", "sphinxcontrib.bibtex", "lessonpack"]

# MyST: colon fences for nested directives; no extension that could fetch anything.
# (No MyST "smartquotes": it curls apostrophes while glossary terms are registered, so
# {term}`people's commune` would not match. Sphinx's own smartquotes runs after that.)
myst_enable_extensions = ["colon_fence", "deflist", "substitution"]  # {{ lesson_count_words }}
myst_heading_anchors = 0

# Strict and self-contained: every reference must resolve.
nitpicky = True
smartquotes = True

# Citations: author-year, one bibliography, ids that cannot collide with footnotes.
bibtex_bibfiles = ["references.bib"]
bibtex_reference_style = "author_year"
bibtex_default_style = "lessonpack"  # titles keep their capitals
bibtex_cite_id = "cite-{key}"
bibtex_bibliography_id = "bibliography-{bibliography_count}"

# Student website
html_theme = "sphinx_book_theme"
html_title = "The Great Leap Forward and China's Great Famine"
html_short_title = "The Great Leap Forward"
html_static_path = ["_static"]
html_css_files = ["fonts.css", "book.css"]
html_favicon = "_static/favicon.svg"
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_use_index = False
html_domain_indices = False
html_scaled_image_link = False
html_permalinks_icon = "#"
html_theme_options = {
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "collapse_navbar": True,
    "navigation_with_keys": False,
}

# Student EPUB (builder "lessonepub")
epub_basename = "great-leap-forward"
epub_title = project
epub_author = author
epub_publisher = "The course authors"
epub_copyright = copyright
epub_uid = "urn-uuid-8b5d2c1e-6f3a-4d4c-9a7e-3f1b2c9d5e10"
epub_identifier = epub_uid
epub_scheme = "uuid"
epub_description = (
    "A course for students of 15 to 18 on the Great Leap Forward and China's Great Famine."
)
# The cover image (properties="cover-image", drawn as a PNG at build time for readers that ignore
# SVG) and a cover page showing it, first in the reading order.
epub_cover = ("_static/cover.svg", "lessonpack-epub-cover.html")
epub_use_index = False
epub_show_urls = "no"
# The bundled fonts, so the glossary's Chinese characters show on readers without Chinese fonts.
epub_css_files = ["fonts.css", "book.css"]
# Plain-text licence files have no EPUB media type; the fonts carry their licence in their name tables.
epub_exclude_files = ["_static/fonts/OFL.txt", "_static/fonts/README.md", ".buildinfo.bak"]

# lessonpack
lessonpack_lesson_patterns = ["lessons/*"]
lessonpack_min_reading_words = 1800
lessonpack_max_reading_words = 3000
lessonpack_min_questions = 8
lessonpack_min_sources = 2
lessonpack_require_answers = True
lessonpack_min_grade = 9.0
lessonpack_max_grade = 12.0
# Charts and maps draw their text with this font (book/data holds their data).
lessonpack_chart_font = "_static/fonts/NotoSans-Regular.ttf"
lessonpack_fonts = [
    "_static/fonts/NotoSerif-Regular.ttf",
    "_static/fonts/NotoSerifCJKsc-Subset.otf",
]
lessonpack_pdf_basename = "great-leap-forward"
lessonpack_pdf_papers = ["a4", "letter"]
# The cover's subtitle, per edition: only the teacher's edition has teaching notes.
lessonpack_pdf_subtitle = {
    "student": "A course for students of 15 to 18",
    "teacher": "A course for students of 15 to 18, with teaching notes",
}
# Every PDF, per paper size: the teacher build writes the full pack and one pack per lesson; the
# student build the student book and one photocopiable handout per lesson.
lessonpack_pdf_outputs = [
    {"name": "{basename}-{edition}-{paper}", "mode": "book"},
    {
        "name": "packs/{doc}-teacher-{paper}",
        "mode": "pack",
        "edition": "teacher",
        "documents": ["lessons/*"],
    },
    {
        "name": "packs/{doc}-handout-{paper}",
        "mode": "handout",
        "edition": "student",
        "documents": ["lessons/*"],
    },
    # One printed quiz per version of each lesson's quiz (its items and options shuffled).
    {
        "name": "packs/{doc}-{version}-{paper}",
        "mode": "quiz",
        "edition": "student",
        "documents": ["exercises/*-quiz"],
    },
]
# EPUB Accessibility 1.1: what the EPUB conforms to, and who says so (the gate's DAISY Ace,
# EPUBCheck and axe checks, run on every build).
lessonpack_epub_conformance = {
    "dcterms:conformsTo": "EPUB Accessibility 1.1 - WCAG 2.1 Level AA",
    "a11y:certifiedBy": epub_publisher,
}
lessonpack_epub_accessibility = {
    "accessMode": ["textual", "visual"],
    "accessModeSufficient": ["textual"],
    "accessibilityFeature": [
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "alternativeText",
        "displayTransformability",
    ],
    "accessibilityHazard": ["none"],
    "accessibilitySummary": (
        "Text with headings, a table of contents and alternative text for every chart; every "
        "chart's data is also given as a table. No flashing, motion or sound."
    ),
}
