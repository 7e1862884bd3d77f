"""Web pages kept from the previous build of the same output folder, when they cannot differ.

Every HTML-family build (the student and teacher websites, the EPUB) writes into an empty
output folder, so that the search index and every shared file are made afresh, as in a clean
build. `make` first moves the previous build's folder aside (``<outdir>.prev``); a page whose
key is the one that build recorded for it is copied from there instead of being translated and
rendered through the theme's templates again, and without being resolved: what the build needs
of a kept page besides its file (its images, its entries in the search index) comes from a
skeleton of its resolved doctree that the build that wrote it pickled (``keptwords``:
``lessonpack-pages/<key>.words.pickle`` beside the doctrees, beside the whole resolved doctree,
``<key>.pickle``, for other steps that read a page's resolved doctree), fed to the builder in the
place a clean build feeds it (pages in name order, as Sphinx writes them). Everything else runs
as in a clean build: images and static files are copied, and the search index is written.

The files a build writes besides its documents' pages (the search page, the general and domain
indices, the pages of ``html-collect-pages`` handlers such as the website's front door, the
EPUB's cover page, its nav.xhtml and toc.ncx) are kept the same way, each by the build's inputs,
its name and what it is rendered from besides them (a page's template and context: the general
index's entries, the front door's body); they are rendered again only when one of these changed.

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
nothing to reuse. A kept page whose bytes are not the recorded ones, or whose resolved doctree is
missing or unreadable, is written again.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from collections.abc import Callable, Iterable, Set
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.locale import __
from sphinx.util.build_phase import BuildPhase
from sphinx.util.display import status_iterator
from sphinx.util.logging import pending_warnings

from .filehash import feed, file_digest, sha256
from .keptwords import skeleton
from .pdf.reuse import build_key, stable
from .records import failed

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx

RECORD_NAME = "lessonpack-pages.json"
ASIDE_SUFFIX = ".prev"
# Beside the doctrees: each written page's resolved doctree, named by the page's key.
RESOLVED_DIR = "lessonpack-pages"
WORDS_SUFFIX = ".words.pickle"


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


def ordered(value: Any, depth: int = 0) -> Any:
    """``value`` as :func:`stable` plain data, but with lists and dicts in their order: what a
    template iterates over is shown in that order (the general index's entries)."""
    if depth > 40:
        return type(value).__name__
    if isinstance(value, (list, tuple)):
        return [ordered(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return [[ordered(k, depth + 1), ordered(v, depth + 1)] for k, v in value.items()]
    if hasattr(value, "__dict__") and not isinstance(value, (str, Path)):
        return [type(value).__name__, ordered(vars(value), depth + 1)]
    return stable(value, depth)


def _files_digest(digest: Any, paths: list[Path]) -> None:
    for path in sorted(paths):
        if path.is_file():
            digest.update(str(path).encode() + b"\0" + file_digest(path))
        elif path.is_dir():
            _files_digest(digest, [p for p in path.rglob("*") if p.is_file()])


def _pickled(doctree: nodes.document) -> bytes:
    """Pickled as Sphinx pickles a doctree: without the environment, reporter, transformer."""
    saved = doctree.reporter, doctree.transformer, doctree.settings
    settings = doctree.settings
    doctree.reporter = doctree.transformer = None  # type: ignore[assignment]
    doctree.settings = settings.copy()
    doctree.settings.env = None
    doctree.settings.warning_stream = None
    doctree.settings.record_dependencies = None
    try:
        return pickle.dumps(doctree, pickle.HIGHEST_PROTOCOL)
    finally:
        doctree.reporter, doctree.transformer, doctree.settings = saved


class PageReuse:
    """One build's pages: the previous build's keys and what this build wrote or kept."""

    def __init__(self, builder: StandaloneHTMLBuilder) -> None:
        self.builder = builder
        self.record = Path(builder.doctreedir) / RECORD_NAME
        self.previous = aside(Path(builder.outdir))
        self.kept: dict[str, dict[str, str]] = {}
        # Other files the last build wrote (search page, indices, the EPUB's tables of
        # contents), by their path in the output folder.
        self.kept_files: dict[str, dict[str, str]] = {}
        # What the build works out from the whole book (the EPUB's contents), as JSON data.
        self.kept_data: dict[str, dict[str, Any]] = {}
        self.data: dict[str, dict[str, Any]] = {}
        try:
            data = json.loads(self.record.read_text(encoding="utf-8"))
            self.kept = {str(k): dict(v) for k, v in data["pages"].items()}
            self.kept_files = {str(k): dict(v) for k, v in data.get("files", {}).items()}
            self.kept_data = {str(k): dict(v) for k, v in data.get("data", {}).items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.kept, self.kept_files, self.kept_data = {}, {}, {}
        # Nothing is reusable until this build ends well.
        self.record.unlink(missing_ok=True)
        self.shared: str | None = None
        self.keys: dict[str, str] = {}
        self.reused: set[str] = set()
        self.file_keys: dict[str, str] = {}
        self.reused_files: set[str] = set()

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
        feed(digest, Path(self.builder.doctreedir) / f"{docname}.doctree")
        digest.update(json.dumps(stable(self.builder.env.metadata.get(docname, {}))).encode())
        self.keys[docname] = key = digest.hexdigest()
        return key

    def file_key(self, name: str, *made_of: Any) -> str:
        """The key of ``name`` (a file the build writes besides its documents' pages, by its
        path in the output folder): the build's inputs and what else it is made of."""
        digest = hashlib.sha256(f"{self._shared()}\0file\0{name}\0".encode())
        digest.update(json.dumps(ordered(made_of)).encode())
        self.file_keys[name] = key = digest.hexdigest()
        return key

    def keep_file(self, name: str, key: str) -> bool:
        """The previous build's ``name`` copied when it was written with ``key`` and still has
        the bytes recorded; False: it must be written."""
        self.file_keys[name] = key
        kept = self.kept_files.get(name)
        if not kept or kept.get("key") != key:
            return False
        try:
            data = (self.previous / name).read_bytes()
        except OSError:
            return False
        if hashlib.sha256(data).hexdigest() != kept.get("sha256"):
            return False
        target = Path(self.builder.outdir) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.reused_files.add(name)
        return True

    def value(self, name: str, compute: Callable[[], Any]) -> Any:
        """``compute()``, a JSON value made of the build's inputs only, or the last build's
        when they did not change."""
        key = hashlib.sha256(f"{self._shared()}\0data\0{name}\0".encode()).hexdigest()
        kept = self.kept_data.get(name)
        value = kept["value"] if kept and kept.get("key") == key else compute()
        self.data[name] = {"key": key, "value": value}
        return value

    def resolved(self, key: str) -> Path:
        """Where the resolved doctree of the page with this key is kept."""
        return Path(self.builder.doctreedir) / RESOLVED_DIR / f"{key}.pickle"

    def words(self, key: str) -> Path:
        """Where the skeleton of that doctree the builder takes from a kept page is kept
        (``keptwords``: its words, titles, images and index entries)."""
        return Path(self.builder.doctreedir) / RESOLVED_DIR / f"{key}{WORDS_SUFFIX}"

    def plan(self, docnames: Iterable[str]) -> set[str]:
        """Every page's key; the pages the previous build wrote with the same key and kept
        whole (its bytes, its resolved doctree)."""
        keep = set()
        for docname in sorted(docnames):
            key = self.key(docname)
            kept = self.kept.get(docname)
            if not kept or kept.get("key") != key or not self.words(key).is_file():
                continue
            source = self.previous / self.page_path(docname)
            try:
                if sha256(source) == kept.get("sha256"):
                    keep.add(docname)
            except OSError:
                continue
        return keep

    def page_path(self, docname: str) -> Path:
        """The page's file, from the output folder."""
        target = Path(self.builder.get_outfilename(docname))
        return target.relative_to(self.builder.outdir)

    def _load(self, path: Path) -> nodes.document | None:
        try:
            doctree = pickle.loads(path.read_bytes())
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            return None
        doctree.settings.env = self.builder.env
        return doctree

    def load_resolved(self, docname: str) -> nodes.document | None:
        """The resolved doctree this build's page of ``docname`` was written from, as the build
        that wrote it pickled it (None if there is none)."""
        key = self.keys.get(docname)
        return None if key is None else self._load(self.resolved(key))

    def reuse(self, docname: str) -> nodes.document | None:
        """The previous build's page for ``docname`` copied, and the skeleton of its resolved
        doctree the builder takes its search entries and images from (None: not kept, the page
        must be written)."""
        key = self.keys.get(docname)
        doctree = None if key is None else self._load(self.words(key))
        if doctree is None:
            return None
        target = Path(self.builder.outdir) / self.page_path(docname)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copyfile(self.previous / self.page_path(docname), target)
        except OSError:
            return None
        self.reused.add(docname)
        return doctree

    def remember(self, docname: str, doctree: nodes.document) -> None:
        """The resolved doctree of a page written now, for the next build to keep it."""
        key = self.keys.get(docname)
        if key is None:
            return
        for path, tree in ((self.resolved(key), doctree), (self.words(key), skeleton(doctree))):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(_pickled(tree))
            os.replace(tmp, path)

    def save(self) -> None:
        """The keys of every page this build wrote or kept, with its bytes' SHA-256."""
        pages = {}
        for docname, key in sorted(self.keys.items()):
            path = Path(self.builder.get_outfilename(docname))
            if path.is_file():
                sha = sha256(path)
                pages[docname] = {"key": key, "sha256": sha, "reused": docname in self.reused}
        files = {}
        for name, key in sorted(self.file_keys.items()):
            path = Path(self.builder.outdir) / name
            if path.is_file():
                sha = sha256(path)
                files[name] = {"key": key, "sha256": sha, "reused": name in self.reused_files}
        tmp = self.record.with_name(f".{self.record.name}.tmp")
        record = {"pages": pages, "files": files, "data": self.data}
        tmp.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", "utf-8")
        os.replace(tmp, self.record)
        # The resolved doctrees of pages no longer built as they were.
        wanted = {self.resolved(page["key"]).name for page in pages.values()}
        wanted |= {self.words(page["key"]).name for page in pages.values()}
        folder = Path(self.builder.doctreedir) / RESOLVED_DIR
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            if path.name not in wanted:
                path.unlink(missing_ok=True)


class ReusingPages:
    """A mixin for HTML-family builders: a page that cannot differ is copied, not resolved,
    translated or rendered; the build still takes its images and search entries from it."""

    pages: PageReuse | None = None

    def write_documents(self, docnames: Set[str]) -> None:
        pages = self.pages
        if pages is None:
            super().write_documents(docnames)  # type: ignore[misc]
            return
        builder: Any = self
        keep = pages.plan(docnames)
        # As Sphinx's serial write (lean.py: never in parallel): in name order, so the search
        # index is fed as a clean build feeds it; warnings printed after the pages.
        with pending_warnings():
            for docname in status_iterator(
                sorted(docnames),
                __("writing output... "),
                "darkgreen",
                len(docnames),
                builder.config.verbosity,
            ):
                doctree = pages.reuse(docname) if docname in keep else None
                if doctree is not None:
                    builder.phase = BuildPhase.WRITING
                    super().write_doc_serialized(docname, doctree)  # type: ignore[misc]
                    continue
                builder.phase = BuildPhase.RESOLVING
                doctree = builder.env.get_and_resolve_doctree(docname, builder, tags=builder.tags)
                builder.phase = BuildPhase.WRITING
                pages.remember(docname, doctree)
                builder.write_doc_serialized(docname, doctree)
                builder.write_doc(docname, doctree)

    def handle_page(
        self,
        pagename: str,
        addctx: dict[str, Any],
        templatename: str = "page.html",
        *,
        outfilename: Path | None = None,
        event_arg: Any = None,
    ) -> None:
        """A page other than a document's (``write_doc`` passes its doctree): copied when the
        build's inputs, its template and its context are the last build's."""
        pages, builder = self.pages, self
        if pages is not None and event_arg is None:
            target = Path(outfilename) if outfilename else builder.get_output_path(pagename)  # type: ignore[attr-defined]
            name = Path(os.path.relpath(target, builder.outdir)).as_posix()  # type: ignore[attr-defined]
            inside = not name.startswith("../")
            if inside and pages.keep_file(
                name, pages.file_key(name, pagename, templatename, addctx)
            ):
                return
        super().handle_page(  # type: ignore[misc]
            pagename, addctx, templatename, outfilename=outfilename, event_arg=event_arg
        )

    def kept_file(self, name: str, *made_of: Any) -> bool:
        """Whether ``name`` (a path in the output folder, written by this build besides the
        pages) was copied from the last build, as it is made of the same inputs."""
        pages = self.pages
        return pages is not None and pages.keep_file(name, pages.file_key(name, *made_of))


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


def kept_outputs(app: Sphinx) -> set[Path]:
    """The files this build copied from the last one instead of writing them: their bytes are
    those it recorded, and it recorded them only after ending without a warning (so after
    every check of its written files: ``rawhtml``'s scan)."""
    pages = getattr(app.builder, "pages", None)
    if not isinstance(pages, PageReuse):
        return set()
    outdir = Path(app.builder.outdir)
    kept = {outdir / pages.page_path(docname) for docname in pages.reused}
    return kept | {outdir / name for name in pages.reused_files}


def resolved_doctree(app: Sphinx, docname: str) -> nodes.document:
    """``docname``'s doctree resolved for this build: the one its page was written from or kept
    with, when the builder keeps pages (no second resolution), else resolved now."""
    pages = getattr(app.builder, "pages", None)
    doctree = pages.load_resolved(docname) if isinstance(pages, PageReuse) else None
    if doctree is None:
        doctree = app.env.get_and_resolve_doctree(docname, app.builder, tags=app.tags)
    return doctree


def setup_pagereuse(app: Sphinx) -> None:
    app.add_builder(ReusingHTMLBuilder, override=True)
    app.connect("builder-inited", _start)
    app.connect("build-finished", _save, priority=800)  # before records (900)
