"""Rendered PDFs kept by what they were made from, so a rebuild lays out only what changed.

The key of a render is a hash of everything that decides its bytes: the HTML text, the paper,
the number of its first page, every file of the build's ``_static`` and ``_images`` folders
(stylesheets, fonts, charts), the lock file of the Python packages (``LESSONPACK_LOCK``, set by the
Makefile) and the version of every package installed, the versions of the Pango and HarfBuzz
libraries WeasyPrint loaded, and this package's PDF code. The same key always gives the same bytes
(the builds are reproducible), so a hit is as good as a new render. Each entry records the
SHA-256 of its file: a file changed since (by hand, or cut short by a crash) is a miss, laid out
again. Entries no build used are removed when the build ends. The slide decks keep their renders
and figure PNGs here too (:class:`PageCache`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from functools import cache
from importlib import metadata
from pathlib import Path

from ..filehash import feed, file_digest, sha256
from ..packages import installed_packages
from .render import Rendered

RESOURCE_FOLDERS = ("_static", "_images")


# Where the lock file is: the Makefile sets it (the package does not know the project's layout).
LOCK_VARIABLE = "LESSONPACK_LOCK"


# The names WeasyPrint tries for each library, in its order (weasyprint/text/ffi.py).
LIBRARY_NAMES = {
    "pango": ("libpango-1.0-0", "pango-1.0-0", "pango-1.0", "libpango-1.0.so.0"),
    "harfbuzz": ("libharfbuzz-0", "harfbuzz", "harfbuzz-0.0", "libharfbuzz.so.0"),
}


def _library(names: tuple[str, ...]) -> ctypes.CDLL | None:
    """The first of ``names`` the dynamic linker loads, else the first found by
    ``ctypes.util.find_library`` (as cffi's ``dlopen``, which WeasyPrint uses, finds them)."""
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    for name in names:
        found = ctypes.util.find_library(name)
        if found:
            try:
                return ctypes.CDLL(found)
            except OSError:
                continue
    return None


def library_versions() -> dict[str, str]:
    """The Pango and HarfBuzz versions of the libraries WeasyPrint loads (their shaping and
    line breaking decide where every glyph goes), asked of the libraries themselves: WeasyPrint
    is not imported (about 0.4 s of CPU), so a build whose renders are all kept never loads it."""
    versions = {"pango": "unknown", "harfbuzz": "unknown"}
    pango = _library(LIBRARY_NAMES["pango"])
    if pango is not None:
        pango.pango_version.restype = ctypes.c_int
        versions["pango"] = str(pango.pango_version())
    harfbuzz = _library(LIBRARY_NAMES["harfbuzz"])
    if harfbuzz is not None:
        harfbuzz.hb_version_string.restype = ctypes.c_char_p
        versions["harfbuzz"] = harfbuzz.hb_version_string().decode()
    return versions


def package_parts() -> dict[str, str]:
    """The lock file and every installed package's version (no library imported: the HTML
    builds key their pages by this without loading WeasyPrint)."""
    lock = os.environ.get(LOCK_VARIABLE)
    return {
        "lock": sha256(Path(lock)) if lock else "",
        "installed": hashlib.sha256("\n".join(installed_packages()).encode()).hexdigest(),
    }


def salt_parts() -> dict[str, str]:
    """Everything but the page that decides a render's bytes, each part by name."""
    code = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        feed(code, path)
    return {
        # From the packages' metadata: importing them is for laying out only.
        "versions": " ".join(metadata.version(name) for name in ("weasyprint", "pydyf", "pikepdf")),
        **package_parts(),
        **library_versions(),
        "code": code.hexdigest(),
    }


def salt_of(parts: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


@cache
def code_salt() -> str:
    """The packages, the libraries and the source of the modules that write PDFs, in one hash."""
    return salt_of(salt_parts())


@cache
def package_salt() -> str:
    """The installed packages and the lock file, in one hash (``package_parts``)."""
    return salt_of(package_parts())


def resources_digest(root: Path) -> str:
    """One hash of every file a page may load from the build folder."""
    digest = hashlib.sha256()
    for folder in RESOURCE_FOLDERS:
        base = root / folder
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(file_digest(path))
    return digest.hexdigest()


def checked_record(meta: Path, path: Path) -> dict | None:
    """A kept file's record (JSON at ``meta``), if the file is the one recorded: a file changed
    or cut short since, by hand or by a crash, is a miss, made again."""
    try:
        record = json.loads(meta.read_text(encoding="utf-8"))
        if record.get("sha256") != sha256(path):
            return None
    except (OSError, ValueError, AttributeError):
        return None
    os.utime(meta)  # used by this build: kept by prune()
    return record


def write_record(meta: Path, path: Path, record: dict) -> None:
    """Record a kept file (complete at ``path``) with its SHA-256, in one step."""
    record = {**record, "sha256": sha256(path)}
    tmp = meta.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
    tmp.replace(meta)


class RenderCache:
    """A folder of ``<key>.pdf`` files, each with ``<key>.json`` (pages, anchors, warnings)."""

    def __init__(self, folder: Path, salt: str) -> None:
        self.folder = folder
        self.salt = salt
        folder.mkdir(parents=True, exist_ok=True)

    def key(self, text: str, paper: str, first_page: int) -> str:
        digest = hashlib.sha256(self.salt.encode())
        digest.update(f"\0{paper}\0{first_page}\0".encode())
        digest.update(text.encode("utf-8"))
        return digest.hexdigest()

    @staticmethod
    def identifier(text: str, paper: str, first_page: int) -> str:
        """The PDF's file identifier: from what it shows only, never from the key, whose
        environment part (packages, libraries) must not reach the bytes of a PDF."""
        digest = hashlib.sha256(f"{paper}\0{first_page}\0".encode())
        digest.update(text.encode("utf-8"))
        return digest.hexdigest()[:32]

    def pdf(self, key: str) -> Path:
        return self.folder / f"{key}.pdf"

    def _entry(self, key: str, path: Path) -> dict | None:
        return checked_record(self.folder / f"{key}.json", path)

    def _record(self, key: str, path: Path, record: dict) -> None:
        write_record(self.folder / f"{key}.json", path, record)

    def get(self, key: str) -> Rendered | None:
        record = self._entry(key, self.pdf(key))
        try:
            return Rendered.from_json(record) if record is not None else None
        except (KeyError, TypeError):
            return None

    def put(self, key: str, result: Rendered) -> None:
        """Record a render whose PDF was written to :meth:`pdf` (the file is complete)."""
        self._record(key, self.pdf(key), result.to_json())

    def copy(self, key: str, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        shutil.copyfile(self.pdf(key), tmp)
        tmp.replace(target)

    def blob(self, key: str, suffix: str, make: Callable[[], bytes]) -> bytes:
        """The bytes kept as ``<key><suffix>``, made and kept first if missing."""
        path = self.folder / f"{key}{suffix}"
        if self._entry(key, path) is not None:
            return path.read_bytes()
        data = make()
        tmp = path.with_name(f"{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        self._record(key, path, {})
        return data

    def prune(self, keep: set[str]) -> int:
        """Remove every entry not in ``keep``; return how many went."""
        removed = 0
        for meta in self.folder.glob("*.json"):
            key = meta.stem
            if key in keep:
                continue
            meta.unlink(missing_ok=True)
            for kept in self.folder.glob(f"{key}.*"):
                kept.unlink(missing_ok=True)
            removed += 1
        for stray in self.folder.iterdir():
            if stray.suffix != ".json" and not (self.folder / f"{stray.stem}.json").exists():
                stray.unlink(missing_ok=True)
        return removed


class PageCache:
    """Whole pages rendered through a :class:`RenderCache`, for a builder that lays out one
    page per file (the slide decks): each kept by its HTML, its stylesheets, its identifier and
    every file of the build's ``_static`` and ``_images`` as they are when it is laid out; and
    files made from the build's figures (``blob``). ``prune`` at the end keeps what was used."""

    def __init__(self, folder: Path, code: Iterable[Path] = ()) -> None:
        """``code``: more source files whose text decides the bytes (beside the PDF code)."""
        digest = hashlib.sha256(code_salt().encode())
        for path in sorted(code):
            feed(digest, path)
        self.cache = RenderCache(folder, digest.hexdigest())
        self.keys: set[str] = set()

    def render(
        self,
        root: Path,
        text: str,
        paper: str,
        target: Path,
        identifier: str,
        stylesheets: tuple[str, ...] = (),
    ) -> Rendered:
        """:func:`~.render.render_html` of ``text`` to ``target``, or its earlier render."""
        from .render import render_html

        material = "\0".join([text, *stylesheets, identifier, resources_digest(root)])
        key = self.cache.key(material, paper, 1)
        self.keys.add(key)
        result = self.cache.get(key)
        if result is None:
            result = render_html(
                root,
                text,
                paper,
                self.cache.pdf(key),
                identifier=identifier,
                stylesheets=stylesheets,
            )
            self.cache.put(key, result)
        self.cache.copy(key, target)
        return result

    def blob(self, data: bytes, suffix: str, make: Callable[[], bytes]) -> bytes:
        """What ``make`` returns for ``data`` (a figure's bytes), kept by their hash."""
        key = self.cache.key(hashlib.sha256(data).hexdigest(), suffix, 0)
        self.keys.add(key)
        return self.cache.blob(key, suffix, make)

    def prune(self) -> int:
        return self.cache.prune(self.keys)
