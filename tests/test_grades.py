"""Reading grades kept on disk (lessonpack.grades): a build whose texts are all known starts no
grading process, builds running at once lose no grade and compute a shared one once, and a
fault is still one warning at its line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import BASE_CONF, REFS, sphinx_app, write_files
from lessonpack import grades
from lessonpack.grades import CACHE_NAME, GRADER, TABLE, cached_grade
from test_directives import lesson_files

HARDER = """
# Harder

::::{source} A letter
:cite: smith2000

The village has no grain.

:::{adapted}
Notwithstanding considerable administrative exhortation, the agricultural collective
experienced catastrophic insufficiency of foodstuffs throughout the province.
:::
::::
"""


def course(root: Path, files: dict[str, str]) -> Path:
    """A project as the ``build`` fixture writes it: an index of every page, a bibliography."""
    src = root / "src"
    files = {"bibliography.md": "# Bibliography\n\n```{bibliography}\n```\n", **files}
    pages = [p.removesuffix(".md") for p in files if p.endswith(".md")]
    index = "# Index\n\n```{toctree}\n" + "\n".join(pages) + "\n```\n"
    write_files(src, {"conf.py": BASE_CONF, "refs.bib": REFS, "index.md": index, **files})
    return src


def built(src: Path, out: Path, cache: Path) -> tuple[dict, str]:
    """A fresh build of ``src`` with its own doctrees and the shared grade cache ``cache``:
    (its report, its warnings)."""
    app, _status, warnings = sphinx_app(
        src, out / "html", out / "doctrees", lessonpack_cache_dir=str(cache)
    )
    report = json.loads((Path(app.doctreedir) / "lessonpack-report.json").read_text("utf-8"))
    return report, warnings


def test_a_build_whose_texts_are_all_known_starts_no_grading_process(tmp_path: Path):
    src = course(tmp_path, lesson_files())
    cache = tmp_path / "cache"
    started, made, computed = GRADER.starts, TABLE.made, TABLE.computed
    first, warnings = built(src, tmp_path / "one", cache)
    assert warnings == ""
    # The first build grades every text in one helper, with the table of syllables it made;
    # neither the table nor textstat ever enters the build, and the helper ends with reading.
    assert (GRADER.starts, TABLE.made) == (started + 1, made + 1)
    assert TABLE.computed >= computed + 3
    assert TABLE.words is None and GRADER.process is None
    kept = json.loads((cache / CACHE_NAME).read_text(encoding="utf-8"))
    assert len(kept) >= 3 and all(isinstance(v, float) for v in kept.values())
    # Another build (another edition's, a fresh environment) knows every text: none computed.
    computed = TABLE.computed
    second, warnings = built(src, tmp_path / "two", cache)
    assert warnings == ""
    assert TABLE.computed == computed and GRADER.starts == started + 1  # no helper
    assert second["documents"] == first["documents"]
    grade = first["documents"]["lessons/one"]["grade"]
    assert grade > 0 and first["documents"]["lessons/one"]["source_grades"]
    # A spoiled file is no grade (computed again, with the kept table), never a wrong one.
    (cache / CACHE_NAME).write_text('{"x": "not a grade"', encoding="utf-8")
    third, warnings = built(src, tmp_path / "three", cache)
    assert warnings == "" and TABLE.computed > computed
    assert (GRADER.starts, TABLE.made) == (started + 2, made + 1)
    assert third["documents"] == first["documents"]


def test_a_known_fault_is_still_one_warning_at_its_line(tmp_path: Path):
    src = course(tmp_path, {"lessons/harder.md": HARDER})
    cache = tmp_path / "cache"
    line = HARDER.lstrip("\n").splitlines().index(":::{adapted}") + 1
    for run in ("one", "two"):  # computed, then known
        (cache / "messages.txt").unlink(missing_ok=True)  # as each `make` starts
        _report, warnings = built(src, tmp_path / run, cache)
        found = [w for w in warnings.splitlines() if "the adapted version reads at grade" in w]
        assert len(found) == 1 and f"harder.md:{line}: WARNING" in found[0], warnings


# A build's grading, as a process: waits for the go, grades its texts, says how many helpers it
# started and the grades.
WORKER = """
import json, sys
from lessonpack.grades import GRADER, TABLE, cached_grade
print("ready", flush=True)
sys.stdin.read()  # the go: its standard input closed
grades = [cached_grade(text, sys.argv[1]) for text in sys.argv[2:]]
print(json.dumps({"starts": GRADER.starts, "made": TABLE.made, "computed": TABLE.computed,
                  "grades": grades}))
"""


def at_once(cache: Path, texts: list[list[str]]) -> list[dict]:
    """One process per list of texts, all started before any is given the go."""
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(cache), *each],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for each in texts
    ]
    for run in runs:  # every process is up (it has imported the package) before any goes
        assert run.stdout is not None and run.stdout.readline() == "ready\n"
    for run in runs:
        assert run.stdin is not None
        run.stdin.close()
    results = [json.loads(run.stdout.read()) for run in runs if run.stdout is not None]
    assert [run.wait(timeout=300) for run in runs] == [0] * len(runs)
    return results


def test_builds_at_once_compute_a_shared_grade_once_and_lose_none(tmp_path: Path):
    cache = tmp_path / "cache"
    shared = "The grain ran out."
    results = at_once(cache, [[shared]] * 3)
    # One process graded it (under the lock), in its helper, with the table that helper made;
    # the others waited and found it, starting no helper.
    assert sum(r["computed"] for r in results) == 1
    assert sum(r["made"] for r in results) == 1
    assert sum(r["starts"] for r in results) == 1
    assert len({r["grades"][0] for r in results}) == 1
    own = ["Farmers ate in canteens.", "Steel was made in yards.", "Cadres reported yields."]
    results = at_once(cache, [[text] for text in own])
    kept = json.loads((cache / CACHE_NAME).read_text(encoding="utf-8"))
    assert len(kept) == 4  # the shared text and each process's own: no grade lost
    assert [r["grades"][0] for r in results] == [cached_grade(t, str(cache)) for t in own]


ROOT = Path(__file__).resolve().parent.parent


def test_a_grade_is_textstat_s_on_every_text_of_the_course(tmp_path: Path):
    """The grade computed with the table of syllables is the grade textstat computes with its
    dictionary, on every lesson, exercise and book page of the course, each paragraph of them,
    and words the dictionary does not have (names, a new word)."""
    words = grades._table(str(tmp_path))
    grades.release()
    texts = [
        "",
        "Hi.",
        "Qab",
        "Don't 'quote' me; rock'n'roll, the dogs' bowls, it's theirs.",
        "Zhōu Ēnlái met Máo Zédōng in 1958–1962; 大跃进 was the Great Leap Forward.",
        "A B C. D E F! G? H... I",
        "Self-reliance was well-known in mid-1959.",
    ]
    files = sorted(ROOT.glob("lessons/*.md")) + sorted(ROOT.glob("exercises/*.md"))
    files += sorted(ROOT.glob("book/**/*.md"))
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        texts += [text, *(p for p in text.split("\n\n") if p.strip())]
    found = {text: grades.local_grade(text, words) for text in texts}
    assert found == {text: grades._grade(text) for text in texts}
    assert len(set(found.values())) > 20
