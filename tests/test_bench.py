"""The benchmark's own logic, without full builds: synthetic courses, statistics, targets, report.

`make bench` itself is long (hours at the default sizes) and never part of `make test`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psutil
import pytest

from conftest import ROOT, sphinx_app
from lessonpack.bench import figures, report, scenarios, synth, targets
from lessonpack.bench.course import Course
from lessonpack.bench.measure import measure
from lessonpack.bench.project import add_sentence
from lessonpack.bench.stats import summarize
from lessonpack.bench.targets import Target

REAL = Course.read(ROOT, ROOT / "book")
SECOND = Path(__file__).parent / "curso"  # test_second_course.py
REAL_OPTIONS = ["--root", str(ROOT), "--confdir", str(ROOT / "book")]  # as make bench gives


def course(tmp_path: Path, lessons: int) -> Path:
    return synth.make_course(REAL, tmp_path / f"course-{lessons}", lessons).src


def texts(src: Path, layout: Course = REAL) -> dict[str, str]:
    """Every MyST document of a course, by document name (not book/_static, as in conf.py)."""
    return {
        str(path.relative_to(src).with_suffix("")): path.read_text(encoding="utf-8")
        for folder in layout.source_dirs
        for path in sorted((src / folder).rglob("*.md"))
        if not path.relative_to(src).is_relative_to("book/_static")
    }


# Synthetic courses ----------------------------------------------------------------------------


def test_synthetic_labels_are_unique_and_every_reference_resolves(tmp_path: Path):
    docs = texts(course(tmp_path, 9))
    defined = Counter(label for text in docs.values() for label in synth.defined_labels(text))
    assert [label for label, count in defined.items() if count > 1] == []
    referenced = {label for text in docs.values() for label in synth.referenced_labels(text)}
    assert referenced - set(defined) == set()
    # The copies define their own targets, and lesson 9 (a copy of lesson 1) refers to its own.
    assert "lesson-collectivization-6" in defined and "src-l2-gluckstein-6" in defined
    assert "ex-soviet-origins-9" in synth.referenced_labels(docs["lessons/09-soviet-origins"])
    assert "ex-soviet-origins" not in synth.referenced_labels(docs["lessons/09-soviet-origins"])


def test_synthetic_toctrees_list_every_lesson_and_worksheet_once(tmp_path: Path):
    src = course(tmp_path, 9)
    docs = texts(src)
    lessons = [
        d
        for d in synth.toctree_entries(docs[REAL.root_doc], REAL.root_doc)
        if d.startswith("lessons/")
    ]
    assert lessons == sorted(d for d in docs if d.startswith("lessons/"))
    assert len(lessons) == 9
    listed = Counter(
        entry for doc, text in docs.items() for entry in synth.toctree_entries(text, doc)
    )
    assert {doc for doc in docs if doc != REAL.root_doc} <= set(listed)  # every page in one
    assert [entry for entry, count in listed.items() if count > 1] == []
    assert all(entry in docs for entry in listed)  # and every entry exists
    assert synth.toctree_entries(docs["lessons/07-famine"], "lessons/07-famine") == [
        "exercises/07-famine",
        "exercises/07-famine-quiz",
    ]
    assert docs["lessons/07-famine"].splitlines()[1].startswith("# Lesson 7: ")
    assert "# Worksheet and assessment 8: " in docs["exercises/08-culpability-memory"]


def test_copies_refer_to_the_copies_of_their_own_group(tmp_path: Path):
    docs = texts(course(tmp_path, 8))
    # Lesson 4 refers to lesson 3; its copy, lesson 8, to lesson 7.
    assert "lesson-famine" in synth.referenced_labels(docs["lessons/04-culpability-memory"])
    refs = synth.referenced_labels(docs["lessons/08-culpability-memory"])
    assert "lesson-famine-7" in refs and "lesson-famine" not in refs
    # Pages outside the lessons are left as they were.
    assert "data-exercise" in refs


def test_the_real_size_is_the_real_course_and_smaller_is_refused(tmp_path: Path):
    copy = REAL.copy_to(tmp_path / "src")
    assert synth.synthesize(copy, 4) == []
    assert texts(copy.src) == texts(ROOT)
    with pytest.raises(ValueError, match="at least the 4 real lessons"):
        synth.synthesize(copy, 3)


def test_any_course_is_read_from_its_conf_and_grows_and_builds(tmp_path: Path):
    """Another course's layout (other folders, conf.py elsewhere, other lesson pattern) comes
    from its conf.py: its lessons, the lesson edited, make's variables, a strict synthetic copy."""
    second = Course.read(SECOND, SECOND / "ajustes")
    assert (second.confdir, second.root_doc) == ("ajustes", "ajustes/inicio")
    assert second.source_dirs == ("ajustes", "unidades", "ejercicios")
    lessons = synth.real_lessons(second)
    assert [(x.doc, x.companions) for x in lessons] == [
        ("unidades/01-maguncia", ("ejercicios/01-maguncia",)),
        ("unidades/02-reforma", ("ejercicios/02-reforma",)),
    ]
    assert scenarios.edit_lesson(second) == "unidades/02-reforma"
    assert scenarios.edit_lesson(REAL) == "lessons/02-collectivization"  # as before
    grown = synth.make_course(second, tmp_path / "src", 3)
    assert grown.make_variables() == [
        f"SRCDIR={grown.src}",
        f"CONFDIR={grown.src / 'ajustes'}",
        "SOURCE_DIRS=ajustes unidades ejercicios",
    ]
    assert [x.doc for x in synth.real_lessons(grown)][-1] == "unidades/03-maguncia"
    assert (grown.src / "ejercicios" / "03-maguncia.md").is_file()
    assert "# Unidad 3: " in (grown.src / "unidades" / "03-maguncia.md").read_text("utf-8")
    _app, _status, warnings = sphinx_app(
        grown.src, tmp_path / "html", tmp_path / "doctrees", confdir=grown.conf_folder
    )
    assert warnings == ""
    assert (tmp_path / "html" / "unidades" / "03-maguncia.html").is_file()


