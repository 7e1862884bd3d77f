"""The system packages each step needs: find what is missing, install it with apt-get when root,
otherwise stop with the one ``apt-get install`` line to run.

``python -m lessonpack.sysdeps [build|gate|fonts]``: ``build`` (the default) is WeasyPrint's
libraries, for ``make``; ``gate`` is what the release gate and the tests run (``make check``,
``make test``); ``fonts`` is the Debian fonts ``make fonts`` subsets. Exit status 0 when
everything is there (or was just installed), 1 otherwise, with one line on stderr and never a
traceback.
"""

from __future__ import annotations

import argparse
import ctypes.util
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Need:
    """One thing to find (a shared library, a command on PATH, or a file under the fonts
    folder) and the Debian package that provides it."""

    kind: str  # "library", "command" or "file"
    name: str
    package: str
    why: str


NEEDS: dict[str, list[Need]] = {
    "build": [
        Need("library", "pango-1.0", "libpango-1.0-0", "WeasyPrint"),
        Need("library", "pangoft2-1.0", "libpangoft2-1.0-0", "WeasyPrint"),
        Need("library", "harfbuzz-subset", "libharfbuzz-subset0", "WeasyPrint"),
        Need("library", "fontconfig", "libfontconfig1", "WeasyPrint"),
    ],
    "gate": [
        Need("command", "java", "default-jre-headless", "EPUBCheck"),
        Need("command", "chromium", "chromium", "accessibility and privacy checks"),
        Need("command", "node", "nodejs", "axe-core"),
        Need("command", "npm", "npm", "installing axe-core"),
        Need("command", "nginx", "nginx", "the deploy/nginx.conf test"),
        Need("command", "soffice", "libreoffice-impress", "opening every PowerPoint deck"),
        Need(
            "command", "pdftotext", "poppler-utils", "reading a PDF's lines as a reader sees them"
        ),
    ],
    "fonts": [
        Need("file", "truetype/noto/NotoSerif-Regular.ttf", "fonts-noto-core", "make fonts"),
        Need("file", "truetype/noto/NotoSans-Regular.ttf", "fonts-noto-core", "make fonts"),
        Need("file", "opentype/noto/NotoSerifCJK-Regular.ttc", "fonts-noto-cjk", "make fonts"),
    ],
}

# How long apt-get waits for another apt or dpkg process to let go of its lock.
APT_WAIT_SECONDS = 600


@dataclass
class Finder:
    """Where to look: ``path`` is the PATH searched for commands (None: the environment's),
    ``fonts`` the folder font files are under."""

    path: str | None = None
    fonts: Path = Path("/usr/share/fonts")
    find_library: Callable[[str], str | None] = field(default=ctypes.util.find_library)

    def present(self, need: Need) -> bool:
        if need.kind == "library":
            return self.find_library(need.name) is not None
        if need.kind == "command":
            # /usr/sbin too: nginx is there, and a user's PATH may not have it.
            path = self.path
            if path is None:
                path = f"{os.environ.get('PATH', os.defpath)}:/usr/sbin:/sbin"
            return shutil.which(need.name, path=path) is not None
        return (self.fonts / need.name).is_file()


def missing_packages(group: str, finder: Finder | None = None) -> list[str]:
    """The Debian packages of ``group`` whose files are not found, sorted, each once."""
    finder = finder or Finder()
    return sorted({need.package for need in NEEDS[group] if not finder.present(need)})


def install_line(packages: Sequence[str]) -> str:
    """The one command a user runs (as root) to install ``packages``."""
    return "apt-get install -y --no-install-recommends " + " ".join(packages)


def apt_get(args: Sequence[str], wait: float = APT_WAIT_SECONDS) -> list[str]:
    """An apt-get command that waits up to ``wait`` seconds for the dpkg lock."""
    return ["apt-get", "-o", f"DPkg::Lock::Timeout={int(wait)}", *args]


def run_apt(args: Sequence[str], wait: float = APT_WAIT_SECONDS, pause: float = 2.0) -> bool:
    """Run apt-get, waiting for the locks another apt process holds: dpkg's through apt's own
    option, the package lists' (``apt-get update``) by trying again until ``wait`` has passed."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    deadline = time.monotonic() + wait
    while True:
        done = subprocess.run(
            apt_get(args, wait), env=env, capture_output=True, text=True, check=False
        )
        if done.returncode == 0:
            return True
        if "Could not get lock" not in done.stderr or time.monotonic() >= deadline:
            sys.stderr.write(done.stderr)
            return False
        time.sleep(pause)


def ensure(
    group: str,
    finder: Finder | None = None,
    euid: int | None = None,
    installer: Callable[[list[str]], bool] | None = None,
) -> int:
    """Install the missing packages of ``group`` when root, else name them; 0 when none is
    missing at the end."""
    finder = finder or Finder()
    missing = missing_packages(group, finder)
    if not missing:
        return 0
    euid = os.geteuid() if euid is None else euid
    install = installer or (_apt_install if shutil.which("apt-get") else None)
    if euid == 0 and install is not None:
        print(f"installing {' '.join(missing)} with apt-get", file=sys.stderr)
        if install(missing):
            missing = missing_packages(group, finder)
    if missing:
        whats = sorted({n.why for n in NEEDS[group] if n.package in missing})
        how = "install them, then run again" if euid == 0 else "run as root"
        print(
            f"missing system packages ({', '.join(whats)}); {how}: {install_line(missing)}",
            file=sys.stderr,
        )
        return 1
    return 0


def _apt_install(packages: list[str]) -> bool:
    return run_apt(["update", "-qq"]) and run_apt(
        ["install", "-y", "-qq", "--no-install-recommends", *packages]
    )


def main(argv: list[str] | None = None, euid: int | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("group", nargs="?", default="build", choices=sorted(NEEDS))
    parser.add_argument("--fonts", type=Path, default=Path("/usr/share/fonts"))
    args = parser.parse_args(argv)
    return ensure(args.group, Finder(fonts=args.fonts), euid=euid)


if __name__ == "__main__":
    sys.exit(main())
