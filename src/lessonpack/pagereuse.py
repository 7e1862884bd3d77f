"""Web pages kept from the previous build of the same output folder, when they cannot differ.

Every HTML-family build (the student and teacher websites, the EPUB) writes into an empty
output folder, so that the search index and every shared file are made afresh, as in a clean
build. `make` first moves the previous build's folder aside (``<outdir>.prev``); a page whose
key is the one that build recorded for it is copied from there instead of being translated and
rendered through the theme's templates again. Everything else runs as in a clean build: every
document is resolved and indexed for search, images and static files are copied, the indices,
the search page and the search index are written.

A page's key is a hash of what its bytes are made from:

- the build's own inputs (``pdf.reuse.build_key``: the package, the templates, conf.py and
  every setting, the installed packages, ``SOURCE_DATE_EPOCH``, and what a page may show of
  other documents: titles, toctrees, numbers, every domain's data), the files of
  ``html_static_path`` and ``html_extra_path`` (pages name their stylesheets with a checksum)
  and of every image and download;
- the builder, the page's name and its own doctree as read, with its metadata.

An edit that changes a title, a toctree or a label changes the build's inputs: every page (each
shows the others in its sidebar) is written again. The keys, with each page's SHA-256, are
recorded in ``lessonpack-pages.json`` beside the doctrees when a build ends without an error or
a warning, and deleted when a build starts: a build that warned, failed or was killed leaves
nothing to reuse. A kept page whose bytes are not the recorded ones is written again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.builders.html import StandaloneHTMLBuilder

from .pdf.reuse import build_key, stable
from .records import failed

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx

RECORD_NAME = "lessonpack-pages.json"
ASIDE_SUFFIX = ".prev"


def aside(outdir: Path) -> Path:
    """Where `make` moves the previous build's output folder."""
    return outdir.with_name(outdir.name + ASIDE_SUFFIX)


# Where a domain keeps the source line of an entry (for its warnings): no page shows it, and it
# moves with every line added above the entry.
LINE_FIELDS = {"line", "lineno"}


def unlined(value: Any) -> Any:
    """``value`` as :func:`stable` plain data, without source line numbers: a named tuple's or
    a dict's ``line`` (a citation's, a quiz stimulus's) left out, so that an edit that moves a
    document's lines does not count as a change of what other pages show."""
    return stable(_unlined(value))


def _unlined(value: Any, depth: int = 0) -> Any:
    if depth > 40:
        return value
    fields = getattr(type(value), "__match_args__", None)  # a named tuple's field names
    if isinstance(value, tuple) and isinstance(fields, tuple) and len(fields) == len(value):
        return {
            name: _unlined(item, depth + 1)
            for name, item in zip(fields, value, strict=True)
            if name not in LINE_FIELDS
        }
    if isinstance(value, dict):
        return {
            k: _unlined(v, depth + 1)
            for k, v in value.items()
            if not (isinstance(k, str) and k in LINE_FIELDS)
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_unlined(v, depth + 1) for v in value]
    return value


def _files_digest(digest: Any, paths: list[Path]) -> None:
    for path in sorted(paths):
        if path.is_file():
            digest.update(str(path).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
        elif path.is_dir():
            _files_digest(digest, [p for p in path.rglob("*") if p.is_file()])


class PageReuse:
    """One build's pages: the previous build's keys and what this build wrote or kept."""

    def __init__(self, builder: StandaloneHTMLBuilder) -> None:
        self.builder = builder
        self.record = Path(builder.doctreedir) / RECORD_NAME
        self.previous = aside(Path(builder.outdir))
        self.kept: dict[str, dict[str, str]] = {}
        try:
            data = json.loads(self.record.read_text(encoding="utf-8"))
            self.kept = {str(k): dict(v) for k, v in data["pages"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.kept = {}
        # Nothing is reusable until this build ends well.
        self.record.unlink(missing_ok=True)
        self.shared: str | None = None
        self.keys: dict[str, str] = {}
        self.reused: set[str] = set()

    def _shared(self) -> str:
        if self.shared is None:
            builder = self.builder
            digest = hashlib.sha256(build_key(builder, {}, unlined).encode())
            digest.update(builder.name.encode() + b"\0")
            confdir = Path(builder.confdir)
            config = builder.config
            folders = [*config.html_static_path, *config.html_extra_path]
            _files_digest(digest, [(confdir / f).resolve() for f in folders])
            srcdir = Path(builder.srcdir)
            shown = [*builder.env.images, *builder.env.dlfiles]
            _files_digest(digest, [(srcdir / f).resolve() for f in shown])
            self.shared = digest.hexdigest()
        return self.shared

    def key(self, docname: str) -> str:
        digest = hashlib.sha256(f"{self._shared()}\0{docname}\0".encode())
        digest.update((Path(self.builder.doctreedir) / f"{docname}.doctree").read_bytes())
        digest.update(json.dumps(stable(self.builder.env.metadata.get(docname, {}))).encode())
        self.keys[docname] = key = digest.hexdigest()
        return key

    def reuse(self, docname: str) -> bool:
        """Copy the previous build's page for ``docname`` if it has this key and its bytes."""
        kept = self.kept.get(docname)
        key = self.keys.get(docname)
        if not kept or key is None or kept.get("key") != key:
            return False
        target = Path(self.builder.get_outfilename(docname))
        source = self.previous / target.relative_to(self.builder.outdir)
        try:
            if hashlib.sha256(source.read_bytes()).hexdigest() != kept.get("sha256"):
                return False
        except OSError:
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        self.reused.add(docname)
        return True

    def save(self) -> None:
        """The keys of every page this build wrote or kept, with its bytes' SHA-256."""
        pages = {}
        for docname, key in sorted(self.keys.items()):
            path = Path(self.builder.get_outfilename(docname))
            if path.is_file():
                sha = hashlib.sha256(path.read_bytes()).hexdigest()
                pages[docname] = {"key": key, "sha256": sha, "reused": docname in self.reused}
        tmp = self.record.with_name(f".{self.record.name}.tmp")
        tmp.write_text(json.dumps({"pages": pages}, indent=1, sort_keys=True) + "\n", "utf-8")
        os.replace(tmp, self.record)


class ReusingPages:
    """A mixin for HTML-family builders: :meth:`write_doc` keeps a page that cannot differ."""

    pages: PageReuse | None = None

    def write_doc_serialized(self, docname: str, doctree: nodes.document) -> None:
        # In the main process (write_doc may run in another, when Sphinx writes in parallel).
        if self.pages is not None:
            self.pages.key(docname)
        super().write_doc_serialized(docname, doctree)  # type: ignore[misc]

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        if self.pages is None or not self.pages.reuse(docname):
            super().write_doc(docname, doctree)  # type: ignore[misc]


class ReusingHTMLBuilder(ReusingPages, StandaloneHTMLBuilder):
    """Sphinx's HTML builder, keeping unchanged pages (replaces the stock ``html``)."""

    name = "html"


def _start(app: Sphinx) -> None:
    """builder-inited: the previous build's keys read, and deleted until this build ends well."""
    if isinstance(app.builder, ReusingPages):
        app.builder.pages = PageReuse(app.builder)  # type: ignore[arg-type]


def _save(app: Sphinx, exception: Exception | None) -> None:
    pages = getattr(app.builder, "pages", None)
    if isinstance(pages, PageReuse) and exception is None and not failed(app):
        pages.save()


def setup_pagereuse(app: Sphinx) -> None:
    app.add_builder(ReusingHTMLBuilder, override=True)
    app.connect("builder-inited", _start)
    app.connect("build-finished", _save, priority=800)  # before records (900)
