"""`make .venv/.installed`: the virtual environment holds exactly the lock's packages, at the
lock's versions, installed by uv with the lock's hashes (pip only bootstraps uv, when no uv is at
hand); a hash that does not match stops the set-up."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from packaging.markers import Marker

from conftest import ROOT, make_env
from lessonpack.check.reproducible import rebuild

UV = Path(sys.executable).parent / "uv"
PROJECT = ("Makefile", "pyproject.toml", "requirements.lock", "README.md")
# What every virtual environment has besides the lock's packages: the project itself (editable),
# and the installer pip when `python -m venv` put it there.
OWN = {"lessonpack", "pip"}
INSTALLED = """
import json, importlib.metadata as m
print(json.dumps({d.metadata["Name"]: [d.version, (d.read_text("INSTALLER") or "").strip()]
                  for d in m.distributions()}))
"""


def project(tmp_path: Path) -> Path:
    """What the set-up reads: the Makefile, pyproject.toml, the lock and the package."""
    copy = tmp_path / "project"
    copy.mkdir()
    for name in PROJECT:
        shutil.copy2(ROOT / name, copy / name)
    # As a clone has it: no byte code, no metadata folder of an earlier pip install in place.
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(ROOT / "src", copy / "src", ignore=skip)
    return copy


def set_up(copy: Path, *variables: str) -> subprocess.CompletedProcess[str]:
    command = ["make", "-C", str(copy), ".venv/.installed", *variables]
    return subprocess.run(command, capture_output=True, text=True, env=make_env(), check=False)


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked() -> dict[str, str]:
    """The lock's packages for this Python (a universal lock: some lines hold for other ones)."""
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    found = re.findall(r"^([A-Za-z0-9._-]+)==(\S+)(?: ; (.+?))? \\$", text, re.M)
    return {normal(n): v for n, v, marker in found if not marker or Marker(marker).evaluate()}


def installed(copy: Path) -> dict[str, list[str]]:
    python = copy / ".venv" / "bin" / "python"
    done = subprocess.run([str(python), "-c", INSTALLED], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return {normal(name): found for name, found in json.loads(done.stdout).items()}


def test_without_a_uv_pip_installs_the_locks_uv_and_uv_the_rest(tmp_path: Path):
    copy = project(tmp_path)
    done = set_up(copy)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (copy / ".venv" / ".installed").is_file()
    found = installed(copy)
    lock = locked()
    assert len(lock) > 60
    assert {name: version for name, (version, _) in found.items() if name not in OWN} == lock
    by_pip = sorted(name for name, (_, installer) in found.items() if installer == "pip")
    assert by_pip == ["pip", "uv"]  # venv's own pip, and uv from the lock's line and hashes
    assert {installer for name, (_, installer) in found.items() if name not in by_pip} == {"uv"}


def test_a_uv_at_hand_installs_the_lock_and_a_wrong_hash_stops_it(tmp_path: Path):
    copy = project(tmp_path)
    done = set_up(copy, f"UV={UV}")
    assert done.returncode == 0, done.stdout + done.stderr
    found = installed(copy)
    assert "pip" not in found  # no pip: nothing but uv installed anything
    assert {n: v for n, (v, _) in found.items() if n != "lessonpack"} == locked()
    assert {installer for _, installer in found.values()} == {"uv"}
    # A lock whose hashes for one package are not the package's: nothing is installed.
    shutil.rmtree(copy / ".venv")
    lock = copy / "requirements.lock"
    text = lock.read_text(encoding="utf-8")
    block = re.search(r"^chevron==\S+ \\\n(?:    --hash=sha256:\w+(?: \\)?\n)+", text, re.M)
    assert block, "chevron is in the lock"
    lock.write_text(text.replace(block[0], re.sub(r"[0-9a-f]{64}", "0" * 64, block[0])))
    done = set_up(copy, f"UV={UV}")
    assert done.returncode != 0
    assert "chevron" in done.stderr and "hash" in done.stderr.lower(), done.stderr
    assert not (copy / ".venv" / ".installed").exists()


def test_the_gates_second_build_sets_up_with_this_environments_uv(tmp_path: Path):
    """The reproducibility check's `make` in its copy gets UV=this environment's uv."""
    (tmp_path / "Makefile").write_text("all:\n\t@echo 'uv at hand: $(UV)'\n", encoding="utf-8")
    log = tmp_path / "make.log"
    assert rebuild(tmp_path, "315532800", log).returncode == 0
    said = [line for line in log.read_text(encoding="utf-8").splitlines() if "uv" in line]
    assert said == [f"uv at hand: {UV}"]


def test_pythons_that_make_runs_keep_their_byte_code(tmp_path: Path):
    """Every command `make` runs (inside its lock, where the builds run) is without
    PYTHONDONTWRITEBYTECODE: a build, rendering process or merge imports Sphinx, WeasyPrint and
    pikepdf from the byte code an earlier process kept, instead of compiling them again (about
    2.5 s of CPU each)."""
    copy = project(tmp_path)
    probe = tmp_path / "probe.mk"  # read by every make, the one inside the lock too
    probe.write_text(
        "probe-byte-code:\n\t@python3 -c 'import sys; print(sys.dont_write_bytecode)'\n"
    )
    env = {**make_env(), "PYTHONDONTWRITEBYTECODE": "1", "MAKEFILES": str(probe)}
    command = ["make", "-s", "-C", str(copy), "probe-byte-code"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False"], done.stdout
