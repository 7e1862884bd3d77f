"""The build processes' C allocator gives large freed blocks back (``allocator.py``).

In a fresh interpreter, one large block is freed (which, left to glibc, raises its thresholds to
that block's size), then blocks of a megabyte are made and freed as a build makes and frees its
workers' environments and its doctrees' pickles. The heap's resident memory after that is read
from ``/proc/self/smaps``: with the thresholds fixed it stays small; left to glibc it keeps the
freed megabytes.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys

import pytest

from lessonpack import allocator

SCRIPT = """
import json, sys
from lessonpack import allocator
fixed = allocator.fix_thresholds() if sys.argv[1] == "fixed" else False
big = bytearray(8 * 2**20)
del big
blocks = [bytearray(2**20) for _ in range(24)]
for block in blocks:
    block[::4096] = b"x" * len(block[::4096])  # touched: resident
del blocks
heap, name = 0, None
for line in open("/proc/self/smaps"):
    if not line[0].isupper():
        name = line.split()[-1] if len(line.split()) > 5 else ""
    elif line.startswith("Rss:") and name == "[heap]":
        heap += int(line.split()[1])
print(json.dumps({"fixed": fixed, "heap_kb": heap}))
"""


def heap_after(mode: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's thresholds")
def test_freed_megabytes_leave_the_heap():
    left, fixed = heap_after("left"), heap_after("fixed")
    assert fixed["fixed"] is True
    assert left["heap_kb"] > 16 * 1024, left  # glibc kept the freed blocks
    assert fixed["heap_kb"] < 4 * 1024, fixed


def test_fixing_twice_is_harmless():
    assert allocator.fix_thresholds() == allocator.fix_thresholds()
