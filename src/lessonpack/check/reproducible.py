"""Reproducibility: an independent build of the same sources is byte-identical to dist/.

The project's files (those git tracks, and new ones it does not ignore) are copied to a temporary
folder outside the project; there ``make`` creates a fresh virtual environment from the lock and
builds everything into its own build and dist folders, with the SOURCE_DATE_EPOCH the published
builds recorded. The course is where the builds' reports say it was (source folder, conf.py's
folder, source folders: ``SRCDIR``, ``CONFDIR``, ``SOURCE_DIRS``); a course outside the project
is copied beside it. Then every file of the two dist folders is compared byte for byte, both ways: a
file only in one of them is a difference too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import Outcome, Site

# What a project folder holds that is not a source (without git to say so).
GENERATED = {".git", ".venv", "build", "dist", "node_modules", "__pycache__"}
# Make's own variables, and the build lock's, that must not reach a make of another project.
MAKE_VARIABLES = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "LESSONPACK_LOCKED"}
MAKE_VARIABLES.add("LESSONPACK_ZYGOTE")  # the socket of a make run's zygote (lessonpack.zygote)


def source_date_epochs(build: Path) -> dict[str, str]:
    """The SOURCE_DATE_EPOCH each build recorded in its report (``<edition>/<format>-doctrees``,
    the Makefile's builds), by build."""
    epochs = {}
    for report in sorted(build.glob("*/*-doctrees/lessonpack-report.json")):
        recorded = json.loads(report.read_text(encoding="utf-8")).get("source_date_epoch")
        name = f"{report.parent.parent.name}/{report.parent.name.removesuffix('-doctrees')}"
        epochs[name] = recorded or ""
    return epochs


@dataclass(frozen=True)
class Course:
    """Where the published builds read the course: its source folder, conf.py's folder and its
    source folders (relative to the source folder), from a build's report."""

    srcdir: Path
    confdir: Path
    source_dirs: tuple[str, ...]

    @classmethod
    def of(cls, build: Path) -> Course | None:
        for report in sorted(build.glob("*/*-doctrees/lessonpack-report.json")):
            data = json.loads(report.read_text(encoding="utf-8"))
            if "confdir" in data:
                srcdir = Path(data["srcdir"])
                return cls(srcdir, Path(data["confdir"]), tuple(data.get("source_dirs", [])))
        return None

    def copy(self, root: Path, project: Path) -> tuple[int, list[str]]:
        """Copy the course for a make in ``project`` (the copy of ``root``); return how many
        files were copied, and the make variables that point at the copy."""
        copied = 0
        places = {}
        for name, folder in (("SRCDIR", self.srcdir), ("CONFDIR", self.confdir)):
            if folder.is_relative_to(root):
                places[name] = str(folder.relative_to(root))
            elif folder.is_relative_to(self.srcdir):
                places[name] = str(project.parent / "course" / folder.relative_to(self.srcdir))
            else:
                raise ValueError(f"{folder} is outside both {root} and {self.srcdir}")
        if not self.srcdir.is_relative_to(root):
            copied = copy_project(self.srcdir, project.parent / "course")
        variables = [f"{name}={value}" for name, value in places.items()]
        variables.append(f"SOURCE_DIRS={' '.join(d or '.' for d in self.source_dirs)}")
        return copied, variables


def project_files(root: Path) -> list[Path]:
    """The project's sources, relative to ``root``: from git when it is a git work tree
    (tracked files and new ones it does not ignore), otherwise every file outside the
    generated folders."""
    listed = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=False,
    )
    if listed.returncode == 0:
        names = [Path(name) for name in listed.stdout.decode().split("\0") if name]
    else:
        names = [
            path.relative_to(root)
            for path in root.rglob("*")
            if not GENERATED & set(path.relative_to(root).parts)
        ]
    return sorted({name for name in names if (root / name).is_file()})


def copy_project(root: Path, target: Path) -> int:
    """Copy the project's sources to ``target``; return how many files."""
    files = project_files(root)
    for name in files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target / name, follow_symlinks=False)
    return len(files)


def rebuild(
    project: Path, epoch: str, log: Path, variables: Sequence[str] = ()
) -> subprocess.CompletedProcess[bytes]:
    """``make`` in the copy: its own virtual environment, build and dist folders; ``variables``
    point it at the course."""
    env = {k: v for k, v in os.environ.items() if k not in MAKE_VARIABLES}
    env.pop("VIRTUAL_ENV", None)
    command = ["make", "-C", str(project), f"SOURCE_DATE_EPOCH={epoch}"]
    # The fresh virtual environment is installed from the lock by this one's uv (the lock pins it).
    uv = Path(sys.executable).parent / "uv"
    command += [f"UV={uv}"] if uv.is_file() else []
    command += [f"BUILDDIR={project / 'build'}", f"DISTDIR={project / 'dist'}", *variables]
    with log.open("wb") as out:
        return subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)


def differences(published: Path, again: Path) -> tuple[int, list[str]]:
    """(files compared, problems): every file of either folder against its twin in the other."""

    def files(folder: Path) -> set[Path]:
        return {p.relative_to(folder) for p in folder.rglob("*") if p.is_file()}

    ours, theirs = files(published), files(again)
    problems = []
    for name in sorted(ours | theirs):
        if name not in theirs:
            problems.append(f"{name}: only in {published}, not in the second build")
        elif name not in ours:
            problems.append(f"{name}: only in the second build, not in {published}")
        elif (published / name).read_bytes() != (again / name).read_bytes():
            problems.append(f"{name} differs in a second build")
    return len(ours | theirs), problems


def check(site: Site) -> Outcome:
    epochs = source_date_epochs(site.build)
    if len(set(epochs.values())) != 1 or "" in epochs.values():
        found = ", ".join(f"{name} {epoch or 'none'}" for name, epoch in epochs.items())
        problem = (
            f"the builds in {site.build} recorded no single SOURCE_DATE_EPOCH "
            f"({found or 'no build'}): dist/ mixes outputs of different commits; "
            "`make clean && make` builds them all from this one"
        )
        return Outcome("reproducible", "not checked", [problem])
    with tempfile.TemporaryDirectory(prefix="lessonpack-rebuild-") as temp:
        project = Path(temp) / "project"
        copied = copy_project(site.root, project)
        course = Course.of(site.build)
        variables: list[str] = []
        if course is not None:
            more, variables = course.copy(site.root, project)
            copied += more
        log = Path(temp) / "make.log"
        done = rebuild(project, next(iter(epochs.values())), log, variables)
        if done.returncode != 0:
            tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
            problem = f"the second build (make in a copy of {copied} files) failed: "
            return Outcome("reproducible", "not checked", [problem + "\n".join(tail)])
        compared, problems = differences(site.dist, project / "dist")
    figure = (
        f"{len(problems)} of {compared} files of dist/ differ in a second build "
        "(a copy of the sources in another folder, a fresh virtual environment)"
    )
    return Outcome("reproducible", figure, problems)
