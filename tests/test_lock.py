"""Every Python package the build installs is pinned with its hashes in requirements.lock, made
by uv from pyproject.toml, and `make` installs from it alone; the PDF render cache's key follows
the lock and the Pango and HarfBuzz libraries WeasyPrint loaded."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.utils import canonicalize_name

from lessonpack.pdf import cache

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"


def locked() -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of every requirement of the lock that applies here."""
    found: dict[str, tuple[str, int]] = {}
    for entry in re.split(r"\n(?=[a-z0-9])", LOCK.read_text(encoding="utf-8")):
        match = re.match(r"([A-Za-z0-9._-]+)==([^\s;\\]+)\s*(?:;([^\\]*))?", entry)
        if not match:
            continue
        name, version, marker = match.groups()
        if marker and not Marker(marker.strip()).evaluate():
            continue
        found[canonicalize_name(name)] = (version, entry.count("--hash=sha256:"))
    return found


def test_every_direct_pin_of_pyproject_is_in_the_lock():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    direct = [
        *project["project"]["dependencies"],
        *project["project"]["optional-dependencies"]["dev"],
        *project["dependency-groups"]["build"],
    ]
    lock = locked()
    for requirement in direct:
        name, version = requirement.split("==")
        assert lock[canonicalize_name(name)][0] == version, requirement


def test_every_locked_package_has_hashes():
    lock = locked()
    assert len(lock) > 50
    assert all(hashes >= 1 for _, hashes in lock.values()), lock


def test_what_is_installed_is_what_is_locked():
    """The environment the tests run in was installed from the lock: every package but the
    project itself (and the installer's own) is in the lock, at the locked version."""
    lock = locked()
    own = {"lessonpack", "pip"}  # uv itself is locked
    for dist in metadata.distributions():
        name = canonicalize_name(dist.metadata["Name"])
        if name in own:
            continue
        assert name in lock, f"{name} is installed but not locked"
        assert lock[name][0] == dist.version, name


def test_the_makefile_installs_from_the_lock_only():
    rule = (ROOT / "Makefile").read_text(encoding="utf-8")
    # uv installs the lock (tests/test_venv.py runs the rule); pip only the lock's own uv.
    assert "pip install -q --python $(BIN)/python --no-deps" in rule
    assert "$(UV_INSTALL) --require-hashes -r $(LOCK)" in rule
    assert "$(UV_INSTALL) --no-build-isolation -e ." in rule
    assert "pip install -q --require-hashes --no-deps -r $(VENV)/uv.txt" in rule
    assert "-e '.[dev]'" not in rule


def test_the_cache_key_names_the_loaded_pango_and_harfbuzz():
    from weasyprint.text.ffi import pango

    parts = cache.library_versions()
    assert parts["pango"] == str(pango.pango_version())
    assert re.fullmatch(r"\d+\.\d+\.\d+", parts["harfbuzz"]), parts


@pytest.mark.parametrize("part", ["lock", "pango", "harfbuzz", "installed", "code"])
def test_the_cache_key_changes_with_each_part(part: str, tmp_path: Path):
    parts = cache.salt_parts()
    changed = {**parts, part: parts[part] + "-other"}
    before = cache.RenderCache(tmp_path, cache.salt_of(parts)).key("<p>x</p>", "a4", 1)
    after = cache.RenderCache(tmp_path, cache.salt_of(changed)).key("<p>x</p>", "a4", 1)
    assert before != after


def test_the_lock_file_is_read_into_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    lock = tmp_path / "requirements.lock"
    lock.write_text("a==1 --hash=sha256:00\n")
    monkeypatch.setenv(cache.LOCK_VARIABLE, str(lock))
    first = cache.salt_parts()["lock"]
    lock.write_text("a==2 --hash=sha256:11\n")
    assert cache.salt_parts()["lock"] != first
    monkeypatch.delenv(cache.LOCK_VARIABLE)
    assert cache.salt_parts()["lock"] == ""


def test_a_pdf_is_the_same_bytes_whatever_the_environment_part_of_its_key(tmp_path: Path):
    """The key changes with the packages and libraries (a miss, a new render), but the PDF's
    bytes come from what it shows: its file identifier is not the key."""
    from lessonpack.pdf.jobs import Job, run

    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "page.html").write_text(
        '<html lang="en"><head><title>T</title></head><body><p>A page.</p></body></html>'
    )
    written = []
    for salt in ("environment-one", "environment-two"):
        target = tmp_path / f"{salt}.pdf"
        job = Job(
            str(tmp_path / "site"), ("page.html",), "a4", str(target), str(tmp_path / salt), salt
        )
        assert run(job).rendered == 1
        written.append(target.read_bytes())
    assert written[0] == written[1]
