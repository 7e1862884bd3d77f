"""A deck as one HTML page for the PDF pipeline: one ``<section>`` per slide (and per notes
page in a teacher deck), laid out 16:9 by ``slides.css``.

Each section's id (``p-N``) lets the builder check that slide N landed on page N (nothing ran
over). The first slide of each group carries the group's bookmark; slide titles sit under it.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from ..labels import _
from ..typography import nowrap_ranges
from . import fit

if TYPE_CHECKING:
    from collections.abc import Callable

    from .model import Block, Deck, Slide

STYLES = ("_static/slides-fonts.css", "_static/lessonpack-slides.css")


def _runs(block: Block) -> str:
    out = []
    for run in block.runs:
        text = nowrap_ranges(html.escape(run.text))  # a number range on one line
        if run.italic:
            text = f"<em>{text}</em>"
        if run.bold:
            text = f"<strong>{text}</strong>"
        out.append(text)
    return "".join(out)


def _blocks(blocks: tuple[Block, ...]) -> str:
    out = []
    bullets: list[str] = []
    for block in blocks:
        if block.style == "bullet":
            bullets.append(f"<li>{_runs(block)}</li>")
            continue
        if bullets:
            out.append("<ul>" + "".join(bullets) + "</ul>")
            bullets = []
        out.append(f'<p class="lp-s-{block.style}">{_runs(block)}</p>')
    if bullets:
        out.append("<ul>" + "".join(bullets) + "</ul>")
    return "\n".join(out)


def pages(deck: Deck, teacher: bool) -> list[tuple[Slide, bool]]:
    """Every page of the PDF: each slide, and in a teacher deck its notes pages after it."""
    out: list[tuple[Slide, bool]] = []
    for slide in deck.slides:
        out.append((slide, False))
        if teacher and slide.notes:
            for page in fit.split(
                "notes",
                slide.group,
                _("Notes: {title}").format(title=slide.title),
                list(slide.notes),
            ):
                out.append((page, True))
    return out


def overflowing(count: int, pages: int, anchors: dict[str, int]) -> int | None:
    """The first of ``count`` sections (1-based) that is not alone on its page in a render of
    ``pages`` pages (``anchors``: each ``p-N`` id's 0-based page), or None if each is."""
    for number in range(1, count + 1):
        following = anchors.get(f"p-{number + 1}", pages)
        if anchors.get(f"p-{number}") != number - 1 or following != number:
            return number
    return None if pages == count else count


def deck_html(deck: Deck, language: str, image_uri: Callable[[Slide], str], teacher: bool) -> str:
    """The deck's HTML: ``image_uri`` gives a figure slide's image address in the build."""
    sections = []
    seen_groups: set[str] = set()
    for number, (slide, notes) in enumerate(pages(deck, teacher), start=1):
        classes = ["lp-s", f"lp-s-{slide.kind}"]
        attrs = ""
        if slide.group not in seen_groups and not notes:
            seen_groups.add(slide.group)
            classes.append("lp-s-group")
            attrs = f' data-group="{html.escape(slide.group)}"'
        tag = "h1" if slide.kind == "title" else "h2"
        parts = [f'<{tag} class="lp-s-heading">{nowrap_ranges(html.escape(slide.title))}</{tag}>']
        if slide.subtitle:
            parts.append(
                f'<p class="lp-s-subtitle">{nowrap_ranges(html.escape(slide.subtitle))}</p>'
            )
        if slide.figure is not None:
            alt = html.escape(slide.figure.alt, quote=True)
            parts.append(
                f'<div class="lp-s-picture"><img src="{image_uri(slide)}" alt="{alt}"></div>'
            )
        parts.append(f'<div class="lp-s-body">{_blocks(slide.blocks)}</div>')
        sections.append(
            f'<section class="{" ".join(classes)}" id="p-{number}"{attrs}>\n'
            + "\n".join(parts)
            + "\n</section>"
        )
    edition = "teacher" if teacher else "student"
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(_('{title}: slides').format(title=deck.title))}</title>\n"
        f'<meta name="author" content="{html.escape(deck.course)}">\n</head>\n'
        f'<body class="lp-deck lp-deck-{edition}">\n' + "\n".join(sections) + "\n</body>\n</html>\n"
    )
