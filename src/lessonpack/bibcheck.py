"""Every bibliography file is checked before sphinxcontrib-bibtex reads it.

pybtex stops at the first fault of a .bib file with a traceback that names no file (an
unclosed brace, a missing comma, a stray character), and a repeated key or a missing field is
only noticed, if at all, when a citation is formatted. Here each file is parsed on its own, and
every fault is one warning at the file and line of the entry: a syntax error, a key used twice
(in any of the files), a field given twice, an entry without the fields its type needs. The
build then fails (``-W``) with those messages only: sphinxcontrib-bibtex reads what it can of
the files with pybtex's errors captured, never raised.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.util import logging

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

# Fields without which pybtex's styles cannot format an entry of the type (BibTeX's own list);
# "author|editor": either will do.
REQUIRED: dict[str, tuple[str, ...]] = {
    "article": ("author", "title", "journal", "year"),
    "book": ("author|editor", "title", "publisher", "year"),
    "booklet": ("title",),
    "inbook": ("author|editor", "title", "chapter|pages", "publisher", "year"),
    "incollection": ("author", "title", "booktitle", "publisher", "year"),
    "inproceedings": ("author", "title", "booktitle", "year"),
    "manual": ("title",),
    "mastersthesis": ("author", "title", "school", "year"),
    "phdthesis": ("author", "title", "school", "year"),
    "proceedings": ("title", "year"),
    "techreport": ("author", "title", "institution", "year"),
    "unpublished": ("author", "title", "note"),
}


@dataclass
class Fault:
    path: Path
    line: int
    message: str


def line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def check_bibfile(path: Path, encoding: str, keys: dict[str, tuple[Path, int]]) -> list[Fault]:
    """The faults of one .bib file; ``keys`` (lower-cased key -> where) spans every file."""
    from pybtex.database.input.bibtex import LowLevelParser
    from pybtex.scanner import PrematureEOF, PybtexSyntaxError

    try:
        raw = path.read_bytes()
    except OSError as error:
        return [Fault(path, 1, f"cannot be read: {error.strerror}")]
    try:
        text = raw.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        return [Fault(path, line, f"is not {encoding or 'UTF-8'}: save the file as UTF-8")]
    faults: list[Fault] = []
    broken: set[int] = set()  # where the entries with a syntax error start
    parser: Any = None

    def syntax_error(error: PybtexSyntaxError) -> None:
        # Reported at the entry's first line; pybtex notices a missing brace or comma later.
        broken.add(parser.command_start)
        start = line_of(text, parser.command_start)
        if isinstance(error, PrematureEOF):
            reason = "the entry is never closed: a brace or a quote is missing"
        else:
            reason = str(error).split(": ", 1)[-1]
            if reason in ("'}' expected", "')' expected"):
                reason += ": is a comma missing between two fields, or a closing brace?"
            if error.lineno and error.lineno != start:
                reason += f" (noticed on line {error.lineno})"
        faults.append(Fault(path, start, f"BibTeX syntax error in this entry: {reason}"))

    parser = LowLevelParser(text, handle_error=syntax_error, filename=str(path))
    for entry_type, body in parser:
        kind = entry_type.lower()
        if kind in ("string", "preamble", "comment") or parser.command_start in broken:
            continue
        key, fields = body
        line = line_of(text, parser.command_start)
        faults.extend(_check_entry(path, line, kind, key, fields, keys))
    return faults


def _check_entry(
    path: Path,
    line: int,
    kind: str,
    key: str,
    fields: list[tuple[str, Any]],
    keys: dict[str, tuple[Path, int]],
) -> list[Fault]:
    faults = []
    first = keys.setdefault(key.lower(), (path, line))
    if first != (path, line):
        where = f"line {first[1]}" if first[0] == path else f"{first[0]}:{first[1]}"
        faults.append(Fault(path, line, f"key {key!r} is used twice (first at {where})"))
    names = [name.lower() for name, _ in fields]
    for name in sorted({n for n in names if names.count(n) > 1}):
        faults.append(Fault(path, line, f"entry {key!r} gives the field {name!r} twice"))
    faults += [Fault(path, line, f"entry {key!r}: {error}") for error in _name_errors(fields)]
    for need in REQUIRED.get(kind, ()):
        if not any(choice in names for choice in need.split("|")):
            wanted = " or ".join(repr(c) for c in need.split("|"))
            faults.append(Fault(path, line, f"@{kind} entry {key!r} has no {wanted} field"))
    return faults


def _name_errors(fields: list[tuple[str, Any]]) -> list[Exception]:
    """What pybtex says of the names in the person fields (``Smith, Ann, Jr, Extra``)."""
    from pybtex.bibtex.utils import split_name_list
    from pybtex.database import Person
    from pybtex.errors import capture
    from pybtex.textutils import normalize_whitespace
    from pybtex.utils import CaseInsensitiveSet

    roles = CaseInsensitiveSet(Person.valid_roles)
    with capture() as errors:
        for name, value in fields:
            if name in roles:
                for person in split_name_list(normalize_whitespace("".join(value))):
                    Person(person)
    return list(errors)


def check_bibfiles(app: Sphinx) -> None:
    """builder-inited, before sphinxcontrib-bibtex reads the files: one warning per fault."""
    keys: dict[str, tuple[Path, int]] = {}
    faults: list[Fault] = []
    for name in app.config.bibtex_bibfiles or []:
        path = (Path(app.confdir) / name).resolve()
        if path.is_file():  # else sphinxcontrib-bibtex says so, naming the file
            faults += check_bibfile(path, app.config.bibtex_encoding, keys)
    if faults:
        # What sphinxcontrib-bibtex then says of the entries it could not read (a missing
        # field, an unknown key) follows from these faults: they are the messages to act on.
        app.config.suppress_warnings = [*app.config.suppress_warnings, "bibtex"]
    for fault in faults:
        logger.warning(
            fault.message,
            location=f"{fault.path}:{fault.line}",
            type="lessonpack",
            subtype="bibtex",
        )


def quiet_bibtex_parser() -> None:
    """sphinxcontrib-bibtex parses with pybtex's errors captured (they are reported above)."""
    from pybtex.errors import capture
    from sphinxcontrib.bibtex import bibfile

    if getattr(bibfile.parse_bibdata, "_lessonpack_quiet", False):
        return
    parse_bibdata = bibfile.parse_bibdata

    @functools.wraps(parse_bibdata)
    def parse(*args: Any, **kwargs: Any) -> Any:
        with capture():
            return parse_bibdata(*args, **kwargs)

    parse._lessonpack_quiet = True  # type: ignore[attr-defined]
    bibfile.parse_bibdata = parse


def setup_bibcheck(app: Sphinx) -> None:
    quiet_bibtex_parser()
    app.connect("builder-inited", check_bibfiles, priority=400)
