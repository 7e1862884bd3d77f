"""lessonpack.lean: a build started with -j reads many documents in workers, a few (an edit) in
its own process; the pages are the same bytes either way."""

from __future__ import annotations

import io
import logging
import os
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace

from conftest import BASE_CONF, REFS, snapshot, write_files
from lessonpack.lean import SERIAL_READ_MAX
from lessonpack.pagereuse import aside

PROBE = """
import os
from pathlib import Path

def setup(app):
    def read(app, doctree):
        with open(Path(app.outdir).parent / "readers.txt", "a") as f:
            f.write(f"{app.env.docname} {os.getpid()}\\n")

    app.connect("doctree-read", read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
"""


def build(src: Path, root: Path) -> dict[str, int]:
    """One build with -j 2 keeping its environment, as `make` runs it: the process that read
    each document."""
    (root / "readers.txt").unlink(missing_ok=True)
    out = root / "html"
    if out.exists():  # moved aside, then removed, as make does (pagereuse.py copies from it)
        out.rename(aside(out))
    warnings = io.StringIO()
    with docutils_namespace():
        app = Sphinx(
            str(src), str(src), str(root / "html"), str(root / "doctrees"), "html",
            status=io.StringIO(), warning=warnings, freshenv=False, keep_going=True, parallel=2,
        )  # fmt: skip
        app.build()
    shutil.rmtree(aside(out), ignore_errors=True)
    assert warnings.getvalue() == ""
    assert app.parallel == 2  # given back after reading
    lines = (root / "readers.txt").read_text().split("\n")
    return {doc: int(pid) for doc, pid in (line.split() for line in lines if line)}


def test_an_edit_is_read_in_the_main_process_and_many_documents_in_workers(tmp_path):
    names = [f"page{n}" for n in range(SERIAL_READ_MAX + 1)]
    index = "# Course\n\n```{toctree}\n" + "\n".join(names) + "\n```\n"
    pages = {f"{name}.md": f"# Page {name}\n\nText of {name}.\n" for name in names}
    conf = BASE_CONF + "extensions.append('lean_probe')\nimport os, sys\n"
    conf += "sys.path.insert(0, os.path.dirname(__file__))\n"
    files = {"conf.py": conf, "lean_probe.py": PROBE, "refs.bib": REFS, "index.md": index, **pages}
    src = write_files(tmp_path / "src", files)
    cold = build(src, tmp_path / "one")
    assert len(cold) == len(names) + 1 and os.getpid() not in cold.values()  # in workers
    edited = src / "page1.md"
    edited.write_text(edited.read_text().replace("Text of", "The text of"))
    assert build(src, tmp_path / "one") == {"page1": os.getpid()}  # read here
    clean = tmp_path / "clean"
    build(src, clean)
    one, two = snapshot(tmp_path / "one" / "html"), snapshot(clean / "html")
    for files in (one, two):  # Sphinx's own record (a hash of this process's settings)
        files.pop(".buildinfo", None)
    assert one == two


def built_logging(src: Path, root: Path, verbosity: int) -> tuple[bool, str]:
    """A build at ``verbosity``: whether the ``sphinx`` logger then made debug records, and what
    it showed."""
    status = io.StringIO()
    with docutils_namespace():
        app = Sphinx(
            str(src), str(src), str(root / f"html-{verbosity}"), str(root / f"d-{verbosity}"),
            "html", status=status, warning=io.StringIO(), freshenv=True, verbosity=verbosity,
        )  # fmt: skip
        app.build()
    return logging.getLogger("sphinx").isEnabledFor(logging.DEBUG), status.getvalue()


def test_no_log_record_is_made_that_the_build_would_not_show(tmp_path):
    """A reading worker keeps every record of its chunk until it hands them back: Sphinx's debug
    record of each event (with its arguments, a document's whole source) grew it by the
    document. None is made unless the build shows debug messages (-vv)."""
    src = write_files(
        tmp_path / "src",
        {"conf.py": BASE_CONF, "refs.bib": REFS, "index.md": "# Index\n\nText.\n"},
    )
    made, shown = built_logging(src, tmp_path, 0)
    assert not made and "emitting event" not in shown
    made, shown = built_logging(src, tmp_path, 2)
    assert made and "[app] emitting event: 'source-read'" in shown
