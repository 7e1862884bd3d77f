"""A horizontal range chart: each row's low and high value as a bar (a dot where they are equal),
labelled with its figures; drawn for a page or for a slide."""

from __future__ import annotations

from . import rc, svg_bytes

# On a slide: the picture's box of slides.css (880 x 340 pt, shown at its own size), in type a
# class can read (the slide's text is 24 pt), smaller only as far as many rows need.
SLIDE_SIZE = (880 / 72, 340 / 72)
SLIDE_TYPE = (12.0, 18.0)  # the smallest and the largest type, points


def draw_range_chart(
    labels: list[str],
    lows: list[float],
    highs: list[float],
    unit: str,
    *,
    slide: bool = False,
    font: str | None = None,
) -> bytes:
    """A deterministic SVG: no date, fixed ids, text as paths (so no font is needed to view it)
    in the font of the file ``font`` (None: matplotlib's own); drawn for a page, or with
    ``slide`` for a slide."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    size, points, marker = (7, 0.42 * len(labels) + 1.2), 10.0, 7.0
    if slide:
        # A row takes about 1.5 lines of type; the axis and its label take about 3.
        low, high = SLIDE_TYPE
        points = max(low, min(high, SLIDE_SIZE[1] * 72 / (1.5 * len(labels) + 3)))
        size, marker = SLIDE_SIZE, points * 0.7
    with matplotlib.rc_context(rc(font) | {"font.size": points}):
        fig, ax = plt.subplots(figsize=size)
        ys = list(range(len(labels)))[::-1]
        for y, low, high in zip(ys, lows, highs, strict=True):
            if high > low:
                ax.barh(y, high - low, left=low, height=0.5, color="#1f4e79")
            else:
                ax.plot([low], [y], marker="o", color="#1f4e79", markersize=marker)
            ax.annotate(
                f"{low:g}" if high == low else f"{low:g}–{high:g}",
                (high, y),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
            )
        ax.set_yticks(ys, labels)
        ax.set_xlabel(unit)
        ax.set_xlim(0, max(highs) * 1.15)
        ax.grid(axis="x", color="#cccccc", linewidth=0.5)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout()
        return svg_bytes(fig)
