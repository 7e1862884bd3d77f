"""Which PDFs one ``lessonpdf`` build writes: the book, or one pack or handout per document.

Every output goes through the same builder, template and stylesheet; an output only names its
files, its mode (a body class the print stylesheet keys on) and the documents it holds. Outputs
are tied to an edition, so a teacher build never writes a handout and a student build never
writes a teacher's pack.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.config import Config

MODES = ("book", "pack", "handout", "quiz")


@dataclass(frozen=True)
class Output:
    """One entry of ``lessonpack_pdf_outputs``.

    ``name`` is a path below the output folder without ``.pdf``; it may use ``{basename}``,
    ``{edition}``, ``{paper}`` and, for packs and handouts, ``{doc}`` (the document's file name);
    a quiz (one PDF per version of the document's quizzes, student edition only) ``{version}``.
    ``documents`` are glob patterns of docnames (packs and handouts: one PDF per match).
    """

    name: str
    mode: str = "book"
    edition: str = ""  # empty: written by a build of either edition
    documents: tuple[str, ...] = ()

    def filename(self, config: Config, paper: str, docname: str = "", version: str = "") -> str:
        return (
            self.name.format(
                basename=config.lessonpack_pdf_basename,
                edition=config.lessonpack_edition,
                paper=paper,
                doc=PurePosixPath(docname).name,
                version=version,
            )
            + ".pdf"
        )

    def matches(self, docname: str) -> bool:
        return any(fnmatch.fnmatch(docname, pattern) for pattern in self.documents)


DEFAULT = Output(name="{basename}-{edition}-{paper}")


def parse_outputs(config: Config) -> list[Output]:
    """The outputs of this build's edition; the whole book when none are configured.

    Raises ValueError on an unknown mode or key, so a typo in conf.py fails loudly.
    """
    entries: list[dict[str, Any]] = config.lessonpack_pdf_outputs
    outputs = [DEFAULT] if not entries else []
    for entry in entries:
        unknown = set(entry) - {"name", "mode", "edition", "documents"}
        if unknown or "name" not in entry:
            raise ValueError(f"lessonpack_pdf_outputs entry {entry!r}: needs 'name'; {unknown}")
        mode = entry.get("mode", "book")
        if mode not in MODES:
            raise ValueError(f"lessonpack_pdf_outputs: mode {mode!r} is not one of {MODES}")
        docs = entry.get("documents", ())
        docs = (docs,) if isinstance(docs, str) else tuple(docs)
        if mode != "book" and not docs:
            raise ValueError(f"lessonpack_pdf_outputs: a {mode} needs 'documents'")
        edition = entry.get("edition", "")
        if mode in ("handout", "quiz") and edition != "student":
            # A handout is photocopied for students: it may only ever be made from student text.
            raise ValueError(f"lessonpack_pdf_outputs: a {mode} needs 'edition': 'student'")
        if mode == "quiz" and "{version}" not in entry["name"]:
            raise ValueError("lessonpack_pdf_outputs: a quiz's name needs {version}")
        outputs.append(Output(entry["name"], mode, edition, docs))
    return [o for o in outputs if o.edition in ("", config.lessonpack_edition)]
