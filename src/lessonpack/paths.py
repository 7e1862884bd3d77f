"""Every file a document reads or ships lies inside the course's source folders.

A path such as ``../../../etc/passwd`` (or a symlink in ``lessons/`` that points elsewhere) would
publish a file of the build machine in every output. So each path is resolved (symlinks
followed) and refused unless it lies in a source folder (``lessonpack_source_dirs``, by default
the folders ``include_patterns`` reads) or in the build's own doctree folder (charts drawn there):

- before the file is read: ``include`` (reStructuredText and MyST), ``literalinclude``, the
  ``:file:`` of ``csv-table`` and ``raw`` (their ``:url:`` is refused outright: it fetches while
  building), the documents themselves, and ``{range-chart}`` (charts.py calls ``refusal``);
- when the configuration is read: settings that name files the build reads or ships
  (``html_static_path``, ``html_extra_path``, ``templates_path``, ``bibtex_bibfiles``, the logo
  and favicon), relative to conf.py's folder, which also counts as the course's;
- after reading, the backstop: every file Sphinx recorded for the document (dependencies,
  images, downloads), and the text of any other directive that emits ``include-read``.
  Images and downloads refused here are dropped from the environment, so none is copied.

Each refusal is one warning with file and line; the document is read again in the next build,
so the warning repeats until the source is fixed.
"""

from __future__ import annotations

import os
import re
from glob import glob
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.parsers.rst.directives.misc import Raw
from docutils.parsers.rst.directives.tables import CSVTable
from sphinx import addnodes
from sphinx.directives.code import LiteralInclude
from sphinx.directives.other import Include
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.i18n import get_image_filename_for_language, search_image_for_language

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)
GLOB = re.compile(r"[*?\[]")


def source_dirs(config: Config) -> list[str]:
    """The source folders, relative to the source directory ("" is all of it).

    ``lessonpack_source_dirs`` if set; otherwise the fixed leading folders of every
    ``include_patterns`` entry (``book/**.md`` -> ``book``).
    """
    if config.lessonpack_source_dirs:
        return [d.strip("/") for d in config.lessonpack_source_dirs]
    found: list[str] = []
    for pattern in config.include_patterns:
        parts = pattern.replace(os.sep, "/").split("/")
        fixed = []
        for part in parts[:-1]:
            if GLOB.search(part):
                break
            fixed.append(part)
        folder = "/".join(fixed)
        if folder not in found:
            found.append(folder)
    return found or [""]


def _roots(env: BuildEnvironment) -> list[Path]:
    srcdir = Path(env.srcdir)
    roots = [Path(os.path.realpath(srcdir / d)) for d in source_dirs(env.config)]
    return [*roots, Path(os.path.realpath(env.doctreedir))]


def _inside(real: Path, roots: list[Path]) -> bool:
    return any(real == root or real.is_relative_to(root) for root in roots)


def outside(env: BuildEnvironment, path: str | os.PathLike[str]) -> Path | None:
    """The real path (symlinks followed) if it lies outside every source folder, else None.

    A relative path is relative to the source directory, as Sphinx records them.
    """
    real = Path(os.path.realpath(Path(env.srcdir) / path))
    return None if _inside(real, _roots(env)) else real


def refusal(env: BuildEnvironment, what: str, path: str | os.PathLike[str]) -> str | None:
    """The message refusing ``path`` (read by ``what``), or None if it is inside the course."""
    real = outside(env, path)
    if real is None:
        return None
    return _message(what, real, env.config, Path(env.srcdir))


def _message(what: str, real: Path, config: Config, srcdir: Path) -> str:
    names = ", ".join(d or str(srcdir) for d in source_dirs(config))
    return (
        f"{what} reads {real}, outside the course's source folders ({names}): "
        "copy the file into the course"
    )


def _warn(message: str, location: Any) -> None:
    logger.warning(message, location=location, type="lessonpack", subtype="outside")


class Guarded(SphinxDirective):
    """Refuses a file outside the course before the directive reads it."""

    def refuse(self, what: str, path: str | os.PathLike[str]) -> bool:
        message = refusal(self.env, what, path)
        if message is None:
            return False
        _warn(message, self.get_location())
        self.env.note_reread()
        return True

    def refuse_url(self) -> bool:
        if "url" not in self.options:
            return False
        _warn(
            f"{{{self.name}}} :url: fetches {self.options['url']} while building: copy the "
            "file into the course and give it as :file:",
            self.get_location(),
        )
        self.env.note_reread()
        return True

    def file_option(self) -> Path:
        """``:file:``, relative to the including file as docutils reads it."""
        source = self.state.document.current_source or str(self.env.doc2path(self.env.docname))
        return Path(os.path.dirname(os.path.abspath(source))) / self.options["file"]


