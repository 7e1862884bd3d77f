"""The C allocator of a build process hands large freed blocks back to the system.

Python allocates objects of over 512 bytes (large strings and bytes, the tables of large dicts
and lists) with the C library's ``malloc``. glibc serves a block of 128 KB or more with a
mapping of its own, returned to the system when freed, until the first such block is freed:
from then on it raises that threshold to the size of the largest block freed, so later blocks
of that size come from its heap, and it keeps up to twice that much free at the top of the heap
instead of giving it back. A build that reads in parallel receives each worker's environment
as one large bytes object (``handback.py``) and frees it once merged; a build that writes
reads each doctree's pickle whole. The thresholds then follow the largest of those, which
grows with the book, and so did the heap: a 128-lesson slide build's heap grew by 12.5 MB over
a 64-lesson one's, their environments by 8 MB.

Here the thresholds are fixed at glibc's defaults (``mallopt``; setting them turns the dynamic
adjustment off): blocks of 128 KB or more are mapped and unmapped, and more than 128 KB free at
the top of the heap is given back. Elsewhere than glibc nothing is changed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform

# mallopt's parameters (glibc's malloc.h) and glibc's default values for them.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
THRESHOLD = 128 * 1024

_done = False


def fix_thresholds() -> bool:
    """Fix glibc's mmap and trim thresholds in this process (and the ones it forks); whether
    they are fixed (False where the C library is not glibc)."""
    global _done
    if _done:
        return True
    if platform.libc_ver()[0] != "glibc":
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name)
    ok = libc.mallopt(M_MMAP_THRESHOLD, THRESHOLD) == 1
    ok = libc.mallopt(M_TRIM_THRESHOLD, THRESHOLD) == 1 and ok
    _done = ok
    return ok
