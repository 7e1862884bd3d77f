"""Glossary flashcards: the ``{glossary}`` terms as an Anki deck and a CSV that Quizlet imports.

Each term's card: the term; its pinyin and Chinese characters when its definition starts with
them (``pinyin (汉字). Definition...``, the glossary's own convention); the definition as the
glossary page shows it, citations included. The student website build writes both files into its
output folder, ``flashcards/<basename>-glossary.apkg`` and ``.csv``, so they are published with
the website (records.py) and students can download them.

Reproducible: the deck's and model's ids and each note's guid are hashes of names and terms,
the notes' timestamps are ``SOURCE_DATE_EPOCH``, and the package is zipped here (genanki's own
``write_to_file`` stamps the zip entries with the clock).

The package is kept in the shared ``lessonpack_cache_dir`` by everything its bytes are made of
(the cards, the title and labels, the date, the versions of genanki, SQLite and zlib, this
module's source): a build whose glossary did not change copies it instead of making it again
(genanki and an SQLite database, about 0.15 s of CPU on every edit of any page). Kept in a
:class:`~.keyed.KeyedStore`: a package spoiled since is made again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import sqlite3
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.domains import Domain

from .filehash import sha256
from .keyed import KeyedStore
from .labels import _

if TYPE_CHECKING:
    from sphinx.application import Sphinx

FOLDER = "flashcards"
CJK = r"[\u3400-\u9fff\uf900-\ufaff]"
# Pinyin is the definition's first words, before any sentence ends: "Its title is X (汉字)" later
# in a definition is not the term's reading.
READING = re.compile(rf"^(?P<pinyin>[^().,;:\"“”]+?) \((?P<characters>[^()]*{CJK}[^()]*)\)[.,]?\s*")
FIELDS = ("term", "pinyin", "characters", "definition")


def stable_id(text: str) -> int:
    """A positive 31-bit id from a name (Anki's ids are integers; genanki's examples use this
    range)."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") >> 1 | 1 << 30


def card_of(item: nodes.definition_list_item) -> dict[str, str]:
    terms = [t.astext().strip() for t in item.findall(nodes.term)]
    definition = next(iter(item.findall(nodes.definition)), None)
    text = ""
    if definition is not None:
        text = " ".join(p.astext() for p in definition.findall(nodes.paragraph))
        text = re.sub(r"\s+", " ", text).strip()
    card = {"term": terms[0] if terms else "", "pinyin": "", "characters": "", "definition": text}
    match = READING.match(text)
    if match:
        card["pinyin"] = match["pinyin"].strip()
        card["characters"] = match["characters"].strip()
        card["definition"] = text[match.end() :].strip()
    return card


def cards_of(doctree: nodes.Node) -> list[dict[str, str]]:
    return [
        card_of(item)
        for glossary in doctree.findall(addnodes.glossary)
        for item in glossary.findall(nodes.definition_list_item)
    ]


