"""What a build pays before any work: the render cache's key (pdf/cache.py) is made from the
packages' metadata and the libraries themselves, without importing WeasyPrint (about 0.4 s of
CPU), so a slide build whose decks are kept and a PDF build's main process (its layouts run in
processes of their own) never load it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pydyf
import pytest
import weasyprint
from packaging.utils import canonicalize_name
from weasyprint.text.ffi import harfbuzz, pango

from lessonpack import flashcards, fontfacts, packages
from lessonpack.pdf import cache
from lessonpack.slides import fontfaces


def test_the_render_key_imports_no_layout_library():
    script = (
        "import json, sys\n"
        "from lessonpack.pdf.cache import code_salt\n"
        "code_salt()\n"
        "print(json.dumps(sorted(m for m in ('weasyprint', 'pydyf', 'pikepdf', 'cffi')"
        " if m in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_the_render_key_names_the_versions_weasyprint_loads():
    parts = cache.salt_parts()
    assert (
        parts["versions"] == f"{weasyprint.__version__} {pydyf.__version__} {pikepdf.__version__}"
    )
    assert parts["pango"] == str(pango.pango_version())
    major, minor, micro = (int(n) for n in parts["harfbuzz"].split("."))
    assert harfbuzz.hb_version_atleast(major, minor, micro)
    assert not harfbuzz.hb_version_atleast(major, minor, micro + 1)


MAIN = """
import os, sys
with open(sys.argv[1], "a") as marker:
    marker.write(f"{os.getpid()}\\n")
from lessonpack.grades import release, reading_grade

if __name__ == "__main__":
    print(reading_grade("The harvest failed. Many people went hungry that winter."))
    release()
