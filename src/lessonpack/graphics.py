"""What every graphic drawn from data shares: the bundled font, the drawing helper, the file
beside the doctrees, and the figure with its caption, source line and data table.

The directive modules (``charts.py``, ``linechart.py``, ``choropleth.py``) read the data; the
``draw/`` modules draw it, in a helper process (``helper.py``) started at the first drawing a
process needs and ended when reading ends: matplotlib (about 55 MB with its fonts and caches)
never enters a build, so a worker of a parallel read is as large at the end of its chunk of
documents as a worker that drew nothing; this module places what was drawn.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.util import logging

from . import nodes as lp
from .confcheck import setting_location
from .csvdata import DataError
from .helper import Helper
from .labels import _
from .locations import inline_line
from .paths import refusal

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

# lessonpack_chart_font as set in conf.py -> the font file, resolved when the config is read.
_FONT_FILES: dict[str, Path] = {}


def _resolve_font(app: Sphinx, config: Config) -> None:
    """A missing font file is a warning at its line of conf.py (the build fails; charts would
    fall back to matplotlib's font)."""
    name = config.lessonpack_chart_font
    if not name:
        return
    path = Path(app.confdir) / name
    if not path.is_file():
        logger.warning(
            f"lessonpack_chart_font: no such font file {name} (beside conf.py)",
            location=setting_location(app.confdir, "lessonpack_chart_font"),
            type="lessonpack",
            subtype="config",
        )
        return
    _FONT_FILES[name] = path


def font_file(directive: SphinxDirective) -> str | None:
    """The path of ``lessonpack_chart_font`` (a font file beside conf.py), which the drawings
    take; None when unset (matplotlib's own DejaVu Sans)."""
    path = _FONT_FILES.get(directive.config.lessonpack_chart_font)
    return None if path is None else str(path)


DRAWER = Helper()


def draw(function: Callable[..., bytes], /, *args: Any, **kwargs: Any) -> bytes:
    """The SVG ``function`` (a function of ``draw/``) draws from its arguments, drawn in this
    process's drawing helper."""
    return DRAWER.call(function, *args, **kwargs)


def release(*_args: object) -> list[str]:
    """End this process's drawing helper (reading is over, or the build)."""
    DRAWER.close()
    return []


def setup_graphics(app: Sphinx) -> None:
    app.connect("config-inited", _resolve_font)
    app.connect("env-updated", release)
    app.connect("build-finished", release)  # a build that stopped before env-updated


def data_file(directive: SphinxDirective, name: str, argument: str) -> Path:
    """A file the directive reads, inside the course, recorded as a dependency."""
    rel, abs_path = directive.env.relfn2path(argument.strip(), directive.env.docname)
    path = Path(abs_path)
    if (outside := refusal(directive.env, f"{{{name}}}", path)) is not None:
        raise directive.error(outside)
    if not path.is_file():
        raise directive.error(f"{{{name}}}: no such file {rel}")
    directive.env.note_dependency(abs_path)
    return path


def warn_data(directive: SphinxDirective, name: str, error: DataError) -> list[nodes.Node]:
    """One warning at the data file's line, naming the directive that reads it; nothing drawn."""
    where = f"{directive.env.doc2path(directive.env.docname)}:{directive.lineno}"
    logger.warning(
        f"{error.message} (data of the {{{name}}} at {where})",
        location=f"{error.path}:{error.line}",
        type="lessonpack",
        subtype="data",
    )
    return []


def image_uri(directive: SphinxDirective, svg: bytes, stem: str) -> str:
    """Write the SVG beside the doctrees under a name from its bytes; its URI from the document."""
    digest = hashlib.sha256(svg).hexdigest()[:12]
    out_dir = Path(directive.env.doctreedir) / "lessonpack-charts"
    out_dir.mkdir(parents=True, exist_ok=True)
    svg_path = out_dir / f"{stem}-{digest}.svg"
    if not svg_path.exists():
        svg_path.write_bytes(svg)
    doc_dir = Path(directive.env.doc2path(directive.env.docname)).parent
    return os.path.relpath(svg_path, doc_dir).replace(os.sep, "/")


def graphic(
    directive: SphinxDirective, uri: str, table: nodes.table | None, slide_uri: str = ""
) -> list[nodes.Node]:
    """The figure (image, caption from the content, ``:source:`` line), then the data table,
    in one :class:`lp.graphic` container. ``slide_uri``: the graphic drawn for a slide, which the
    slide decks show instead (the image's ``slide_image``, a path from the source folder)."""
    figure = nodes.figure(classes=["lp-chart"])
    directive.set_source_info(figure)
    image = nodes.image(uri=uri, alt=directive.options["alt"])
    if slide_uri:
        image["slide_image"] = directive.env.relfn2path(slide_uri, directive.env.docname)[0]
    figure += image
    caption_nodes = directive.parse_content_to_nodes()
    if caption_nodes and isinstance(caption_nodes[0], nodes.paragraph):
        first = caption_nodes[0]
        figure += nodes.caption(first.rawsource, "", *first.children)
    source = directive.options.get("source", "").strip()
    if source:
        line = inline_line(directive, directive.lineno)
        text_nodes, messages = directive.parse_inline(source, lineno=line)
        legend = nodes.legend()
        label = _("{label}: ").format(label=_("Source"))
        legend += nodes.paragraph("", label, *text_nodes, classes=["lp-chart-source"])
        figure += legend
        figure += messages
    if "label" in directive.options:
        figure["names"].append(directive.options["label"])
        directive.state.document.note_explicit_target(figure, figure)
    box = lp.graphic(classes=["lp-graphic"])
    box += figure
    if table is not None:
        box += table
    return [box]


def cite_cell(directive: SphinxDirective, value: str) -> list[nodes.Node]:
    """Bibliography keys (comma-separated) as citations, through sphinxcontrib-bibtex's role."""
    line = inline_line(directive, directive.lineno)
    text_nodes, messages = directive.parse_inline(f"{{cite:p}}`{value.strip()}`", lineno=line)
    return [*text_nodes, *messages]
