"""Time a command and the peak memory of its largest single process.

Each command runs under a fresh, small wrapper process (``wrapper.py``: psutil reads the
command's process tree while it runs; the wrapper's reaped children give the rest), so that the
figures never accumulate and never carry the benchmark's own memory.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measurement:
    """One command's wall-clock seconds, peak memory (MB) of its largest process, and output;
    ``peak_process``: that process's command line (shortened)."""

    seconds: float
    peak_mb: float
    returncode: int
    output: str
    peak_process: str = ""

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
            wrapper = subprocess.Popen(
                [sys.executable, "-m", "lessonpack.bench.wrapper", str(result), *command],
                env=env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            try:
                wrapper.wait()
            except BaseException:  # interrupted: the wrapper ends the command's whole tree
                stop(wrapper)
                raise
        figures = json.loads(result.read_text(encoding="utf-8"))
        measurement = Measurement(
            seconds=figures["seconds"],
            peak_mb=figures["peak_bytes"] / 1e6,
            returncode=figures["returncode"],
            output=log.read_text(encoding="utf-8", errors="replace"),
            peak_process=figures.get("peak_process", ""),
        )
    if check and not measurement.ok:
        raise CommandFailed(command, measurement)
    return measurement


def stop(wrapper: subprocess.Popen[bytes], grace: float = 30) -> None:
    """Ask ``wrapper`` to end its command (SIGTERM, passed to the command's process group);
    SIGKILL if it has not after ``grace`` seconds (its command then gets SIGTERM from it dying)."""
    wrapper.send_signal(signal.SIGTERM)
    try:
        wrapper.wait(grace)
    except subprocess.TimeoutExpired:
        wrapper.kill()
        wrapper.wait()


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a fresh `make`, not of the `make bench` that started us."""
    drop = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "LESSONPACK_LOCKED"}
    drop.add("LESSONPACK_PDF_JOBS")  # the builder's own default, unless a measurement sets it
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(extra)
    return env
