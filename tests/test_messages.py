"""Clear messages: one line naming the file and the line at fault, a failed build, no traceback.

Chart data as spreadsheets save it, malformed BibTeX and a broken conf.py are built with
`sphinx-build` or `make` on a small course (tests/test_bad_input.py); the lines of nested
directives and glossary terms are checked to the exact line; and `make`, whose four builds run
side by side, prints a message once.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, make, sphinx_main, write_files
from test_bad_input import LESSON_DOC, course

CHART = """
# Data

Intro.

:::{range-chart} data/tolls.csv
:category: Who
:low: Low
:high: High
:unit: millions
:alt: The estimates.

Estimates.
:::
"""
CHART_LINE = 5  # the fence of the {range-chart} above (after dedenting)
HEADER = "Who,Low,High\n"


def chart_course(csv: str | bytes) -> dict[str, str | bytes]:
    files = course()
    files["index.md"] = str(files["index.md"]).replace("bibliography\n", "bibliography\ndata\n")
    files["data.md"] = CHART
    files["data/tolls.csv"] = csv
    return files


def build_fails(tmp_path: Path, files: dict[str, str | bytes]) -> str:
    """Build with sphinx-build as make does (its entry point, in this process): it must fail,
    with no traceback."""
    src = write_files(tmp_path / "src", files)
    result = sphinx_main(src, tmp_path / "out")
    assert result.returncode != 0, result.stderr
    assert "Traceback" not in result.stderr and "crash" not in result.stderr, result.stderr
    return result.stderr.replace(str(src) + "/", "")


def test_the_chart_course_builds_cleanly(tmp_path: Path):
    # A byte-order mark (Excel's "CSV UTF-8"), empty trailing columns and rows, CRLF endings.
    data = '\ufeffWho,Low,High,,\r\nA,27,27,,\r\n"B, C",15,45,,\r\n,,,,\r\n\r\n'.encode()
    src = write_files(tmp_path / "src", chart_course(data))
    result = sphinx_main(src, tmp_path / "out")
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    page = (tmp_path / "out" / "html" / "data.html").read_text(encoding="utf-8")
    assert "<td><p>B, C</p></td>" in page


# fault -> (the CSV, the line the message names, what it says)
CSV_FAULTS = {
    "short row": (HEADER + "A,27,27\nB,15\n", 3, "has 2 values but the header names 3 columns"),
    "blank cell": (HEADER + "A,27,27\nB,,45\n", 3, "column 'Low' is blank"),
    "NaN cell": (HEADER + "A,NaN,27\n", 2, "column 'Low': 'NaN' is not a number"),
    "non-numeric value": (HEADER + "A,27,27\nB,15,about 45\n", 3, "'about 45' is not a number"),
    "header and no rows": (HEADER, 1, "has a header but no data rows"),
    "extra column": (HEADER + "A,27,27\nB,15,45,oops\n", 3, "has 4 values but the header"),
    "semicolons": ("Who;Low;High\nA;27;27\n", 1, "separates its columns with semicolons"),
    "missing column": ("Who,Lo,High\nA,27,27\n", 1, "has no column 'Low'"),
    "empty file": ("", 1, "is empty"),
    "high below low": (HEADER + "A,27,27\nB,45,15\n", 3, "'High' (15) is below 'Low' (45)"),
    "label blank": (HEADER + "A,27,27\n,15,45\n", 3, "column 'Who' is blank"),
    "multi-line cell": (HEADER + '"A\nstill A",27,27\nB,x,1\n', 4, "'x' is not a number"),
    "not UTF-8": (HEADER.encode() + b"Z\xfcrich,1,2\n", 2, "is not UTF-8"),
}


@pytest.mark.parametrize("kind", CSV_FAULTS)
def test_chart_data_faults_name_the_csv_line_and_the_chart(tmp_path: Path, kind: str):
    data, line, message = CSV_FAULTS[kind]
    out = build_fails(tmp_path, chart_course(data))
    expected = (
        rf"^data/tolls\.csv:{line}: WARNING: [^\n]*{re.escape(message)}[^\n]*"
        rf"\(data of the \{{range-chart\}} at data\.md:{CHART_LINE}\)"
    )
    assert re.search(expected, out, re.M), out
    assert len(out.strip().splitlines()) == 1, out  # one message, nothing after it


BIB_FAULTS = {
    "unclosed brace": (
        "@book{smith2000, author = {Smith, Ann}, title = {A History,\n"
        "  publisher = {Press}, year = {2000}}\n\n"
        "@article{lee1990, author = {Lee, Bo}, title = {Famine}, journal = {J}, year = {1990}}\n",
        1,
        "BibTeX syntax error in this entry",
    ),
    "missing comma": (
        "@article{lee1990, author = {Lee, Bo}, title = {Famine}, journal = {J}, year = {1990}}\n"
        "@book{smith2000,\n  author = {Smith, Ann}\n  title = {A History},\n"
        "  publisher = {Press}, year = {2000}}\n",
        2,
        "a comma missing between two fields",
    ),
    "duplicate key": (
        "@book{smith2000, author = {Smith, Ann}, title = {A History}, publisher = {Press},\n"
        "  year = {2000}}\n"
        "@article{lee1990, author = {Lee, Bo}, title = {Famine}, journal = {J}, year = {1990}}\n"
        "@book{smith2000, author = {Smith, Ann}, title = {Again}, publisher = {P},\n"
        "  year = {2001}}\n",
        4,
        "key 'smith2000' is used twice (first at line 1)",
    ),
    "garbage": (
        "@book{smith2000, author = {Smith, Ann}, title = {A History}, publisher = {Press},\n"
        "  year = {2000}}\n"
        "@article{lee1990, author = {Lee, Bo}, title = {Famine}, journal = {J}, year = {1990}}\n"
        "@#%! garbage {{\n",
        4,
        "BibTeX syntax error in this entry",
    ),
    "name with too many commas": (
        "@article{lee1990, author = {Lee, Bo}, title = {Famine}, journal = {J}, year = {1990}}\n"
        "@book{smith2000, author = {Smith, Ann, Jr, Extra}, title = {A History},\n"
        "  publisher = {Press}, year = {2000}}\n",
        2,
        "entry 'smith2000': Too many commas in 'Smith, Ann, Jr, Extra'",
    ),
    "missing required field": (
        "@book{smith2000, author = {Smith, Ann}, title = {A History}, year = {2000}}\n"
        "@article{lee1990, author = {Lee, Bo}, title = {Famine}, journal = {J}, year = {1990}}\n",
        1,
        "@book entry 'smith2000' has no 'publisher' field",
    ),
}


@pytest.mark.parametrize("kind", BIB_FAULTS)
def test_bibtex_faults_name_the_bib_file_and_line(tmp_path: Path, kind: str):
    bib, line, message = BIB_FAULTS[kind]
    files = course()
    files["refs.bib"] = bib
    out = build_fails(tmp_path, files)
    assert re.search(rf"^refs\.bib:{line}: WARNING: [^\n]*{re.escape(message)}", out, re.M), out
    assert out.count("refs.bib:") == 1, out


# Locations: nested fences, options, glossary terms ----------------------------------------------

LOCATED = """
(lesson-one)=
# Lesson one

