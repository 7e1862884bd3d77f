"""Publish the outputs of one `make` into dist/ all at once: every file new, or none.

Run once per `make`, after every requested build succeeded, with the output records of those
builds (records.py). It assembles a complete new dist/ in a staging folder beside it: the formats
those builds made, from their records, and every other file from the old dist/ (so `make html`
replaces only the website). A file byte-identical to the old dist's is hard-linked from there,
any other is copied (build files are never linked: Sphinx rewrites them in place). The manifest
(manifest.py) goes in, then the staging folder and dist/ are exchanged in one step
(renameat2 RENAME_EXCHANGE; two renames where the system has no exchange), under a lock on
dist's parent folder so two publishers never swap at once. A killed publish leaves dist/ as it
was; its leftovers are cleaned up by the next one.
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import fcntl
import filecmp
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import pauses
from .manifest import MANIFEST, Entry, ManifestError, read_manifest, sha256, write_manifest
from .records import Record, RecordError, read_record, safe_dist_path

AT_FDCWD = -100
RENAME_EXCHANGE = 2


class PublishError(Exception):
    """The records cannot be published together (e.g. two builds claim one path)."""


@dataclass(frozen=True)
class Summary:
    files: int
    copied: int
    linked: int
    kept: int  # carried over from the old dist/, not built by this make


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` itself, so two publishers never swap at once."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _staging_prefix(dist: Path, kind: str) -> str:
    return f".{dist.name}.{kind}."


def clean_leftovers(dist: Path) -> None:
    """Undo what a killed publish left beside ``dist``: staging folders, an old dist/ set aside.

    Only the two-rename fallback can be killed between its renames, with dist/ moved aside and
    the new one not yet in place: then the old one is put back (the publish never finished).
    """
    parent = dist.parent
    old = sorted(parent.glob(_staging_prefix(dist, "old") + "*"), key=lambda p: p.stat().st_mtime)
    if old and not dist.exists():
        os.rename(old.pop(), dist)
    for leftover in [*old, *parent.glob(_staging_prefix(dist, "new") + "*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the system cannot."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def swap_in(staging: Path, dist: Path, *, atomic: bool = True) -> None:
    """Put ``staging`` at ``dist``; the old dist/ is removed."""
    if not dist.exists():
        os.rename(staging, dist)
        return
    if atomic and exchange(staging, dist):
        shutil.rmtree(staging)  # now the old dist/
        return
    old = Path(tempfile.mkdtemp(prefix=_staging_prefix(dist, "old"), dir=dist.parent))
    old.rmdir()
    os.rename(dist, old)
    os.rename(staging, dist)
    shutil.rmtree(old)


def _place(source: Path, target: Path, *, link: bool) -> bool:
    """Hard-link (``link``) or copy ``source`` to ``target``; True if it was linked."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if link:
        try:
            os.link(source, target)
            return True
        except OSError:
            pass  # another file system, or links not allowed: copy
    shutil.copyfile(source, target)
    os.chmod(target, 0o644)
    return False


def _old_entries(dist: Path) -> dict[str, Entry]:
    """The old dist's files by path, from its manifest (none without a readable one)."""
    problem = "has no manifest"
    if (dist / MANIFEST).is_file():
        try:
            entries = read_manifest(dist, verify=False)
            for path in entries:
                safe_dist_path(path)
            return entries
        except (ManifestError, RecordError) as error:
            problem = f"has a bad manifest ({error})"
    if dist.is_dir() and any(dist.iterdir()):
        print(f"note: {dist} {problem}; none of its files are kept", file=sys.stderr)
    return {}


def stage(staging: Path, dist: Path, records: list[Record]) -> Summary:
    """Fill ``staging`` with the new dist/ and its manifest."""
    old = _old_entries(dist)
    entries: dict[str, Entry] = {}
    copied = linked = kept = 0
    for record in records:
        for output in record.files:
            if output.dist in entries:
                raise PublishError(f"two builds write {output.dist} in {dist}")
            previous = dist / output.dist
            same = (
                output.dist in old
                and previous.is_file()
                and filecmp.cmp(output.source, previous, shallow=False)
            )
            target = staging / output.dist
            if _place(previous if same else output.source, target, link=same):
                linked += 1
            else:
                copied += 1
            entries[output.dist] = Entry(output.dist, record.edition, record.format, sha256(target))
    built = {(record.edition, record.format) for record in records}
    for path, entry in old.items():
        previous = dist / path
        if (entry.edition, entry.format) in built or path in entries or not previous.is_file():
            continue
        _place(previous, staging / path, link=True)
        entries[path] = Entry(path, entry.edition, entry.format, sha256(staging / path))
        kept += 1
    write_manifest(staging, entries.values())
    return Summary(len(entries), copied, linked, kept)


def publish(dist: Path, record_files: list[Path], *, atomic: bool = True) -> Summary:
    """Replace ``dist`` with the outputs of ``record_files`` plus the old dist's other formats."""
    dist = Path(os.path.abspath(dist))
    records = [read_record(path) for path in record_files]
    with locked(dist.parent):
        clean_leftovers(dist)
        staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(dist, "new"), dir=dist.parent))
        try:
            os.chmod(staging, 0o755)
            summary = stage(staging, dist, records)
            pauses.pause_for_tests(pauses.PUBLISH)
            swap_in(staging, dist, atomic=atomic)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dist", type=Path, help="the folder to publish into (dist/)")
    parser.add_argument("records", type=Path, nargs="+", help="output records of the builds")
    args = parser.parse_args(argv)
    try:
        summary = publish(args.dist, args.records)
    except (RecordError, ManifestError, PublishError, OSError) as error:
        print(f"error: nothing published to {args.dist}: {error}", file=sys.stderr)
        return 1
    print(
        f"published {args.dist}/: {summary.files} files ({summary.copied} new, "
        f"{summary.linked} unchanged, {summary.kept} kept from other formats)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
