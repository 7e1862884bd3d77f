"""Incremental website and EPUB builds that are as correct as clean ones.

The Makefile keeps the website's and the EPUB's output folders between builds, so Sphinx
writes only the pages whose documents changed. Two things Sphinx leaves wrong then, fixed here:

- a document that was deleted keeps its page in the output folder (and the EPUB builder zips
  every page it finds there): its page is deleted when Sphinx notices the document is gone;
- every page shows the book's navigation (the sidebar, the EPUB's contents), which Sphinx does
  not rewrite when another document's title or a toctree changes: when the titles or the
  toctrees changed, every page is written again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

NAV_KEY = "lessonpack_nav_signature"


def navigation_signature(env: BuildEnvironment) -> str:
    """A hash of what every page's navigation shows: each document's title and toctree."""
    digest = hashlib.sha256()
    for docname in sorted(env.found_docs):
        title = env.titles.get(docname)
        digest.update(f"{docname}\0{title.astext() if title else ''}\0".encode())
        digest.update("\0".join(env.toctree_includes.get(docname, [])).encode() + b"\1")
    return digest.hexdigest()


def _remove_pages_of_removed_docs(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    builder = app.builder
    if getattr(builder, "format", "") != "html" or not hasattr(builder, "get_outfilename"):
        return []
    for docname in sorted(removed):
        page = Path(builder.get_outfilename(docname))
        if page.is_file():
            page.unlink()
    return []


def _rewrite_all_when_navigation_changed(app: Sphinx, env: BuildEnvironment) -> list[str]:
    signature = navigation_signature(env)
    previous = getattr(env, NAV_KEY, None)
    setattr(env, NAV_KEY, signature)
    if previous is not None and previous != signature:
        return sorted(env.found_docs)
    return []


def setup_incremental(app: Sphinx) -> None:
    app.connect("env-get-outdated", _remove_pages_of_removed_docs)
    app.connect("env-get-updated", _rewrite_all_when_navigation_changed)
