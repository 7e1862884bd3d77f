"""The website's front door: ``index.html`` at the top, when the root document sits in a folder.

A school copies ``dist/html`` to a web server and expects its address to open the book; with the
root document at ``book/index``, that page is a real page of the site (the theme's page, with the
book's title, a link to the root document and its contents), not a redirect.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from sphinx import addnodes
from sphinx.util.nodes import clean_astext

from .labels import _
from .typography import for_config

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

TEMPLATES = Path(__file__).parent / "templates"
SITE_BUILDERS = {"html", "dirhtml"}
# docutils adds a viewport meta element to every page, beside the one of Sphinx's base template.
DOCUTILS_VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
VIEWPORT = re.compile(r"[ \t]*<meta\s+name=[\"']viewport[\"'][^>]*>\n?", re.IGNORECASE)
MAIN_ROLE = re.compile(r"(<main\b[^>]*?)\s+role=[\"']main[\"']", re.IGNORECASE)
# The theme's article around the page (pydata-sphinx-theme's ``bd-article``).
THEME_ARTICLE = re.compile(r"<article(?P<attributes>\s[^>]*\bbd-article\b[^>]*)>")
ARTICLE_TAGS = re.compile(r"<article\b|</article\s*>", re.IGNORECASE)


def front_door(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """A real page at the top (no redirect: a browser, a crawler or a screenshot tool opens it
    like any other): the site's title, a link into the book, and the root document's contents,
    drawn by the theme's own page template."""
    root = app.config.root_doc
    if app.builder.name not in SITE_BUILDERS or "/" not in root:
        return
    env = app.builder.env
    title = _typeset(app, app.config.html_title or app.config.project)

    def link(doc: str) -> str:
        uri = html.escape(app.builder.get_relative_uri("index", doc))
        text = html.escape(clean_astext(env.titles[doc])) if doc in env.titles else doc
        return f'<a class="reference internal" href="{uri}">{text}</a>'

    groups = []
    for toctree in env.get_doctree(root).findall(addnodes.toctree):
        docs = [doc for _title, doc in toctree["entries"] if doc in env.titles]
        if not docs:
            continue
        items = "".join(f"<li>{link(doc)}</li>\n" for doc in docs)
        caption = toctree.get("caption")
        heading = f"<h2>{html.escape(caption)}</h2>\n" if caption else ""
        groups.append(f"{heading}<ul>\n{items}</ul>\n")
    body = (
        f'<div id="front-door">\n<h1>{html.escape(title)}</h1>\n'
        f'<p class="lessonpack-front-door">{link(root)}</p>\n{"".join(groups)}</div>\n'
    )
    yield "index", {"title": title, "body": body}, "page.html"


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


def _one_viewport(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """No second viewport meta from docutils on any page (site, EPUB): EPUBCheck and Ace count
    them; the base template's stays (in an EPUB, reading systems ignore it)."""
    if isinstance(context.get("metatags"), str):
        context["metatags"] = context["metatags"].replace(DOCUTILS_VIEWPORT, "")


def without_viewport(markup: str) -> Markup:
    """A theme's head block without its viewport meta: Sphinx's base template has one already,
    before the block (the Nu checker and Ace count them)."""
    return Markup(VIEWPORT.sub("", str(markup)))


def plain_landmarks(markup: str) -> Markup:
    """A theme's page body without ``role="main"`` on ``<main>`` (its implicit role) and with
    its ``<article>`` around the page a ``<div>`` (same class): inside sectioning content, the
    page's ``<h1>`` reads as a nested heading (the Nu checker's "h1 ... top-level heading only"
    and "Article lacks heading")."""
    text = MAIN_ROLE.sub(r"\1", str(markup))
    start = THEME_ARTICLE.search(text)
    if start is None:
        return Markup(text)
    depth = 0
    for tag in ARTICLE_TAGS.finditer(text, start.start()):
        depth += -1 if tag[0].startswith("</") else 1
        if depth == 0:
            text = f"{text[: tag.start()]}</div>{text[tag.end() :]}"
            break
    else:
        return Markup(text)  # no end tag: left as the theme wrote it
    head = f"<div{start['attributes']}>"
    return Markup(f"{text[: start.start()]}{head}{text[start.end() :]}")


def _register_filters(app: Sphinx) -> None:
    """The filters ``templates/layout.html`` uses, on every builder with Jinja templates."""
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is not None:
        environment.filters["lp_without_viewport"] = without_viewport
        environment.filters["lp_plain_landmarks"] = plain_landmarks


def _typeset(app: Sphinx, text: str) -> str:
    """A title from conf.py set as smartquotes sets the text (typography.py)."""
    return for_config(app.config)(text)


def _typeset_site_title(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """The site's title as every page shows it (``<title>``, the theme's logo text) with the
    text's quotes: "China’s", not conf.py's "China's"."""
    if isinstance(context.get("docstitle"), str):
        context["docstitle"] = _typeset(app, context["docstitle"])


def _add_templates(app: Sphinx, config: Config) -> None:
    config.templates_path.append(str(TEMPLATES))


def setup_site(app: Sphinx) -> None:
    app.connect("config-inited", _add_templates)
    app.connect("html-collect-pages", front_door)
    # After the theme (priority 500) has put its navigation function into the page context.
    app.connect("html-page-context", _label_nav, priority=900)
    app.connect("html-page-context", _one_viewport)
    app.connect("builder-inited", _register_filters)
    app.connect("html-page-context", _typeset_site_title)
