"""The theme's templates compiled once, not in every build.

Every build of a web page (the websites, the EPUB, the PDFs' HTML) loads its theme's Jinja
templates (pydata-sphinx-theme and sphinx-book-theme: some forty files) and compiled each one
to Python from source, about 0.15 s of CPU per build, paid again on every edit. Jinja's own
bytecode cache (``FileSystemBytecodeCache``) keeps the compiled code of each template in
``jinja/`` of the shared ``lessonpack_cache_dir`` (the build's doctree folder when there is
none), by the template's name, file and the SHA-1 of its source (Jinja checks it on loading),
under a name that also holds Jinja's version and the environment's compiler settings: a changed
template, Jinja or setting compiles afresh. The pages are the same bytes; Jinja writes each
file whole (a temporary file renamed), so builds running at once share it safely.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2 import FileSystemBytecodeCache

if TYPE_CHECKING:
    from sphinx.application import Sphinx

FOLDER = "jinja"
# What the code Jinja compiles a template to depends on, besides the template's source.
COMPILER_SETTINGS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "autoescape",
)


def compiler_key(environment: jinja2.Environment) -> str:
    """Jinja's version, the environment's class, extensions and compiler settings, hashed."""
    parts: list[Any] = [jinja2.__version__, type(environment).__qualname__]
    parts += sorted(environment.extensions)
    parts += [repr(getattr(environment, name, None)) for name in COMPILER_SETTINGS]
    parts += sorted(
        f"{k}={v!r}" for k, v in environment.policies.items() if k.startswith("compiler.")
    )
    return hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()[:16]


def cache_compiled(environment: jinja2.Environment, folder: Path) -> None:
    """Give ``environment`` a bytecode cache in ``folder`` (unless it has one)."""
    if environment.bytecode_cache is not None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    pattern = f"{compiler_key(environment)}-%s.cache"
    environment.bytecode_cache = FileSystemBytecodeCache(str(folder), pattern)


def _start(app: Sphinx) -> None:
    """builder-inited: the builder's template environment (if it has one) gets the cache."""
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if isinstance(environment, jinja2.Environment):
        base = app.config.lessonpack_cache_dir or app.doctreedir
        cache_compiled(environment, Path(base) / FOLDER)


def setup_compiledtemplates(app: Sphinx) -> None:
    app.connect("builder-inited", _start)
