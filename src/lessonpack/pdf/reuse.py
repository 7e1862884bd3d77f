"""The HTML of a pack, handout or quiz paper kept from an earlier build whose inputs were the same.

Assembling an output (inlining its documents, resolving every reference, writing it through the
print template) takes about half a second; after an edit to one lesson, most outputs are the
same as before. An output's key is a hash of everything its HTML is made from:

- this build's own inputs, once (:func:`build_key`): every file of the package and of the
  templates, conf.py and every setting that JSON can write, the stylesheets and scripts pages
  link, the installed packages and the lock (``cache.package_salt``: read from package metadata,
  WeasyPrint not imported), ``SOURCE_DATE_EPOCH``; and what any document may show of another:
  titles, the toctrees, section and figure numbers, every domain's
  data (labels, glossary terms, citations, quizzes; the reading statistics of the report domain
  excepted, which no page shows), images and downloads, the worksheets' labels;
- the output itself: its mode, document and version, and each of its documents (the document
  and those its toctrees hold, at any depth): the doctree as read (the pickle Sphinx keeps) and
  its metadata.

A key found gives the HTML of the build that made it. Keys are kept only when the build that
made them ends without a warning (a reused output warns nothing), and pruned like renders.
The book is never reused: it is every document, so any edit changes it.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
from json.encoder import encode_basestring_ascii
from operator import itemgetter
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from docutils import nodes

from ..filehash import feed
from .cache import checked_record, package_salt, write_record

if TYPE_CHECKING:
    from collections.abc import Callable

    from sphinx.builders import Builder

PACKAGE = Path(__file__).resolve().parent.parent
# The report domain's records: reading statistics and texts for the gate and the report, never
# shown on a page (they change with every edit of any lesson).
UNSHOWN_DOMAINS = {"lessonpack"}


def stable(value: Any, depth: int = 0) -> Any:
    """``value`` as plain data that is the same in every process for the same content (pickles
    and reprs of some objects carry addresses): nodes by their text, syntax trees by their
    dump, other objects by their attributes; lists in any order (a domain appends a document's
    entries when it reads it: after an edit, the edited document's come last, as they would
    not in a clean build, which writes the same pages), sorted by their JSON text."""
    return _plain(value, depth)[0]


def _leaf(value: str | int | float | bool | None) -> str:
    """``json.dumps(value)`` of a string, number, bool or None, without its wrapper's cost."""
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    return json.dumps(value)


def _plain(value: Any, depth: int) -> tuple[Any, str]:
    """:func:`stable`'s value and its JSON text, made together: each list sorted once by the
    texts of its items (``sorted(..., key=json.dumps)`` encoded every item again at every
    level above it: about 0.07 s of CPU a build for the citations' domain alone)."""
    cls = type(value)
    if depth > 40:
        return cls.__name__, encode_basestring_ascii(cls.__name__)
    if cls is str:  # the common cases first, by exact type
        return value, encode_basestring_ascii(value)
    if cls is int:
        return value, int.__repr__(value)
    if cls is tuple:
        items = [_plain(v, depth + 1) for v in value]
        return [p for p, _ in items], "[" + ", ".join([t for _, t in items]) + "]"
    if cls is list:
        return _sorted([_plain(v, depth + 1) for v in value])
    if value is None or isinstance(value, (str, int, float, bool)):
        return value, _leaf(value)
    if isinstance(value, bytes):
        text = value.hex()
        return text, _leaf(text)
    if isinstance(value, nodes.Node):
        made = ["node", type(value).__name__, value.astext()]
        return made, json.dumps(made)
    if isinstance(value, ast.AST):
        made = ["ast", ast.dump(value)]
        return made, json.dumps(made)
    if isinstance(value, PurePath):
        text = str(value)
        return text, _leaf(text)
    if isinstance(value, dict):
        pairs = []
        for k, v in value.items():
            (pk, tk), (pv, tv) = _plain(k, depth + 1), _plain(v, depth + 1)
            pairs.append(([pk, pv], f"[{tk}, {tv}]"))
        return _sorted(pairs)
    if isinstance(value, (set, frozenset, list)):
        return _sorted([_plain(v, depth + 1) for v in value])
    if isinstance(value, tuple):
        items = [_plain(v, depth + 1) for v in value]
        return [p for p, _ in items], "[" + ", ".join([t for _, t in items]) + "]"
    if hasattr(value, "__dict__"):
        name = type(value).__name__
        made, text = _plain(vars(value), depth + 1)
        return [name, made], f"[{_leaf(name)}, {text}]"
    name = type(value).__name__
    return name, _leaf(name)


_second = itemgetter(1)


def _sorted(items: list[tuple[Any, str]]) -> tuple[list[Any], str]:
    items.sort(key=_second)
    return [p for p, _ in items], "[" + ", ".join([t for _, t in items]) + "]"


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _settings(builder: Builder) -> str:
    """Every setting JSON can write, by name (a function's text is in conf.py, hashed apart)."""
    found = {}
    for item in builder.config:
        if item.name == "templates_path":  # the folders' files are hashed (extensions add some)
            continue
        try:
            found[item.name] = json.loads(json.dumps(item.value, sort_keys=True))
        except (TypeError, ValueError):
            continue
    return json.dumps(found, sort_keys=True)