::::{lesson}
:central-question: Why did the harvest fail?
:duration: One 50-minute period
:key-terms: commune, cadre

:::{objectives}
- Explain the harvest.
:::
::::

Students read this paragraph.

:::{source} A letter
:who: A farmer {cite:p}`nokey`
:when: 1959
:cite: smith2000
:kind: paraphrase

There is no grain left in the village.
:::

::::{discussion}
:::{question}
:level: recall
:lines: 3
What failed?
:::
::::

::::{note}
:::{sidebarr}
Oops.
:::
::::
"""

LOCATED_GLOSSARY = """
# Glossary

Terms of the course.

```{glossary}
commune
  A large farm.

brigade
  A unit of a commune,
  of several villages.

commune
  Again.
```
"""


def test_messages_point_at_the_line_at_fault(tmp_path: Path):
    files = course()
    files[LESSON_DOC] = LOCATED
    files["glossary.md"] = LOCATED_GLOSSARY
    files["conf.py"] = str(files["conf.py"]) + "lessonpack_require_answers = True\n"
    out = build_fails(tmp_path, files)
    expected = [
        # the nested question's fence, not its first option
        (LESSON_DOC, 26, "question has no {guidance} or {answer}"),
        # the unknown term on the :key-terms: line
        (LESSON_DOC, 7, "term not in glossary: 'cadre'"),
        # the citation in the :who: option on its own line
        (LESSON_DOC, 17, 'could not find bibtex key "nokey"'),
        # a directive nested in a note
        (LESSON_DOC, 34, "Unknown directive type: 'sidebarr'"),
        # the second definition of the term
        ("glossary.md", 13, "duplicate term description of commune"),
    ]
    for doc, line, message in expected:
        assert re.search(rf"^{re.escape(doc)}:{line}: WARNING: {re.escape(message)}", out, re.M), (
            doc,
            line,
            out,
        )
    assert len(out.strip().splitlines()) == len(expected), out


def test_glossary_definitions_keep_their_text(tmp_path: Path):
    files = course()
    files["glossary.md"] = LOCATED_GLOSSARY.replace("commune\n  Again.\n", "")
    src = write_files(tmp_path / "src", files)
    result = sphinx_main(src, tmp_path / "out")
    assert (result.returncode, result.stderr) == (0, "")
    page = (tmp_path / "out" / "html" / "glossary.html").read_text(encoding="utf-8")
    assert re.search(r"A unit of a commune,\s+of several villages\.", page), page


# make: conf.py, and each message once -----------------------------------------------------------


def test_make_reports_a_conf_py_fault_in_one_line(tmp_path: Path):
    files = course()
    files["conf.py"] = str(files["conf.py"]) + "html_theme = (\n"
    conf = write_files(tmp_path / "src", files) / "conf.py"
    run = make(tmp_path)
    out, _ = run.communicate(timeout=300)
    assert run.returncode != 0, out
    line = len(conf.read_text().splitlines())
    assert re.search(rf"^{re.escape(str(conf))}:{line}: syntax error: ", out, re.M), out
    assert out.count(str(conf)) == 1, out
    assert "Traceback" not in out and "sphinx-build" not in out, out
    assert not (tmp_path / "dist").exists()


def test_make_reports_a_conf_py_exception_at_its_line(tmp_path: Path):
    files = course()
    files["conf.py"] = "import os\nroot = os.environ['NO_SUCH_VARIABLE_HERE']\n" + str(
        files["conf.py"]
    )
    conf = write_files(tmp_path / "src", files) / "conf.py"
    run = make(tmp_path, "html")
    out, _ = run.communicate(timeout=300)
    assert run.returncode != 0, out
    assert re.search(rf"^{re.escape(str(conf))}:2: KeyError: ", out, re.M), out
    assert "Traceback" not in out and "sphinx-build" not in out, out


def test_make_prints_a_message_once_though_every_build_finds_it(tmp_path: Path):
    files = course()
    files[LESSON_DOC] = str(files[LESSON_DOC]).replace("{ref}`src-letter`", "{ref}`src-lettre`")
    lesson = write_files(tmp_path / "src", files) / LESSON_DOC
    # `make` (all): every Sphinx build, all side by side (with fewer jobs than builds, which of
    # them start before make stops at the first failure depends on timing).
    builds = [
        "student/epub",
        "student/html",
        "student/pdf",
        "student/slides",
        "teacher/html",
        "teacher/pdf",
        "teacher/slides",
    ]
    jobs = f"JOBS={len(builds)}"
    run = make(tmp_path, jobs)
    out, _ = run.communicate(timeout=900)
    assert run.returncode != 0, out
    found = re.findall(rf"{re.escape(str(lesson))}:\d+: WARNING: undefined label", out)
    assert len(found) == 1, out
    # Each build found it and failed (-W counts a message it did not print): nothing published.
    failed = re.findall(r"\*\*\* \[[^\]]*/(\w+/\w+)\.stamp\] Error", out)
    assert sorted(failed) == builds, out
    assert not [p for p in (tmp_path / "dist").rglob("*") if p.is_file()]
    # The next run starts afresh: the message is printed again, once (by two builds that both
    # find it: the seven of the first run are not needed again to show the run's new start).
    again = make(tmp_path, "html", "teacher-html", "JOBS=2")
    out, _ = again.communicate(timeout=900)
    assert again.returncode != 0, out
    assert len(re.findall(rf"{re.escape(str(lesson))}:\d+: WARNING: undefined label", out)) == 1, (
        out
    )
    failed = re.findall(r"\*\*\* \[[^\]]*/(\w+/\w+)\.stamp\] Error", out)
    assert sorted(failed) == ["student/html", "teacher/html"], out


def test_a_bad_pdf_setting_names_its_line_in_conf_py(tmp_path: Path):
    files = course()
    files["conf.py"] = str(files["conf.py"]) + 'lessonpack_pdf_papers = ["a4", "a3"]\n'
    src = write_files(tmp_path / "src", files)
    command = [sys.executable, "-m", "sphinx", "-b", "lessonpdf", "-W", "--keep-going", "-n", "-q"]
    command += ["-d", str(tmp_path / "doctrees"), str(src), str(tmp_path / "pdf")]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode != 0, result.stderr
    line = len((src / "conf.py").read_text().splitlines())
    where = re.escape(f"{src / 'conf.py'}:{line}")
    assert re.search(rf"^{where}: WARNING: unknown paper size\(s\) a3", result.stderr, re.M), (
        result.stderr
    )


SECOND_SOURCE = """
# Two