class GuardedInclude(Include, Guarded):
    """``include``: in reStructuredText the path is refused before Sphinx's include reads it.

    In Markdown, MyST reads the file of any ``Include`` subclass itself (its own include, which
    never runs this class's ``run``) and hands the text to the ``include-read`` event before
    parsing it: ``check_include_read`` refuses it there, so its text never reaches a doctree.
    """

    option_spec: ClassVar[dict[str, Any]] = {
        **Include.option_spec,
        # MyST's own include options
        "relative-images": directives.flag,
        "relative-docs": directives.path,
        "heading-offset": directives.nonnegative_int,
    }

    def run(self) -> list[nodes.Node]:
        argument = "".join(line.strip() for line in self.arguments[0].splitlines())
        standard = argument.startswith("<") and argument.endswith(">")  # docutils' own files
        if not standard and self.refuse("{include}", self.env.relfn2path(argument)[1]):
            return []
        return list(super().run())


class GuardedLiteralInclude(LiteralInclude, Guarded):
    def run(self) -> list[nodes.Node]:
        if self.refuse("{literalinclude}", self.env.relfn2path(self.arguments[0])[1]):
            return []
        return super().run()


class GuardedCSVTable(CSVTable, Guarded):
    def run(self) -> list[nodes.Node]:
        if self.refuse_url():
            return []
        if "file" in self.options and self.refuse("{csv-table} :file:", self.file_option()):
            return []
        return super().run()


class GuardedRaw(Raw, Guarded):
    def run(self) -> list[nodes.Node]:
        if self.refuse_url():
            return []
        if "file" in self.options and self.refuse("{raw} :file:", self.file_option()):
            return []
        return super().run()


# Settings naming files or folders the build reads and ships, relative to conf.py's folder.
CONF_PATHS = (
    "html_static_path",
    "html_extra_path",
    "templates_path",
    "bibtex_bibfiles",
    "html_logo",
    "html_favicon",
)


def check_config(app: Sphinx, config: Config) -> None:
    """config-inited: a setting naming a file or folder outside the course is refused (a
    warning with conf.py's line) and dropped. This package's own static files are allowed."""
    from .rawhtml import is_remote

    srcdir, confdir = Path(app.srcdir), Path(app.confdir)
    roots = [Path(os.path.realpath(srcdir / d)) for d in source_dirs(config)]
    roots += [Path(os.path.realpath(confdir)), Path(os.path.realpath(Path(__file__).parent))]
    conf = confdir / "conf.py"
    for name in CONF_PATHS:
        if name not in config:
            continue
        value = config[name]
        listing = isinstance(value, (list, tuple))
        kept = []
        for entry in value if listing else [value]:
            if not isinstance(entry, (str, os.PathLike)) or not entry or is_remote(str(entry)):
                kept.append(entry)  # URLs are rawhtml.py's
                continue
            real = Path(os.path.realpath(confdir / entry))
            if _inside(real, roots):
                kept.append(entry)
                continue
            _warn(
                f"{name}: {_message('the build', real, config, srcdir)}",
                f"{conf}:{conf_line(conf, str(entry))}",
            )
        config[name] = kept if listing else (kept[0] if kept else None)


def conf_line(conf: Path, needle: str) -> int:
    try:
        lines = conf.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1
    return next((n for n, line in enumerate(lines, 1) if needle in line), 1)


