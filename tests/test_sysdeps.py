"""The set-up of `make`, `make check`/`make test` and `make fonts`: what is missing is installed
when root, or named in one apt-get line, with a non-zero exit and never a traceback.

Nothing is uninstalled: the finder looks on a PATH or under a fonts folder that lacks the tools,
and the non-root runs are real `make` runs as the user nobody (setpriv).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lessonpack import fonts, sysdeps

ROOT = Path(__file__).resolve().parent.parent
GATE_PACKAGES = [
    "default-jre-headless",
    "chromium",
    "nodejs",
    "npm",
    "nginx",
    "libreoffice-impress",
    "poppler-utils",
]


def executable(folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("#!/bin/sh\n")
    (folder / name).chmod(0o755)


def test_every_gate_tool_missing_from_an_empty_path(tmp_path: Path):
    finder = sysdeps.Finder(path=str(tmp_path))
    assert sysdeps.missing_packages("gate", finder) == sorted(GATE_PACKAGES)


def test_tools_on_the_path_are_not_missing(tmp_path: Path):
    for name in ("java", "node", "chromium"):
        executable(tmp_path / "bin", name)
    finder = sysdeps.Finder(path=str(tmp_path / "bin"))
    assert sysdeps.missing_packages("gate", finder) == [
        "libreoffice-impress",
        "nginx",
        "npm",
        "poppler-utils",
    ]


def test_fonts_found_under_the_fonts_folder(tmp_path: Path):
    finder = sysdeps.Finder(fonts=tmp_path)
    assert sysdeps.missing_packages("fonts", finder) == ["fonts-noto-cjk", "fonts-noto-core"]
    for name in ("NotoSerif-Regular.ttf", "NotoSans-Regular.ttf"):
        (tmp_path / "truetype/noto").mkdir(parents=True, exist_ok=True)
        (tmp_path / "truetype/noto" / name).write_bytes(b"")
    assert sysdeps.missing_packages("fonts", finder) == ["fonts-noto-cjk"]


def test_not_root_prints_the_one_install_line(tmp_path: Path, capsys: pytest.CaptureFixture):
    status = sysdeps.ensure("gate", sysdeps.Finder(path=str(tmp_path)), euid=1000)
    err = capsys.readouterr().err
    assert status == 1
    assert err.count("\n") == 1
    assert "apt-get install -y --no-install-recommends " + " ".join(sorted(GATE_PACKAGES)) in err


def test_root_installs_then_looks_again(tmp_path: Path, capsys: pytest.CaptureFixture):
    """As root the missing packages are installed, then looked for again: an install that
    does not provide them still ends in the one line and a non-zero exit."""
    asked: list[list[str]] = []

    def install(packages: list[str]) -> bool:
        asked.append(packages)
        for name in ("java", "node", "npm", "chromium", "nginx", "soffice", "pdftotext"):
            executable(tmp_path / "bin", name)
        return True

    finder = sysdeps.Finder(path=str(tmp_path / "bin"))
    assert sysdeps.ensure("gate", finder, euid=0, installer=install) == 0
    assert asked == [sorted(GATE_PACKAGES)]
    assert sysdeps.ensure("gate", finder, euid=1000) == 0
    assert capsys.readouterr().err.count("apt-get install") == 0


def test_root_names_what_an_install_did_not_provide(tmp_path: Path, capsys: pytest.CaptureFixture):
    finder = sysdeps.Finder(path=str(tmp_path))
    assert sysdeps.ensure("gate", finder, euid=0, installer=lambda packages: True) == 1
    line = "apt-get install -y --no-install-recommends " + " ".join(sorted(GATE_PACKAGES))
    assert line in capsys.readouterr().err


def test_apt_commands_wait_for_the_dpkg_lock():
    command = sysdeps.apt_get(["install", "-y", "x"], wait=600)
    assert command[:3] == ["apt-get", "-o", "DPkg::Lock::Timeout=600"]


HOLD_LOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o640)
fcntl.lockf(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_apt_get_update_waits_for_the_package_lists_lock():
    """Another apt process holds the lists lock (apt-get update fails at once then, whatever
    DPkg::Lock::Timeout says): the update is tried again until the lock is free. The update
    reads no source list, so it downloads nothing."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, "/var/lib/apt/lists/lock", "3"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    start = time.monotonic()
    offline = ["-o", "Dir::Etc::SourceList=/dev/null", "-o", "Dir::Etc::SourceParts=/nonexistent"]
    assert sysdeps.run_apt([*offline, "update", "-qq"], wait=60, pause=0.5)
    assert time.monotonic() - start >= 2
    holder.wait(timeout=10)


def test_the_fonts_tool_names_a_missing_font_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture
):
    with pytest.raises(SystemExit) as exit:
        fonts.main(
            [
                str(tmp_path / "NotoSerif-Regular.ttf"),
                str(tmp_path / "out.ttf"),
                "--text",
                str(tmp_path),
            ]
        )
    assert exit.value.code == 1
    assert "no such font file" in capsys.readouterr().err


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder the user nobody can write (pytest's own are root's only)."""
    folder = Path(tempfile.mkdtemp(prefix="lessonpack-sysdeps-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


# The system's Python: the project's may be in root's home, which nobody cannot enter; the
# check of system packages needs only the standard library.
SYSTEM_PYTHON = "/usr/bin/python3"


def make_as_nobody(*args: str, path: str) -> subprocess.CompletedProcess[str]:
    """`make` run by the user nobody, its PATH only ``path``; the virtual environment is
    taken as it is (-o: never remade)."""
    drop = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "LESSONPACK_LOCKED", "PATH"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env |= {"PATH": path, "HOME": "/tmp"}
    command = ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    command += [shutil.which("make") or "/usr/bin/make", "-C", str(ROOT), "-o", ".venv/.installed"]
    return subprocess.run(
        [*command, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_make_check_not_root_stops_at_once_naming_the_gate_tools(open_folder: Path):
    """The one apt-get line, a non-zero exit, and nothing built: the tools are looked for
    before the build starts."""
    tools = open_folder / "bin"  # what make runs itself, and no tool of the gate
    tools.mkdir()
    for name in ("sh", "mkdir", "flock", "find", "sort", "nproc", "git", "touch", "rm"):
        if found := shutil.which(name):
            (tools / name).symlink_to(found)
    (tools / "python3").symlink_to(SYSTEM_PYTHON)
    build, dist = open_folder / "build", open_folder / "dist"
    done = make_as_nobody("check", f"BUILDDIR={build}", f"DISTDIR={dist}", path=str(tools))
    assert done.returncode != 0
    assert "apt-get install -y --no-install-recommends" in done.stderr
    assert "default-jre-headless" in done.stderr  # java is in /usr/bin, never /usr/sbin
    assert "Traceback" not in done.stderr + done.stdout
    assert [p.name for p in build.iterdir()] == [".lock"]
    assert not dist.exists()


def test_make_fonts_not_root_names_the_noto_packages(open_folder: Path):
    tools = open_folder / "bin"
    tools.mkdir()
    (tools / "python3").symlink_to(SYSTEM_PYTHON)
    done = make_as_nobody("fonts", f"SYSTEM_FONTS={open_folder}", path=f"{tools}:/usr/bin:/bin")
    assert done.returncode != 0
    assert (
        "apt-get install -y --no-install-recommends fonts-noto-cjk fonts-noto-core" in done.stderr
    )
    assert "Traceback" not in done.stderr + done.stdout
