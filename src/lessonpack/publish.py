"""Copy finished outputs into dist/ atomically, so dist/ is never half old and half new.

A file is written beside its target and renamed over it; a folder is copied beside its target
and swapped in with two renames. A failed or killed build never touches dist/.
"""

from __future__ import annotations

import argparse
import fcntl
import filecmp
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Never shipped: build bookkeeping that can carry teacher text or absolute paths.
# The site theme also copies two Jinja macro files into _static/: templates, not pages.
IGNORE = shutil.ignore_patterns(
    ".buildinfo",
    ".doctrees",
    "_sources",
    "*.pickle",
    "objects.inv",
    "*webpack-macros.html",
)


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


def publish_file(src: Path, dest: Path) -> bool:
    """Put ``src`` at ``dest``; False when ``dest`` already held the same bytes (left as is)."""
    with locked(dest.parent):
        if dest.is_file() and filecmp.cmp(src, dest, shallow=False):
            return False
        _publish_file(src, dest)
        return True


def _publish_file(src: Path, dest: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def publish_tree(src: Path, dest: Path) -> None:
    with locked(dest.parent):
        _publish_tree(src, dest)


def _publish_tree(src: Path, dest: Path) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.new.", dir=dest.parent))
    try:
        shutil.copytree(src, staging, ignore=IGNORE, dirs_exist_ok=True)
        os.chmod(staging, 0o755)
        if dest.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old.", dir=dest.parent))
            os.replace(dest, old / dest.name)
            os.replace(staging, dest)
            shutil.rmtree(old)
        else:
            os.replace(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("src", type=Path, help="a built file or folder")
    parser.add_argument("dest", type=Path, help="where it goes (a folder for --glob)")
    parser.add_argument("--glob", help="publish the files of SRC matching this pattern into DEST")
    args = parser.parse_args(argv)
    if args.glob:
        matches = sorted(args.src.glob(args.glob))
        if not matches:
            parser.error(f"nothing matches {args.glob} in {args.src}")
        for path in matches:
            changed = publish_file(path, args.dest / path.name)
            print(f"{'published' if changed else 'unchanged'} {args.dest / path.name}")
    elif args.src.is_dir():
        publish_tree(args.src, args.dest)
        print(f"published {args.dest}/")
    else:
        changed = publish_file(args.src, args.dest)
        print(f"{'published' if changed else 'unchanged'} {args.dest}")


if __name__ == "__main__":
    main()
