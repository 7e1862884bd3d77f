"""The student EPUB builder: Sphinx's EPUB 3 with accessibility metadata and a reproducible zip."""

from __future__ import annotations

import html
import os
import posixpath
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zipfile import ZIP_DEFLATED, ZIP_STORED, ZipFile, ZipInfo

from sphinx.builders.epub3 import Epub3Builder

from .epubcover import family, raster_cover
from .epubfiles import complete_svg_paths, prune_unreferenced
from .images import shrink_copies
from .pagereuse import ReusingPages
from .typography import nowrap_ranges

if TYPE_CHECKING:
    from sphinx.application import Sphinx

# Sphinx's default for epub_contributor: no contributor at all.
NO_CONTRIBUTOR = {"", "unknown"}
# The folders of copied files an EPUB ships only when a page uses them.
SHIPPED_IF_USED = ("_static", "_images")

# Zip timestamps cannot predate 1980.
ZIP_EPOCH_MIN = 315532800


def source_date_epoch() -> int:
    return max(int(os.environ.get("SOURCE_DATE_EPOCH", ZIP_EPOCH_MIN)), ZIP_EPOCH_MIN)


def _nowrap_entries(navlist: list[Any]) -> list[Any]:
    """Sphinx's NavPoints (their text escaped HTML) with each number range in a nowrap span."""
    return [
        p._replace(text=nowrap_ranges(p.text), children=_nowrap_entries(p.children))
        for p in navlist
    ]


class AccessibleEpubBuilder(ReusingPages, Epub3Builder):
    """EPUB 3 whose content.opf declares how it can be read, written byte for byte the same."""

    # Named "epub" so Sphinx treats it as one (no "?v=" query strings on CSS links, which
    # EPUB forbids); it replaces the stock builder.
    name = "epub"
    template_dir = Path(__file__).parent / "epub_templates"

    def get_toc(self) -> None:
        """The book's contents (the spine's order) from the root document's toctrees, or the
        last build's when the build's inputs did not change (``pagereuse``)."""

        def contents() -> list[dict[str, Any]]:
            doctree = self.env.get_and_resolve_doctree(
                self.config.root_doc, self, tags=self.tags, prune_toctrees=False, includehidden=True
            )
            return self.get_refnodes(doctree, [])

        refnodes = self.pages.value("refnodes", contents) if self.pages else contents()
        self.refnodes = [dict(node) for node in refnodes]
        self.toc_add_files(self.refnodes)

    def toc_add_files(self, refnodes: list[dict[str, Any]]) -> None:
        """Resolve entry paths against the root document's folder, then add the root document.

        Sphinx leaves them relative to the root document (or joins them to ``master_doc`` without
        normalising), so a root document in a subfolder (``book/index``) gives paths such as
        ``../lessons/x.xhtml`` that point outside the EPUB container. Every table of contents
        (nav.xhtml, toc.ncx, the spine) passes through here.
        """
        root_dir = posixpath.dirname(self.config.root_doc)
        for item in refnodes:
            path, hash_, fragment = item["refuri"].partition("#")
            item["refuri"] = posixpath.normpath(posixpath.join(root_dir, path)) + hash_ + fragment
        super().toc_add_files(refnodes)

    def build_navigation_doc(self) -> None:
        """nav.xhtml, made of the toctrees and titles (the build's inputs): copied from the
        last build when they did not change (``pagereuse``), not resolved again."""
        if self.kept_file("nav.xhtml"):
            if "nav.xhtml" not in self.files:
                self.files.append("nav.xhtml")
            return
        super().build_navigation_doc()

    def build_toc(self) -> None:
        """toc.ncx, as nav.xhtml."""
        if not self.kept_file("toc.ncx"):
            super().build_toc()

    def navigation_doc_metadata(self, navlist: list[Any]) -> dict[str, Any]:
        """nav.xhtml's entries with each number range unbroken, as the pages' titles have it
        (``typography.nowrap_ranges``; the template sets ``.lp-nowrap``). toc.ncx stays text."""
        return super().navigation_doc_metadata(_nowrap_entries(navlist))

    cover_image = ""

    def init(self) -> None:
        super().init()
        # Every content document in the book's language (Sphinx's EPUB template omits it).
        lang = html.escape(self.config.epub_language or self.config.language or "en")
        self.html_tag = (
            '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"'
            f' lang="{lang}" xml:lang="{lang}">'
        )

    def handle_page(self, pagename: str, addctx: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        # The cover page shows the cover image the EPUB ships (the raster one, when drawn).
        if pagename == posixpath.splitext(self.coverpage_name)[0] and self.cover_image:
            addctx = {**addctx, "image": self.cover_image, "title": self.config.epub_title}
        super().handle_page(pagename, addctx, *args, **kwargs)

    def copy_image_files(self) -> None:
        super().copy_image_files()
        shrink_copies(self)  # very large images scaled down (images.py)
        for svg in sorted(self.outdir.glob(f"{self.imagedir}/**/*.svg")):
            complete_svg_paths(svg)

    def handle_finish(self) -> None:
        """A raster cover drawn from an SVG one, then only the files pages use, then Sphinx's."""
        if self.config.epub_cover:
            image = self.config.epub_cover[0]
            fonts = [Path(self.confdir) / f for f in self.config.lessonpack_fonts]
            cache_dir = self.config.lessonpack_cache_dir
            serif = family(fonts[0], cache_dir) if fonts and fonts[0].is_file() else None
            # the SVG is left out below unless a page uses it
            self.cover_image = raster_cover(self.outdir, image, serif, cache_dir) or image
        keep = [self.cover_image] if self.cover_image else []
        prune_unreferenced(self.outdir, SHIPPED_IF_USED, keep)
        super().handle_finish()

    def content_metadata(self) -> dict[str, Any]:
        metadata = super().content_metadata()
        pairs: list[tuple[str, str]] = []
        for prop, value in self.config.lessonpack_epub_accessibility.items():
            values = value if isinstance(value, list) else [value]
            pairs.extend((html.escape(prop), html.escape(str(v))) for v in values)
        metadata["accessibility"] = pairs
        metadata["conformance"] = [
            (html.escape(prop), html.escape(str(value)))
            for prop, value in self.config.lessonpack_epub_conformance.items()
        ]
        if self.config.epub_contributor.strip().lower() in NO_CONTRIBUTOR:
            metadata["contributor"] = ""
        if self.cover_image:
            metadata["raster_cover"] = html.escape(self.make_id(self.cover_image))
        return metadata

    def build_epub(self) -> None:
        """Like Sphinx's, but every entry has the same date and mode, so builds are identical."""
        outname = self.config.epub_basename + ".epub"
        date_time = time.gmtime(source_date_epoch())[:6]
        names = ["META-INF/container.xml", "content.opf", "toc.ncx", *self.files]
        with ZipFile(self.outdir / outname, "w") as epub:
            epub.writestr(
                self._info("mimetype", date_time, ZIP_STORED),
                (self.outdir / "mimetype").read_bytes(),
            )
            for name in names:
                epub.writestr(
                    self._info(name, date_time, ZIP_DEFLATED), (self.outdir / name).read_bytes()
                )

    @staticmethod
    def _info(name: str, date_time: tuple[int, ...], compress: int) -> ZipInfo:
        info = ZipInfo(name, date_time=date_time)  # type: ignore[arg-type]
        info.compress_type = compress
        info.external_attr = 0o644 << 16
        info.create_system = 3
        return info


def setup_epub(app: Sphinx) -> None:
    app.add_builder(AccessibleEpubBuilder, override=True)
