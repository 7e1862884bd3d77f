"""The IMS Common Cartridge: ``imsmanifest.xml`` and its files, in version 1.1 or 1.2.

Layout: the student website once under ``web_resources/`` (every page its own ``webcontent``
resource, depending on one resource that names every other file: styles, fonts, scripts,
images); the handouts under ``web_resources/`` too, each a ``webcontent`` resource; each quiz
an assessment resource (``<ident>/assessment_qti.xml``, QTI 1.2 with the CC profile) depending on
a resource with Canvas's own copy (``non_cc_assessments/<ident>.xml.qti`` and its settings
``<ident>/assessment_meta.xml``, as Canvas's own exports hold them). The organization has a
module per lesson: its pages, its handouts, its quizzes. Every file is named by exactly one
resource; identifiers are hashes of names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from ..labels import N_, _
from ..typography import typographic
from .model import Course, ident
from .qti import QtiFiles
from .zips import Data

WEB = "web_resources"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(frozen=True)
class Version:
    name: str  # "1.1"
    schema: str  # "1.1.0"
    short: str  # "v1p1"

    @property
    def cp_ns(self) -> str:
        return f"http://www.imsglobal.org/xsd/imscc{self.short}/imscp_v1p1"

    @property
    def lom_ns(self) -> str:
        return f"http://ltsc.ieee.org/xsd/imscc{self.short}/LOM/manifest"

    @property
    def assessment(self) -> str:
        return f"imsqti_xmlv1p2/imscc_xml{self.short}/assessment"

    @property
    def associated(self) -> str:
        return f"associatedcontent/imscc_xml{self.short}/learning-application-resource"

    @property
    def schema_location(self) -> str:
        base = f"http://www.imsglobal.org/profile/cc/cc{self.short}"
        return (
            f"{self.cp_ns} {base}/cc{self.short}_imscp_v1p2_v1p0.xsd "
            f"{self.lom_ns} {base}/LOM/cc{self.short}_lommanifest_v1p0.xsd"
        )


# The paper sizes of ``lessonpack_pdf_papers`` as a reader names them (a handout's title).
PAPERS = {"a4": N_("A4"), "a5": N_("A5"), "letter": N_("Letter")}


def handout_title(paper: str) -> str:
    """A handout's title in its module, in the course's language: "Handout (A4)"."""
    name = _(PAPERS[paper]) if paper in PAPERS else paper
    return _("Handout ({paper})").format(paper=name)


VERSIONS = {"1.1": Version("1.1", "1.1.0", "v1p1"), "1.2": Version("1.2", "1.2.0", "v1p2")}


def page_path(doc: str) -> str:
    """Where a document's page is in the cartridge (the website's own layout)."""
    return f"{WEB}/{doc}.html"


def cartridge(
    course: Course,
    version: Version,
    site: Mapping[str, Data],
    handouts: Mapping[str, Data],
    quizzes: dict[str, tuple[str, QtiFiles]],
) -> dict[str, Data]:
    """Every entry of the cartridge: ``site`` (path below the website -> bytes or file),
    ``handouts`` (path in dist/ -> bytes or file) and ``quizzes`` (quiz ident -> (title, QTI)).
    A file is read when the zip is written (``zips.py``), one at a time."""
    ET.register_namespace("", version.cp_ns)
    ET.register_namespace("lomimscc", version.lom_ns)
    ET.register_namespace("xsi", XSI)
    cp, lom = f"{{{version.cp_ns}}}", f"{{{version.lom_ns}}}"
    files: dict[str, Data] = {f"{WEB}/{name}": data for name, data in site.items()}
    files.update({f"{WEB}/{name}": data for name, data in handouts.items()})

    manifest = ET.Element(
        f"{cp}manifest",
        {
            "identifier": ident("manifest", course.title),
            f"{{{XSI}}}schemaLocation": version.schema_location,
        },
    )
    metadata = ET.SubElement(manifest, f"{cp}metadata")
    ET.SubElement(metadata, f"{cp}schema").text = "IMS Common Cartridge"
    ET.SubElement(metadata, f"{cp}schemaversion").text = version.schema
    general = ET.SubElement(ET.SubElement(metadata, f"{lom}lom"), f"{lom}general")
    # conf.py's ``project``, which smartquotes never saw: "China’s", as the pages have it.
    title = typographic(course.title, course.language, course.quotes)
    ET.SubElement(ET.SubElement(general, f"{lom}title"), f"{lom}string").text = title
    language = ET.SubElement(general, f"{lom}language")
    language.text = course.language

    organization = ET.SubElement(
        ET.SubElement(manifest, f"{cp}organizations"),
        f"{cp}organization",
        {"identifier": ident("organization", course.title), "structure": "rooted-hierarchy"},
    )
    root_item = ET.SubElement(
        organization, f"{cp}item", {"identifier": ident("root", course.title)}
    )
    resources = ET.SubElement(manifest, f"{cp}resources")
    named: set[str] = set()
    shared = ident("shared", course.title)
    # First, so a reader meets what the pages depend on before them; its files come last.
    shared_resource = ET.SubElement(
        resources, f"{cp}resource", {"identifier": shared, "type": "webcontent"}
    )

    def resource(rid: str, kind: str, href: str | None, names: list[str], *deps: str) -> None:
        attrs = {"identifier": rid, "type": kind}
        if href:
            attrs["href"] = href
        element = ET.SubElement(resources, f"{cp}resource", attrs)
        for name in names:
            ET.SubElement(element, f"{cp}file", {"href": name})
            named.add(name)
        for dep in deps:
            ET.SubElement(element, f"{cp}dependency", {"identifierref": dep})

    def entry(parent: ET.Element, title: str, rid: str | None = None, key: str = "") -> ET.Element:
        attrs = {"identifier": ident("item", key or title, rid or "")}
        if rid:
            attrs["identifierref"] = rid
        item = ET.SubElement(parent, f"{cp}item", attrs)
        ET.SubElement(item, f"{cp}title").text = title
        return item

    pages: set[str] = set()
    for module in course.modules:
        folder = entry(root_item, module.title, key=f"module {module.doc}")
        for doc, title in module.pages:
            href = page_path(doc)
            if href not in files:
                raise KeyError(f"{doc}: the student website has no page {doc}.html")
            rid = ident("page", doc)
            if href not in pages:
                resource(rid, "webcontent", href, [href], shared)
                pages.add(href)
            entry(folder, title, rid)
        for paper, path in module.handouts:
            rid = ident("handout", path)
            resource(rid, "webcontent", f"{WEB}/{path}", [f"{WEB}/{path}"])
            entry(folder, handout_title(paper), rid, key=path)
        for quiz in module.quizzes:
            title, qti = quizzes[quiz.ident]
            cc_file = f"{qti.ident}/assessment_qti.xml"
            meta_file = f"{qti.ident}/assessment_meta.xml"
            canvas_file = f"non_cc_assessments/{qti.ident}.xml.qti"
            files[cc_file] = qti.cc_assessment.encode()
            files[meta_file] = qti.meta.encode()
            files[canvas_file] = qti.assessment.encode()
            rid, canvas = ident("assessment", quiz.ident), ident("canvas", quiz.ident)
            resource(rid, version.assessment, None, [cc_file], canvas)
            resource(canvas, version.associated, meta_file, [meta_file, canvas_file])
            entry(folder, title, rid)
    for name in sorted(n for n in files if n not in named):
        ET.SubElement(shared_resource, f"{cp}file", {"href": name})
    ET.indent(manifest)
    files["imsmanifest.xml"] = ET.tostring(manifest, encoding="UTF-8", xml_declaration=True) + b"\n"
    return files
