"""What a student can see of the LMS files: everything but the quiz keys, the feedback and the
graders' notes. The leak gate reads these files as student text (check/leaks.py), so a teacher
note anywhere else in them (a page of the cartridge, a question's text) is a leak."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

# QTI 1.2: the scoring (which option is right) and the feedback; Moodle XML: the feedback, the
# information for graders (and the fraction attribute that marks the key).
HIDDEN = {"resprocessing", "itemfeedback", "generalfeedback", "feedback", "graderinfo"}
ARCHIVES = (".imscc", ".zip")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def without_keys(xml: bytes) -> bytes:
    """A QTI or Moodle XML file without keys, feedback or graders' notes (other XML: as it is)."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return xml
    for parent in list(root.iter()):
        for child in list(parent):
            if _local(child.tag) in HIDDEN:
                parent.remove(child)
        parent.attrib.pop("fraction", None)
    return ET.tostring(root, encoding="utf-8")


def student_entries(path: Path) -> dict[str, bytes]:
    """Each file of an LMS output (an archive's entries by name, else the file as ""), as a
    student may see it."""
    if path.suffix in ARCHIVES:
        with zipfile.ZipFile(path) as package:
            entries = {n: package.read(n) for n in sorted(package.namelist())}
    else:
        entries = {"": path.read_bytes()}
    out = {}
    for name, data in entries.items():
        if (name or path.name).endswith((".xml", ".qti")):
            data = without_keys(data)
        out[name] = data
    return out
