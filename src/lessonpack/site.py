"""The website's front door: ``index.html`` at the top, when the root document sits in a folder.

A school copies ``dist/html`` to a web server and expects its address to open the book; with the
root document at ``book/index``, that page forwards there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

TEMPLATES = Path(__file__).parent / "templates"
SITE_BUILDERS = {"html", "dirhtml"}


def front_door(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    root = app.config.root_doc
    if app.builder.name not in SITE_BUILDERS or "/" not in root:
        return
    target = app.builder.get_target_uri(root)
    title = app.config.html_title or app.config.project
    yield "index", {"redirect_target": target, "redirect_title": title}, "lessonpack-redirect.html"


def _add_templates(app: Sphinx, config: Config) -> None:
    config.templates_path.append(str(TEMPLATES))


def setup_site(app: Sphinx) -> None:
    app.connect("config-inited", _add_templates)
    app.connect("html-collect-pages", front_door)