def test_renamer_rewrites_every_kind_of_target():
    rename = synth.Renamer({"a": "a-5", "fig": "fig-5"}, {"lessons/x": "lessons/05-x"})
    text = (
        "(a)=\n# T\n:name: fig\n:label: other\n{ref}`a` {ref}`see <a>` {numref}`fig` "
        "{ref}`other` {doc}`x` {doc}`/lessons/x`\n```{toctree}\n:hidden:\nx\nTitle <x>\n```\n"
    )
    assert rename(text, "lessons/01-y") == (
        "(a-5)=\n# T\n:name: fig-5\n:label: other\n{ref}`a-5` {ref}`see <a-5>` {numref}`fig-5` "
        "{ref}`other` {doc}`05-x` {doc}`/lessons/05-x`\n```{toctree}\n:hidden:\n05-x\n"
        "Title <05-x>\n```\n"
    )


def test_a_five_lesson_course_builds_strictly(tmp_path: Path):
    """The generator's output is a valid book: Sphinx (website only, in-process) warns nothing."""
    src = course(tmp_path, 5)
    start = time.monotonic()
    _app, _status, warnings = sphinx_app(
        src,
        tmp_path / "html",
        tmp_path / "doctrees",
        confdir=src / "book",
        lessonpack_edition="student",
    )
    assert warnings == ""
    assert (tmp_path / "html" / "lessons" / "05-soviet-origins.html").is_file()
    assert time.monotonic() - start < 60


# The one-lesson edit --------------------------------------------------------------------------


def test_added_sentence_is_a_copy_placed_before_the_discussion(tmp_path: Path):
    lesson = tmp_path / "lesson.md"
    lesson.write_text(
        "# L\n\nFirst words here. The last sentence stays.\n\n::::{discussion}\nQ\n::::\n"
    )
    assert add_sentence(lesson) == "The last sentence stays."
    assert lesson.read_text() == (
        "# L\n\nFirst words here. The last sentence stays.\n\nThe last sentence stays.\n\n"
        "::::{discussion}\nQ\n::::\n"
    )
    lesson.write_text("# L\n\nNo questions.\n")
    with pytest.raises(ValueError, match="no \\{discussion\\}"):
        add_sentence(lesson)


