"""The builds the benchmark times, each on a fresh temporary project; one call is one run.

Every function returns the run's raw values as a plain dict (it goes into the JSON as it is).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..report import REPORT_NAME as REPORT
from . import synth
from .course import Course
from .project import Project, add_sentence, hashes, mtimes, pdf_pages

FORMATS = ("html", "epub", "pdf")
SPHINX_STARTED = re.compile(r"sphinx-build|-m sphinx\b")
WEASYPRINT_STARTED = re.compile(r"weasyprint|-b lessonpdf", re.I)

Log = Callable[[str], None]


def cold_build(project: Project, log: Log) -> dict[str, Any]:
    """``make html``, ``make epub``, ``make pdf`` one after another into empty folders."""
    seconds, peaks, largest = {}, {}, {}
    for goal in FORMATS:
        step = project.make(goal)
        seconds[goal], peaks[goal], largest[goal] = step.seconds, step.peak_mb, step.peak_process
        log(f"    {goal}: {step.seconds:.1f} s, peak {step.peak_mb:.0f} MB ({step.peak_process})")
    files, pages = pdf_pages(project.dist)
    return {
        "seconds": seconds,
        "total_seconds": sum(seconds.values()),
        "peak_mb": peaks,
        "peak_mb_max": max(peaks.values()),
        "peak_process": largest,
        "pdf_files": files,
        "pdf_pages": pages,
        "pages_per_second": pages / seconds["pdf"],
    }


def no_change(project: Project) -> dict[str, Any]:
    """``make`` again right after a build: did Sphinx or WeasyPrint start, did dist/ change?"""
    before = mtimes(project.dist)
    step = project.make()
    after = mtimes(project.dist)
    touched = sorted(name for name in after if before.get(name) != after[name])
    return {
        "seconds": step.seconds,
        "peak_mb": step.peak_mb,
        "sphinx_started": bool(SPHINX_STARTED.search(step.output)),
        "weasyprint_started": bool(WEASYPRINT_STARTED.search(step.output))
        or any(name.endswith(".pdf") for name in touched),
        "dist_files_touched": touched,
        "make_output": step.output[-4000:],
    }


def reading_room(project: Project, lesson: str) -> int | None:
    """How many words the lesson's reading may still take under the course's limit, as its
    last build counted them (the report beside the student website's doctrees); None: no limit."""
    limit = project.course.max_reading_words
    if not limit:
        return None
    report = project.build / "student" / "html-doctrees" / REPORT
    documents = json.loads(report.read_text(encoding="utf-8"))["documents"]
    return limit - int(documents[lesson]["reading_words"])


def one_lesson_edit(project: Project, cold_seconds: float, lesson: str) -> dict[str, Any]:
    """Add a sentence to one lesson's reading (or, with no room under the course's word limit,
    reorder a paragraph's sentences), ``make``: time and which outputs changed."""
    before = hashes(project.dist)
    room = reading_room(project, lesson)
    sentence = add_sentence(project.src / f"{lesson}.md", room)
    step = project.make()
    after = hashes(project.dist)
    changed = sorted(name for name in after if name in before and before[name] != after[name])
    return {
        "lesson": lesson,
        "sentence_added": sentence,
        "words_of_room": room,
        "seconds": step.seconds,
        "peak_mb": step.peak_mb,
        "ratio_to_cold": step.seconds / cold_seconds,
        "changed": changed,
        "unchanged": sorted(name for name in after if before.get(name) == after[name]),
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
    }


def full_build(project: Project, log: Log) -> dict[str, Any]:
    """``make``: every format at once (the builds side by side, as an author runs it)."""
    step = project.make()
    log(f"    make: {step.seconds:.1f} s, peak {step.peak_mb:.0f} MB ({step.peak_process})")
    return {"seconds": step.seconds, "peak_mb": step.peak_mb, "peak_process": step.peak_process}


def edit_lesson(course: Course) -> str:
    """The lesson the edit test changes by default: the second in book order (or the only one)."""
    lessons = synth.real_lessons(course)
    if not lessons:
        raise ValueError(f"{course.src}: no lesson in the root document's toctrees")
    return lessons[min(1, len(lessons) - 1)].doc


def single_job_pdf(repo: Path, course: Course, workdir: Path | None, keep: bool) -> dict[str, Any]:
    """A cold ``make pdf`` in one process: the builds one at a time (``JOBS=1``), each
    rendering its PDFs in its own process (``LESSONPACK_PDF_JOBS=1``)."""
    project = Project.create(repo, course, workdir, "bench-pdf1")
    try:
        step = project.make("pdf", "JOBS=1", LESSONPACK_PDF_JOBS="1")
        return {"seconds": step.seconds, "peak_mb": step.peak_mb}
    finally:
        if not keep:
            project.remove()


def real_course(
    repo: Path,
    course: Course,
    workdir: Path | None,
    keep: bool,
    log: Log,
    lesson: str | None = None,
) -> dict[str, Any]:
    """One run on the real course: cold builds (``make``, then one format at a time),
    no-change rebuild, one-lesson edit (against the cold ``make``), one-process PDF."""
    lesson = lesson or edit_lesson(course)
    project = Project.create(repo, course, workdir, "bench-course")
    try:
        log("  cold build, one format at a time")
        cold = cold_build(project, log)
    finally:
        if not keep:
            project.remove()
    project = Project.create(repo, course, workdir, "bench-course-make")
    try:
        log("  cold build: make")
        full = full_build(project, log)
        log("  no-change rebuild")
        unchanged = no_change(project)
        log(f"    {unchanged['seconds']:.2f} s")
        log("  one-lesson edit")
        edit = one_lesson_edit(project, full["seconds"], lesson)
        log(f"    {edit['seconds']:.1f} s, {len(edit['changed'])} outputs changed")
    finally:
        if not keep:
            project.remove()
    log("  PDF step with LESSONPACK_PDF_JOBS=1")
    single = single_job_pdf(repo, course, workdir, keep)
    single["speedup"] = single["seconds"] / cold["seconds"]["pdf"]
    log(f"    {single['seconds']:.1f} s ({single['speedup']:.2f}x the default)")
    return {
        "cold": cold,
        "full": full,
        "no_change": unchanged,
        "edit": edit,
        "single_job_pdf": single,
    }


def synthetic_course(
    repo: Path, course: Course, workdir: Path | None, keep: bool, log: Log, lessons: int
) -> dict[str, Any]:
    """One cold build of a synthetic course of ``lessons`` lessons."""
    project = Project.create(repo, course, workdir, f"bench-{lessons}-lessons")
    try:
        synth.synthesize(project.course, lessons)
        return {"lessons": lessons, **cold_build(project, log)}
    finally:
        if not keep:
            project.remove()
