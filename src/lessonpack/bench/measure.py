"""Time a command and the peak memory of its largest single process.

The command's own peak, with that of every descendant it reaped, comes from ``os.wait4`` when it
ends (its ``ru_maxrss``: one command's, so measurements never accumulate). The PDF builder's
rendering processes are children of a ``forkserver`` that nobody waits for, so their usage never
reaches that figure: while the command runs, psutil reads the resident memory of every process
of its tree every 50 ms, and the larger figure is kept.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

POLL_SECONDS = 0.05


class TreeWatch(threading.Thread):
    """The largest resident memory (bytes) of any process of ``pid``'s tree, polled."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            try:
                tree = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:  # the command has ended
                tree = []
            for process in tree:
                try:
                    self.peak = max(self.peak, process.memory_info().rss)
                except psutil.Error:  # ended between the listing and the reading
                    continue
            time.sleep(POLL_SECONDS)


@dataclass(frozen=True)
class Measurement:
    """One command's wall-clock seconds, peak memory (MB) of its largest process, and output."""

    seconds: float
    peak_mb: float
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class CommandFailed(RuntimeError):
    def __init__(self, command: list[str], measurement: Measurement) -> None:
        tail = "\n".join(measurement.output.splitlines()[-40:])
        super().__init__(f"{' '.join(command)} exited {measurement.returncode}:\n{tail}")
        self.measurement = measurement


def measure(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    check: bool = True,
) -> Measurement:
    """Run ``command``; its time, peak memory and output (stdout and stderr, as text)."""
    with tempfile.TemporaryFile(prefix="lessonpack-measure-") as out:
        start = time.perf_counter()
        try:
            process = subprocess.Popen(
                command,
                env=env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        except OSError as error:  # the command itself could not start
            measurement = Measurement(time.perf_counter() - start, 0.0, 127, str(error))
        else:
            watch = TreeWatch(process.pid)
            watch.start()
            _pid, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - start
            watch.running = False
            watch.join()
            process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
            out.seek(0)
            measurement = Measurement(
                seconds=seconds,
                peak_mb=max(usage.ru_maxrss * 1024, watch.peak) / 1e6,
                returncode=process.returncode,
                output=out.read().decode("utf-8", errors="replace"),
            )
    if check and not measurement.ok:
        raise CommandFailed(command, measurement)
    return measurement


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a fresh `make`, not of the `make bench` that started us."""
    drop = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "LESSONPACK_LOCKED"}
    drop.add("LESSONPACK_PDF_JOBS")  # the builder's own default, unless a measurement sets it
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(extra)
    return env
