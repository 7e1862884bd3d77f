"""Run the PDF jobs of a build on every core: one process per core, largest job first.

Each process is forked from a small server process that has imported WeasyPrint and nothing of
Sphinx (``forkserver``), so it starts fast and small; it keeps its parsed stylesheets for every
job it runs. With one job or one core everything runs in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed

from .jobs import Job, Outcome, run

ENV_JOBS = "LESSONPACK_PDF_JOBS"


def job_count(configured: int) -> int:
    """Processes to use: the environment variable, else the setting, else one per core."""
    wanted = os.environ.get(ENV_JOBS, "").strip()
    if wanted:
        return max(1, int(wanted))
    if configured > 0:
        return configured
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_jobs(jobs: Iterable[Job], processes: int) -> Iterator[Outcome]:
    """Run every job; yield their outcomes as they finish. Any job's exception is raised here."""
    ordered = sorted(jobs, key=lambda job: job.size, reverse=True)
    if processes <= 1 or len(ordered) <= 1:
        for job in ordered:
            yield run(job)
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["lessonpack.pdf.jobs", "weasyprint", "pikepdf"])
    with ProcessPoolExecutor(max_workers=min(processes, len(ordered)), mp_context=context) as pool:
        futures = [pool.submit(run, job) for job in ordered]
        for future in as_completed(futures):
            if future.exception() is not None:
                for other in futures:
                    other.cancel()
                raise future.exception()  # type: ignore[misc]
            yield future.result()
