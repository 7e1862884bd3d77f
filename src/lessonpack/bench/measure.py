"""Time a command and the peak memory of its largest single process.

Each command runs under a fresh, tiny wrapper process that waits for it and then reads
``getrusage(RUSAGE_CHILDREN).ru_maxrss``: the resident set of the largest process among the
descendants that were reaped by their parents. The PDF builder's rendering processes are
children of a ``forkserver`` that nobody waits for, so their usage never reaches that figure:
the wrapper also reads every descendant's high-water mark (``VmHWM`` in ``/proc``) every 50 ms
while the command runs, and keeps the larger. A fresh wrapper per measurement keeps the figures
from accumulating.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

WRAPPER = """
import json, os, resource, subprocess, sys, threading, time

def descendants(root):
    children = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(name))
    stack, found = [root], []
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found

def high_water_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0

seen = [0]
running = [True]

def watch():
    me = os.getpid()
    while running[0]:
        for pid in descendants(me):
            seen[0] = max(seen[0], high_water_kib(pid))
        time.sleep(0.05)

start = time.perf_counter()
watcher = threading.Thread(target=watch, daemon=True)
watcher.start()
try:
    code = subprocess.run(sys.argv[2:]).returncode
except OSError as error:  # the command itself could not start
    print(error, file=sys.stderr)
    code = 127
seconds = time.perf_counter() - start
running[0] = False
watcher.join()
peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, seen[0])
with open(sys.argv[1], "w") as out:
    json.dump({"seconds": seconds, "max_rss_kib": peak, "returncode": code}, out)
"""


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
    """Run ``command`` under a fresh wrapper; its output (stdout and stderr) is kept as text."""
    with tempfile.TemporaryDirectory(prefix="lessonpack-measure-") as tmp:
        result, log = Path(tmp) / "result.json", Path(tmp) / "output.log"
        with log.open("wb") as out:
            subprocess.run(
                [sys.executable, "-c", WRAPPER, str(result), *command],
                env=env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
            )
        figures = json.loads(result.read_text(encoding="utf-8"))
        measurement = Measurement(
            seconds=figures["seconds"],
            peak_mb=figures["max_rss_kib"] * 1024 / 1e6,
            returncode=figures["returncode"],
            output=log.read_text(encoding="utf-8", errors="replace"),
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
