"""Author-year citations of works with the same authors and year: 2010a, 2010b, ... by title."""

from __future__ import annotations

import re

from conftest import REFS

# In the .bib file out of title order, so the letters must come from the titles.
SAME_YEAR = r"""
@article{dik2010c, author = {Dik{\"o}tter, Frank}, title = {Mao's Great Leap to Famine},
  journal = {The New York Times}, year = {2010}}
@book{dik2010a, author = {Dik{\"o}tter, Frank}, title = {Mao's Great Famine},
  publisher = {Walker}, year = {2010}}
@article{dik2010b, author = {Dik{\"o}tter, Frank}, title = {Mao's Great Hunger},
  journal = {History Today}, year = {2010}}
@book{dik2016, author = {Dik{\"o}tter, Frank}, title = {The Cultural Revolution},
  publisher = {Bloomsbury}, year = {2016}}
@book{other2010, author = {Other, Ann}, title = {Famine}, publisher = {Press}, year = {2010}}
"""
PAGE = (
    "# Page\n\nFirst {cite:p}`dik2010c`. Second {cite:p}`dik2010a,dik2010b`. "
    "Others {cite:p}`dik2016,other2010,smith2000`.\n"
)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" .", ".").replace(" ,", ",")


def test_same_authors_and_year_get_letters_by_title(build):
    result = build({"page.md": PAGE, "refs.bib": REFS + SAME_YEAR})
    assert result.warnings == ""
    page = _text(result.html("page"))
    assert "First [ Dikötter, 2010c ]" in page, page
    assert "Second [ Dikötter, 2010a, Dikötter, 2010b ]" in page, page
    assert "Others [ Dikötter, 2016, Other, 2010, Smith, 2000 ]" in page, page
    bibliography = _text(result.html("bibliography"))
    for year, title in (("2010a", "Famine"), ("2010b", "Hunger"), ("2010c", "Leap to Famine")):
        entry = rf"Frank Dikötter\. Mao’s Great {title}\. [^.]*, {year}\."
        assert re.search(entry, bibliography), bibliography
    assert "The Cultural Revolution. Bloomsbury, 2016." in bibliography, bibliography
    assert "Ann Other. Famine. Press, 2010." in bibliography, bibliography
    # The same bytes from a second build of the same sources.
    again = build({"page.md": PAGE, "refs.bib": REFS + SAME_YEAR})
    assert _text(again.html("page")) == page


def test_a_work_alone_in_its_year_keeps_its_year(build):
    result = build({"page.md": "# Page\n\nA claim {cite:p}`smith2000`.\n"})
    assert "Smith, 2000]" in _text(result.html("page")).replace(" ]", "]")


QUOTED = r"""
@misc{blog2011, author = {Jones, Adam}, title = {Did Dik{\"o}tter's ``Famine'' Photo Mislead?},
  howpublished = {Blog post}, year = {2011}, url = {https://example.org/it's--here}}
"""


def test_bibliography_entries_get_the_texts_quotes_but_urls_stay(build):
    result = build(
        {"page.md": "# Page\n\nA claim {cite:p}`blog2011`.\n", "refs.bib": REFS + QUOTED}
    )
    assert result.warnings == ""
    bibliography = result.html("bibliography")
    assert "Did Dikötter’s “Famine” Photo Mislead?" in _text(bibliography), _text(bibliography)
    assert 'href="https://example.org/it\'s--here"' in bibliography
    assert ">https://example.org/it's--here<" in bibliography
