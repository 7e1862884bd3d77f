"""A document's bulk stays out of the Sphinx environment, which every build holds to its end.

Each document's quizzes go into its file of the report's texts (``report.add_texts``), the text
of its source boxes and its stimuli into a file of their own (``quiz.TEXT_FOLDER``); the
environment keeps the boxes' labels and the number of stimuli. The report still has the
quizzes, and the stimulus check still reads the boxes: after an edit of the quiz alone (the
box's text from the unchanged lesson's file), and after a parallel read (files written by the
workers), which gives the report a serial read gives.
"""

from __future__ import annotations

import io
import json
import pickle
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace

from conftest import BASE_CONF, REFS, sphinx_app, write_files
from lessonpack import report

LESSONS = 8  # with two quizzes, the index and the bibliography: 12 documents, read by workers
BOX = "The brigades of county {n} took the whole harvest of {year} and left no seed grain."
STEM = "What did the brigades of county {n} take?"
RATIONALE = "Rationale {n}: the speech names the seed grain of county {n}."
MISQUOTE = "the brigades of county {n} fed every family"


def lesson(n: int) -> str:
    box = BOX.format(n=n, year=1958 + n % 3)
    return (
        f"# Lesson {n}\n\n:::{{source}} A report from county {n}\n:label: box-{n}\n"
        f":who: A county official\n:cite: smith2000\n:kind: paraphrase\n\n{box}\n:::\n"
    )


def quiz(n: int, quote: str = "") -> str:
    """A quiz on lesson ``n``: one item whose stimulus quotes its box (``quote`` instead)."""
    quote = quote or "The brigades of county {n} took the whole harvest ... and left no seed grain"
    options = "\n".join(f"- [{'x' if i == 1 else ' '}] Option {n}.{i}" for i in range(4))
    return (
        f"# Quiz {n}\n\n:::::{{quiz}} Quiz {n}\n:seed: s{n}\n\n"
        f"::::{{mc}}\n:::{{stimulus}}\n:source: box-{n}\n> {quote.format(n=n)}\n:::\n\n"
        f"{STEM.format(n=n)}\n\n{options}\n\n```{{rationale}}\n{RATIONALE.format(n=n)}\n```\n"
        "::::\n:::::\n"
    )


def project(root: Path, quizzes: tuple[int, ...] = (1, 2)) -> Path:
    files: dict[str, str | bytes] = {f"units/l{n}.md": lesson(n) for n in range(1, LESSONS + 1)}
    files.update({f"quizzes/q{n}.md": quiz(n) for n in quizzes})
    files["bibliography.md"] = "# Bibliography\n\n```{bibliography}\n```\n"
    pages = [name.removesuffix(".md") for name in files if name.endswith(".md")]
    files["index.md"] = "# Index\n\n```{toctree}\n" + "\n".join(sorted(pages)) + "\n```\n"
    files["conf.py"] = BASE_CONF
    files["refs.bib"] = REFS
    return write_files(root, files)


def build(src: Path, out: Path, *, freshenv: bool = True) -> tuple[Sphinx, str]:
    app, _status, warnings = sphinx_app(
        src, out / "html", out / "doctrees", freshenv=freshenv, lessonpack_edition="teacher"
    )
    return app, warnings


def written(app: Sphinx) -> dict:
    path = Path(app.doctreedir) / report.REPORT_NAME
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_environment_holds_no_quiz_no_stimulus_and_no_box_text(tmp_path: Path):
    app, warnings = build(project(tmp_path / "src"), tmp_path / "out")
    assert warnings == "", warnings
    saved = pickle.loads((Path(app.doctreedir) / "environment.pickle").read_bytes())
    for env in (app.env, saved):
        for domain in ("lessonpack", "lessonpack_quiz"):
            held = pickle.dumps(env.domaindata[domain]).decode("utf-8", "replace")
            for n in (1, 2):
                for text in (BOX.format(n=n, year=1958 + n % 3), STEM.format(n=n)):
                    assert text not in held, (domain, text)
                assert RATIONALE.format(n=n) not in held
            assert "seed grain" not in held  # a box's words, or a stimulus's quoting them
        assert all("quizzes" not in r for r in env.domaindata["lessonpack"]["docs"].values())
        assert env.domaindata["lessonpack_quiz"]["sources"]["units/l1"] == ["box-1"]
        assert env.domaindata["lessonpack_quiz"]["stimuli"] == {"quizzes/q1": 1, "quizzes/q2": 1}
    # The report has them, as before.
    [record] = written(app)["documents"]["quizzes/q1"]["quizzes"]
    [item] = record["items"]
    assert item["stem"] == STEM.format(n=1) and item["rationale"] == RATIONALE.format(n=1)
    assert item["stimulus"]["source"] == "box-1" and item["key"] == 1
    assert record["versions"]["A"]["keys"]
    assert "quizzes" not in written(app)["documents"]["units/l1"]


