"""Titles in templates set as the text is set: typographic quotes, no break in a number range.

Sphinx's smartquotes curls the quotes of the text it reads, never the settings templates show
(``project``, a subtitle): a cover would say "China's" beside the text's "China’s". The Jinja
filters here apply the same transform (``smartquotes_action``, the document language), and
``typeset_title`` also keeps a number range ("1958–1962") on one line, so a title never breaks after
"1958–". Registered on every builder with Jinja templates.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from sphinx.application import Sphinx

# Two numbers joined by a hyphen, a non-breaking hyphen, an en dash or an em dash.
NUMBER_RANGE = re.compile(r"\d+[-\u2011\u2013\u2014]\d+")


def typographic(text: str, language: str = "en", action: str = "qDe") -> str:
    """``text`` with the quotes and dashes Sphinx's smartquotes would give it."""
    from docutils.utils.smartquotes import smartyPants

    return smartyPants(str(text), action, language or "en") if action else str(text)


def title(text: str, language: str = "en", action: str = "qDe") -> Markup:
    """A title as HTML: typographic, each number range in a span that does not wrap."""
    escaped = str(escape(typographic(text, language, action)))
    return Markup(NUMBER_RANGE.sub(r'<span class="lp-nowrap">\g<0></span>', escaped))


def _register(app: Sphinx) -> None:
    templates = getattr(app.builder, "templates", None)
    environment = getattr(templates, "environment", None)
    if environment is None:
        return
    config = app.config
    action = config.smartquotes_action if config.smartquotes else ""
    language = config.language or "en"
    environment.filters["typographic"] = lambda text: typographic(text, language, action)
    environment.filters["typeset_title"] = lambda text: title(text, language, action)


def setup_typography(app: Sphinx) -> None:
    app.connect("builder-inited", _register)
