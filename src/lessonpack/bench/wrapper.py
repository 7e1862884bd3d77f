"""``python -m lessonpack.bench.wrapper RESULT COMMAND...``: run COMMAND; write its seconds, the
peak memory of its largest process (and what that process was) and its exit code to RESULT
(JSON).

``measure.py`` starts a fresh one for every measurement, so that figures never accumulate and no
figure carries the benchmark's own memory (a forked process keeps the high-water mark of the one
it was forked from: here, this small one). The peak is the larger of two readings: the largest
process among the descendants their parents reaped (``getrusage(RUSAGE_CHILDREN)``), and, for
the PDF builder's rendering processes (children of a ``forkserver`` nobody waits for), the
high-water mark of every process of the command's tree (psutil lists the tree every 50 ms; Linux
keeps each process's peak resident memory, ``VmHWM``, so a peak between two readings is not
missed: a rendering process peaks for a moment, and the resident memory read every 50 ms gave
133 MB for a 64-lesson PDF build whose rendering process had reached at least 149 MB).

The command runs in a process group of its own, and nothing of it outlives the wrapper: a
SIGINT, SIGTERM or SIGHUP is passed to the whole group, the wrapper gets SIGTERM when the
benchmark that started it dies (even killed with SIGKILL: ``PR_SET_PDEATHSIG``), and whatever
of the group is left when the command has ended (a rendering process whose parent is gone) is
ended with it.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

POLL_SECONDS = 0.05
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def die_with_parent() -> None:
    """SIGTERM to this process when its parent ends (Linux; elsewhere nothing)."""
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent ended before the request was made
        os.kill(os.getpid(), signal.SIGTERM)


def end_group(group: int, signum: int = signal.SIGTERM) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # nobody left in the group
        os.killpg(group, signum)


def high_water(process: psutil.Process) -> int:
    """The process's peak resident memory so far, bytes (Linux: ``VmHWM``, which psutil does
    not read); elsewhere its resident memory now."""
    try:
        with open(f"/proc/{process.pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # not Linux, or the process has ended
        pass
    return process.memory_info().rss


# What a reaped process is called when it peaked above every process the readings saw.
REAPED = "a process that ended between two readings"
NAME_CHARACTERS = 160  # of a command line: enough to tell the processes of a build apart


def name(process: psutil.Process) -> str:
    """The process's command line, shortened (a forkserver's runs to kilobytes), after the name
    it gave itself if it has one (a build forked by the zygote: ``[lessonpdf student]``)."""
    try:
        words = process.cmdline() or [process.name()]
        own = process.name()
    except psutil.Error:
        return "?"
    line = " ".join(words)
    if line and not os.path.basename(words[0]).startswith(own):
        line = f"[{own}] {line}"
    return line if len(line) <= NAME_CHARACTERS else line[: NAME_CHARACTERS - 1] + "…"


class TreeWatch(threading.Thread):
    """The largest peak resident memory (bytes) of any process of ``pid``'s tree, polled, and
    that process's command line."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak = 0
        self.largest = ""
        self.running = True

    def run(self) -> None:
        while self.running:
            try:
                tree = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:  # the command has ended
                tree = []
            for process in tree:
                try:
                    peak = high_water(process)
                except psutil.Error:  # ended between the listing and the reading
                    continue
                if peak > self.peak:
                    self.peak, self.largest = peak, name(process)
            time.sleep(POLL_SECONDS)


def main(argv: list[str]) -> int:
    result, command = Path(argv[0]), argv[1:]
    start = time.perf_counter()
    watched, largest = 0, ""
    # A signal before the group exists is passed to it once it does.
    group: list[int] = []
    pending: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        if group:
            end_group(group[0], signum)
        else:
            pending.append(signum)

    for signum in FORWARDED:
        signal.signal(signum, forward)
    die_with_parent()
    try:
        process = subprocess.Popen(command, start_new_session=True)
    except OSError as error:  # the command itself could not start
        print(error, file=sys.stderr)
        code = 127
    else:
        group.append(process.pid)
        for signum in pending:
            end_group(process.pid, signum)
        watch = TreeWatch(process.pid)
        watch.start()
        code = process.wait()
        end_group(process.pid)  # what the command left running
        watch.running = False
        watch.join()
        watched, largest = watch.peak, watch.largest
    seconds = time.perf_counter() - start
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    figures = {
        "seconds": seconds,
        "peak_bytes": max(reaped, watched),
        "peak_process": largest if watched >= reaped else REAPED,
        "returncode": code,
    }
    result.write_text(json.dumps(figures), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
