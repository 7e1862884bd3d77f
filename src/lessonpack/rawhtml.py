"""Nothing the course publishes loads anything from another host.

The website and EPUB promise to load nothing from any other site (a school's privacy, and the
site's Content-Security-Policy). Raw HTML can break that silently, so every resource address is
checked where it enters:

- when a document is read: every raw HTML node (MyST HTML blocks and inline HTML, ``{raw} html``)
  is parsed with the standard library's ``html.parser``, and every image (Markdown or directive)
  is checked; a resource with a scheme or a host (``https://``, ``//host/x``) is refused with
  file and line and dropped from the document;
- when the configuration is read: ``html_js_files``, ``html_css_files``, ``epub_css_files``,
  ``html_logo`` and ``html_favicon`` with a host stop the build with conf.py's line;
- when an HTML-family build ends (website, EPUB, the PDF's HTML): every written page and
  stylesheet is scanned the same way (templates, themes and static files too), each load from
  another host a warning naming the page; a page or file kept from the previous build
  (``pagereuse``: the same bytes, scanned when that build wrote them, which ended without a
  warning) is not scanned again, nor is a file the last scan of the same build folder found
  clean, byte for byte (the stylesheets, the PDF builder's HTML): pagereuse's record is the only
  one of a kept page.

A resource is what a browser fetches by itself: ``src``, ``srcset``, ``<link href>`` (but not
``rel="canonical"`` and other links that load nothing), ``<object data>``, ``poster``, CSS
``url()`` and ``@import`` (in ``<style>`` and ``style=``), ``<meta http-equiv=refresh>``, ``href``
on any element but a link (``<a>``, ``<area>``), and where forms send their data. ``<a href>`` to
another site loads nothing and is fine; ``data:`` addresses are part of the page.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from docutils import nodes
from sphinx.util import logging

from .filehash import feed
from .nodes import located_line
from .pagereuse import kept_outputs
from .paths import conf_line

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

logger = logging.getLogger(__name__)

# Attributes whose address the browser fetches without a click (href is handled apart).
FETCHED = {
    "src",
    "srcset",
    "imagesrcset",
    "data",
    "poster",
    "background",
    "lowsrc",
    "dynsrc",
    "manifest",
    "ping",
    "codebase",
    "archive",
    "action",
    "formaction",
}
LINK_ELEMENTS = {"a", "area"}
# <link rel> values that name a related page and load nothing.
LINK_ONLY_RELS = {
    "alternate",
    "author",
    "bookmark",
    "canonical",
    "external",
    "help",
    "license",
    "me",
    "next",
    "prev",
    "previous",
    "search",
    "tag",
    "index",
    "up",
    "first",
    "last",
    "contents",
    "glossary",
    "copyright",
    "start",
    "nofollow",
    "noopener",
    "noreferrer",
}
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.I)
CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\"]*)", re.I)
PAGES = {".html", ".htm", ".xhtml"}


def is_remote(url: str) -> bool:
    """A scheme (but ``data:``) or a host: the browser would fetch it from elsewhere.

    Browsers read ``\\`` as ``/`` and drop leading blanks, so ``/\\host/x`` is ``//host/x``.
    """
    url = url.strip(" \t\r\n\f\x00").replace("\\", "/")
    if not url or url.startswith("#"):
        return False
    if url.startswith("//"):
        return True
    parts = urlsplit(url)
    return bool(parts.netloc) or (bool(parts.scheme) and parts.scheme.lower() != "data")


@dataclass(frozen=True)
class Load:
    """A resource from another host: the line in the text scanned, what loads it, the URL."""

    line: int
    what: str
    url: str


def css_loads(css: str, line: int = 1, what: str = "CSS") -> list[Load]:
    """Every ``url()`` and ``@import`` of a stylesheet that loads from another host."""
    css = CSS_COMMENT.sub(lambda m: "\n" * m[0].count("\n"), css)  # keeps the line numbers
    found = []
    for pattern, kind in ((CSS_URL, "url()"), (CSS_IMPORT, "@import")):
        for match in pattern.finditer(css):
            url = next(g for g in match.groups() if g is not None)
            if is_remote(url):
                found.append(Load(line + css.count("\n", 0, match.start()), f"{what} {kind}", url))
    return sorted(found, key=lambda load: load.line)


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.loads: list[Load] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = {name.lower(): value or "" for name, value in attrs}
        for name, value in values.items():
            for url in _urls(tag, name, value, values):
                if is_remote(url):
                    self.loads.append(Load(line, f"<{tag} {name}>", url))
            if name == "style":
                self.loads += css_loads(value, line, f"<{tag} style>")
        self._style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._style = False

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if self._style:
            self.loads += css_loads(data, self.getpos()[0], "<style>")


def _urls(tag: str, name: str, value: str, attrs: dict[str, str]) -> list[str]:
    """The addresses an attribute makes the browser fetch."""
    if name in {"srcset", "imagesrcset"}:
        return [c.split()[0] for c in value.split(",") if c.split()]
    if name in FETCHED:
        return [value]
    if name in {"href", "xlink:href"}:
        if tag in LINK_ELEMENTS:
            return []
        rels = set(attrs.get("rel", "").lower().split())
        if tag == "link" and rels and rels <= LINK_ONLY_RELS:
            return []
        return [value]
    if tag == "meta" and name == "content" and attrs.get("http-equiv", "").lower() == "refresh":
        match = REFRESH_URL.search(value)
        return [match[1]] if match else []
    return []


def html_loads(html: str) -> list[Load]:
    """Every resource the HTML fragment or page loads from another host, with its line."""
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.loads


def _refusal(load: Load) -> str:
    return (
        f"{load.what} loads {load.url} from another host: copy the file into the course "
        "(the website and EPUB load nothing from other sites; a link <a href> is fine)"
    )


def _warn(message: str, location: Any) -> None:
    logger.warning(message, location=location, type="lessonpack", subtype="remote")


def check_doctree(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read: raw HTML and images that load from another host are refused and dropped."""
    docname = app.env.docname
    for raw in list(doctree.findall(nodes.raw)):
        if "html" not in raw.get("format", "").split():
            continue
        loads = html_loads(raw.astext())
        for load in loads:
            line = (located_line(raw) or 1) + load.line - 1
            _warn(f"raw HTML: {_refusal(load)}", (docname, line))
        if loads:
            raw.parent.remove(raw)
    for image in list(doctree.findall(nodes.image)):
        uri = str(image.get("uri", ""))
        if is_remote(uri):
            _warn(f"image {_refusal(Load(0, 'image', uri))}", (docname, located_line(image)))
            image.parent.remove(image)


