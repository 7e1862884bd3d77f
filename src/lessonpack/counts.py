"""Figures about the course that its text states, derived from the build instead of typed by hand.

``{{ lesson_count }}`` ("4") and ``{{ lesson_count_words }}`` ("four", in the book's language) are
MyST substitutions
(the ``substitution`` extension must be enabled in ``myst_enable_extensions``): the number of
documents matching ``lessonpack_lesson_patterns``. The same names are in the context of static
templates (``_static/*.jinja``, e.g. an EPUB cover ``cover.svg.jinja``). Adding or removing a
lesson re-reads every document that uses them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .labels import N_, _
from .report import is_lesson_doc

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

# How many lessons, in words, in the book's language (labels.py): a catalogue gives the form
# the word "lessons" wants after it (Spanish: "una", for "una lección").
WORDS = (
    *(N_("zero"), N_("one"), N_("two"), N_("three"), N_("four"), N_("five"), N_("six")),
    *(N_("seven"), N_("eight"), N_("nine"), N_("ten"), N_("eleven"), N_("twelve")),
    *(N_("thirteen"), N_("fourteen"), N_("fifteen"), N_("sixteen"), N_("seventeen")),
    *(N_("eighteen"), N_("nineteen"), N_("twenty")),
)
NAMES = ("lesson_count", "lesson_count_words")


def in_words(number: int) -> str:
    """Words for 0 to 20 (as style guides spell them) in the book's language, digits above."""
    return _(WORDS[number]) if 0 <= number < len(WORDS) else str(number)


def figures(env: BuildEnvironment, docnames: Iterable[str]) -> dict[str, str]:
    count = sum(1 for docname in docnames if is_lesson_doc(env, docname))
    return {"lesson_count": str(count), "lesson_count_words": in_words(count)}


def _uses_figures(env: BuildEnvironment, docname: str) -> bool:
    try:
        text = Path(env.doc2path(docname)).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(name in text for name in NAMES)


def outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """When the figures changed since the last build, the documents that state them."""
    before = getattr(env, "lessonpack_figures", None)
    if before is None or before == figures(env, env.found_docs):
        return []
    return [d for d in sorted(env.found_docs) if d not in changed and _uses_figures(env, d)]


def substitute(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Give MyST the figures of this build before any document is read."""
    found = figures(env, env.found_docs)
    env.lessonpack_figures = found  # type: ignore[attr-defined]
    config = getattr(env, "myst_config", None)
    if config is not None:
        substitutions = {**config.substitutions, **found}
        env.myst_config = dataclasses.replace(config, substitutions=substitutions)  # type: ignore[attr-defined]


def template_context(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Static templates are rendered with the HTML context (after reading, before writing)."""
    app.config.html_context = {**app.config.html_context, **figures(env, env.found_docs)}
    return []


def setup_counts(app: Sphinx) -> None:
    app.connect("env-get-outdated", outdated)
    app.connect("env-before-read-docs", substitute)
    app.connect("env-updated", template_context)
