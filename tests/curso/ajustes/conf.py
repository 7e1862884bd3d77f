# Un segundo curso, diminuto, que no comparte nada con el del repositorio: otras carpetas, otro
# idioma. tests/test_second_course.py lo publica con `make` y `make check`.

project = "La imprenta en Europa, 1450–1550"
author = "Autoras del curso de prueba"
copyright = "2026, las autoras del curso"
release = version = "0.1"
language = "es"

root_doc = "ajustes/inicio"
include_patterns = ["ajustes/**.md", "unidades/**.md", "ejercicios/**.md"]
extensions = ["myst_parser", "sphinxcontrib.bibtex", "lessonpack"]
myst_enable_extensions = ["colon_fence"]
nitpicky = True

bibtex_bibfiles = ["fuentes.bib"]
bibtex_reference_style = "author_year"
bibtex_default_style = "lessonpack"
bibtex_cite_id = "cite-{key}"
bibtex_bibliography_id = "bibliografia-{bibliography_count}"

html_theme = "sphinx_book_theme"
html_title = "La imprenta en Europa"
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_use_index = False
html_domain_indices = False
html_permalinks_icon = "#"
html_theme_options = {
    "home_page_in_toc": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "navigation_with_keys": False,
}

epub_basename = "imprenta"
epub_title = project
epub_author = author
epub_publisher = author
epub_copyright = copyright
epub_uid = "urn-uuid-0f6c3a52-8d1e-4c7b-a9e2-5b4d7c1e9f30"
epub_identifier = epub_uid
epub_scheme = "uuid"
epub_use_index = False
epub_show_urls = "no"
# EPUB Accessibility 1.1: lo que cumple el EPUB y quién lo afirma (las comprobaciones del gate).
lessonpack_epub_conformance = {
    "dcterms:conformsTo": "EPUB Accessibility 1.1 - WCAG 2.1 Level AA",
    "a11y:certifiedBy": epub_publisher,
}

lessonpack_lesson_patterns = ["unidades/*"]
lessonpack_min_questions = 2
lessonpack_min_sources = 1
lessonpack_require_answers = True
lessonpack_pdf_basename = "imprenta"
lessonpack_pdf_outputs = [
    {"name": "{basename}-{edition}-{paper}", "mode": "book"},
    {
        "name": "fichas/{doc}-ficha-{paper}",
        "mode": "handout",
        "edition": "student",
        "documents": ["unidades/*"],
    },
]
lessonpack_epub_accessibility = {
    "accessMode": ["textual"],
    "accessModeSufficient": ["textual"],
    "accessibilityFeature": ["structuralNavigation", "tableOfContents", "readingOrder"],
    "accessibilityHazard": ["none"],
    "accessibilitySummary": (
        "Texto con encabezados y un índice. Sin imágenes, sonido ni movimiento."
    ),
}
