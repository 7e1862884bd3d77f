"""The course for learning platforms (dist/lms/), as `make` built it from the real book: every
quiz read back by a QTI reader we did not write (qti2latex) holds the report's items and keys;
the cartridges' manifests are whole, their pages' links resolve inside them and load nothing
from another host; the Moodle XML follows Moodle's format; a teacher note planted in a page of
the cartridge is a leak, the keys and feedback are not."""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import qti2latex  # the outside reader: Canvas QTI -> LaTeX exams (PyPI)

from conftest import BOOK, BUILD, DIST, need
from lessonpack.check.leaks import all_sentences, find_leaks, key_leaks, quiz_keys
from lessonpack.check.links import epub_links
from lessonpack.check.texts import lms_texts, normalise
from lessonpack.lms.package import cartridge_loads, cartridge_problems
from lessonpack.manifest import read_manifest
from lessonpack.records import read_record

LMS = DIST / "lms"
CARTRIDGES = (f"{BOOK}-teacher.imscc", f"{BOOK}-teacher-cc1.2.imscc")


def plain(markup: str) -> str:
    """Text of an HTML fragment, white space folded, backslash escapes gone."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", markup))
    return re.sub(r"\s+", " ", text).strip()


def folded(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def quizzes_of(report: dict) -> list[tuple[str, dict]]:
    return [
        (doc, quiz)
        for doc, record in sorted(report["documents"].items())
        for quiz in record.get("quizzes", [])
    ]


def qti_items(path: Path) -> Iterator[ET.Element]:
    """Each item of a QTI zip's assessments, in file order."""
    with zipfile.ZipFile(path) as package:
        for name in sorted(package.namelist()):
            if not name.endswith(".xml") or name.endswith(("imsmanifest.xml", "_meta.xml")):
                continue
            yield from qti2latex.findall_anyns(ET.fromstring(package.read(name)), "item")


def read_back(path: Path) -> list[dict]:
    """Each item of a QTI zip as qti2latex reads it: type, stem, choices, the keys' indexes."""
    items = []
    for item in qti_items(path):
        choices = qti2latex.get_choices(item)
        keys = qti2latex.get_correct_idents(item)
        idents = [ident for ident, _ in choices]
        items.append(
            {
                "type": qti2latex.guess_type(qti2latex.get_qti_metadata(item), item),
                "stem": plain(qti2latex.get_item_stem(item)),
                "choices": [plain(text) for _, text in choices],
                "keys": [idents.index(k) for k in keys if k in idents],
            }
        )
    return items


def scored_keys(path: Path) -> list[list[int]]:
    """Per item, the options whose condition sets the score to 100 (the key, as Canvas marks)."""
    out = []
    for item in qti_items(path):
        idents = [ident for ident, _ in qti2latex.get_choices(item)]
        keys = []
        for condition in qti2latex.findall_anyns(item, "respcondition"):
            if any(
                (s.text or "").strip() == "100"
                for s in qti2latex.findall_anyns(condition, "setvar")
            ):
                keys += [
                    idents.index((v.text or "").strip())
                    for v in qti2latex.findall_anyns(condition, "varequal")
                ]
        out.append(keys)
    return out


@pytest.fixture(scope="module")
def record() -> dict[str, Path]:
    """dist path -> file, from the LMS step's own output record."""
    found = read_record(need(BUILD / "lms.outputs.json"))
    assert (found.edition, found.format) == ("teacher", "lms")
    return {o.dist: o.source for o in found.files}


def test_every_quiz_reads_back_with_its_items_and_keys(teacher_report, record):
    quizzes = quizzes_of(teacher_report)
    assert len(quizzes) >= 4  # one per lesson
    zips = sorted(LMS.glob("qti/*.zip"))
    assert len(zips) == len(quizzes), zips
    for doc, quiz in quizzes:
        path = need(LMS / "qti" / f"{Path(doc).name}-teacher-qti.zip")
        items = read_back(path)
        keys = scored_keys(path)
        assert len(items) == len(quiz["items"]), path
        for got, keyed, want in zip(items, keys, quiz["items"], strict=True):
            assert folded(want["stem"]) in got["stem"], (got["stem"], want["stem"])
            if want.get("stimulus"):
                assert folded(want["stimulus"]["text"])[:80] in got["stem"]
            if want["kind"] == "mc":
                assert got["type"] == "multiple_choice_question"
                assert got["choices"] == [folded(o) for o in want["options"]]
                # The key is the one option whose condition sets the score (qti2latex counts
                # every option with a condition, and each has one for its feedback).
                assert keyed == [want["key"]], (path, want["stem"])
                assert want["key"] in got["keys"]
            else:
                assert got["type"] == "essay_question"
                assert got["choices"] == [] and keyed == []


