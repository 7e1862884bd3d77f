"""A kept page's skeleton (lessonpack.keptwords) feeds the search index exactly as the page's
resolved doctree does, and carries its images and index entries, in far fewer nodes."""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.search import IndexBuilder

from lessonpack.keptwords import skeleton

PAGE = """---
myst:
  html_meta:
    keywords: commune, granary
---
# The *Great* Leap

Wombats dig{sup}`2` in the [yard](https://example.org).

% a comment: not searchable

```{container} no-search
Hiddenword is not searched.
```

<div class="extra">Rawword <b>bold</b></div>

## A section with `code` and a **strong** word

```{index} famine; causes
```

```{image} square.svg
:alt: A square
```

::::{note}
:::{container} no-search
### Hidden heading
:::
Noted text.
::::
"""
SQUARE = (
    "<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4'><rect width='4' height='4'/>"
    "</svg>"
)


def frozen(env, doctree: nodes.document) -> dict:
    index = IndexBuilder(env, "en", {}, "")
    index.feed("page", "page.md", "The Great Leap", doctree)
    return index.freeze()


def test_the_skeleton_feeds_the_search_index_as_the_page_does(build):
    result = build(
        {"page.md": PAGE, "square.svg": SQUARE},
        conf="myst_enable_extensions = ['colon_fence']\n",
    )
    env = result.app.env
    doctree = env.get_and_resolve_doctree("page", result.app.builder, tags=result.app.tags)
    kept = skeleton(doctree)
    assert frozen(env, kept) == frozen(env, doctree)
    index = frozen(env, kept)
    assert "rawword" in index["terms"] and "hiddenword" not in index["terms"]
    assert "commune" in index["terms"]  # the keyword meta tag
    assert "famine" in index["indexentries"]
    assert [n["uri"] for n in kept.findall(nodes.image)] == ["square.svg"]
    assert len(list(kept.findall(addnodes.index))) == len(list(doctree.findall(addnodes.index)))
    elements = [len(list(tree.findall(nodes.Element))) for tree in (kept, doctree)]
    assert elements[0] < elements[1] / 2  # what unpickling a kept page costs
