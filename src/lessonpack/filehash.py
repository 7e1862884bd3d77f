"""Hashing a file a block at a time, never holding it whole.

A file a build hashes may grow with the book: a merged book PDF, recorded in the render cache
once it is written, is 17 MB at 64 lessons and 34 MB at 128, and a rendering process that read
it whole to hash it peaked that much above what its layouts needed. Every file the package
hashes goes through here.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

BLOCK = 1 << 20  # bytes read at a time


def feed(digest: Any, path: Path) -> Any:
    """Add the bytes of the file at ``path`` to ``digest`` (a ``hashlib`` object); return it."""
    with Path(path).open("rb") as file:
        while block := file.read(BLOCK):
            digest.update(block)
    return digest


def file_digest(path: Path) -> bytes:
    """The SHA-256 of the file at ``path``, as bytes."""
    return feed(hashlib.sha256(), path).digest()


def sha256(path: Path) -> str:
    """The SHA-256 of the file at ``path``, in hexadecimal."""
    return feed(hashlib.sha256(), path).hexdigest()
