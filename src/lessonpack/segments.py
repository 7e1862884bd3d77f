"""{segment}: one part of a film in a viewing guide, with start and end computed from durations."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from . import nodes as lp
from .labels import _

if TYPE_CHECKING:
    from sphinx.application import Sphinx

_DURATION = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")
_CLOCK = "lessonpack_segment_clock"


def parse_duration(text: str) -> int:
    """Seconds in ``mm:ss`` or ``h:mm:ss``; ValueError otherwise."""
    match = _DURATION.match(text.strip())
    if not match or int(match[3]) >= 60:
        raise ValueError(f"duration {text!r} is not mm:ss or h:mm:ss")
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    if hours and minutes >= 60:
        raise ValueError(f"duration {text!r} has more than 59 minutes")
    return hours * 3600 + minutes * 60 + seconds


def format_clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class SegmentDirective(SphinxDirective):
    """Segments are timed in document order; each starts where the previous one ended."""

    has_content = True
    required_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict] = {"duration": str}

    def run(self) -> list[nodes.Node]:
        if "duration" not in self.options:
            raise self.error("{segment} needs :duration: (mm:ss)")
        try:
            length = parse_duration(self.options["duration"])
        except ValueError as exc:
            raise self.error(str(exc)) from exc
        # current_document lives for the reading of one document, so each guide starts at 00:00.
        number, start = self.env.current_document.get(_CLOCK, (0, 0))
        number += 1
        end = start + length
        self.env.current_document[_CLOCK] = (number, end)
        node = lp.segment(classes=["lp-segment", "lp-box"], start=start, end=end)
        self.set_source_info(node)
        times = f"{format_clock(start)}–{format_clock(end)}"
        heading = _("Segment {number} ({times}): {title}").format(
            number=number, times=times, title=self.arguments[0]
        )
        node += lp.title_paragraph(heading, "lp-title")
        node += self.parse_content_to_nodes(allow_section_headings=False)
        return [node]


def setup_segments(app: Sphinx) -> None:
    app.add_directive("segment", SegmentDirective)