def build_key(
    builder: Builder, labels: dict[tuple[str, int], str], plain: Callable[[Any], Any] = stable
) -> str:
    """What every output of this build is made from, beside its own documents (``plain``: each
    domain's data as plain data; ``pagereuse`` leaves out source line numbers)."""
    env = builder.env
    digest = hashlib.sha256(package_salt().encode())
    folders = {
        PACKAGE,
        *(Path(builder.confdir, t).resolve() for t in builder.config.templates_path),
    }
    for folder in sorted(folders):
        for path in _files(folder):
            digest.update(str(path).encode() + b"\0")
            feed(digest, path)
    conf = Path(builder.confdir) / "conf.py"
    if conf.is_file():
        feed(digest, conf)
    digest.update(_settings(builder).encode())
    for files in ("css_files", "script_files"):
        names = [str(getattr(f, "filename", f)) for f in builder.globalcontext.get(files, [])]
        digest.update(json.dumps(names).encode())
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    titles = {doc: title.astext() for doc, title in env.titles.items()}
    digest.update(json.dumps(titles, sort_keys=True).encode())
    shown = {
        "toctree_includes": env.toctree_includes,
        "toc_secnumbers": env.toc_secnumbers,
        "toc_fignumbers": env.toc_fignumbers,
        "numbered_toctrees": sorted(env.numbered_toctrees),
        "images": sorted((k, sorted(v[0]), v[1]) for k, v in env.images.items()),
        "dlfiles": sorted((k, sorted(v[0]), v[1]) for k, v in env.dlfiles.items()),
        "labels": sorted(labels.items()),
    }
    digest.update(json.dumps(shown, sort_keys=True, default=str).encode())
    for name, data in sorted(env.domaindata.items()):
        if name not in UNSHOWN_DOMAINS:
            digest.update(name.encode() + b"\0" + json.dumps(plain(data)).encode())
    return digest.hexdigest()


def documents_of(builder: Builder, docname: str) -> list[str]:
    """The document and every document its toctrees hold, at any depth."""
    found: list[str] = []
    todo = [docname]
    while todo:
        doc = todo.pop()
        if doc not in found:
            found.append(doc)
            todo += builder.env.toctree_includes.get(doc, [])
    return sorted(found)


def images_of(tree: nodes.Node, images: dict[str, str]) -> dict[str, str]:
    """The builder's images (source path -> name in ``_images``) that ``tree`` shows."""
    uris = set()
    for node in tree.findall(nodes.image):
        uris.add(node.get("uri", ""))
        uris.update(node.get("candidates", {}).values())
    return {uri: images[uri] for uri in sorted(uris) if uri in images}


class OutputStore:
    """``<key>.html`` and ``<key>.json`` (the output's title and images) beside the doctrees."""

    def __init__(self, folder: Path, build: str) -> None:
        self.folder = folder
        self.build = build
        self.used: set[str] = set()
        self.staged: dict[str, tuple[Path, dict[str, Any], str]] = {}
        folder.mkdir(parents=True, exist_ok=True)

    def key(self, builder: Builder, mode: str, docname: str, version: str) -> str:
        digest = hashlib.sha256(f"{self.build}\0{mode}\0{docname}\0{version}".encode())
        doctrees = Path(builder.doctreedir)
        for doc in documents_of(builder, docname):
            digest.update(b"\0" + doc.encode() + b"\0")
            feed(digest, doctrees / f"{doc}.doctree")
            digest.update(json.dumps(stable(builder.env.metadata.get(doc, {}))).encode())
        key = digest.hexdigest()
        self.used.add(key)
        return key

    def derived(self, *parts: str) -> str:
        """A key made of other keys and values (a book piece's HTML: its documents' key and
        what the pieces before it decide), used by this build."""
        key = hashlib.sha256("\0".join(parts).encode()).hexdigest()
        self.used.add(key)
        return key

    def get(self, key: str, html: Path) -> dict[str, Any] | None:
        """Write the kept HTML of ``key`` to ``html``; its record, or None if not kept."""
        found = self.find(key)
        if found is not None:
            html.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(found[0], html)
        return found[1] if found else None

    def find(self, key: str, suffix: str = ".html") -> tuple[Path, dict[str, Any]] | None:
        """The kept file of ``key`` and its record, or None if not kept (or changed since);
        kept by :meth:`prune` either way."""
        self.used.add(key)
        kept = self.folder / f"{key}{suffix}"
        record = checked_record(self.folder / f"{key}.json", kept)
        return None if record is None else (kept, record)

    def stage(self, key: str, html: Path, record: dict[str, Any], suffix: str = ".html") -> None:
        """Keep ``html`` under ``key`` if the build ends well (:meth:`commit`)."""
        self.staged[key] = (html, record, suffix)

    def commit(self) -> None:
        for key, (path, record, suffix) in sorted(self.staged.items()):
            kept = self.folder / f"{key}{suffix}"
            if path != kept:
                shutil.copyfile(path, kept)
            write_record(self.folder / f"{key}.json", kept, record)
        self.staged = {}

    def prune(self) -> None:
        """Remove every kept output this build did not ask for."""
        for path in self.folder.iterdir():
            if path.name.split(".")[0] not in self.used:
                path.unlink(missing_ok=True)