def check_documents(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """env-before-read-docs: a document that is a symlink to a file outside is not read."""
    for docname in list(docnames):
        message = refusal(env, "the document", env.doc2path(docname))
        if message is not None:
            _warn(message, (docname, 1))
            docnames.remove(docname)
            env.found_docs.discard(docname)


REFUSED_KEY = "lessonpack_refused_includes"
# A directive's opening line: MyST's ```{name} argument, reStructuredText's .. name:: argument
DIRECTIVE_LINE = re.compile(r"(?:\{([\w:-]+)\}|\.\.\s+([\w:-]+)::)\s*(\S.*)?$")


def check_include_read(
    app: Sphinx, relative_path: Path, parent_docname: str, content: list[str]
) -> None:
    """include-read: the text of an include outside the course is dropped before it is parsed.

    The guard of MyST's include (which reads the file itself) and the backstop for any other
    directive that emits the event (Sphinx's ``Include`` under another name)."""
    env = app.env
    real = outside(env, relative_path)
    if real is None:
        return
    content[0] = ""
    line, name = _directive_reading(env, env.docname, real)
    what = "{include}" if name == "include" else "an include"
    _warn(_message(what, real, env.config, Path(env.srcdir)), (env.docname, line))
    env.current_document.setdefault(REFUSED_KEY, set()).add(real)  # the dependency is this one
    env.note_reread()


def _directive_reading(env: BuildEnvironment, docname: str, real: Path) -> tuple[int, str]:
    """The line of the document's first directive whose argument is ``real`` (symlinks
    followed), and the directive's name; else the first line naming the file, and ""."""
    try:
        text = env.doc2path(docname).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return 1, ""
    for number, line in enumerate(text.splitlines(), 1):
        found = DIRECTIVE_LINE.search(line)
        if found and found[3]:
            argument = found[3].strip()
            if Path(os.path.realpath(env.relfn2path(argument, docname)[1])) == real:
                return number, found[1] or found[2]
    return _line_of(env, docname, real.name), ""


def refuse_assets(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read, before Sphinx's collectors: an image or download outside the course is
    taken out of the doctree, so Sphinx never records (nor copies) it."""
    env = app.env
    refused = env.current_document.setdefault(REFUSED_KEY, set())
    for node in list(doctree.findall(nodes.image)):
        for path in _image_paths(env, node["uri"]):
            real = outside(env, path)
            if real is not None:
                _refuse_node(env, node, "an image", real, refused, keep_text=False)
                break
    for node in list(doctree.findall(addnodes.download_reference)):
        target = node.get("reftarget", "")
        if "://" in target:
            continue
        real = outside(env, env.relfn2path(target, env.docname)[1])
        if real is not None:
            _refuse_node(env, node, "a download", real, refused, keep_text=True)


def _image_paths(env: BuildEnvironment, uri: str) -> list[str]:
    """Every file Sphinx's image collector would take for ``uri`` (absolute paths)."""
    if uri.startswith("data:") or "://" in uri:
        return []
    if uri.endswith(os.extsep + "*"):
        patterns = [get_image_filename_for_language(uri, env), uri]
        found = [p for u in patterns for p in sorted(glob(env.relfn2path(u, env.docname)[1]))]
        return found or [env.relfn2path(uri, env.docname)[1]]
    return [
        env.relfn2path(search_image_for_language(uri, env), env.docname)[1],
        env.relfn2path(uri, env.docname)[1],
    ]


def _refuse_node(
    env: BuildEnvironment,
    node: nodes.Element,
    what: str,
    real: Path,
    refused: set[Path],
    *,
    keep_text: bool,
) -> None:
    located: nodes.Node | None = node
    while located is not None and not located.line:
        located = located.parent
    line = located.line if located is not None else _line_of(env, env.docname, real.name)
    if real not in refused:
        _warn(_message(what, real, env.config, Path(env.srcdir)), (env.docname, line))
        refused.add(real)
    env.note_reread()
    text = [nodes.inline(node.astext(), node.astext())] if keep_text else []
    node.replace_self(text)


def check_recorded(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read, after Sphinx's collectors, the backstop: every file recorded for the
    document (images or downloads another extension recorded, dependencies)."""
    env = app.env
    docname = env.docname
    refused: set[Path] = set(env.current_document.get(REFUSED_KEY, ()))  # reported once
    for store, what in ((env.images, "an image"), (env.dlfiles, "a download")):
        for filename, (docs, unique) in list(store.items()):
            if docname not in docs:
                continue
            message = refusal(env, what, filename)
            if message is None:
                continue
            refused.add(Path(os.path.realpath(Path(env.srcdir) / filename)))
            _warn(message, _node_location(env, doctree, filename, unique))
            docs.discard(docname)  # never copied into the output
            if not docs:
                del store[filename]
    for dependency in sorted(env.dependencies.get(docname, ())):
        real = outside(env, dependency)
        message = refusal(env, "the document", dependency)
        if real is not None and message is not None and real not in refused:
            refused.add(real)
            _warn(message, (docname, _line_of(env, docname, Path(dependency).name)))
    if refused:
        env.note_reread()


def _node_location(
    env: BuildEnvironment, doctree: nodes.document, filename: str, unique: str
) -> tuple[str, int | None]:
    """The document and line of the image or download that names ``filename``."""
    filename, unique = os.fspath(filename), os.fspath(unique)
    for node in doctree.findall(lambda n: isinstance(n, nodes.Element)):
        assert isinstance(node, nodes.Element)
        candidates = [str(c) for c in node.get("candidates", {}).values()]
        if filename in candidates or os.fspath(node.get("filename", "")) == unique:
            parent: nodes.Node | None = node
            while parent is not None and not parent.line:
                parent = parent.parent
            if parent is not None:
                return env.docname, parent.line
    return env.docname, _line_of(env, env.docname, Path(filename).name)


def _line_of(env: BuildEnvironment, docname: str, needle: str) -> int:
    """The first line of the document's source that mentions ``needle`` (1 if none)."""
    try:
        text = env.doc2path(docname).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return 1
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    return 1


def setup_paths(app: Sphinx) -> None:
    app.connect("config-inited", check_config, priority=900)
    app.add_directive("include", GuardedInclude, override=True)
    app.add_directive("literalinclude", GuardedLiteralInclude, override=True)
    app.add_directive("csv-table", GuardedCSVTable, override=True)
    app.add_directive("raw", GuardedRaw, override=True)
    app.connect("env-before-read-docs", check_documents)
    app.connect("include-read", check_include_read)
    app.connect("doctree-read", refuse_assets, priority=400)  # Sphinx's collectors: 500
    app.connect("doctree-read", check_recorded, priority=900)
