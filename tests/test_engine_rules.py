"""Rules of the engine's code, read from its source: public APIs only, no HTML rewriting."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "lessonpack"
# The modules of pdf/ that may use regular expressions, on no HTML: ids.py slugs document names,
# merge.py renumbers references in the text of PDF objects, tagfix.py reads marked-content
# operators in PDF content streams.
REGEX_ALLOWED = {"ids.py", "merge.py", "tagfix.py"}
# python-pptx has no public API for a run's East Asian typeface or a picture's description (alt
# text): its documented way is the XML element behind the proxy (``_r``, ``_element``).
PPTX_ELEMENTS = {("slides/pptx.py", "_r"), ("slides/pptx.py", "_element")}


def _modules(folder: Path = PACKAGE) -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(folder.rglob("*.py"))]


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_private_module_or_attribute_of_another_library():
    found = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            where = f"{path.relative_to(PACKAGE)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if any(_private(part) for part in node.module.split(".")):
                    found.append(f"{where}: from {node.module}")
            elif isinstance(node, ast.Import):
                found += [f"{where}: import {a.name}" for a in node.names if "._" in a.name]
            elif isinstance(node, ast.Attribute) and _private(node.attr):
                owner = node.value
                ours = isinstance(owner, ast.Name) and owner.id in {"self", "cls"}
                # A marker this package sets on an object of its own making is fine.
                pptx = (str(path.relative_to(PACKAGE)), node.attr) in PPTX_ELEMENTS
                if not ours and not pptx and not node.attr.startswith("_lessonpack"):
                    found.append(f"{where}: ._{node.attr.lstrip('_')}")
            elif isinstance(node, ast.Attribute) and node.attr == "temp_data":
                found.append(f"{where}: temp_data (Sphinx: env.current_document)")
    assert found == []


def test_no_regular_expression_over_html_in_the_pdf_builder():
    users = sorted(
        path.name
        for path, tree in _modules(PACKAGE / "pdf")
        for node in ast.walk(tree)
        if (
            isinstance(node, (ast.Import, ast.ImportFrom))
            and any(a.name == "re" for a in node.names)
        )
        or (isinstance(node, ast.ImportFrom) and node.module == "re")
    )
    assert set(users) <= REGEX_ALLOWED


def test_the_extension_declares_its_environment_version(build):
    from lessonpack import ENV_VERSION

    result = build({"one.md": "# One\n\nText.\n"}, edition="student")
    assert result.app.extensions["lessonpack"].metadata["env_version"] == ENV_VERSION
    assert result.app.env.version["lessonpack"] == ENV_VERSION
