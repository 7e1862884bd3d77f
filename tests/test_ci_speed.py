"""How `make test` spreads the tests over the cores: pytest-xdist, one worker per core (JOBS),
each test file whole on one worker, the slowest files handed out first (tests/conftest.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SLOWEST_FIRST, make_env


def test_make_test_runs_the_tests_on_every_core_each_file_on_one_worker(tmp_path: Path):
    """What `make test` would run (make -n prints it; nothing is built)."""
    command = ["make", "-n", "-C", str(ROOT), "test", "LESSONPACK_LOCKED=1", "JOBS=2"]
    command += [f"BUILDDIR={tmp_path / 'build'}", f"DISTDIR={tmp_path / 'dist'}"]
    done = subprocess.run(command, capture_output=True, text=True, env=make_env(), check=False)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^\S*python -m pytest -n 2 --dist loadfile$", done.stdout, re.M), done.stdout
    assert not (tmp_path / "dist").exists()


def test_the_slowest_files_are_collected_first(tmp_path: Path):
    """xdist hands out files in the order collected: a file of SLOWEST_FIRST comes before the
    files collected ahead of it by name, and the others keep their order."""
    slow = "test_second_course.py"
    assert slow in SLOWEST_FIRST
    names = ["test_check.py", "test_gate_order.py", slow]
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    command += [str(ROOT / "tests" / name) for name in names]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    files = [line.split("::")[0].rsplit("/", 1)[-1] for line in done.stdout.splitlines()]
    files = list(dict.fromkeys(f for f in files if f.endswith(".py")))
    assert files == [slow, "test_check.py", "test_gate_order.py"]