def collect_cards(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read: which documents hold a glossary."""
    data = app.env.domains["lessonpack_cards"].data["docs"]  # type: ignore[attr-defined]
    if any(doctree.findall(addnodes.glossary)):
        data[app.env.docname] = True
    else:
        data.pop(app.env.docname, None)


def all_cards(app: Sphinx) -> list[dict[str, str]]:
    """Every card, sorted by term; definitions as the pages show them (citations resolved, as
    "(Yang, 2012)": the same words as the glossary page, and the source named)."""
    from .pagereuse import resolved_doctree  # the page's own resolved doctree, if kept

    docs = app.env.domains["lessonpack_cards"].data["docs"]  # type: ignore[attr-defined]
    cards = [
        card
        for docname in sorted(docs)
        for card in cards_of(resolved_doctree(app, docname))
        if card["term"]
    ]
    return sorted(cards, key=lambda c: (c["term"].casefold(), c["term"]))


def write_csv(cards: list[dict[str, str]], path: Path) -> None:
    """term, pinyin, characters, definition: a header row, UTF-8, CRLF as RFC 4180 says."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for card in cards:
        writer.writerow([card[f] for f in FIELDS])
    path.write_text(out.getvalue(), encoding="utf-8", newline="")


def write_apkg(cards: list[dict[str, str]], path: Path, title: str, epoch: int) -> None:
    """The Anki package: one deck, a model with the four fields, a note per term."""
    import genanki

    model = genanki.Model(
        stable_id(f"{title} glossary model"),
        _("{title}: glossary").format(title=title),
        fields=[{"name": f.capitalize()} for f in FIELDS],
        templates=[
            {
                "name": _("Term to definition"),
                "qfmt": "{{Term}}",
                "afmt": "{{FrontSide}}<hr id=answer>{{Pinyin}} {{Characters}}<br>{{Definition}}",
            }
        ],
    )
    deck = genanki.Deck(
        stable_id(f"{title} glossary deck"), _("{title}: glossary").format(title=title)
    )
    for card in cards:
        deck.add_note(
            genanki.Note(
                model=model,
                fields=[_html(card[f]) for f in FIELDS],
                guid=genanki.guid_for(title, card["term"]),
            )
        )
    package = genanki.Package(deck)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(db)
        try:
            ids = iter(range(epoch * 1000, epoch * 1000 + 10 * len(cards) + 100))
            package.write_to_db(conn.cursor(), float(epoch), ids)
            conn.commit()
        finally:
            conn.close()
        stamp = _zip_time(epoch)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for name, data in (("collection.anki2", db.read_bytes()), ("media", b"{}")):
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                out.writestr(info, data)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _zip_time(epoch: int) -> tuple[int, int, int, int, int, int]:
    import time

    moment = time.gmtime(max(epoch, 315532800))  # zip dates start in 1980
    return moment[:6]  # type: ignore[return-value]


def apkg_key(cards: list[dict[str, str]], title: str, epoch: int) -> str:
    """Everything the Anki package's bytes are made of, in one hash."""
    from importlib import metadata

    made_of = {
        "cards": cards,
        "title": title,
        "labels": [_("{title}: glossary").format(title=title), _("Term to definition")],
        "epoch": epoch,
        "versions": [metadata.version("genanki"), sqlite3.sqlite_version, zlib.ZLIB_VERSION],
        "code": sha256(Path(__file__)),
    }
    return hashlib.sha256(json.dumps(made_of, sort_keys=True).encode()).hexdigest()


def write_kept_apkg(
    cards: list[dict[str, str]], path: Path, title: str, epoch: int, cache_dir: str
) -> bool:
    """:func:`write_apkg`, or a copy of the package an earlier build made of the same; whether
    it was made now. The cache folder keeps the last package made (:mod:`.keyed`)."""
    if not cache_dir:
        write_apkg(cards, path, title, epoch)
        return True
    store = KeyedStore(Path(cache_dir) / FOLDER)
    key = apkg_key(cards, title, epoch)
    if store.copy(key, {".apkg": path}) is not None:
        return False
    write_apkg(cards, path, title, epoch)
    store.put(key, {".apkg": path})
    store.prune()
    return True


def write_flashcards(app: Sphinx, exception: Exception | None) -> None:
    """build-finished (the student website only): both files into the output folder."""
    if exception is not None or app.builder.name != "html":
        return
    if app.config.lessonpack_edition != "student":
        return
    cards = all_cards(app)
    if not cards:
        return
    folder = Path(app.outdir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    base = app.config.lessonpack_pdf_basename or "course"
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))
    write_csv(cards, folder / f"{base}-glossary.csv")
    apkg = folder / f"{base}-glossary.apkg"
    write_kept_apkg(cards, apkg, app.config.project, epoch, app.config.lessonpack_cache_dir)


class CardsDomain(Domain):
    """The glossary cards of each document, merged for parallel and incremental reads."""

    name = "lessonpack_cards"
    label = "lessonpack flashcards"
    initial_data: dict[str, Any] = {"docs": {}}  # noqa: RUF012 - Sphinx API

    def clear_doc(self, docname: str) -> None:
        self.data["docs"].pop(docname, None)

    def merge_domaindata(self, docnames: Any, otherdata: dict[str, Any]) -> None:
        for docname in docnames:
            if docname in otherdata["docs"]:
                self.data["docs"][docname] = otherdata["docs"][docname]

    def resolve_any_xref(self, *args: Any, **kwargs: Any) -> list:
        return []


def setup_flashcards(app: Sphinx) -> None:
    app.add_domain(CardsDomain)
    app.connect("doctree-read", collect_cards)
    # Before the output record lists what the build wrote (records.py, priority 900).
    app.connect("build-finished", write_flashcards, priority=500)
