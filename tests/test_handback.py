"""A reading worker hands back only the documents it read (``handback.py``).

A small project read by two workers in three chunks (the third worker is forked after a chunk
was merged, so it holds that chunk too): every environment a worker hands back holds its own
documents only, in Sphinx's tables and in every domain's data, and what the main process
merged from them is what a serial read makes. The real course's outputs read both ways are
compared by test_parallel_read.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from conftest import BASE_CONF, REFS, sphinx_app, write_files

PAGES = 9  # with index and bibliography, 11 documents: chunks of 5, 5 and 1 for two workers

# Records, in the main process, what each worker handed back (the public env-merge-info event).
PROBE = """
def seen(app, env, docnames, other):
    std = other.domaindata["std"]["labels"]
    initial = {where[0] for where in app.env.get_domain("std").initial_data["labels"].values()}
    app.handed_back.append({
        "docnames": sorted(docnames),
        "all_docs": sorted(other.all_docs),
        "titles": sorted(other.titles),
        "tocs": sorted(other.tocs),
        "labels": sorted({where[0] for where in std.values()} - initial),
        "citation_refs": sorted({ref.docname for ref in other.domaindata["cite"]["citation_refs"]}),
        "lessonpack": sorted(other.domaindata["lessonpack"]["docs"]),
    })

def setup(app):
    app.handed_back = []
    app.connect("env-merge-info", seen)
    return {"parallel_read_safe": True}
"""


def page(number: int) -> str:
    return (
        f"(page-{number})=\n# Page {number}\n\n"
        f"A paragraph about the harvest of {1958 + number % 4} {{cite:p}}`smith2000`.\n\n"
        f"## Part {number}\n\nSee {{ref}}`page-{(number % PAGES) + 1}`.\n"
    )


def project(root: Path) -> Path:
    files = {f"p{n}.md": page(n) for n in range(1, PAGES + 1)}
    files["bibliography.md"] = "# Bibliography\n\n```{bibliography}\n```\n"
    toctree = "\n".join(["bibliography", *(f"p{n}" for n in range(1, PAGES + 1))])
    files["index.md"] = f"# Index\n\n```{{toctree}}\n{toctree}\n```\n"
    files["probe.py"] = PROBE
    conf = BASE_CONF + "import os, sys\nsys.path.insert(0, os.path.dirname(__file__))\n"
    conf += 'extensions.append("probe")\n'
    files["conf.py"] = conf
    files["refs.bib"] = REFS
    return write_files(root, files)


def read(src: Path, out: Path, parallel: int) -> Sphinx:
    app, _status, warnings = sphinx_app(src, out / "html", out / "doctrees", parallel=parallel)
    assert warnings == ""
    return app


def merged(app: Sphinx) -> dict[str, Any]:
    """What the main process holds of the documents once read (comparable)."""
    env = app.env
    data = {
        "all_docs": sorted(env.all_docs),
        "titles": {d: t.astext() for d, t in sorted(env.titles.items())},
        "tocs": {d: t.pformat() for d, t in sorted(env.tocs.items())},
        "toctree_includes": dict(sorted(env.toctree_includes.items())),
        "labels": dict(sorted(env.domaindata["std"]["labels"].items())),
        "citation_refs": sorted(
            (r.docname, [t.key for t in r.targets]) for r in env.domaindata["cite"]["citation_refs"]
        ),
        "lessonpack": dict(sorted(env.domaindata["lessonpack"]["docs"].items())),
        "dependencies": {d: sorted(v) for d, v in sorted(env.dependencies.items())},
    }
    return data


def test_each_worker_hands_back_its_own_documents(tmp_path: Path):
    src = project(tmp_path / "src")
    app = read(src, tmp_path / "two", parallel=2)
    handed = app.handed_back  # type: ignore[attr-defined]
    assert len(handed) == 3, handed  # three chunks: the last forked after a merge
    for chunk in handed:
        docs = chunk["docnames"]
        assert chunk["all_docs"] == docs
        assert chunk["titles"] == docs
        assert chunk["tocs"] == docs
        assert set(chunk["labels"]) <= set(docs), chunk
        assert set(chunk["citation_refs"]) <= set(docs), chunk
        assert set(chunk["lessonpack"]) <= set(docs), chunk
    # Every document was read by exactly one worker, its data handed back by that one.
    every = sorted(d for chunk in handed for d in chunk["docnames"])
    assert every == sorted(app.env.all_docs)
    assert sorted(d for chunk in handed for d in chunk["labels"]) == [
        f"p{n}" for n in range(1, PAGES + 1)
    ]


def test_what_is_merged_is_what_one_reader_makes(tmp_path: Path):
    src = project(tmp_path / "src")
    two = merged(read(src, tmp_path / "two", parallel=2))
    one = merged(read(src, tmp_path / "one", parallel=1))
    assert two == one
    assert len(two["all_docs"]) == PAGES + 2
    assert len(two["citation_refs"]) == PAGES
