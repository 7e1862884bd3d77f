"""The WeasyPrint builder on small projects: valid HTML, strict logging, local files only."""

from __future__ import annotations

import re
from collections import Counter

from pypdf import PdfReader

CHAPTER = """
# Chapter {n}

Intro {n}, see [the other timeline](#timeline-other) and {{ref}}`timeline-{n}`.

(timeline-{n})=
## Timeline

Text of chapter {n}.

## Questions

More text.
"""


def two_chapters() -> dict[str, str]:
    first = CHAPTER.format(n=1).replace("(#timeline-other)", "(#timeline-2)")
    second = CHAPTER.format(n=2).replace("(#timeline-other)", "(#timeline-1)")
    return {"one.md": first, "two.md": second}


def test_assembled_book_has_unique_ids_and_resolving_links(build):
    result = build(
        two_chapters(),
        edition="teacher",
        builder="lessonpdf",
        conf='lessonpack_pdf_basename = "t"\nlessonpack_pdf_papers = ["a4", "letter"]\n',
    )
    assert result.warnings == ""
    # The book is written in pieces (front, one per chapter): together they are one book.
    pieces = sorted((result.outdir / "_book").glob("*.html"))
    assert [p.name for p in pieces][:3] == ["000.html", "001.html", "002.html"]
    html = "".join(p.read_text(encoding="utf-8") for p in pieces)
    ids = re.findall(r'\sid="([^"]+)"', html)
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert duplicates == []
    # Both chapters have a "Timeline" section; each contents entry points at its own.
    nav = html[html.index("<nav") : html.index("</nav>")]
    targets = re.findall(r'href="#([^"]+)"', nav)
    assert len(set(targets)) == len(targets)
    for target in re.findall(r'href="#([^"]+)"', html):
        assert target in ids, f"link to missing anchor #{target}"
    assert '<div class="lp-chapter" id="document-one">' in html
    for paper in ("a4", "letter"):
        pdf = PdfReader(result.outdir / f"t-teacher-{paper}.pdf")
        assert len(pdf.pages) >= 4
        # Links between pieces were joined up again: every link goes to a destination.
        names = pdf.named_destinations
        links = [
            annot.get_object()
            for page in pdf.pages
            for annot in page.get("/Annots", [])
            if annot.get_object()["/Subtype"] == "/Link"
        ]
        assert links and all(str(link["/Dest"]) in names for link in links)
        assert "/A" not in "".join(str(link.keys()) for link in links)
    a4 = PdfReader(result.outdir / "t-teacher-a4.pdf").pages[0].mediabox
    letter = PdfReader(result.outdir / "t-teacher-letter.pdf").pages[0].mediabox
    assert round(float(a4.width)) == 595 and round(float(letter.width)) == 612


def test_weasyprint_warnings_fail_the_build_and_nothing_is_fetched(build):
    result = build(
        two_chapters(),
        edition="teacher",
        builder="lessonpdf",
        # Added as an extension would (conf.py's html_css_files are refused before the build).
        conf='def setup(app):\n    app.add_css_file("https://fonts.example.com/remote.css")\n',
    )
    assert re.search(
        r"WARNING: refusing to load stylesheet https://fonts\.example\.com/remote\.css: "
        r"the PDFs may only use files of the build",
        result.warnings,
    ), result.warnings
    assert "[lessonpack.weasyprint]" in result.warnings
