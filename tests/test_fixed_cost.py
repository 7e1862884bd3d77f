"""What a build pays before any work: the render cache's key (pdf/cache.py) is made from the
packages' metadata and the libraries themselves, without importing WeasyPrint (about 0.4 s of
CPU), so a slide build whose decks are kept and a PDF build's main process (its layouts run in
processes of their own) never load it."""

from __future__ import annotations

import json
import subprocess
import sys

import pikepdf
import pydyf
import weasyprint
from weasyprint.text.ffi import harfbuzz, pango

from lessonpack.pdf import cache


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
