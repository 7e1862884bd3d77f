"""The teacher edition as a website: every page marked "Teacher's edition", unindexed.

The same theme as the student site; in the teacher edition (``lessonpack_edition = "teacher"``)
of an HTML build only, the site's title gains the label (so every page's ``<title>`` and the
theme's header carry it), a banner at the top of every page names the edition (the theme's
``announcement`` where it has one, else a banner before each page's body), and every page asks
robots not to index it. The student site is left exactly as it was.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from .labels import N_, _

if TYPE_CHECKING:
    from sphinx.application import Sphinx

SITE_BUILDERS = {"html", "dirhtml"}
LABEL = N_("Teacher's edition")
TITLE = N_("{title}: Teacher's edition")  # the site's title
BANNER = N_("Answers and teaching notes, for teachers only: please do not share with students.")
ROBOTS = '<meta name="robots" content="noindex, nofollow">\n'


def banner_html() -> str:
    return f'<strong class="lp-edition-label">{escape(_(LABEL))}</strong>. {escape(_(BANNER))}'


def banner_aside() -> str:
    """The banner as a page's own landmark (pages the theme's banner does not reach)."""
    label = escape(_(LABEL), quote=True)
    return f'<aside class="lp-edition-banner" aria-label="{label}"><p>{banner_html()}</p></aside>'


def teacher_site(app: Sphinx) -> bool:
    return app.builder.name in SITE_BUILDERS and app.config.lessonpack_edition == "teacher"


def _mark_site(app: Sphinx) -> None:
    if not teacher_site(app):
        return
    config = app.config
    title = config.html_title or config.project
    config.html_title = _(TITLE).format(title=title)
    options: dict[str, Any] = getattr(app.builder, "theme_options", None) or {}
    theme = getattr(app.builder, "theme", None)
    if theme is not None and "announcement" in theme.get_options({}):
        own = options.get("announcement") or ""
        marked = {**options, "announcement": banner_html() + (f" {own}" if own else "")}
        app.builder.theme_options = marked  # type: ignore[attr-defined]


def _mark_page(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if not teacher_site(app):
        return
    context["lessonpack_edition"] = "teacher"
    context["metatags"] = context.get("metatags", "") + ROBOTS
    # For our own standalone templates (the front door): {{ lessonpack_banner }} in its body.
    context["lessonpack_banner"] = banner_aside()
    # A theme without an announcement banner: the banner goes before the page's own body.
    if "theme_announcement" not in context and "body" in context:
        context["body"] = f"{banner_aside()}\n{context['body']}"


def setup_teachersite(app: Sphinx) -> None:
    # After the theme's own builder-inited handlers (priority 500) have read its options.
    app.connect("builder-inited", _mark_site, priority=900)
    app.connect("html-page-context", _mark_page)