# Settings that make every page load a file: (name, whether it lists files).
CONF_FILES = (
    ("html_js_files", True),
    ("html_css_files", True),
    ("epub_css_files", True),
    ("html_logo", False),
    ("html_favicon", False),
)


def check_config(app: Sphinx, config: Config) -> None:
    """config-inited: a setting that makes pages load from another host is refused (a warning
    with conf.py's line) and dropped."""
    conf = Path(app.confdir) / "conf.py"
    warned = set()  # epub_css_files defaults to html_css_files: one warning each
    for name, listing in CONF_FILES:
        if name not in config:
            continue
        entries = config[name] if listing else [config[name]]
        kept = []
        for entry in entries or []:
            filename = entry[0] if isinstance(entry, (tuple, list)) else entry
            if isinstance(filename, str) and is_remote(filename):
                if filename in warned:
                    continue
                warned.add(filename)
                _warn(
                    f"{name} loads {filename} from another host: copy the file into "
                    "html_static_path and name it there",
                    f"{conf}:{conf_line(conf, filename)}",
                )
            else:
                kept.append(entry)
        config[name] = kept if listing else (kept[0] if kept else None)


# Beside a build's doctrees: the hashes of the files its last scan found loading nothing from
# another host (not those pagereuse kept: its record has them). After an edit most stylesheets
# and the PDF builder's HTML are those bytes again, not parsed again.
CLEAN_RECORD = "lessonpack-clean-pages.json"


def _scan_key(code: Any, suffix: str, data: bytes) -> str:
    """A file's bytes and kind, after ``code``: this module's (a changed scanner scans again)."""
    digest = code.copy()
    digest.update(suffix.encode() + b"\0" + data)
    return digest.hexdigest()


def scan_output(app: Sphinx, exception: Exception | None) -> None:
    """build-finished: every page and stylesheet an HTML-family build wrote loads only its own
    files (whatever put a load there: a template, the theme, a static file). A file found clean
    by the last scan of this build folder, byte for byte, is not parsed again."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    record = Path(app.doctreedir) / CLEAN_RECORD
    try:
        known = set(json.loads(record.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        known = set()
    clean: set[str] = set()
    code = feed(hashlib.sha256(), Path(__file__))
    kept = kept_outputs(app)  # recorded by pagereuse: not hashed nor recorded here again
    for path in sorted(outdir.rglob("*")):
        if path.suffix not in PAGES | {".css"} or path in kept or not path.is_file():
            continue
        data = path.read_bytes()
        key = _scan_key(code, path.suffix, data)
        if key in known:
            clean.add(key)
            continue
        text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
        loads = css_loads(text) if path.suffix == ".css" else html_loads(text)
        if not loads:
            clean.add(key)
        for load in loads:
            _warn(
                f"{load.what} loads {load.url} from another host (written by a template, the "
                "theme or a static file): copy the file into the course",
                f"{path}:{load.line}",
            )
    record.parent.mkdir(parents=True, exist_ok=True)
    tmp = record.with_name(record.name + ".tmp")
    tmp.write_text(json.dumps(sorted(clean)), encoding="utf-8")
    tmp.replace(record)


def setup_rawhtml(app: Sphinx) -> None:
    app.connect("config-inited", check_config, priority=900)
    app.connect("doctree-read", check_doctree)
    app.connect("build-finished", scan_output)
