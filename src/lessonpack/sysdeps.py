"""Check the system libraries WeasyPrint needs; install them with apt-get when running as root."""

from __future__ import annotations

import ctypes.util
import os
import shutil
import subprocess
import sys

# library name (as ctypes finds it) -> Debian package
LIBRARIES = {
    "pango-1.0": "libpango-1.0-0",
    "pangoft2-1.0": "libpangoft2-1.0-0",
    "harfbuzz-subset": "libharfbuzz-subset0",
    "fontconfig": "libfontconfig1",
}


def missing_packages() -> list[str]:
    return sorted({pkg for lib, pkg in LIBRARIES.items() if ctypes.util.find_library(lib) is None})


def main() -> int:
    missing = missing_packages()
    if not missing:
        return 0
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"installing {' '.join(missing)} with apt-get", file=sys.stderr)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env)
        missing = missing_packages()
    if missing:
        print(
            "missing system libraries for WeasyPrint; install these Debian packages: "
            + " ".join(missing),
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
