"""The search index's stems come from PyStemmer (C), which snowballstemmer uses when it is
installed: about twenty times faster than its pure-Python English stemmer, with the same stems,
so every search index is byte for byte what it was."""

from __future__ import annotations

import re

import snowballstemmer
from snowballstemmer.english_stemmer import EnglishStemmer
from sphinx.search.en import SearchEnglish

from conftest import ROOT


def course_words() -> list[str]:
    """Every word of the course's sources and of Sphinx's own English texts."""
    words: set[str] = set()
    for folder in ("lessons", "exercises", "book"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".md", ".bib", ".csv", ".py", ".txt"}:
                words |= set(re.findall(r"\w+", path.read_text(encoding="utf-8").lower()))
    return sorted(words)


def test_sphinx_stems_english_with_pystemmer_and_the_stems_are_the_pure_python_ones():
    import Stemmer

    search = SearchEnglish({})
    assert isinstance(snowballstemmer.stemmer("english"), Stemmer.Stemmer)
    assert isinstance(search.stemmer, Stemmer.Stemmer)
    words = course_words()
    assert len(words) > 5000
    python = EnglishStemmer()
    differ = [w for w in words if search.stem(w) != python.stemWord(w)]
    assert differ == []
    # Words whose stems the Porter 2 rules treat specially, in both.
    special = {"generously": "generous", "communes": "commune", "famine": "famin", "news": "news"}
    assert {w: search.stem(w) for w in special} == special
    assert {w: python.stemWord(w) for w in special} == special
