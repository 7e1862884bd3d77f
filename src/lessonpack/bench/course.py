"""The layout of the course the benchmark builds, from its conf.py: never this course's names.

Where its sources are (``SRCDIR``), where conf.py is (``CONFDIR``), its root document, its source
folders (``lessonpack_source_dirs``, else the folders ``include_patterns`` reads: what ``make``
is given as ``SOURCE_DIRS``), which documents are lessons (``lessonpack_lesson_patterns``) and
how many words a lesson's reading may have.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import shutil
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from sphinx.config import eval_config_file
from sphinx.util.tags import Tags

from ..config import LessonpackConfig
from ..paths import source_dirs


@dataclass(frozen=True)
class Course:
    src: Path
    confdir: str  # relative to src
    root_doc: str
    source_dirs: tuple[str, ...]
    lesson_patterns: tuple[str, ...]
    max_reading_words: int = 0  # a lesson's reading may have at most this many (0: no limit)
    extensions: tuple[str, ...] = ()  # conf.py's, in order

    @classmethod
    def read(cls, src: Path, confdir: Path | None = None) -> Course:
        """The course in ``src`` whose conf.py is in ``confdir`` (default: ``src``)."""
        src = src.resolve()
        confdir = (confdir or src).resolve()
        settings = eval_config_file(confdir / "conf.py", Tags())
        config = SimpleNamespace(
            lessonpack_source_dirs=settings.get("lessonpack_source_dirs", []),
            include_patterns=settings.get("include_patterns", ["**"]),
        )
        patterns = settings.get("lessonpack_lesson_patterns", LessonpackConfig().lesson_patterns)
        return cls(
            src=src,
            confdir=confdir.relative_to(src).as_posix(),
            root_doc=settings.get("root_doc", settings.get("master_doc", "index")),
            source_dirs=tuple(source_dirs(config)),  # type: ignore[arg-type]
            lesson_patterns=tuple(patterns),
            max_reading_words=int(settings.get("lessonpack_max_reading_words", 0) or 0),
            extensions=tuple(settings.get("extensions", [])),
        )

    @property
    def conf_folder(self) -> Path:
        return self.src / self.confdir

    def is_lesson(self, doc: str) -> bool:
        return any(fnmatch.fnmatch(doc, pattern) for pattern in self.lesson_patterns)

    def copy_to(self, dest: Path) -> Course:
        """Copy the course's folders (its sources and conf.py's folder, never a build or dist
        folder) into ``dest``; the copy's layout."""
        dest.mkdir(parents=True, exist_ok=True)
        folders = [d for d in self.source_dirs if d]
        if not folders:  # the whole source folder is the course
            shutil.copytree(self.src, dest, dirs_exist_ok=True, ignore=_generated)
        if self.confdir != "." and not any(_under(self.confdir, d) for d in folders):
            folders.append(self.confdir)
        for folder in folders:
            shutil.copytree(self.src / folder, dest / folder, dirs_exist_ok=True)
        return dataclasses.replace(self, src=dest.resolve())

    def make_variables(self) -> list[str]:
        """What points the Makefile at this course."""
        dirs = " ".join(d or "." for d in self.source_dirs)
        return [f"SRCDIR={self.src}", f"CONFDIR={self.conf_folder}", f"SOURCE_DIRS={dirs}"]


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(f"{folder}/")


def _generated(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n in {".git", ".venv", "build", "dist", "node_modules"}}
