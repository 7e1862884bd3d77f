"""What an EPUB ships: only the files its pages use, and SVG that EPUB's schema accepts.

Sphinx copies every static file of its theme into the EPUB (``basic.css``, ``plus.png``...),
and lists each in the manifest though no page uses it. Before the manifest is written, every file
under the output folder that no content document reaches (by ``href``/``src``, or through a
stylesheet's ``url()`` and ``@import``) is removed from it, so it is neither listed nor zipped.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import tinycss2
from lxml import etree

CONTENT = {".xhtml", ".html"}
ATTRIBUTES = ("href", "src", "{http://www.w3.org/1999/xlink}href", "poster", "data")
SVG_PATH = "{http://www.w3.org/2000/svg}path"


def _local(base: str, target: str) -> str | None:
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), unquote(parts.path)))


def _css_targets(text: str) -> Iterable[str]:
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)

    def walk(tokens: Iterable) -> Iterable[str]:
        for token in tokens:
            if token.type == "url":
                yield token.value
            elif token.type == "function" and token.lower_name == "url":
                yield from (t.value for t in token.arguments if t.type == "string")
            for attr in ("prelude", "content", "arguments", "value"):
                inner = getattr(token, attr, None)
                if isinstance(inner, list):
                    yield from walk(inner)

    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword == "import":
            yield from (t.value for t in rule.prelude if t.type in {"string", "url"})
        yield from walk([rule])


def _markup_targets(path: Path) -> list[str]:
    try:
        tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:  # not XML (an HTML file among the static files): read as HTML
        tree = etree.parse(str(path), etree.HTMLParser(no_network=True))
    return [
        v for el in tree.iter() if isinstance(el.tag, str) for a in ATTRIBUTES if (v := el.get(a))
    ]


def referenced(outdir: Path, keep: Iterable[str] = ()) -> set[str]:
    """Every file (a path relative to ``outdir``) a content document reaches, and ``keep``."""
    seen = {p.relative_to(outdir).as_posix() for p in outdir.rglob("*") if p.suffix in CONTENT}
    todo = sorted(seen) + list(keep)
    seen |= set(keep)
    while todo:
        name = todo.pop()
        path = outdir / name
        if not path.is_file():
            continue
        targets: Iterable[str] = ()
        if path.suffix in CONTENT or path.suffix == ".svg":
            targets = _markup_targets(path)
        elif path.suffix == ".css":
            targets = _css_targets(path.read_text(encoding="utf-8"))
        for target in targets:
            local = _local(name, target)
            if local and local not in seen:
                seen.add(local)
                todo.append(local)
    return seen


def prune_unreferenced(outdir: Path, folders: Iterable[str], keep: Iterable[str] = ()) -> list[str]:
    """Delete the files under ``folders`` (of ``outdir``) no page uses; returns their names."""
    used = referenced(outdir, keep)
    removed = []
    for folder in folders:
        for path in sorted((outdir / folder).rglob("*")):
            name = path.relative_to(outdir).as_posix()
            if path.is_file() and name not in used:
                path.unlink()
                removed.append(name)
    return removed


def complete_svg_paths(svg: Path) -> bool:
    """Give every ``<path>`` without ``d`` an empty one (matplotlib writes the space glyph so);
    SVG 1.1, which EPUB's schema uses, requires it. True if the file changed."""
    tree = etree.parse(str(svg), etree.XMLParser(resolve_entities=False, no_network=True))
    bare = [el for el in tree.iter(SVG_PATH) if el.get("d") is None]
    for el in bare:
        el.set("d", "")
    if bare:
        tree.write(str(svg), xml_declaration=True, encoding="utf-8")
    return bool(bare)
