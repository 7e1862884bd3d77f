"""Line numbers that point at the construct at fault, under MyST.

Every message of the build names a file and a line; three holes in the way MyST (5.x) and
Sphinx pass line numbers to directives moved them:

- A colon fence whose body starts with another fence (``::::{discussion}`` then
  ``:::{question}``) is given a made-up blank first line by MyST, so that the inner fence is
  not read as an ``:option:``; the blank line is then counted in ``content_offset``, and every
  line inside the block (the nested directive, its warnings, its nodes) is one line late.
  :func:`colon_fence_offsets` takes the made-up line back out of the offset.
- ``SphinxDirective.parse_inline(text, lineno=...)`` takes a 1-based line as docutils does,
  but MyST reads it as 0-based: :func:`inline_line` gives the line to pass, so a role in an
  option (``:who: ... {cite:p}`key```) is reported on the option's own line
  (:func:`option_line`).
- Sphinx's ``glossary`` takes its terms' lines from its content's offsets, which MyST counts
  from the directive's body (and which Sphinx, even in reStructuredText, reads as 1-based
  lines though they are 0-based): a duplicate term was reported lines before itself.
  :class:`LocatedGlossary` gives each term the line it is written on.
"""

from __future__ import annotations

import contextvars
import functools
from typing import TYPE_CHECKING, Any

from docutils.statemachine import StringList
from sphinx.domains.std import Glossary

if TYPE_CHECKING:
    from docutils.parsers.rst import Directive
    from sphinx.application import Sphinx

# Set while MyST renders a colon fence to which it added a blank first line.
_MADE_UP_BLANK: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "lessonpack_made_up_blank", default=False
)


def is_myst(directive: Directive) -> bool:
    from myst_parser.mocking import MockState

    return isinstance(directive.state, MockState)


def inline_line(directive: Directive, line: int) -> int:
    """The ``lineno`` to give ``parse_inline`` so that its nodes and messages are on ``line``."""
    return line - 1 if is_myst(directive) else line


def option_line(directive: Directive, name: str) -> int:
    """The line of the ``:name:`` option in the directive's source (else the fence's line)."""
    for index, text in enumerate(directive.block_text.splitlines()[1:], start=1):
        if text.strip().startswith(f":{name}:"):
            return directive.lineno + index
        if not text.strip().startswith(":") or text.strip().startswith(":::"):
            break
    return directive.lineno


def colon_fence_offsets() -> None:
    """Patch MyST once: a made-up blank line is not counted in the body's offset."""
    from myst_parser.mdit_to_docutils import base

    if getattr(base, "_lessonpack_located", False):
        return
    render_colon_fence = base.DocutilsRenderer.render_colon_fence
    parse_directive_text = base.parse_directive_text

    @functools.wraps(render_colon_fence)
    def render(self: Any, token: Any) -> None:
        made_up = token.content.startswith(":::") and (token.info or "").strip().startswith("{")
        reset = _MADE_UP_BLANK.set(made_up)
        try:
            render_colon_fence(self, token)
        finally:
            _MADE_UP_BLANK.reset(reset)

    @functools.wraps(parse_directive_text)
    def parse(*args: Any, **kwargs: Any) -> Any:
        result = parse_directive_text(*args, **kwargs)
        # Only the fence being rendered had the line added, not the fences inside it.
        if _MADE_UP_BLANK.get() and result.blank_line_removed:
            _MADE_UP_BLANK.set(False)
            result.body_offset -= 1
        return result

    base.DocutilsRenderer.render_colon_fence = render  # type: ignore[method-assign]
    base.parse_directive_text = parse
    base._lessonpack_located = True  # type: ignore[attr-defined]


class _ShiftedOffsets:
    """A state whose ``nested_parse`` takes offsets shifted by ``shift`` lines."""

    def __init__(self, state: Any, shift: int) -> None:
        self._state = state
        self._shift = shift

    def __getattr__(self, name: str) -> Any:
        return getattr(self._state, name)

    def nested_parse(self, block: StringList, input_offset: int, *args: Any, **kw: Any) -> Any:
        return self._state.nested_parse(block, input_offset - self._shift, *args, **kw)


class LocatedGlossary(Glossary):
    """Sphinx's glossary, each term (and its messages) on the line it is written on."""

    def run(self) -> list[Any]:
        # Sphinx uses an offset as the term's 1-based line, and gives it back to nested_parse
        # for the definition. MyST counts offsets from the body's first line (the fence's
        # line + 1 + content_offset) and its nested_parse from the fence's line + 1;
        # reStructuredText counts them from the file's first line, 0-based.
        if is_myst(self):
            first, shift = self.lineno + 1 + self.content_offset, self.lineno + 1
        else:
            first, shift = 1, 1
        items = [(source, first + offset) for source, offset in self.content.items]
        self.content = StringList(list(self.content), items=items)
        self.state = _ShiftedOffsets(self.state, shift)  # type: ignore[assignment]
        return super().run()

    def parse_inline(self, text: str, *, lineno: int = -1) -> Any:
        return super().parse_inline(text, lineno=inline_line(self, lineno))


def setup_locations(app: Sphinx) -> None:
    colon_fence_offsets()
    app.add_directive_to_domain("std", "glossary", LocatedGlossary, override=True)
