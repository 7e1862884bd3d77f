"""The website's front door: ``index.html`` at the top, when the root document sits in a folder.

A school copies ``dist/html`` to a web server and expects its address to open the book; with the
root document at ``book/index``, that page forwards there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .labels import _

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


def label_nav_toggles(soup: Any) -> None:
    """Name each navigation toggle after its section: the theme's ``<summary>`` holds only an
    icon, so a screen reader announced a nameless control (WCAG 4.1.2, axe ``summary-name``).

    ``soup`` is the theme's navigation as a BeautifulSoup tree; it is changed in place.
    """
    for summary in soup.find_all("summary"):
        if summary.get_text(strip=True) or summary.get("aria-label"):
            continue
        item = summary.find_parent("li")
        link = item.find("a") if item else None
        title = link.get_text(" ", strip=True) if link else ""
        summary["aria-label"] = (
            _("Pages in {title}").format(title=title) if title else _("Pages in this section")
        )


def _label_nav(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    generate = context.get("generate_toctree_html")
    if generate is None:
        return

    def labelled(kind: str, *args: Any, **kwargs: Any) -> Any:
        out = generate(kind, *args, **kwargs)
        if hasattr(out, "find_all"):
            label_nav_toggles(out)
        return out

    context["generate_toctree_html"] = labelled


def _add_templates(app: Sphinx, config: Config) -> None:
    config.templates_path.append(str(TEMPLATES))


def setup_site(app: Sphinx) -> None:
    app.connect("config-inited", _add_templates)
    app.connect("html-collect-pages", front_door)
    # After the theme (priority 500) has put its navigation function into the page context.
    app.connect("html-page-context", _label_nav, priority=900)
