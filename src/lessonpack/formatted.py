"""Formatted bibliography entries kept across builds, so an edit formats no entry again.

sphinxcontrib-bibtex formats every entry of every bibliography when the environment is updated,
in every build, whatever changed (about 0.3 s of CPU a build for 63 entries, twice each: the
entry and its tooltip). Its public hook is the pybtex style it is given (``bibtex_default_style``:
ours, ``citations.TitleCaseStyle``), whose ``format_entry`` is asked for each entry; that method
asks this store first. An entry is kept by everything its text is made from: the label, the entry
as the style sees it (type, key, every field in order, with the year's letter the style gave,
every person's names by role), the book's language and smartquotes action, the style's class, the
versions of pybtex, sphinxcontrib-bibtex and docutils, and the source of the modules that set
the text (``citations.py``, ``typography.py``, this one). A changed .bib entry or a new citation
that changes an entry's label or year is a new key, formatted and kept.

The store is a :class:`~.keyed.KeyedStore` in the shared ``lessonpack_cache_dir``
(``formatted-entries/``: a pickle per entry, which the builds of one ``make`` read; a build keeps
the entries it formatted when the environment is updated). Each entry found is unpickled afresh
(the caller owns it); a spoiled one is formatted again.
"""

from __future__ import annotations

import hashlib
import pickle
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from .filehash import feed
from .keyed import KeyedStore

FOLDER = "formatted-entries"
SUFFIX = ".pickle"
PACKAGES = ("pybtex", "sphinxcontrib-bibtex", "docutils")
CODE = ("citations.py", "typography.py", "formatted.py")
# Entries kept beyond those a build used (older versions of edited entries) before it prunes.
SLACK = 4


@cache
def salt() -> str:
    """The packages' versions and the source of the modules that make an entry's text."""
    digest = hashlib.sha256()
    for name in PACKAGES:
        digest.update(f"{name}=={metadata.version(name)}\0".encode())
    here = Path(__file__).parent
    for name in CODE:
        feed(digest, here / name)
    return digest.hexdigest()


def entry_key(style: Any, label: str, entry: Any, language: str, action: str) -> str:
    """Everything the formatted text of ``entry`` under ``label`` is made from, in one hash."""
    persons = {
        role: [
            [
                p.first_names,
                p.middle_names,
                p.prelast_names,
                p.last_names,
                p.lineage_names,
            ]
            for p in people
        ]
        for role, people in entry.persons.items()
    }
    parts = [
        salt(),
        f"{type(style).__module__}.{type(style).__qualname__}",
        repr(
            [
                type(getattr(style, attribute, None)).__name__
                for attribute in ("label_style", "name_style", "sort_style")
            ]
        ),
        repr(getattr(style, "abbreviate_names", None)),
        language,
        action,
        label,
        entry.type,
        entry.key,
        repr(list(entry.fields.items())),
        repr(sorted(persons.items())),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


class FormattedStore:
    """The kept entries of one cache folder; those a build formatted are kept when it saves."""

    def __init__(self, folder: Path) -> None:
        self.store = KeyedStore(folder / FOLDER)
        self.added: dict[str, bytes] = {}
        self.formatted = 0  # entries this process formatted (found none kept)

    @property
    def used(self) -> set[str]:
        return self.store.used

    def get(self, key: str) -> Any | None:
        kept = self.added.get(key)
        if kept is None:
            kept = self.store.get(key, SUFFIX)
        self.used.add(key)
        if kept is None:
            return None
        try:
            return pickle.loads(kept)
        except (EOFError, ValueError, TypeError, AttributeError, ImportError, pickle.PickleError):
            return None

    def put(self, key: str, formatted: Any) -> None:
        self.formatted += 1
        self.used.add(key)
        self.added[key] = pickle.dumps(formatted, protocol=pickle.HIGHEST_PROTOCOL)

    def save(self) -> None:
        """Keep the entries this build formatted; entries no build used lately are pruned."""
        if not self.added:
            return
        for key, data in sorted(self.added.items()):
            self.store.put(key, {SUFFIX: data})
        self.store.prune(limit=SLACK * max(len(self.used), 1))
        self.added = {}