def test_added_sentence_skips_directives_between_the_prose_and_the_discussion(tmp_path: Path):
    """An organiser (its teacher answers too) may stand before the discussion: the copied
    sentence comes from the last paragraph of prose, and is placed after it."""
    lesson = tmp_path / "lesson.md"
    organiser = (
        ":::::{organiser}\n:question: Q?\n:sources: a b\n\n"
        "```{answer} a\nClaims: x. Answer.\n```\n:::::\n"
    )
    lesson.write_text(f"# L\n\nProse here. Copy me.\n\n{organiser}\n::::{{discussion}}\nQ\n::::\n")
    assert add_sentence(lesson) == "Copy me."
    assert lesson.read_text().startswith(
        "# L\n\nProse here. Copy me.\n\nCopy me.\n\n:::::{organiser}"
    )
    lesson.write_text(f"# L\n\n{organiser}\n::::{{discussion}}\nQ\n::::\n")
    with pytest.raises(ValueError, match="no prose paragraph"):
        add_sentence(lesson)


def test_an_edit_without_room_under_the_word_limit_keeps_the_word_count(tmp_path: Path):
    """A lesson at its word limit (lesson 2 had 2,994 of 3,000 words) is edited without adding
    a word: the last paragraph of several sentences starts with its last one instead."""
    lesson = tmp_path / "lesson.md"
    source = "# L\n\nOne two. Three four five.\n\nAlone here.\n\n::::{discussion}\nQ\n::::\n"
    lesson.write_text(source)
    assert add_sentence(lesson, room=3) == "Alone here."  # fits: added
    lesson.write_text(source)
    assert add_sentence(lesson, room=1) == "Three four five."  # one word of room: reordered
    assert lesson.read_text() == (
        "# L\n\nThree four five. One two.\n\nAlone here.\n\n::::{discussion}\nQ\n::::\n"
    )
    lesson.write_text("# L\n\nAlone here.\n\n::::{discussion}\nQ\n::::\n")
    with pytest.raises(ValueError, match="no room"):
        add_sentence(lesson, room=0)


def test_every_real_lesson_can_be_edited_at_its_word_limit(tmp_path: Path):
    """The benchmark's edit of each real lesson, with no room left: the text changes, its words
    do not (so the strict build's word limit cannot stop it); with room, a sentence is added."""
    for found in synth.real_lessons(REAL):
        source = (ROOT / f"{found.doc}.md").read_text(encoding="utf-8")
        copy = tmp_path / "lesson.md"
        copy.write_text(source, encoding="utf-8")
        add_sentence(copy, room=0)
        edited = copy.read_text(encoding="utf-8")
        assert edited != source and sorted(edited.split()) == sorted(source.split()), found.doc
        copy.write_text(source, encoding="utf-8")
        sentence = add_sentence(copy, room=None)
        assert len(copy.read_text(encoding="utf-8").split()) == len(source.split()) + len(
            sentence.split()
        )


def test_the_edit_reads_the_room_left_from_the_last_build(tmp_path: Path):
    """The room comes from the course's limit (its conf.py) and the word count its last build
    recorded for the lesson."""
    project = scenarios.Project(ROOT, tmp_path, REAL)
    report_file = tmp_path / "build" / "student" / "html-doctrees" / "lessonpack-report.json"
    report_file.parent.mkdir(parents=True)
    lesson = "lessons/02-collectivization"
    report_file.write_text(json.dumps({"documents": {lesson: {"reading_words": 2994}}}))
    assert REAL.max_reading_words == 3000
    assert scenarios.reading_room(project, lesson) == 6
    unlimited = scenarios.Project(ROOT, tmp_path, dataclasses.replace(REAL, max_reading_words=0))
    assert scenarios.reading_room(unlimited, lesson) is None


def test_make_output_tells_whether_sphinx_or_weasyprint_started():
    quiet = "make: Nothing to be done for 'all'.\n"
    pdf = ".venv/bin/sphinx-build -b lessonpdf -W -c book . build/teacher/pdf\n"
    assert not scenarios.SPHINX_STARTED.search(quiet)
    assert not scenarios.WEASYPRINT_STARTED.search(quiet)
    assert scenarios.SPHINX_STARTED.search(pdf) and scenarios.WEASYPRINT_STARTED.search(pdf)


# Measurement ----------------------------------------------------------------------------------


