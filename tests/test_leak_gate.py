"""The leak gate on a real build of a small course, with teacher text planted in its outputs.

Every route here reaches a student output past the parser: raw HTML carrying a teacher sentence
word for word, a short teacher sentence in the site's title, a teacher fence in a file copied as
it is, a teacher-only word in the search index (as a stale index keeps one). `make` builds the
course (website, EPUB, both PDFs); the gate's own function reads the real outputs (pypdf
extracts the real PDFs).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import make
from lessonpack.check import Site
from lessonpack.check.leaks import LONG, check, find_leaks, index_leaks
from lessonpack.check.texts import normalise, output_texts, search_terms
from lessonpack.flashcards import write_apkg
from lessonpack.manifest import MANIFEST, Entry, read_manifest, sha256, write_manifest
from test_bad_input import LESSON_DOC, course, write

LONG_SECRET = "The inspectors hid the grain reports from the county for three weeks."
SHORT_SECRET = "Mao knew."
WORD = "Zhongnanhaiwatch"
PLANTED = f"""

:::{{teacher-note}}
{LONG_SECRET} Ask who gained from the delay.
:::

```{{guidance}}
{SHORT_SECRET}
```

:::{{teacher-only}}
Only teachers hear of the {WORD} memo.
:::

```{{raw}} html
<p>{LONG_SECRET}</p>
```
"""
CONF = f"""
html_title = "Harvests. {SHORT_SECRET}"
html_static_path = ["_static"]
html_css_files = ["plan.css"]  # linked from every page, so the EPUB ships it too
copyright = "2026"
version = "1"
"""
# A file copied into the outputs as it is (a stylesheet): no document reads it as a source, so no
# report knows its text.
COPIED = "/*\n:::{lesson-plan}\nTen minutes on the county archive, then the exit ticket.\n:::\n*/\n"


def edition_of(base: Path, name: str) -> str:
    """The edition whose build wrote a published file (what the publisher's record will say)."""
    if name.endswith(".pdf"):
        teacher = base / "build" / "teacher" / "pdf" / name
        return "teacher" if teacher.is_file() else "student"
    return "student"  # the website and the EPUB are built from the student edition only


def record_manifest(base: Path) -> None:
    """Until the publisher writes dist/.manifest.json, write it from what the builds wrote."""
    dist = base / "dist"
    if (dist / MANIFEST).is_file():
        return
    files = [p for p in sorted(dist.rglob("*")) if p.is_file()]
    write_manifest(
        dist,
        [
            Entry(
                p.relative_to(dist).as_posix(),
                edition_of(base, p.relative_to(dist).as_posix()),
                p.suffix.lstrip("."),
                sha256(p),
            )
            for p in files
        ],
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("leaky")
    files = course()
    # The question of the small course holds its guidance; the planted blocks follow the reading.
    files[LESSON_DOC] = str(files[LESSON_DOC]) + PLANTED
    files["conf.py"] = str(files["conf.py"]) + CONF
    files["_static/plan.css"] = COPIED
    write(base / "src", files)
    run = make(base)
    out, _ = run.communicate(timeout=900)
    assert run.returncode == 0, out
    record_manifest(base)
    return base


def copy_of(built: Path, tmp_path: Path) -> Site:
    shutil.copytree(built / "dist", tmp_path / "dist")
    shutil.copytree(built / "build" / "teacher", tmp_path / "build" / "teacher")
    return Site(built / "src", tmp_path / "build", tmp_path / "dist")


def test_the_gate_finds_the_planted_sentences_in_every_student_format(built: Path):
    outcome = check(Site(built / "src", built / "build", built / "dist"))
    assert not outcome.ok
    long = {p for p in outcome.problems if repr(LONG_SECRET[:60]) in p}
    short = {p for p in outcome.problems if repr(SHORT_SECRET) in p}
    assert any(p.endswith("is in html/lessons/one.html") for p in long), outcome.problems
    assert any(".epub/" in p and p.endswith("one.xhtml") for p in long), outcome.problems
    assert any(p.endswith("is in book-student-a4.pdf") for p in long), outcome.problems
    assert any(p.endswith("is in html/lessons/one.html") for p in short), outcome.problems
    # The raw HTML's words are in the search index too: those only teacher text uses are leaks.
    indexed = {p for p in outcome.problems if "teacher-only word" in p}
    words = {p.split("'")[1] for p in indexed}
    assert {"inspectors", "county"} <= words <= set(LONG_SECRET.strip(".").split()), indexed
    # A teacher fence printed as text, wherever it came from.
    printed = {p for p in outcome.problems if p.startswith("a {lesson-plan} fence is printed in")}
    assert any(
        p.endswith("in html/_static/plan.css: teacher text reached it as text") for p in printed
    )
    assert any(".epub/" in p for p in printed), printed
    # Nothing else: no false hit on the rest of the course, and no teacher PDF lacks a passage.
    assert set(outcome.problems) == long | short | indexed | printed, outcome.problems
    assert len(normalise(SHORT_SECRET)) < LONG <= len(normalise(LONG_SECRET))


def test_the_source_scan_finds_the_passage_without_the_parsers_record(built, tmp_path):
    site = copy_of(built, tmp_path)
    path = site.build / "teacher" / "pdf-doctrees" / "lessonpack-report.json"
    report = json.loads(path.read_text(encoding="utf-8"))
    for record in report["documents"].values():
        record["teacher"] = []  # as if the parser had read no teacher directive at all
    path.write_text(json.dumps(report), encoding="utf-8")
    outcome = check(site)
    scanned = [p for p in outcome.problems if p.startswith(f"{LESSON_DOC}:")]
    assert any(repr(LONG_SECRET[:60]) in p and "one.html" in p for p in scanned), outcome.problems


def test_a_teacher_only_word_in_the_student_search_index_is_a_leak(built, tmp_path):
    site = copy_of(built, tmp_path)
    index = site.dist / "html" / "searchindex.js"
    script = index.read_text(encoding="utf-8")
    assert "zhongnanhaiwatch" not in search_terms(script)  # the real build kept it out
    before = [p for p in check(site).problems if "teacher-only word" in p]
    assert {p.split("'")[1] for p in before} <= set(LONG_SECRET.strip(".").split())  # raw HTML
    data = json.loads(script[script.index("(") + 1 : script.rindex(")")])
    data["terms"]["zhongnanhaiwatch"] = 0  # what a stale index keeps of a moved sentence
    index.write_text(f"Search.setIndex({json.dumps(data)})", encoding="utf-8")
    entries = read_manifest(site.dist, verify=False)
    entry = entries["html/searchindex.js"]
    entries["html/searchindex.js"] = Entry(entry.path, entry.edition, entry.format, sha256(index))
    write_manifest(site.dist, entries.values())
    problems = check(site).problems
    assert (
        f"{LESSON_DOC.removesuffix('.md')}: teacher-only word {WORD!r} is in html/searchindex.js"
        in problems
    )


def test_a_word_the_students_also_read_is_not_teacher_only():
    indexes = {"html/searchindex.js": {"harvest", "grain"}}
    found = [("one", "The harvests failed."), ("one", "Grain went to the cities.")]
    assert index_leaks(found, ["The harvest failed everywhere."], indexes, "en") == [
        ("one", "Grain", "html/searchindex.js")
    ]


def test_short_sentences_are_whole_words_and_long_ones_survive_line_breaks():
    found = [("one", "Yes."), ("one", LONG_SECRET)]
    outputs = {
        "a.html": ("Yesterday we met.", "Yesterday we met."),
        "b.pdf": ("they said: yes. Then", "they said: yes. Then"),
        "c.pdf": (LONG_SECRET.replace(" ", "\n"), LONG_SECRET.replace(" ", "\n")),
        "d.css": ("yes. { color: red }", ""),  # code and styles: long needles only
    }
    findings = find_leaks(found, [], outputs)
    assert (findings.checked, findings.excused) == (2, 0)
    assert findings.leaks == [("one", "Yes.", "b.pdf"), ("one", LONG_SECRET, "c.pdf")]
    excused = find_leaks(found, ["Did it? Yes, it did."], outputs)
    assert (excused.checked, excused.excused) == (1, 1)


def test_a_dist_the_manifest_does_not_describe_fails(built, tmp_path):
    site = copy_of(built, tmp_path)
    (site.dist / "html" / "stray.html").write_text("<p>no record</p>", encoding="utf-8")
    outcome = check(site)
    assert outcome.problems and "files no build recorded: html/stray.html" in outcome.problems[0]
    (site.dist / MANIFEST).unlink()
    outcome = check(site)
    assert outcome.problems and ".manifest.json is missing" in outcome.problems[0]


def test_a_lone_number_in_pdf_text_is_read_both_ways():
    """PdfReader sets a list item's number on a line of its own, often inside the sentence before;
    a sentence that wrapped in a narrow table cell ends the same way ("Check question" / "3.").
    Read one way only, the second sentence went missing from the Letter teacher's pack."""
    from lessonpack.check.leaks import Text, matcher
    from lessonpack.check.texts import LONE_MARKER, both_readings

    wrapped = "Starter: “How could anyone know how many died?” Check question\n\n3.\n10\nmin\n"
    interrupted = "The plan had three parts and\n2.\nnone of them worked.\n"
    text = Text.of(both_readings(wrapped + interrupted))
    whole = "Starter: “How could anyone know how many died?” Check question 3."
    assert matcher(whole)(text)
    assert matcher("The plan had three parts and none of them worked.")(text)
    # Either reading alone misses one of them (the gate used only the second).
    assert not matcher(whole)(Text.of(LONE_MARKER.sub("", wrapped)))
    assert not matcher("The plan had three parts and none of them worked.")(Text.of(interrupted))


def test_lone_list_markers_of_any_style_are_read_both_ways():
    """A run of option letters ("A." ... "D.", drawn after the text beside them) came out inside
    a quiz rationale in the teacher's pack, and the gate reported the sentence missing; so can
    a lettered, roman or bracketed list, or a dash bullet."""
    from lessonpack.check.leaks import Text, matcher
    from lessonpack.check.texts import both_readings

    sentence = "Collectivization was complete by the end of 1956, it was far less bloody."
    for markers in (
        ["A.", "B.", "C.", "D."],
        ["a)", "b)"],
        ["(iv)", "(v)"],
        ["ii.", "iii."],
        ["–"],
    ):
        interrupted = sentence.replace("far less", "far less\n" + "\n".join(markers) + "\n")
        assert matcher(sentence)(Text.of(both_readings(interrupted))), markers
    # A word on a line of its own is not a marker: the sentence stays broken.
    broken = sentence.replace("far less", "far less\nand\n")
    assert not matcher(sentence)(Text.of(both_readings(broken)))


def test_the_teacher_website_is_a_teacher_output(built, tmp_path):
    """dist/teacher-html holds the teacher's passages and the manifest says so: the gate expects
    them there and never in the student site. The same files called student are leaks."""
    secret = f"Only teachers hear of the {WORD} memo."
    dist = built / "dist"
    assert secret in (dist / "teacher-html" / "lessons" / "one.html").read_text(encoding="utf-8")
    assert WORD not in (dist / "html" / "lessons" / "one.html").read_text(encoding="utf-8")
    entries = read_manifest(dist)
    site_editions = {e.edition for p, e in entries.items() if p.startswith("teacher-html/")}
    assert site_editions == {"teacher"}
    assert not [
        p for p in check(Site(built / "src", built / "build", dist)).problems if "teacher-html" in p
    ]
    site = copy_of(built, tmp_path)
    relabelled = [
        Entry(e.path, "student", e.format, e.sha256) if e.path.startswith("teacher-html/") else e
        for e in read_manifest(site.dist).values()
    ]
    write_manifest(site.dist, relabelled)
    problems = check(site).problems
    assert any(
        repr(secret) in p and p.endswith("is in teacher-html/lessons/one.html") for p in problems
    ), problems
    assert any(
        f"teacher-only word {WORD!r} is in teacher-html/searchindex.js" in p for p in problems
    ), problems


def test_a_teacher_note_in_a_page_of_the_cartridge_fails_the_gate(built, tmp_path):
    """dist/lms/ is a teacher's file (the quiz keys), but the gate reads it as student text: a
    teacher note planted in a page of the cartridge is a leak there."""
    import zipfile

    note = "Ask who gained from the delay."
    name = "lms/book-teacher.imscc"
    page = "web_resources/lessons/one.html"
    site = copy_of(built, tmp_path)
    before = [p for p in check(site).problems if repr(note) in p]
    assert before == [], before
    cartridge = site.dist / name
    planted = tmp_path / "planted.imscc"
    with zipfile.ZipFile(cartridge) as source, zipfile.ZipFile(planted, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            out.writestr(info, data.replace(b"</body>", f"<p>{note}</p></body>".encode()))
    shutil.copyfile(planted, cartridge)
    entries = read_manifest(site.dist, verify=False)
    entry = entries[name]
    assert (entry.edition, entry.format) == ("teacher", "lms")
    entries[name] = Entry(entry.path, entry.edition, entry.format, sha256(cartridge))
    write_manifest(site.dist, entries.values())
    problems = check(site).problems
    assert any(repr(note) in p and p.endswith(f"is in {name}/{page}") for p in problems), problems


def test_a_teacher_sentence_in_the_flashcards_deck_is_a_leak(tmp_path):
    """The Anki package is a zip holding a SQLite collection: its notes' fields are read (a long
    sentence and a short one, each in a definition) as any other student text."""
    cards = [
        {"term": "Commune", "pinyin": "", "characters": "", "definition": f"A unit. {LONG_SECRET}"},
        {"term": "Hukou", "pinyin": "", "characters": "", "definition": f"Papers. {SHORT_SECRET}"},
    ]
    deck = tmp_path / "deck.apkg"
    write_apkg(cards, deck, "Course", 315532800)
    name = "html/flashcards/deck.apkg"
    outputs = output_texts(deck, name)
    found = [("one", LONG_SECRET), ("one", SHORT_SECRET), ("one", "Only in the plan.")]
    assert find_leaks(found, [], outputs).leaks == [
        ("one", LONG_SECRET, name),
        ("one", SHORT_SECRET, name),
    ]