:::{source} Another letter
:label: src-letter
:cite: smith2000
:kind: paraphrase

More.
:::
"""


@pytest.mark.parametrize("where", ["another document", "the same document"])
def test_a_source_label_taken_is_reported_on_its_label_line(tmp_path: Path, where: str):
    files = course()
    if where == "another document":
        files["notes.md"] = SECOND_SOURCE  # read after lessons/one
        files["index.md"] = str(files["index.md"]).replace("glossary\n", "glossary\nnotes\n")
        doc, line = "notes.md", 4
    else:
        files[LESSON_DOC] = str(files[LESSON_DOC]) + SECOND_SOURCE.replace("# Two\n", "")
        doc = LESSON_DOC
        line = (
            str(files[LESSON_DOC]).lstrip("\n").splitlines().index(":::{source} Another letter") + 2
        )
    out = build_fails(tmp_path, files)
    assert re.search(
        rf"^{re.escape(doc)}:{line}: WARNING: duplicate label src-letter", out, re.M
    ), out


CONF_FAULTS = {
    "unknown setting": ("lessonpack_min_question = 3", "lessonpack_min_question is not a"),
    "wrong type": ('lessonpack_min_questions = "3"', "must be of type int, not str"),
    "copied sources": ("html_copy_source = True", "the student edition needs html_copy_source"),
    "exception": ("import no_such_module_here", "ModuleNotFoundError: No module named"),
}


@pytest.mark.parametrize("kind", CONF_FAULTS)
def test_confcheck_names_the_line_of_a_bad_setting(tmp_path: Path, kind: str):
    setting, message = CONF_FAULTS[kind]
    files = course()
    files["conf.py"] = str(files["conf.py"]) + f"\n\n{setting}\n"
    conf = write_files(tmp_path / "src", files) / "conf.py"
    line = conf.read_text().splitlines().index(setting) + 1
    command = [sys.executable, "-m", "lessonpack.confcheck", str(conf.parent)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{conf}:{line}: "), result.stderr
    assert message in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr


def test_confcheck_passes_the_book(tmp_path: Path):
    command = [sys.executable, "-m", "lessonpack.confcheck", str(ROOT / "book")]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert (result.returncode, result.stderr) == (0, "")
