"""The release gate: each module proves one property of the published outputs in dist/.

Every check is a function ``check(site: Site) -> Outcome``; ``python -m lessonpack.check`` runs
them all and prints one line per check with its figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Site:
    """Where the outputs are: the project root, its build folder and its dist folder."""

    root: Path
    build: Path
    dist: Path

    @property
    def html(self) -> Path:
        return self.dist / "html"

    @property
    def websites(self) -> list[Path]:
        """Every website of dist/, one per edition: the student's (dist/html), the teacher's."""
        from ..records import SITE_FORMATS

        return [self.dist / folder for folder in SITE_FORMATS.values()]

    def files(self, pattern: str) -> list[Path]:
        return sorted(self.dist.glob(pattern))

    def published(self, format: str) -> list[Path]:
        """Every file of dist/ in ``format`` (``pdf``, ``epub``...), from its manifest: wherever
        the course's ``lessonpack_pdf_outputs`` put it."""
        from ..manifest import read_manifest

        entries = read_manifest(self.dist)
        return sorted(self.dist / name for name, e in entries.items() if e.format == format)


@dataclass
class Outcome:
    """A check's verdict: its one-line figure and, on failure, what failed."""

    name: str
    figure: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}: {self.figure}"
