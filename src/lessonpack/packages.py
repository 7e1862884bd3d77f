"""The packages installed where this Python finds them, cheaply: part of every build's keys
(``pdf/cache.py``'s ``package_parts``: a changed version is never a kept render or page)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from packaging.utils import canonicalize_name


def _egg_info(path: Path) -> tuple[str, str] | None:
    """The name and version an ``.egg-info`` file or folder declares."""
    info = path / "PKG-INFO" if path.is_dir() else path
    try:
        text = info.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    fields = dict(re.findall(r"^(Name|Version): *(.*?) *$", text.split("\n\n", 1)[0], re.M))
    return (fields["Name"], fields["Version"]) if {"Name", "Version"} <= fields.keys() else None


def installed_packages() -> list[str]:
    """``name==version`` of every package on ``sys.path``, as ``importlib.metadata`` finds them,
    read from the names of their ``.dist-info`` folders (``name-version.dist-info``; an
    ``.egg-info`` from its ``PKG-INFO``): no package's metadata file is parsed (reading all of
    them took about 0.05 s of CPU in each build). Each package once: a project installed in
    place may also be found by its build's metadata folder (src/*.egg-info), which a fresh copy
    does not have."""
    found = set()
    for entry in sys.path:
        folder = Path(entry or ".")
        try:
            names = sorted(os.listdir(folder))
        except OSError:  # not a folder (a zip of the standard library), or gone
            continue
        for name in names:
            if name.endswith(".dist-info"):
                package, _, version = name.removesuffix(".dist-info").partition("-")
                found.add(f"{canonicalize_name(package)}=={version}")
            elif name.endswith(".egg-info"):
                declared = _egg_info(folder / name)
                if declared is not None:
                    found.add(f"{canonicalize_name(declared[0])}=={declared[1]}")
    return sorted(found)
