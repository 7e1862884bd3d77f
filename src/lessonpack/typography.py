"""Titles in templates set as the text is set: typographic quotes, no break in a number range.

Sphinx's smartquotes curls the quotes of the text it reads, never the settings templates show
(``project``, a subtitle): a cover would say "China's" beside the text's "China’s". The Jinja
filters here apply the same transform (``smartquotes_action``, the document language), and
``typeset_title`` also keeps a number range ("1958–1962") on one line, so a title never breaks after
"1958–". Registered on every builder with Jinja templates.

``for_config`` gives the same transform as a function, for text the package prints from settings
or data files outside any doctree: what charts and maps draw from a CSV or a directive's options,
the cartridge's title.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

# Two numbers joined by a hyphen, a non-breaking hyphen, an en dash or an em dash; a number may
# hold separators between its digits ("15,000–20,000", "2.5–3", a time "00:00–03:32").
NUMBER_RANGE = re.compile(r"\d+(?:[.,:]\d+)*[-\u2011\u2013\u2014]\d+(?:[.,:]\d+)*")
# Its markup: a class every stylesheet of the package sets to ``white-space: nowrap``
# (lessonpack.css for the site and the EPUB, print.css for the PDFs). A span, not a WORD JOINER
# (U+2060) around the dash, keeps the text itself as written: copied, searched, read aloud.
NOWRAP = r'<span class="lp-nowrap">\g<0></span>'


def typographic(text: str, language: str = "en", action: str = "qDe") -> str:
    """``text`` (plain text, not HTML) with the quotes and dashes Sphinx's smartquotes would
    give it."""
    from docutils.utils.smartquotes import educate_tokens

    if not action:
        return str(text)
    return "".join(educate_tokens([("plain", str(text))], action, language or "en"))


def typographic_runs(runs: list[str], language: str = "en", action: str = "qDe") -> list[str]:
    """Consecutive runs of one text (split by markup), each set as ``typographic`` sets it, the
    quotes judged by the runs around them ("<em>Mao</em>'s": an apostrophe)."""
    from docutils.utils.smartquotes import educate_tokens

    if not action:
        return list(runs)
    return list(educate_tokens([("plain", run) for run in runs], action, language or "en"))


def settings(config: Config) -> tuple[str, str]:
    """The book's language and smartquotes action ("" when ``smartquotes`` is off or
    ``smartquotes_excludes`` names the language)."""
    language = config.language or "en"
    excluded = (config.smartquotes_excludes or {}).get("languages", [])
    action = config.smartquotes_action if config.smartquotes and language not in excluded else ""
    return language, action


def for_config(config: Config) -> Callable[[str], str]:
    """``typographic`` as the book's settings ask (``settings``)."""
    language, action = settings(config)
    return lambda text: typographic(text, language, action)


def nowrap_ranges(escaped: str) -> str:
    """HTML text (already escaped) with each number range in a ``<span class="lp-nowrap">``:
    the same characters, but no line break inside the range ("1959–" / "1961")."""
    return NUMBER_RANGE.sub(NOWRAP, escaped)


def title(text: str, language: str = "en", action: str = "qDe") -> Markup:
    """A title as HTML: typographic, each number range in a span that does not wrap."""
    return Markup(nowrap_ranges(str(escape(typographic(text, language, action)))))


def _register(app: Sphinx) -> None:
    templates = getattr(app.builder, "templates", None)
    environment = getattr(templates, "environment", None)
    if environment is None:
        return
    config = app.config
    typeset = for_config(config)
    environment.filters["typographic"] = typeset
    environment.filters["typeset_title"] = lambda text: title(typeset(text), action="")


def setup_typography(app: Sphinx) -> None:
    app.connect("builder-inited", _register)
