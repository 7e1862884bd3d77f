"""Output records: what one Sphinx build wrote for publishing, written when it succeeds.

A build of the website, the EPUB or the PDFs records, in ``<outdir>.outputs.json`` beside its
output folder, its edition, its format and, for each file it wrote for publishing, the file's
path in dist/ and its path in the build folder (relative to the record's folder). The publisher
(publish.py) builds dist/ from these records only; it never guesses from file names.

The record is deleted when a build starts and written only when it ends without an error or a
warning (the builds are strict), so a failed or killed build leaves no record to publish from.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import weakref
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx

SUFFIX = ".outputs.json"
# Sphinx builder name -> the format its files are published as.
FORMATS = {
    "html": "html",
    "dirhtml": "html",
    "epub": "epub",
    "lessonpdf": "pdf",
    "lessonslides": "slides",
}
# Each edition's website has its own format and its own folder of dist/ (the format's name): the
# teacher's is published apart, to be served behind a login (deploy/nginx-teacher.conf).
SITE_FORMATS = {"student": "html", "teacher": "teacher-html"}

# Never shipped: build bookkeeping that can carry teacher text or absolute paths.
# The site theme also copies two Jinja macro files into _static/: templates, not pages.
IGNORE = shutil.ignore_patterns(
    ".buildinfo",
    ".doctrees",
    "_sources",
    "*.pickle",
    "objects.inv",
    "*webpack-macros.html",
)


class RecordError(Exception):
    """An output record is missing, malformed or points outside its build folder."""


@dataclass(frozen=True)
class Output:
    """One file a build wrote: where it goes in dist/ and where it is now."""

    dist: str  # POSIX path relative to dist/
    source: Path  # absolute path in the build folder


@dataclass(frozen=True)
class Record:
    edition: str
    format: str
    files: tuple[Output, ...]


def record_path(outdir: Path) -> Path:
    """Where the build writing into ``outdir`` records its outputs."""
    outdir = Path(outdir)
    return outdir.parent / f"{outdir.name}{SUFFIX}"


def shipped_files(root: Path) -> list[Path]:
    """Every file below ``root`` that is published: all but what ``IGNORE`` drops."""
    found: list[Path] = []
    for folder, dirs, names in os.walk(root):
        dropped = IGNORE(folder, [*dirs, *names])
        dirs[:] = sorted(d for d in dirs if d not in dropped)
        found += [Path(folder) / n for n in names if n not in dropped]
    return sorted(found)


def safe_dist_path(path: str) -> str:
    """``path`` as a clean relative POSIX path, or RecordError if it could leave dist/."""
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or ".." in pure.parts or str(pure) in ("", "."):
        raise RecordError(f"{path!r} is not a path inside dist/")
    return str(pure)


def write_record(outdir: Path, edition: str, fmt: str, files: dict[str, Path]) -> Path:
    """Record ``files`` (dist path -> built file, inside ``outdir``), written atomically."""
    path = record_path(outdir)
    base = path.parent.resolve()
    rows = []
    for dist, source in sorted(files.items()):
        source = Path(source).resolve()
        rows.append({"dist": safe_dist_path(dist), "source": source.relative_to(base).as_posix()})
    data = {"version": 1, "edition": edition, "format": fmt, "files": rows}
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_record(path: Path) -> Record:
    """The record at ``path``; RecordError (naming it) if it is missing or malformed."""
    if not path.is_file():
        raise RecordError(f"{path}: no output record (the build did not finish successfully)")
    base = path.parent.resolve()
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        edition, fmt = str(data["edition"]), str(data["format"])
        files = []
        for row in data["files"]:
            source = (base / row["source"]).resolve()
            if not source.is_relative_to(base):
                raise RecordError(f"{row['source']!r} is outside {base}")
            files.append(Output(safe_dist_path(row["dist"]), source))
    except RecordError as error:
        raise RecordError(f"{path}: {error}") from None
    except (ValueError, KeyError, TypeError) as error:
        raise RecordError(f"{path} is malformed: {error!r}") from None
    return Record(edition, fmt, tuple(files))


def _builder_files(app: Sphinx, fmt: str) -> dict[str, Path]:
    outdir = Path(app.outdir)
    if fmt in SITE_FORMATS.values():
        return {f"{fmt}/{p.relative_to(outdir).as_posix()}": p for p in shipped_files(outdir)}
    if fmt == "epub":
        epub = outdir / f"{app.config.epub_basename}.epub"
        return {epub.name: epub}
    if fmt == "slides":  # each deck the slide builder wrote, PDF and PowerPoint
        found = app.builder.targets  # type: ignore[attr-defined]
        return {Path(t).relative_to(outdir).as_posix(): Path(t) for t in found}
    # The PDF builder knows each PDF it wrote: its target per paper size, below its outdir.
    targets = [t for page in app.builder.pages for t in page.targets.values()]  # type: ignore[attr-defined]
    return {Path(t).relative_to(outdir).as_posix(): Path(t) for t in targets}


def _forget(app: Sphinx) -> None:
    record_path(Path(app.outdir)).unlink(missing_ok=True)


class WarningCount(logging.Filter):
    """On Sphinx's warning handler, after its own filters: counts the warnings it prints (those
    ``suppress_warnings`` does not silence)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def filter(self, record: logging.LogRecord) -> bool:
        self.count += 1
        return True


_COUNTS: weakref.WeakKeyDictionary[Sphinx, WarningCount] = weakref.WeakKeyDictionary()


def _count_warnings(app: Sphinx, _config: Any) -> None:
    """config-inited, before messages.py drops the messages other builds printed."""
    from sphinx.util.logging import NAMESPACE, WarningStreamHandler

    counter = _COUNTS[app] = WarningCount()
    for handler in logging.getLogger(NAMESPACE).handlers:
        if isinstance(handler, WarningStreamHandler):
            handler.addFilter(counter)


def failed(app: Sphinx) -> bool:
    """Whether the build failed or warned: an error, or any warning (the builds are strict, -W;
    a build that warned publishes nothing, strict or not)."""
    counter = _COUNTS.get(app)
    return bool(app.statuscode or (counter is not None and counter.count))


def _record(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or failed(app):
        # Nothing may be published; and the environment Sphinx saved after reading must not
        # outlive the failure: it holds the documents that warned as read, so the next build
        # would skip them, print nothing and publish. Without it every document is read again
        # (the PDF renders are cached apart, beside it).
        from sphinx.application import ENV_PICKLE_FILENAME

        Path(app.doctreedir, ENV_PICKLE_FILENAME).unlink(missing_ok=True)
        return
    fmt = FORMATS.get(app.builder.name)
    if fmt is None:
        return
    if fmt == "html":
        fmt = SITE_FORMATS[app.config.lessonpack_edition]
    from sphinx.util import logging  # here: the publisher imports this module, not Sphinx

    logger = logging.getLogger(__name__)
    try:
        files = _builder_files(app, fmt)
        missing = sorted(str(p) for p in files.values() if not p.is_file())
        if missing:
            raise RecordError(f"{app.builder.name} did not write {', '.join(missing)}")
        write_record(Path(app.outdir), app.config.lessonpack_edition, fmt, files)
    except (RecordError, ValueError) as error:  # ValueError: a PDF named outside the outdir
        logger.warning("nothing to publish: %s", error, type="lessonpack", subtype="publish")


def setup_records(app: Sphinx) -> None:
    app.connect("config-inited", _count_warnings, priority=100)
    app.connect("builder-inited", _forget)
    app.connect("build-finished", _record, priority=900)  # after every other build step
