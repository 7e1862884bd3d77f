"""Charts and maps drawn from data as SVG, by matplotlib, with nothing of Sphinx: these modules
run in a helper process (``graphics.draw``), which imports them and matplotlib, never the build.

Every function of them takes plain data (numbers, texts already typeset and translated, the font
file's path) and gives the same SVG bytes for the same data on every build.
"""

from __future__ import annotations

import io
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Black-and-white styles: one per series, told apart by dash and marker, never by colour alone.
LINE_STYLES = [
    {"linestyle": "-", "marker": "o", "color": "#000000", "markerfacecolor": "#000000"},
    {"linestyle": "--", "marker": "s", "color": "#4d4d4d", "markerfacecolor": "#ffffff"},
    {"linestyle": ":", "marker": "^", "color": "#000000", "markerfacecolor": "#ffffff"},
    {"linestyle": "-.", "marker": "D", "color": "#666666", "markerfacecolor": "#666666"},
]


@cache
def family(font: str | None) -> str | None:
    """The family of the font file ``font``, made known to matplotlib once per process (every
    drawing asks); None for None (matplotlib's own DejaVu Sans)."""
    if font is None:
        return None
    from matplotlib import font_manager

    font_manager.fontManager.addfont(font)
    return font_manager.FontProperties(fname=font).get_name()


def rc(font: str | None) -> dict[str, Any]:
    """matplotlib settings for reproducible SVG: fixed ids, text drawn as paths, no metadata."""
    settings: dict[str, Any] = {"svg.hashsalt": "lessonpack", "svg.fonttype": "path"}
    settings["font.size"] = 10
    if (name := family(font)) is not None:
        settings["font.family"] = name
    return settings


def svg_bytes(fig: Figure) -> bytes:
    import matplotlib.pyplot as plt

    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return out.getvalue().encode()
