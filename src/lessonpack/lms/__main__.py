"""``python -m lessonpack.lms REPORT SITE_RECORD PDF_RECORD OUTDIR``: the LMS files of a course.

REPORT is the teacher edition's report (the quizzes with their keys), SITE_RECORD the student
website's output record, PDF_RECORD the student PDF build's (the handouts). Writes into OUTDIR
(emptied first) and records its files for publishing (``OUTDIR.outputs.json``: edition teacher,
format lms). A fault is one line naming the file, and a non-zero exit: nothing is recorded.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from sphinx import locale

from ..keyed import KeyedStore
from ..labels import CATALOGUE, LOCALES, _
from ..records import RecordError, read_record, record_path, write_record
from . import cartridge, moodle, qti
from .model import Course, CourseError, load_course
from .zips import Data, Deflater, write_zip

FOLDER = "lms"


def names(course: Course) -> dict[str, str]:
    """Each quiz's file name (its document's, with its line if a document has several)."""
    out: dict[str, str] = {}
    for quiz in course.quizzes:
        name = quiz.slug
        if name in out.values():
            name = f"{name}-{quiz.line}"
        out[quiz.ident] = name
    return out


def build(
    report: Path, site_record: Path, pdf_record: Path, outdir: Path, cache: Path | None = None
) -> dict[str, Path]:
    """Write every LMS file into ``outdir``; their paths in dist/ -> files. ``cache``: the
    folder where the zips' deflated entries (:mod:`.zips`) and the quizzes' QTI are kept for
    the next run."""
    data = json.loads(report.read_text(encoding="utf-8"))
    course = load_course(data)
    # locale.init merges into a catalogue already loaded (another course's language, in-process).
    locale.translators.pop(("general", CATALOGUE), None)
    locale.init([str(LOCALES)], course.language, CATALOGUE)
    site = read_record(site_record)
    # Each file is read when its entry is written (zips.py): the course is never held whole.
    folder = f"{site.format}/"
    pages = {o.dist.split("/", 1)[1]: o.source for o in site.files if o.dist.startswith(folder)}
    wanted = [path for module in course.modules for _paper, path in module.handouts]
    pdfs = {o.dist: o.source for o in read_record(pdf_record).files} if wanted else {}
    handouts = {}
    for module in course.modules:
        for _paper, path in module.handouts:
            if path not in pdfs:
                raise CourseError(f"{pdf_record}: no handout {path} of {module.doc}")
            handouts[path] = pdfs[path]
    quiz_names = names(course)
    made: dict[str, tuple[str, qti.QtiFiles]] = {}
    kept = KeyedStore(cache / qti.STORE_FOLDER, qti.salt()) if cache is not None else None
    # A quiz is named by its own title, or with its lesson's when two quizzes share a title.
    shared = len({q.title for q in course.quizzes}) < len(course.quizzes)
    for module in course.modules:
        for quiz in module.quizzes:
            title = quiz.title
            if shared:
                title = _("{lesson}: {quiz}").format(lesson=module.title, quiz=quiz.title)
            made[quiz.ident] = (title, qti.kept_qti(quiz, title, kept))
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    written: dict[str, Path] = {}
    deflater = Deflater(cache)

    def put(name: str, entries: Mapping[str, Data] | None = None, data: bytes = b"") -> None:
        path = outdir / name
        if entries is not None:
            write_zip(path, entries, deflater=deflater)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        written[f"{FOLDER}/{name}"] = path

    base = f"{course.basename}-teacher"
    for key, version in cartridge.VERSIONS.items():
        suffix = "" if key == "1.1" else f"-cc{key}"
        put(f"{base}{suffix}.imscc", cartridge.cartridge(course, version, pages, handouts, made))
    for quiz_ident, (_title, files_of) in made.items():
        put(f"qti/{quiz_names[quiz_ident]}-teacher-qti.zip", files_of.zip_entries())
    if course.quizzes:  # a course without quizzes has a cartridge of pages and handouts only
        put(f"{base}-moodle.xml", data=moodle.moodle_xml(course))
    deflater.prune()
    if kept is not None:
        kept.prune()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("site_record", type=Path)
    parser.add_argument("pdf_record", type=Path)
    parser.add_argument("outdir", type=Path)
    parser.add_argument(
        "--cache",
        type=Path,
        help="keep the zips' deflated entries and the QTI here for next time",
    )
    args = parser.parse_args(argv)
    record_path(args.outdir).unlink(missing_ok=True)
    try:
        written = build(args.report, args.site_record, args.pdf_record, args.outdir, args.cache)
        write_record(args.outdir, "teacher", FOLDER, written)
    except (CourseError, RecordError, qti.QuizError, KeyError, OSError, ValueError) as error:
        print(f"lms: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
