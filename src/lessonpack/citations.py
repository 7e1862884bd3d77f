"""A bibliography style that prints titles as the .bib file writes them, and years that tell
apart works of the same authors and year.

pybtex's styles lower-case article and chapter titles ("Famine in china"), which mangles proper
nouns; history titles are full of them. This is the ``plain`` style without that change.

Two works of the same author(s) in the same year would cite alike under an author-year reference
style ("Dikötter, 2010" twice). As Chicago and APA do, each such work gets a letter after its
year (2010a, 2010b, ...), given in the order of the titles, in the citation and in the
bibliography alike: the style hands sphinxcontrib-bibtex, which formats both from the entries
the style sorted, copies of the entries with the lettered year (the parsed .bib data is left
as it is).

sphinxcontrib-bibtex adds the bibliography after smartquotes ran, so the style sets each entry's
text as smartquotes sets the book's ("Mao’s", “…”), in the book's language; a URL is left as it is.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pybtex.database import Entry
from pybtex.plugin import register_plugin
from pybtex.richtext import BaseMultipartText, HRef, String
from pybtex.style import FormattedEntry
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.template import field, sentence

from .formatted import FormattedStore, entry_key
from .typography import settings, typographic_runs

if TYPE_CHECKING:
    from sphinx.application import Sphinx

STYLE_NAME = "lessonpack"


class TitleCaseStyle(PlainStyle):
    def format_title(self, e: Any, which_field: str, as_sentence: bool = True) -> Any:
        title = field(which_field)
        return sentence[title] if as_sentence else title

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.sorted_by_style = self.sort  # pybtex sets ``sort`` on the instance
        self.sort = self.sort_with_letters

    def sort_with_letters(self, entries: Iterable[Entry]) -> list[Entry]:
        return lettered_years(list(self.sorted_by_style(entries)))

    # The book's language and smartquotes action, set when the builder starts (``_settings``).
    language, action = "en", "qDe"
    # Entries formatted by earlier builds (``formatted.py``), when the builds share a cache folder.
    store: FormattedStore | None = None

    def format_entry(self, label: str, entry: Entry, bib_data: Any = None) -> FormattedEntry:
        """The entry, its text set as smartquotes sets the book's text (sphinxcontrib-bibtex
        adds it after smartquotes ran): "Mao’s", never the .bib file's "Mao's". Kept across
        builds by everything it is made from (``formatted.py``)."""
        store = self.store if bib_data is None else None
        if store is None:
            return self._format(label, entry, bib_data)
        key = entry_key(self, label, entry, self.language, self.action)
        formatted = store.get(key)
        if formatted is None:
            formatted = self._format(label, entry, None)
            store.put(key, formatted)
        return formatted

    def _format(self, label: str, entry: Entry, bib_data: Any) -> FormattedEntry:
        formatted = super().format_entry(label, entry, bib_data=bib_data)
        strings = list(_strings(formatted.text))
        runs = typographic_runs([s.value for s in strings], self.language, self.action)
        for string, run in zip(strings, runs, strict=True):
            string.value = run
        return formatted


def _strings(text: Any) -> Iterator[String]:
    """The plain strings of a formatted entry, in reading order; none inside a link (a URL)."""
    if isinstance(text, String):
        yield text
    elif isinstance(text, BaseMultipartText) and not isinstance(text, HRef):
        for part in text.parts:
            yield from _strings(part)


def _settings(app: Sphinx) -> None:
    TitleCaseStyle.language, TitleCaseStyle.action = settings(app.config)
    folder = app.config.lessonpack_cache_dir
    TitleCaseStyle.store = FormattedStore(Path(folder)) if folder else None


def _save_formatted(app: Sphinx, env: Any) -> None:
    """env-updated, after sphinxcontrib-bibtex formatted the entries: keep the new ones."""
    if TitleCaseStyle.store is not None:
        TitleCaseStyle.store.save()


def lettered_years(entries: list[Entry]) -> list[Entry]:
    """The entries in the same order, those sharing their authors' (else editors') surnames
    and year replaced by copies whose year ends in a letter, given by title."""
    groups: defaultdict[tuple[tuple[str, ...], str], list[Entry]] = defaultdict(list)
    for entry in entries:
        year = entry.fields.get("year", "")
        if year:
            groups[(_surnames(entry), year)].append(entry)
    letters: dict[int, str] = {}
    for group in groups.values():
        if len(group) > 1:
            ordered = sorted(group, key=lambda e: (_plain(e.fields.get("title", "")), e.key))
            letters |= {id(e): _letter(n) for n, e in enumerate(ordered)}
    return [_with_letter(e, letters[id(e)]) if id(e) in letters else e for e in entries]


def _surnames(entry: Entry) -> tuple[str, ...]:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    return tuple(_plain(" ".join(p.prelast_names + p.last_names)) for p in people)


def _plain(text: str) -> str:
    """Text as compared: no braces or TeX commands, case folded, accents kept."""
    text = re.sub(r"\\[A-Za-z]+\s*|[{}]", "", text)
    return unicodedata.normalize("NFC", " ".join(text.split())).casefold()


def _letter(n: int) -> str:
    """a, b, ..., z, aa, ab, ..."""
    return _letter(n // 26 - 1) + chr(ord("a") + n % 26) if n >= 26 else chr(ord("a") + n)


def _with_letter(entry: Entry, letter: str) -> Entry:
    lettered = copy.copy(entry)
    lettered.fields = type(entry.fields)(entry.fields)
    lettered.fields["year"] = f"{entry.fields['year']}{letter}"
    return lettered


def setup_citations(app: Sphinx) -> None:
    register_plugin("pybtex.style.formatting", STYLE_NAME, TitleCaseStyle)
    app.connect("builder-inited", _settings)
    app.connect("env-updated", _save_formatted, priority=900)  # after sphinxcontrib-bibtex's
    # sphinxcontrib-bibtex looks up pybtex's plain-text backend for every citation it resolves,
    # and pybtex finds an installed plugin by scanning every package's entry points (about
    # 12 ms each: 11 of the 13 s the PDF build spent resolving references). A plugin
    # registered at run time is found first, without the scan.
    from pybtex.backends.plaintext import Backend

    register_plugin("pybtex.backends", "plaintext", Backend, force=True)
