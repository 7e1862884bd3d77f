"""``--no-layout``: the peak memory of each Sphinx build alone, without laying out a PDF.

Each of the seven Sphinx builds of ``make`` runs alone and cold on a synthetic course, through
the Makefile (its own stamp as the goal, so its real command line), with the ``lessonpdf``
builder replaced by one that lays nothing out (``nolayout.py``): the PDF builds' figure is the
Sphinx process's own (their rendering processes are not started), the slide builds lay their
decks out in-process as ever. Minutes, not the hour of a full ``--sizes 64 128``; the figures
are never judged against the targets, which are about every process of a real build.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import synth
from .course import Course
from .nolayout import EXTENSION
from .project import Project

# (name, stamp below the build folder): make's builds, in make's order for ``all``.
BUILDS = (
    ("pdf-teacher", "teacher/pdf.stamp"),
    ("pdf-student", "student/pdf.stamp"),
    ("slides-teacher", "teacher/slides.stamp"),
    ("slides-student", "student/slides.stamp"),
    ("html-teacher", "teacher/html.stamp"),
    ("html-student", "student/html.stamp"),
    ("epub-student", "student/epub.stamp"),
)
NAMES = tuple(name for name, _stamp in BUILDS)
LABEL = "no layout"  # how the table names these rows

Log = Callable[[str], None]


def sphinx_options(course: Course) -> str:
    """make's SPHINXOPTS: the course's extensions, then the one that lays nothing out."""
    return f"SPHINXOPTS=-D extensions={','.join([*course.extensions, EXTENSION])}"


def sphinx_builds(
    repo: Path,
    course: Course,
    workdir: Path | None,
    keep: bool,
    log: Log,
    lessons: int,
    names: tuple[str, ...] = NAMES,
) -> dict[str, Any]:
    """One run: each build named (``NAMES``) alone, cold, on a synthetic course of ``lessons``
    lessons (the course itself at its own size): seconds and peak MB of its largest process."""
    project = Project.create(repo, course, workdir, f"bench-sphinx-{lessons}")
    try:
        synth.synthesize(project.course, lessons)
        seconds, peaks = {}, {}
        for label, stamp in [(name, stamp) for name, stamp in BUILDS if name in names]:
            step = project.make(str(project.build / stamp), sphinx_options(project.course))
            seconds[label], peaks[label] = step.seconds, step.peak_mb
            log(f"    {label}: {step.seconds:.1f} s, peak {step.peak_mb:.0f} MB ({LABEL})")
        return {"lessons": lessons, "seconds": seconds, "peak_mb": peaks}
    finally:
        if not keep:
            project.remove()
