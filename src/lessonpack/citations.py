"""A bibliography style that prints titles as the .bib file writes them.

pybtex's styles lower-case article and chapter titles ("Famine in china"), which mangles proper
nouns; history titles are full of them. This is the ``plain`` style without that change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.template import field, sentence

if TYPE_CHECKING:
    from sphinx.application import Sphinx

STYLE_NAME = "lessonpack"


class TitleCaseStyle(PlainStyle):
    def format_title(self, e: Any, which_field: str, as_sentence: bool = True) -> Any:
        title = field(which_field)
        return sentence[title] if as_sentence else title


def setup_citations(app: Sphinx) -> None:
    register_plugin("pybtex.style.formatting", STYLE_NAME, TitleCaseStyle)
    # sphinxcontrib-bibtex looks up pybtex's plain-text backend for every citation it resolves,
    # and pybtex finds an installed plugin by scanning every package's entry points (about
    # 12 ms each: 11 of the 13 s the PDF build spent resolving references). A plugin
    # registered at run time is found first, without the scan.
    from pybtex.backends.plaintext import Backend

    register_plugin("pybtex.backends", "plaintext", Backend, force=True)
