"""PDF/UA-1: the outside checkers in the gate fail what they must, and the tagging fixes hold.

The books are small real projects built by the lessonpdf builder; the structure is read with
pikepdf; the checkers are `page` (page-validation) and `pdfua`, as the gate runs them.
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace

from conftest import BASE_CONF, REFS, write_files
from lessonpack.check import Site
from lessonpack.check.__main__ import main
from lessonpack.check.pdfua import check, page_failures, pdfua_failures
from lessonpack.manifest import Entry, sha256, write_manifest
from lessonpack.pdf.tagfix import fix_pdf, subset_tag

CHAPTER = """
# Chapter {n}

Reading of chapter {n}, with *emphasis* and **strength**.

- a first point, in a paragraph
- a second point

| Year | Grain (million tonnes) |
| --- | --- |
| 1958 | 200 |
| 1960 | 143.5 |

## Questions

More text of chapter {n}.
"""

TABLE_HTML = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title>
<style>@page {{ @top-center {{ content: "Running head" }}
  @bottom-center {{ content: counter(page) }} }}</style></head>
<body><h1>Title</h1>{body}</body></html>"""


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A teacher book of two chapters (three pieces, merged), A4: built once for this module."""
    src = tmp_path_factory.mktemp("src")
    files = {"one.md": CHAPTER.format(n=1), "two.md": CHAPTER.format(n=2)}
    files["index.md"] = "# Index\n\n```{toctree}\none\ntwo\n```\n"
    write_files(src, files)
    (src / "conf.py").write_text(BASE_CONF + 'lessonpack_pdf_basename = "t"\n', encoding="utf-8")
    (src / "refs.bib").write_text(REFS, encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    warnings = io.StringIO()
    with docutils_namespace():
        app = Sphinx(
            str(src),
            str(src),
            str(out),
            str(out / ".doctrees"),
            "lessonpdf",
            confoverrides={"lessonpack_edition": "teacher"},
            status=io.StringIO(),
            warning=warnings,
            freshenv=True,
        )
        app.build()
    assert warnings.getvalue() == ""
    return out / "t-teacher-a4.pdf"


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _elements(pdf: pikepdf.Pdf) -> list:
    found, stack = [], list(_kids(pdf.Root.StructTreeRoot))
    while stack:
        element = stack.pop()
        if isinstance(element, pikepdf.Dictionary) and "/S" in element:
            found.append(element)
            stack.extend(_kids(element))
    return found


def dist_with(tmp_path: Path, pdfs: dict[str, Path]) -> Site:
    """A dist/ holding these PDFs and its manifest (as publish.py writes it)."""
    dist = tmp_path / "dist"
    entries = []
    for name, pdf in pdfs.items():
        target = dist / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pdf.read_bytes())
        entries.append(Entry(name, "teacher", "pdf", sha256(target)))
    write_manifest(dist, entries)
    return Site(tmp_path, tmp_path / "build", dist)


def weasyprint_pdf(tmp_path: Path, body: str, name: str = "raw.pdf") -> Path:
    """A PDF/UA-1 file as WeasyPrint writes it, before any fix."""
    from weasyprint import HTML

    target = tmp_path / name
    HTML(string=TABLE_HTML.format(body=body)).write_pdf(target, pdf_variant="pdf/ua-1")
    return target


# The gate --------------------------------------------------------------------------------------


def test_the_built_book_passes_both_checkers(book: Path, tmp_path: Path):
    assert page_failures(book) == []
    assert pdfua_failures(book)[0] == []
    outcome = check(dist_with(tmp_path, {"t-teacher-a4.pdf": book}))
    assert outcome.ok, outcome.problems
    assert outcome.figure.startswith("1 PDFs, 0 PDF/UA-1 failures")


def test_the_gate_line_fails_on_an_untagged_pdf(tmp_path: Path, capsys):
    untagged = tmp_path / "untagged.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(untagged)
    site = dist_with(tmp_path, {"untagged.pdf": untagged})
    assert main(["--root", str(site.root), "--only", "pdfua"]) == 1
    out = capsys.readouterr().out
    assert "FAIL pdfua: 1 PDFs," in out
    assert "untagged.pdf: 1 × page PDFUA1-" in out


def test_the_gate_fails_on_a_table_without_scope_and_passes_once_fixed(tmp_path: Path):
    table = "<table><tr><th>Year</th><th>Grain</th></tr><tr><td>1958</td><td>200</td></tr></table>"
    raw = weasyprint_pdf(tmp_path, table)
    outcome = check(dist_with(tmp_path / "raw", {"raw.pdf": raw}))
    assert [p for p in outcome.problems if "pdfua UA-15-003" in p], outcome.problems
    fix_pdf(raw)
    assert check(dist_with(tmp_path / "fixed", {"fixed.pdf": raw})).ok


def test_the_gate_fails_on_a_paragraph_directly_in_a_list_item(tmp_path: Path):
    raw = weasyprint_pdf(tmp_path, "<ul><li><p>A point</p></li></ul>")
    outcome = check(dist_with(tmp_path / "raw", {"raw.pdf": raw}))
    assert [p for p in outcome.problems if "PDFUA1-LI-KIDS" in p], outcome.problems
    fix_pdf(raw)
    assert check(dist_with(tmp_path / "fixed", {"fixed.pdf": raw})).ok


# The fixes, in a built book --------------------------------------------------------------------


def test_running_heads_and_folios_are_artifacts(book: Path):
    with pikepdf.open(book) as pdf:
        reached = {e.objgen for e in _elements(pdf)}
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        artifacts = 0
        for page in pdf.pages:
            mapped = entries[int(page.obj.StructParents)]
            marked = set()
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) != "BDC":
                    continue
                if operands[0] == pikepdf.Name.Artifact:
                    artifacts += 1
                else:
                    marked.add(int(operands[1].MCID))
            # Every marked MCID belongs to an element of the tree; no tree entry is orphaned.
            for mcid in marked:
                assert mapped[mcid].objgen in reached
            orphans = [e for e in mapped if isinstance(e, pikepdf.Dictionary)]
            assert all(e.objgen in reached for e in orphans)
        # A running head and a folio on each page but the cover.
        assert artifacts >= 2 * (len(pdf.pages) - 1)


def test_table_headers_have_a_scope(book: Path):
    with pikepdf.open(book) as pdf:
        headers = [e for e in _elements(pdf) if e.S == "/TH"]
        assert len(headers) >= 4  # two per table, two tables
        assert {str(h.A.Scope) for h in headers} == {"/Column"}


def test_row_headers_have_scope_row(tmp_path: Path):
    raw = weasyprint_pdf(
        tmp_path,
        '<table><tr><th>Year</th><th>Grain</th></tr><tr><th scope="row">1958</th><td>200</td>'
        "</tr></table>",
    )
    fix_pdf(raw)
    with pikepdf.open(raw) as pdf:
        scopes = [str(e.A.Scope) for e in _elements(pdf) if e.S == "/TH"]
    assert sorted(scopes) == ["/Column", "/Column", "/Row"]


def test_list_items_hold_only_labels_and_bodies(book: Path):
    with pikepdf.open(book) as pdf:
        items = [e for e in _elements(pdf) if e.S == "/LI"]
        assert len(items) >= 4
        for item in items:
            kinds = [str(k.S) for k in _kids(item) if isinstance(k, pikepdf.Dictionary)]
            assert set(kinds) <= {"/Lbl", "/LBody"} and "/LBody" in kinds
        bodies = [e for e in _elements(pdf) if e.S == "/LBody"]
        assert any(str(k.S) == "/P" for b in bodies for k in _kids(b) if "/S" in k)


def test_each_font_program_has_its_own_subset_tag(book: Path):
    with pikepdf.open(book) as pdf:
        tags: dict[str, set[bytes]] = {}
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                descriptor = font.DescendantFonts[0].FontDescriptor
                program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
                data = program.read_bytes()
                name = str(font.BaseFont).lstrip("/")
                assert name[:6] == subset_tag(data) and name[6] == "+"
                assert str(descriptor.FontName) == str(font.BaseFont)
                tags.setdefault(name, set()).add(data)
    # Two chapters are two renders: the same face subset twice, under two tags.
    faces = {name.split("+")[1] for name in tags}
    assert len(tags) > len(faces)
    assert all(len(programs) == 1 for programs in tags.values())


def test_a_caption_never_ends_a_page_without_its_table(tmp_path: Path):
    """The print theme keeps a caption with its table: WeasyPrint tags each page's part of a
    table as a Table, and a page holding the caption alone gives a Table without rows."""
    from weasyprint import CSS, HTML

    from lessonpack.pdf import THEME_DIR

    rows = "".join(f"<tr><td>row {i}</td><td>{i}</td></tr>" for i in range(12))
    filler = "<p>A line of text.</p>" * 6
    html = TABLE_HTML.format(
        body=f"{filler}<table><caption>The data</caption><thead><tr><th>Row</th><th>Value</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )
    target = tmp_path / "caption.pdf"
    sheets = [CSS(filename=THEME_DIR / "static" / "print.css"), CSS(string="@page { size: A6 }")]
    HTML(string=html).write_pdf(target, stylesheets=sheets, pdf_variant="pdf/ua-1")
    fix_pdf(target)
    with pikepdf.open(target) as pdf:
        tables = [e for e in _elements(pdf) if e.S == "/Table"]
        assert len(pdf.pages) > 1 and tables
        for table in tables:
            assert {str(k.S) for k in _kids(table)} - {"/Caption"}, "a Table holding only a Caption"
    assert check(dist_with(tmp_path, {"caption.pdf": target})).ok


@pytest.mark.parametrize("shape", ["one stream", "array of streams"])
def test_margin_text_becomes_artifacts_whatever_the_content_shape(tmp_path: Path, shape: str):
    """The pattern path (WeasyPrint's one stream) and pikepdf's parser (any other) agree."""
    raw = weasyprint_pdf(tmp_path, "<p>Body text.</p>")
    if shape != "one stream":
        with pikepdf.open(raw, allow_overwriting_input=True) as pdf:
            page = pdf.pages[0].obj
            page.Contents = pikepdf.Array([page.Contents])
            pdf.save(raw)
    fix_pdf(raw)
    with pikepdf.open(raw) as pdf:
        marked = [
            (str(operands[0]), dict(operands[1]))
            for operands, operator in pikepdf.parse_content_stream(pdf.pages[0])
            if str(operator) == "BDC"
        ]
    pagination = ("/Artifact", {"/Type": pikepdf.Name.Pagination})
    assert marked.count(pagination) == 2  # the running head and the folio
    assert len(marked) == 4  # the heading and the paragraph stay tagged
    assert check(dist_with(tmp_path, {"raw.pdf": raw})).ok