def test_the_cartridges_manifests_are_whole_and_their_pages_stay_inside(teacher_report):
    entries = read_manifest(DIST)
    for name in CARTRIDGES:
        assert (entries[f"lms/{name}"].edition, entries[f"lms/{name}"].format) == (
            "teacher",
            "lms",
        )
        path = need(LMS / name)
        count, problems = cartridge_problems(path)
        assert count > 20 and problems == [], problems
        checked, broken = epub_links(path)  # every page's links and images, inside the zip
        assert checked > 1000 and broken == [], broken[:10]
        scanned, loads = cartridge_loads(path)
        assert scanned > 20 and loads == [], loads
        with zipfile.ZipFile(path) as package:
            manifest = ET.fromstring(package.read("imsmanifest.xml"))
            names = package.namelist()
        version = "1.1.0" if name == CARTRIDGES[0] else "1.2.0"
        assert manifest.findtext(".//{*}schemaversion") == version
        # One copy of the styles and fonts, shared by every page.
        assert sum(n.endswith(".woff2") or n.endswith(".ttf") for n in names) == len(
            {Path(n).name for n in names if n.endswith((".woff2", ".ttf"))}
        )
        modules = manifest.findall("{*}organizations/{*}organization/{*}item/{*}item")
        lessons = [d for d, r in teacher_report["documents"].items() if r.get("lesson")]
        assert len(modules) == len(lessons)
        for module in modules:
            refs = [i.get("identifierref") for i in module.findall("{*}item")]
            kinds = {r.get("identifier"): r.get("type") for r in manifest.findall(".//{*}resource")}
            types = [kinds[ref] for ref in refs]
            assert types.count("webcontent") >= 3  # the reading's page and the handouts
            assert sum(t.endswith("/assessment") for t in types) == 1, types


def test_the_moodle_xml_follows_moodles_format(teacher_report):
    root = ET.parse(need(LMS / f"{BOOK}-teacher-moodle.xml")).getroot()
    assert root.tag == "quiz"
    questions = [q for q in root if q.get("type") != "category"]
    items = [i for _, q in quizzes_of(teacher_report) for i in q["items"]]
    assert len(questions) == len(items)
    assert len(root) - len(questions) == len(quizzes_of(teacher_report))  # a category each
    for question, item in zip(questions, items, strict=True):
        assert plain(question.findtext("questiontext/text")).endswith(folded(item["stem"]))
        if item["kind"] == "mc":
            assert question.get("type") == "multichoice"
            answers = question.findall("answer")
            assert [a.get("fraction") for a in answers] == [
                "100" if n == item["key"] else "0" for n in range(len(item["options"]))
            ]
            assert [plain(a.findtext("text")) for a in answers] == [
                folded(o) for o in item["options"]
            ]
            for answer in answers:
                assert plain(answer.findtext("feedback/text")) == folded(item["rationale"])
            assert question.findtext("single") == "true"
        else:
            assert question.get("type") == "essay"
            assert plain(question.findtext("graderinfo/text")) == folded(item["marking"])
            assert question.findtext("responseformat") == "editor"


def test_a_teacher_note_in_a_page_of_the_cartridge_is_a_leak(teacher_report, tmp_path):
    found, public = all_sentences(teacher_report)
    cartridge = need(LMS / CARTRIDGES[0])
    # As the gate reads it: what is a copy of a student output (a page, a handout) was read.
    checked = {e.sha256 for e in read_manifest(DIST).values() if e.edition == "student"}
    clean = lms_texts(cartridge, "lms/x.imscc", set(checked))
    assert 0 < len(clean) < 20, sorted(clean)  # the quiz files and the manifest, no page
    # The keys, rationales and marking notes are in the file, but not in what a student sees.
    assert find_leaks(found, public, clean).leaks == []
    assert key_leaks(quiz_keys(teacher_report), clean) == []
    rationale = next(i["rationale"] for _, q in quizzes_of(teacher_report) for i in q["items"])
    with zipfile.ZipFile(cartridge) as package:
        raw = b"".join(package.read(n) for n in package.namelist() if n.endswith(".xml"))
    assert normalise(rationale) in normalise(html.unescape(raw.decode()))
    # A teacher note planted in one lesson page of the cartridge is found there.
    note = next(s for doc, s in found if doc.startswith("lessons/") and len(normalise(s)) > 40)
    planted = tmp_path / "planted.imscc"
    with zipfile.ZipFile(cartridge) as source, zipfile.ZipFile(planted, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("lessons/01-soviet-origins.html"):
                data = data.replace(b"</main>", f"<p>{note}</p></main>".encode(), 1)
            out.writestr(info, data)
    leaks = find_leaks(found, public, lms_texts(planted, "lms/x.imscc", set(checked))).leaks
    assert {(s, n) for _, s, n in leaks} == {
        (note, "lms/x.imscc/web_resources/lessons/01-soviet-origins.html")
    }, leaks


def test_the_cartridge_checks_fail_on_a_missing_file_an_unnamed_one_and_an_outside_load(
    tmp_path,
):
    cartridge = need(LMS / CARTRIDGES[0])
    broken = tmp_path / "broken.imscc"
    with zipfile.ZipFile(cartridge) as source, zipfile.ZipFile(broken, "w") as out:
        names = source.namelist()
        page = next(n for n in names if n.endswith("lessons/01-soviet-origins.html"))
        style = next(n for n in names if n.endswith("lessonpack.css"))
        dropped = next(n for n in names if n.endswith(".pdf"))
        for info in source.infolist():
            data = source.read(info)
            if info.filename == dropped:
                continue
            if info.filename == page:
                data = data.replace(b"</body>", b'<img src="https://example.org/t.png"></body>')
            if info.filename == style:
                data += b"\nbody { background: url('//example.org/b.png'); }\n"
            out.writestr(info, data)
        out.writestr("web_resources/stray.txt", b"no resource names me")
    _count, problems = cartridge_problems(broken)
    assert any(f"names {dropped}, which the cartridge does not hold" in p for p in problems)
    assert any(p.endswith("web_resources/stray.txt is named by no resource") for p in problems)
    assert len(problems) == 2, problems
    _scanned, loads = cartridge_loads(broken)
    assert sorted(loads) == sorted(
        [
            f"broken.imscc/{page}: <img src> loads https://example.org/t.png",
            f"broken.imscc/{style}: loads //example.org/b.png",
        ]
    ), loads