def test_peak_memory_is_the_largest_process_and_does_not_accumulate():
    big = measure(
        [sys.executable, "-c", "x = bytearray(150_000_000); x[::4096] = b'1' * len(x[::4096])"]
    )
    # Measured from a large process (the benchmark after many runs): a child forked from it
    # would inherit its high-water mark; the fresh wrapper's children do not.
    ballast = bytearray(250_000_000)
    ballast[::4096] = b"1" * len(ballast[::4096])
    small = measure([sys.executable, "-c", "pass"])
    del ballast
    assert big.peak_mb > 150 and small.peak_mb < 100
    assert big.seconds > 0 and big.ok
    failed = measure([sys.executable, "-c", "raise SystemExit(3)"], check=False)
    assert failed.returncode == 3 and not failed.ok


BENCH_STAND_IN = """
import sys
from lessonpack.bench.__main__ import exit_on_signals
from lessonpack.bench.measure import measure
exit_on_signals()
measure(["sh", "-c", "sleep {0} & sleep {0} & wait"])
"""


def sleepers(marker: str) -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["sleep", marker]]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_a_stopped_benchmark_leaves_nothing_of_the_build_running(signum: int):
    # Ctrl-C, `kill` or `kill -9` of the benchmark mid-build: the build it was measuring (here a
    # shell and its two children) ends with it, not left running for minutes on the machine.
    marker = f"{700 + os.getpid() % 200}.{signum}"
    bench = subprocess.Popen([sys.executable, "-c", BENCH_STAND_IN.format(marker)])
    try:
        deadline = time.monotonic() + 30
        while len(sleepers(marker)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(sleepers(marker)) == 2, "the measured command did not start"
        bench.send_signal(signum)
        bench.wait(60)
        deadline = time.monotonic() + 10
        while sleepers(marker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sleepers(marker) == []
    finally:
        bench.kill()
        for process in sleepers(marker):
            process.kill()


# Statistics, targets, report ------------------------------------------------------------------


def test_median_and_range():
    odd = summarize([3.0, 1.0, 2.0])
    assert (odd.median, odd.low, odd.high, odd.values) == (2.0, 1.0, 3.0, (3.0, 1.0, 2.0))
    assert summarize([1.0, 2.0, 3.0, 10.0]).median == 2.5
    with pytest.raises(ValueError):
        summarize([])


def test_targets_judge_the_median_or_the_worst_run():
    at_most = Target("<=", 1.0, "≤ 1 s")
    assert at_most.passes(summarize([0.5, 1.0, 3.0]))  # median 1.0: on the limit passes
    assert not at_most.passes(summarize([0.5, 1.2, 3.0]))
    at_least = Target(">=", 1.6, "≥ 1.6×")
    assert at_least.passes(summarize([1.0, 1.7, 2.0])) and not at_least.passes(summarize([1.5]))
    assert not at_least.passes(summarize([math.nan]))
    assert not targets.NO_CHANGE_STARTS.passes(summarize([0, 0, 1]))  # one run is enough to fail
    assert targets.NO_CHANGE_STARTS.passes(summarize([0, 0, 0]))
    with pytest.raises(ValueError):
        Target("<", 1, "")


def test_linear_growth_with_a_fixed_cost_is_linear():
    sizes = [4, 16, 64]
    linear = [100 + 10 * n for n in sizes]  # a fixed cost plus 10 s per lesson
    assert targets.marginal_growth(sizes, linear) == pytest.approx(1.0)
    quadratic = [100 + n * n for n in sizes]
    assert targets.marginal_growth(sizes, quadratic) == pytest.approx(80 / 20)
    assert not targets.LINEARITY.passes(summarize([targets.marginal_growth(sizes, quadratic)]))
    assert targets.marginal_growth([4, 8], [40, 80]) == pytest.approx(1.0)


def fake_course_run(pdf_seconds: float, edit_seconds: float) -> dict:
    return {
        "cold": {
            "seconds": {"html": 10.0, "epub": 8.0, "pdf": pdf_seconds},
            "total_seconds": 18.0 + pdf_seconds,
            "peak_mb": {"html": 200.0, "epub": 190.0, "pdf": 400.0},
            "peak_mb_max": 400.0,
            "pdf_files": 12,
            "pdf_pages": 800,
            "pages_per_second": 800 / pdf_seconds,
        },
        "full": {"seconds": 18.0 + pdf_seconds, "peak_mb": 400.0},
        "no_change": {"seconds": 0.4, "sphinx_started": False, "weasyprint_started": False},
        "edit": {
            "seconds": edit_seconds,
            "ratio_to_cold": edit_seconds / (18.0 + pdf_seconds),
            "changed": ["a.pdf", "html/x.html"],
            "unchanged": ["b.pdf"],
        },
        "single_job_pdf": {"seconds": 2 * pdf_seconds, "speedup": 2.0},
    }


def test_figures_table_and_json_on_fixed_numbers(tmp_path: Path):
    runs = [fake_course_run(82.0, 10.0), fake_course_run(182.0, 20.0), fake_course_run(62.0, 12)]
    peers = {
        "simplepdf": {"runs": [{"seconds": 50.0, "pdf_pages": 400, "pages_per_second": 8.0}] * 3},
        "pandoc": {"runs": [{"seconds": 4.0}] * 3},
    }
    scaling = {
        size: [
            {
                "total_seconds": 100.0 + 10 * size,
                "pdf_pages": 200 * size,
                "pages_per_second": 10.0,
                "peak_mb_max": 200.0 + min(size, 64),  # no higher at 128 than at 64
                "seconds": {"html": 1.0, "epub": 1.0, "pdf": 98.0 + 10 * size},
            }
        ]
        * 2
        for size in (4, 16, 64, 128)
    }
    rows = [
        *figures.course_figures(runs),
        *figures.peer_figures(runs, peers),
        *figures.scaling_figures(scaling),
    ]
    by_key = {row.key: row for row in rows}
    assert by_key["cold.pdf.seconds"].summary.median == 82.0
    assert (
        by_key["cold.total.seconds"].summary.low,
        by_key["cold.total.seconds"].summary.high,
    ) == (80.0, 200.0)
    assert by_key["edit.ratio"].summary.median == pytest.approx(0.1)  # 10/100, 20/200, 12/80
    assert by_key["edit.ratio"].verdict == "pass"
    assert by_key["no_change.starts"].verdict == "pass"
    assert by_key["parallel.speedup"].verdict == "pass"
    assert by_key["edit.pdf_changed"].summary.median == 1
    # Ours: 800 pages / 82 s = 9.76 pages/s against 8.0: 1.22×, below the 1.5× target.
    assert by_key["simplepdf.ratio"].summary.median == pytest.approx(800 / 82 / 8)
    assert by_key["simplepdf.ratio"].verdict == "FAIL"
    assert by_key["pandoc.ratio"].summary.median == pytest.approx(2.0)
    assert by_key["scaling.64.peak_mb"].verdict == "pass"  # 264 MB
    assert by_key["scaling.128.peak_growth"].summary.median == pytest.approx(1.0)
    assert by_key["scaling.128.peak_growth"].verdict == "pass"
    assert by_key["scaling.16.per_lesson.pages"].summary.median == pytest.approx(1.0)
    assert by_key["scaling.linearity"].summary.median == pytest.approx(1.0)

    text = report.table(rows, "title")
    lines = text.splitlines()
    assert lines[0] == "title" and lines[1].split() == [
        "figure",
        "median",
        "min–max",
        "target",
        "result",
    ]
    edit = next(line for line in lines if line.startswith("one-lesson edit / cold make"))
    assert edit.endswith("pass") and "10 %" in edit and "10–15 %" in edit and "≤ 15 %" in edit
    # Columns line up: every number column ends at the same place.
    median_end = lines[1].index("median") + len("median")
    assert all(line[median_end - 1] != " " for line in lines[3:] if len(line) >= median_end)
    assert "targets: 7 of 8 met; not met: ours / sphinx-simplepdf" in report.targets_summary(rows)

    path = tmp_path / "out" / "results.json"
    report.write_json(path, {"machine": {"nproc": 2}}, rows)
    data = json.loads(path.read_text())
    assert data["machine"] == {"nproc": 2}
    row = next(r for r in data["figures"] if r["key"] == "edit.ratio")
    assert row["runs"] == pytest.approx([0.1, 0.1, 0.15])
    assert (row["min"], row["max"]) == pytest.approx((0.1, 0.15))
    assert row["target"] == {"op": "<=", "limit": 0.15, "text": "≤ 15 %", "judged_on": "median"}
    assert row["pass"] is True
    assert next(r for r in data["figures"] if r["key"] == "simplepdf.ratio")["pass"] is False


# The machine a saved results file names (tests that print a table from fixed figures).
MACHINE = {
    "nproc": 2,
    "cpu_model": "CPU",
    "python": "3.11",
    "git_commit": "abc",
    "date": "2026-01-01",
    "versions": {"weasyprint": "70", "sphinx": "9"},
}


def test_a_saved_results_file_is_reported_again(tmp_path: Path, capsys: pytest.CaptureFixture):
    from lessonpack.bench.__main__ import main

    results = {
        "machine": MACHINE,
        "options": {"runs": 2},
        "course": [fake_course_run(100.0, 10.0), fake_course_run(120.0, 15.0)],
        "scaling": {},
    }
    saved, again = tmp_path / "results.json", tmp_path / "again.json"
    saved.write_text(json.dumps(results))
    assert main([*REAL_OPTIONS, "--from-json", str(saved), "--json", str(again)]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("cold build: pdf"))
    assert line.split()[3:6] == ["110.0", "s", "100.0–120.0"]
    assert "targets: 4 of 4 met" in out
    assert [row["key"] for row in json.loads(again.read_text())["figures"]][:2] == [
        "cold.html.seconds",
        "cold.epub.seconds",
    ]


def test_scaling_reuses_the_real_course_and_saves_every_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from lessonpack.bench import __main__ as cli

    built: list[int] = []

    def synthetic(repo, course, workdir, keep, log, lessons):
        built.append(lessons)
        return {"lessons": lessons, "total_seconds": float(lessons)}

    monkeypatch.setattr(scenarios, "synthetic_course", synthetic)
    args = cli.parse(
        [
            *REAL_OPTIONS,
            "--runs",
            "2",
            "--sizes",
            "16",
            "4",
            "--json",
            str(tmp_path / "r.json"),
        ]
    )
    course = [{"cold": {"total_seconds": 1.0}}, {"cold": {"total_seconds": 2.0}}]
    found: dict = {}
    saved: list[int] = []
    cli.run_scaling(
        args, course, lambda message: None, found, lambda: saved.append(len(found["runs"]["16"]))
    )
    assert built == [16, 16] and saved == [1, 2]
    assert found["sizes"] == [4, 16]
    assert [run["total_seconds"] for run in found["runs"]["4"]] == [1.0, 2.0]
    assert found["runs"]["4"][0]["reused_from"] == "cold build"


def test_a_saved_file_without_the_real_size_runs_is_repaired(
    tmp_path: Path, capsys: pytest.CaptureFixture
):
    """Results of a bench whose 4-lesson runs were lost (an earlier bug) are reported whole."""
    from lessonpack.bench.__main__ import main

    course = [fake_course_run(100.0, 20.0)]
    bigger = {**course[0]["cold"], "lessons": 16, "total_seconds": 300.0}
    results = {
        "machine": MACHINE,
        "options": {"runs": 1, "scaling_runs": 1},
        "course": course,
        "scaling": {"sizes": [4, 16, 64], "runs": {"4": [], "16": [bigger], "64": []}},
    }
    saved = tmp_path / "results.json"
    saved.write_text(json.dumps(results))
    assert main([*REAL_OPTIONS, "--from-json", str(saved), "--json", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "4 lessons: cold build total" in out and "16 lessons: cold build total" in out
    assert "64 lessons" not in out  # no runs, no row
    data = json.loads(saved.read_text())
    assert data["scaling"]["runs"]["4"][0]["reused_from"] == "cold build"
    per_lesson = next(r for r in data["figures"] if r["key"] == "scaling.16.per_lesson.seconds")
    assert per_lesson["median"] == pytest.approx((300 / 16) / (118 / 4))  # cold total: 118 s


def test_peak_memory_counts_processes_of_a_forkserver(tmp_path: Path):
    """The PDF builder renders in forkserver processes, which no parent reaps: still counted."""
    script = tmp_path / "pool.py"
    script.write_text(
        "import multiprocessing, time\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "def big(_):\n"
        "    x = bytearray(200 * 1024 * 1024)\n"
        "    for i in range(0, len(x), 4096):\n"
        "        x[i] = 1\n"
        # Held for a while: the measure polls every 50 ms, and a loaded machine may let a worker
        # that exits at once slip between two polls (the test is about who is counted).
        "    time.sleep(1)\n"
        "    return len(x)\n"
        "if __name__ == '__main__':\n"
        "    context = multiprocessing.get_context('forkserver')\n"
        "    with ProcessPoolExecutor(1, mp_context=context) as pool:\n"
        "        print(list(pool.map(big, [1])))\n",
        encoding="utf-8",
    )
    measurement = measure([sys.executable, str(script)])
    assert measurement.ok
    assert measurement.peak_mb > 200
    # Named, so that a benchmark says which process of a build was the largest.
    assert "multiprocessing.forkserver" in measurement.peak_process, measurement.peak_process


def test_peak_memory_is_the_high_water_mark_of_a_process_that_no_parent_reaps(tmp_path: Path):
    """A peak shorter than the 50 ms between two readings, in a forkserver process (which no
    parent reaps, so getrusage never sees it), then a second at rest: still the peak."""
    script = tmp_path / "spike.py"
    script.write_text(
        "import multiprocessing, time\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "def spike(_):\n"
        "    x = b'1' * (250 * 1024 * 1024)\n"  # written through at once, then freed
        "    del x\n"
        "    time.sleep(1)\n"
        "    return 0\n"
        "if __name__ == '__main__':\n"
        "    context = multiprocessing.get_context('forkserver')\n"
        "    with ProcessPoolExecutor(1, mp_context=context) as pool:\n"
        "        print(list(pool.map(spike, [1])))\n",
        encoding="utf-8",
    )
    measurement = measure([sys.executable, str(script)])
    assert measurement.ok
    assert measurement.peak_mb > 250


def test_sizes_up_to_128_print_and_judge_the_memory_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
):
    """`--sizes 4 64 128` end to end (the builds replaced by fixed figures: hours of PDFs):
    the 64-lesson peak judged against 300 MB, 128 against 64, each format's peak shown."""
    from lessonpack.bench import __main__ as cli

    peaks = {64: {"html": 180.0, "epub": 170.0, "pdf": 290.0}}
    peaks[128] = {"html": 185.0, "epub": 172.0, "pdf": 320.0}  # the PDFs grow: 1.10×

    def synthetic(repo, course, workdir, keep, log, lessons):
        return {
            **fake_course_run(100.0, 10.0)["cold"],
            "lessons": lessons,
            "peak_mb": peaks[lessons],
            "peak_mb_max": max(peaks[lessons].values()),
            "peak_process": {goal: f"{goal}-process-{lessons}" for goal in peaks[lessons]},
        }

    monkeypatch.setattr(scenarios, "real_course", lambda *a, **k: fake_course_run(80.0, 10.0))
    monkeypatch.setattr(scenarios, "synthetic_course", synthetic)
    where = tmp_path / "r.json"
    options = ["--runs", "1", "--skip-peers", "--sizes", "4", "64", "128", "--json", str(where)]
    assert cli.main([*REAL_OPTIONS, *options]) == 0
    out = capsys.readouterr().out
    lines = {line.split("  ")[0]: line for line in out.splitlines()}
    assert lines["64 lessons: peak memory, largest process"].split()[-3:] == ["300", "MB", "pass"]
    assert "1.10" in lines["peak memory at 128 lessons / at 64"]
    assert lines["peak memory at 128 lessons / at 64"].endswith("FAIL")
    assert "290" in lines["64 lessons: peak memory, largest process: pdf"]
    assert "185" in lines["128 lessons: peak memory, largest process: html"]
    assert "4 lessons: peak memory, largest process: epub" in lines  # the real course's runs
    judged = {r["key"]: r.get("pass") for r in json.loads(where.read_text())["figures"]}
    assert (judged["scaling.64.peak_mb"], judged["scaling.128.peak_growth"]) == (True, False)
    assert "not met: peak memory at 128 lessons / at 64" in out
    # Which process the peak was, for whoever makes it smaller.
    assert (
        "note: 128 lessons: peak memory, largest process: 320 MB in the pdf build: pdf-process-128"
        in out
    )


# --no-layout: the Sphinx builds alone -----------------------------------------------------------


def test_no_layout_runs_a_pdf_build_through_make_without_laying_out(tmp_path: Path):
    """The PDF build's real command line (make's rule for its stamp) with the builder that lays
    nothing out: every output's HTML written, each PDF its record names an empty file, no
    rendering process started (no render cache); its Sphinx process measured."""
    from lessonpack.bench import sphinxmem

    run = sphinxmem.sphinx_builds(
        ROOT, REAL, tmp_path, True, lambda _m: None, len(synth.real_lessons(REAL)), ("pdf-student",)
    )
    assert list(run["peak_mb"]) == ["pdf-student"] and run["peak_mb"]["pdf-student"] > 50
    (build,) = tmp_path.glob("bench-sphinx-*/build")
    record = json.loads((build / "student" / "pdf.outputs.json").read_text(encoding="utf-8"))
    pdfs = [build / "student" / entry["source"] for entry in record["files"]]
    assert len(pdfs) > 4 and all(p.suffix == ".pdf" and p.stat().st_size == 0 for p in pdfs)
    assert list((build / "student" / "pdf" / "_book").glob("*.html"))  # the pieces' HTML
    assert not (build / "student" / "pdf-doctrees" / "lessonpack-pdf").exists()


def test_no_layout_rows_are_labelled_and_never_judged(tmp_path: Path, capsys):
    from lessonpack.bench import __main__ as cli

    def run(size: int, pdf: float) -> dict:
        return {"lessons": size, "seconds": {"pdf-teacher": 1.0, "html-student": 1.0},
                "peak_mb": {"pdf-teacher": pdf, "html-student": 150.0}}  # fmt: skip

    results = {
        "machine": MACHINE,
        "options": {"runs": 1, "no_layout": True},
        "course": [],
        "sphinx_memory": {"runs": {"64": [run(64, 200.0)], "128": [run(128, 300.0)]}},
    }
    saved = tmp_path / "results.json"
    saved.write_text(json.dumps(results))
    assert cli.main([*REAL_OPTIONS, "--from-json", str(saved)]) == 0
    out = capsys.readouterr().out
    rows = {row.key: row for row in cli.all_figures(results)}
    assert rows["sphinx.128.pdf-teacher.peak_growth"].summary.median == pytest.approx(1.5)
    assert rows["sphinx.128.html-student.peak_growth"].summary.median == pytest.approx(1.0)
    assert all(row.target is None and "no layout" in row.label for row in rows.values())
    assert "128 lessons, no layout: pdf-teacher, peak" in out and "300 MB" in out
    assert "targets: 0 of 0 met" in out and "never judged" in out


def test_no_layout_is_an_option_of_the_command_line():
    from lessonpack.bench import __main__ as cli

    args = cli.parse([*REAL_OPTIONS, "--no-layout", "--sizes", "64", "128"])
    assert args.no_layout and args.builds == list(sphinx_names())
    args = cli.parse([*REAL_OPTIONS, "--no-layout", "--builds", "pdf-teacher", "epub-student"])
    assert args.builds == ["pdf-teacher", "epub-student"]
    with pytest.raises(SystemExit):
        cli.parse([*REAL_OPTIONS, "--no-layout", "--builds", "latex"])
    # The seven Sphinx builds are make's: each one's stamp is a goal of the Makefile.
    from lessonpack.bench.sphinxmem import BUILDS

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert len(BUILDS) == 7
    assert all(f"$(BUILDDIR)/{stamp}" in makefile for _name, stamp in BUILDS)


def sphinx_names() -> tuple[str, ...]:
    from lessonpack.bench.sphinxmem import NAMES

    return NAMES


def test_a_process_that_named_itself_is_shown_by_its_name(tmp_path: Path):
    """A build forked by the zygote keeps the zygote's command line; the benchmark shows the
    name the build gave itself before it."""
    from lessonpack.bench.wrapper import name

    script = "from lessonpack.zygote import name_process; name_process('epub teacher'); input()"
    child = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while psutil.Process(child.pid).name() != "epub teacher":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert name(psutil.Process(child.pid)).startswith(f"[epub teacher] {sys.executable} -c")
        assert not name(psutil.Process(os.getpid())).startswith("[")  # not renamed
    finally:
        child.communicate(b"\n", timeout=30)
