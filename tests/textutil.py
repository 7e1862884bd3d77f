"""Text as readers meet it: the gate's own extraction, shared with the tests."""

from __future__ import annotations

from lessonpack.check.texts import (
    epub_texts,
    html_text,
    normalise,
    pdf_pages,
    sentences,
    site_texts,
)

__all__ = ["epub_texts", "html_text", "normalise", "pdf_pages", "sentences", "site_texts"]