"""


def test_the_grading_helper_does_not_run_the_build_s_script_again(tmp_path):
    """multiprocessing's spawn ran ``sphinx-build`` again in the helper (all of Sphinx imported
    before the first grade): the helper runs only its own module."""
    script = tmp_path / "main.py"
    script.write_text(MAIN, encoding="utf-8")
    marker = tmp_path / "marker"
    done = subprocess.run(
        [sys.executable, str(script), str(marker)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) > 0
    assert len(marker.read_text().split()) == 1  # the script ran once, in its own process


ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "book" / "_static" / "fonts"
FACTS = """
import json, sys
from pathlib import Path
from lessonpack import flashcards, fontfacts, packages
found = fontfacts.facts(Path(sys.argv[1]), sys.argv[2])
print(json.dumps({
    "read": fontfacts.store(sys.argv[2]).read,
    "fontTools": "fontTools" in sys.modules,
    "family": found and found.family, "weight": found and found.weight,
    "codepoints": found and len(found.codepoints),
}))
"""


def _facts_in_a_process(font: Path, cache: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", FACTS, str(font), str(cache)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_font_is_read_once_across_builds_and_again_when_it_changes(tmp_path: Path):
    font = tmp_path / "Body.ttf"
    shutil.copyfile(FONTS / "NotoSerif-Regular.ttf", font)
    first = _facts_in_a_process(font, tmp_path / "cache")
    assert first["read"] == 1 and first["fontTools"]
    second = _facts_in_a_process(font, tmp_path / "cache")
    assert second == {**first, "read": 0, "fontTools": False}
    truth = fontfacts.read_facts(font)
    assert (second["family"], second["weight"]) == (truth.family, truth.weight)
    assert second["codepoints"] == len(truth.codepoints) > 100
    shutil.copyfile(FONTS / "NotoSerif-Bold.ttf", font)  # the same path, another font
    changed = _facts_in_a_process(font, tmp_path / "cache")
    assert changed["read"] == 1 and changed["weight"] == fontfacts.read_facts(font).weight == 700


def test_a_file_that_is_no_font_is_kept_as_none(tmp_path: Path):
    bad = tmp_path / "Broken.ttf"
    bad.write_bytes(b"not a font")
    store = fontfacts.FactStore(str(tmp_path / "cache"))
    assert store.facts(bad) is None and store.read == 1
    again = fontfacts.FactStore(str(tmp_path / "cache"))
    assert again.facts(bad) is None and again.read == 0
    assert fontfaces.faces(tmp_path, ["Broken.ttf"], str(tmp_path / "cache")) == []


@pytest.mark.parametrize("kept", [False, True])
def test_the_coverage_check_warns_from_kept_facts_too(build, tmp_path: Path, kept: bool):
    """A character the book's font cannot draw is one warning at its line, whether the font's
    characters were read now or kept by an earlier build."""
    (tmp_path / "src").mkdir()
    shutil.copyfile(FONTS / "NotoSerif-Regular.ttf", tmp_path / "src" / "Body.ttf")
    cache_dir = tmp_path / "cache"
    if kept:
        fontfacts.FactStore(str(cache_dir)).facts(tmp_path / "src" / "Body.ttf")
    conf = f'lessonpack_fonts = ["Body.ttf"]\nlessonpack_cache_dir = "{cache_dir}"\n'
    fontfacts._STORES.clear()
    result = build({"page.md": "# Page\n\nA snowman: \u2603.\n"}, conf=conf)
    assert (
        "page.md:3: WARNING: no bundled font has a glyph for '\u2603' (U+2603)" in result.warnings
    )
    assert fontfacts.store(str(cache_dir)).read == (0 if kept else 1)


def test_the_installed_packages_are_those_importlib_metadata_finds():
    from importlib import metadata

    found = {
        f"{canonicalize_name(d.metadata['Name'])}=={d.version}" for d in metadata.distributions()
    }
    assert packages.installed_packages() == sorted(found)


def test_another_version_of_a_package_is_another_key(tmp_path: Path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    before = cache.package_parts()["installed"]
    (tmp_path / "some_tool-1.0.dist-info").mkdir()
    one = cache.package_parts()["installed"]
    (tmp_path / "some_tool-1.0.dist-info").rename(tmp_path / "some_tool-1.1.dist-info")
    other = cache.package_parts()["installed"]
    (tmp_path / "Egg_Tool.egg-info").mkdir()
    (tmp_path / "Egg_Tool.egg-info" / "PKG-INFO").write_text("Name: Egg-Tool\nVersion: 2.0\n")
    egg = cache.package_parts()["installed"]
    assert len({before, one, other, egg}) == 4
    assert "egg-tool==2.0" in packages.installed_packages()
    assert "some-tool==1.1" in packages.installed_packages()


CARD = {"term": "cadre", "pinyin": "gànbù", "characters": "干部", "definition": "An official."}


def test_the_anki_package_is_kept_and_made_again_when_what_it_is_made_of_changes(tmp_path):
    epoch, cache_dir = 1700000000, str(tmp_path / "cache")

    def made(cards: list[dict[str, str]], name: str, when: int = epoch) -> tuple[bool, bytes]:
        path = tmp_path / f"{name}.apkg"
        fresh = flashcards.write_kept_apkg(cards, path, "Course", when, cache_dir)
        plain = tmp_path / f"{name}-plain.apkg"
        flashcards.write_apkg(cards, plain, "Course", when)
        assert path.read_bytes() == plain.read_bytes()  # a kept package is the bytes of a new one
        return fresh, path.read_bytes()

    first = made([CARD], "first")
    assert first[0] is True
    again = made([CARD], "again")
    assert again == (False, first[1])
    changed = made([{**CARD, "definition": "A Party official."}], "changed")
    assert changed[0] is True and changed[1] != first[1]
    later = made([CARD], "later", epoch + 86400)
    assert later[0] is True and later[1] != first[1]


def test_a_make_after_a_make_starts_nothing(tmp_path: Path):
    """Every build and the publish step up to date: `make` runs no command at all (a list of
    formats that expanded to spaces once counted as a format missing from dist/)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('project = "T"\n')
    (src / "index.md").write_text("# T\n")
    build, dist = tmp_path / "build", tmp_path / "dist"
    stamps = [
        build / "conf.checked",
        *(
            build / e / f"{f}.stamp"
            for e in ("student", "teacher")
            for f in ("html", "pdf", "slides")
        ),
        build / "student" / "epub.stamp",
        build / "lms.stamp",  # after the builds it reads
    ]
    formats = ["html", "teacher-html", "epub", "pdf", "slides", "lms"]
    manifest = dist / ".manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"files": [{"format": f} for f in formats]}, indent=1))
    for stamp in stamps:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()
    later = time.time() + 60
    for number, path in enumerate([*stamps, manifest]):
        os.utime(path, (later + number, later + number))
    where = [f"SRCDIR={src}", f"CONFDIR={src}", "SOURCE_DIRS=.", f"BUILDDIR={build}"]
    done = subprocess.run(
        ["make", "-n", "-C", str(ROOT), *where, f"DISTDIR={dist}", "--no-print-directory"],
        capture_output=True,
        text=True,
        env={**os.environ, "LESSONPACK_LOCKED": "1"},
    )
    assert done.returncode == 0, done.stderr
    commands = [line for line in done.stdout.splitlines() if "Nothing to be done" not in line]
    assert commands == [], done.stdout
