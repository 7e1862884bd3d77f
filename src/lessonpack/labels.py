"""Every label the package prints, in the book's ``language``: ``sphinx.locale`` with our own
message catalogue (domain ``lessonpack``, ``locale/<language>/LC_MESSAGES/lessonpack.po``).

``_`` translates at the moment it is called (a directive's run, a template's render), so call
it where the label is used, never at import; ``N_`` only marks an English label kept in a
module-level table for the catalogue (translate it with ``_`` where it is printed). A language
without a catalogue prints the English labels. The ``.mo`` files are compiled from the ``.po``
files and committed (``python -m lessonpack.labels`` compiles them again, byte for byte the same).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sphinx import locale

if TYPE_CHECKING:
    from sphinx.application import Sphinx

CATALOGUE = "lessonpack"
LOCALES = Path(__file__).parent / "locale"
_translate = locale.get_translation(CATALOGUE)


def _(message: str) -> str:
    """``message`` in the language of the build under way (English without a catalogue)."""
    return str(_translate(message))


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet."""
    return message


def setup_labels(app: Sphinx) -> None:
    # sphinx.locale.init merges catalogues into the one already registered: a second build in
    # the same process (the tests), in another language, would keep the first build's labels.
    locale.translators.pop(("general", CATALOGUE), None)
    app.add_message_catalog(CATALOGUE, str(LOCALES))
    app.connect("html-page-context", _template_labels)


def _template_labels(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    # Sphinx's own ``_`` in templates reads Sphinx's catalogue; ``lp_`` reads ours.
    context["lp_"] = _


def compile_catalogues(root: Path = LOCALES) -> list[Path]:
    """Compile every ``.po`` under ``root`` to the ``.mo`` beside it; return the ``.mo`` files.
    The bytes depend on the ``.po`` only: Babel sorts the messages, and writes the header's
    dates (``POT-Creation-Date``, ``PO-Revision-Date``: keep both in every ``.po``, or Babel
    writes the clock's)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(root.glob(f"*/LC_MESSAGES/{CATALOGUE}.po")):
        with po.open("rb") as source:
            catalogue = read_po(source)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as out:
            write_mo(out, catalogue)
        written.append(mo)
    return written


if __name__ == "__main__":
    for path in compile_catalogues():
        print(path)
    sys.exit(0)
