"""Decks kept from an earlier build whose inputs were the same: an edit writes only its lesson's.

Making a deck resolves the lesson with its worksheets, builds the slides, lays the PDF out (or
finds it in the render cache) and writes the PowerPoint file, every deck in every build. A deck's
key is a hash of everything its two files are made from, known before any of that work:

- the build's own inputs (``pdf.reuse.build_key``: the package, templates, conf.py and every
  setting, the installed packages, ``SOURCE_DATE_EPOCH``, what any document may show of another:
  titles, toctrees, numbers, every domain's data without source line numbers), WeasyPrint's
  code and libraries (``pdf.cache.code_salt``), the bibliography files and the fonts' files;
- the lesson and the documents its toctrees hold, at any depth (doctree as read, metadata), the
  documents that define glossary terms (a slide may show a definition), and the files of the
  images those documents show.

Kept as ``<key>.pdf`` and ``<key>.pptx`` with their record (the number of slides) beside the
doctrees (a :class:`~lessonpack.keyed.KeyedStore`: a deck spoiled since is made again), committed
only when the build ends without a warning (a kept deck warns nothing: its checks passed when it
was made), pruned of every deck the build did not ask for.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..filehash import feed
from ..keyed import KeyedStore
from ..pagereuse import unlined
from ..pdf.cache import code_salt
from ..pdf.reuse import build_key, documents_of, stable

if TYPE_CHECKING:
    from sphinx.builders import Builder

FOLDER = "lessonpack-decks"
SUFFIXES = (".pdf", ".pptx")


class DeckStore:
    """This build's decks: their keys, the kept ones found, the new ones staged."""

    def __init__(self, builder: Builder, extra: list[Path]) -> None:
        self.builder = builder
        self.store = KeyedStore(Path(builder.doctreedir) / FOLDER)
        self.extra = extra  # files every deck is made from (the fonts)
        self.shared: str | None = None
        self.used: set[str] = set()
        self.staged: dict[str, tuple[dict[str, Path], dict[str, Any]]] = {}

    def _shared(self) -> str:
        if self.shared is None:
            builder = self.builder
            env = builder.env
            digest = hashlib.sha256(build_key(builder, {}, unlined).encode())
            digest.update(code_salt().encode())
            confdir = Path(builder.confdir)
            bibs = [confdir / name for name in getattr(builder.config, "bibtex_bibfiles", [])]
            for path in sorted({*bibs, *self.extra}):
                digest.update(str(path).encode() + b"\0")
                if path.is_file():
                    feed(digest, path)
            std = env.domains.standard_domain
            defining = sorted(
                {doc for (kind, _), (doc, _) in std.objects.items() if kind == "term"}
            )
            digest.update(self._documents(defining).encode())
            self.shared = digest.hexdigest()
        return self.shared

    def _documents(self, docnames: list[str]) -> str:
        """The documents' doctrees as read, their metadata and their images' files."""
        env = self.builder.env
        digest = hashlib.sha256()
        doctrees = Path(self.builder.doctreedir)
        for doc in docnames:
            digest.update(b"\0" + doc.encode() + b"\0")
            feed(digest, doctrees / f"{doc}.doctree")
            digest.update(json.dumps(stable(env.metadata.get(doc, {}))).encode())
        srcdir = Path(self.builder.srcdir)
        for image, (users, _name) in sorted(env.images.items()):
            if users & set(docnames):
                path = srcdir / image
                digest.update(image.encode() + b"\0")
                if path.is_file():
                    feed(digest, path)
        return digest.hexdigest()

    def key(self, docname: str) -> str:
        edition = str(self.builder.config.lessonpack_edition)
        parts = [
            self._shared(),
            edition,
            docname,
            self._documents(documents_of(self.builder, docname)),
        ]
        key = hashlib.sha256("\0".join(parts).encode()).hexdigest()
        self.used.add(key)
        return key

    def get(self, key: str, targets: dict[str, Path]) -> dict[str, Any] | None:
        """Copy the kept files of ``key`` to ``targets`` (by suffix); their record, or None."""
        return self.store.copy(key, {suffix: targets[suffix] for suffix in SUFFIXES})

    def stage(self, key: str, files: dict[str, Path], record: dict[str, Any]) -> None:
        """Keep ``files`` under ``key`` if the build ends well (:meth:`commit`)."""
        self.staged[key] = (files, record)

    def commit(self) -> None:
        for key, (files, record) in sorted(self.staged.items()):
            self.store.put(key, {suffix: files[suffix] for suffix in SUFFIXES}, record)
        self.staged = {}

    def prune(self) -> None:
        """Remove every kept deck this build did not ask for."""
        self.store.prune(self.used)
