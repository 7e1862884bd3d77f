"""``python -m lessonpack.bench.wrapper RESULT COMMAND...``: run COMMAND; write its seconds, the
peak memory of its largest process and its exit code to RESULT (JSON).

``measure.py`` starts a fresh one for every measurement, so that figures never accumulate and no
figure carries the benchmark's own memory (a forked process keeps the high-water mark of the one
it was forked from: here, this small one). The peak is the larger of two readings: the largest
process among the descendants their parents reaped (``getrusage(RUSAGE_CHILDREN)``), and, for
the PDF builder's rendering processes (children of a ``forkserver`` nobody waits for), the
resident memory of every process of the command's tree, read by psutil every 50 ms.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import threading
import time
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


def main(argv: list[str]) -> int:
    result, command = Path(argv[0]), argv[1:]
    start = time.perf_counter()
    watched = 0
    try:
        process = subprocess.Popen(command)
    except OSError as error:  # the command itself could not start
        print(error, file=sys.stderr)
        code = 127
    else:
        watch = TreeWatch(process.pid)
        watch.start()
        code = process.wait()
        watch.running = False
        watch.join()
        watched = watch.peak
    seconds = time.perf_counter() - start
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    figures = {"seconds": seconds, "peak_bytes": max(reaped, watched), "returncode": code}
    result.write_text(json.dumps(figures), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