def test_an_edit_of_the_quiz_alone_is_checked_against_the_unchanged_lesson(tmp_path: Path):
    src = project(tmp_path / "src")
    app, warnings = build(src, tmp_path / "out")
    assert warnings == "", warnings
    kept = Path(app.doctreedir) / "lessonpack-quiz-texts" / "units" / "l1.json"
    before = kept.stat().st_mtime_ns
    (src / "quizzes" / "q1.md").write_text(quiz(1, MISQUOTE), encoding="utf-8")
    app, warnings = build(src, tmp_path / "out", freshenv=False)
    assert kept.stat().st_mtime_ns == before  # the lesson was not read again
    where = f"{src / 'quizzes' / 'q1.md'}:7: WARNING: "
    message = f"{{stimulus}} quotes words that are not in box-1: {MISQUOTE.format(n=1)!r}"
    assert warnings == f"{where}{message} [lessonpack.quiz]\n", warnings
    # The edited quiz is in the report; a removed lesson's box is no longer found.
    [record] = written(app)["documents"]["quizzes/q1"]["quizzes"]
    assert MISQUOTE.format(n=1) in record["items"][0]["stimulus"]["text"]
    (src / "units" / "l2.md").unlink()
    index = (src / "index.md").read_text(encoding="utf-8").replace("units/l2\n", "")
    (src / "index.md").write_text(index, encoding="utf-8")
    _app, warnings = build(src, tmp_path / "out", freshenv=False)
    assert "{stimulus} :source: box-2 is not the label of a {source} box" in warnings, warnings


def read(src: Path, out: Path, parallel: int) -> tuple[Sphinx, str]:
    """A build read by ``parallel`` processes (as test_handback.py reads)."""
    with docutils_namespace():
        app = Sphinx(
            str(src),
            str(src),
            str(out / "html"),
            str(out / "doctrees"),
            "html",
            confoverrides={"lessonpack_edition": "teacher"},
            status=io.StringIO(),
            warning=(warnings := io.StringIO()),
            freshenv=True,
            parallel=parallel,
        )
        merged: list[list[str]] = []  # the documents of each worker's environment merged
        app.connect("env-merge-info", lambda _app, _env, docs, _other: merged.append(sorted(docs)))
        app.build()
    app.merged = merged  # type: ignore[attr-defined]
    return app, warnings.getvalue()


def test_a_parallel_read_gives_the_report_and_warnings_of_a_serial_one(tmp_path: Path):
    src = project(tmp_path / "src", quizzes=(1, 8))
    (src / "quizzes" / "q8.md").write_text(quiz(8, MISQUOTE), encoding="utf-8")
    two, two_warnings = read(src, tmp_path / "two", parallel=2)
    one, one_warnings = read(src, tmp_path / "one", parallel=1)
    assert len(two.env.all_docs) >= 11 and len(two.merged) >= 2  # type: ignore[attr-defined]
    assert not one.merged  # type: ignore[attr-defined]
    assert two_warnings == one_warnings
    assert "quotes words that are not in box-8" in two_warnings
    assert written(two) == written(one)
    assert [q["title"] for q in written(two)["documents"]["quizzes/q8"]["quizzes"]] == ["Quiz 8"]
    sources = two.env.domaindata["lessonpack_quiz"]["sources"]
    assert sources == one.env.domaindata["lessonpack_quiz"]["sources"]
    assert sources["units/l8"] == ["box-8"]  # a worker handed back the label, not the text
