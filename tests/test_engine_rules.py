"""Rules of the engine's code, read from its source: public APIs only, no HTML rewriting."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "lessonpack"
# The modules of pdf/ that may use regular expressions, on no HTML: ids.py slugs document names,
# merge.py renumbers references in the text of PDF objects, tagfix.py reads marked-content
# operators in PDF content streams.
REGEX_ALLOWED = {"ids.py", "merge.py", "tagfix.py"}
# python-pptx has no public API for a run's East Asian typeface or a picture's description (alt
# text): its documented way is the XML element behind the proxy (``_r``, ``_element``).
PPTX_ELEMENTS = {("slides/pptx.py", "_r"), ("slides/pptx.py", "_element")}
# Names the standard library documents as public despite their underscore: os._exit, and a
# named tuple's methods (Sphinx's NavPoint is one).
STDLIB_PUBLIC = {"_exit", "_replace", "_asdict", "_fields", "_make"}
ACCESSORS = {"getattr", "hasattr", "setattr", "delattr"}
MODULE_PATH = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")


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
                pptx = (str(path.relative_to(PACKAGE)), node.attr) in PPTX_ELEMENTS
                documented = node.attr in STDLIB_PUBLIC
                # A marker this package sets on an object of its own making is fine.
                lessonpack = node.attr.startswith("_lessonpack")
                if not ours and not pptx and not documented and not lessonpack:
                    found.append(f"{where}: ._{node.attr.lstrip('_')}")
            elif isinstance(node, ast.Attribute) and node.attr == "temp_data":
                found.append(f"{where}: temp_data (Sphinx: env.current_document)")
            elif isinstance(node, ast.Call) and (_private_by_name(node) or _private_keyword(node)):
                found.append(f"{where}: {ast.unparse(node)}")
            elif isinstance(node, ast.Constant) and _private_module_path(node.value):
                found.append(f"{where}: {node.value!r}")
    assert found == []


def _private_by_name(call: ast.Call) -> bool:
    """``getattr(app, "_warncount")`` and the like: a private attribute reached by its name."""
    named = isinstance(call.func, ast.Name) and call.func.id in ACCESSORS
    if not named or len(call.args) < 2 or not isinstance(call.args[1], ast.Constant):
        return False
    name = call.args[1].value
    return isinstance(name, str) and _private(name) and not name.startswith("_lessonpack")


def _private_keyword(call: ast.Call) -> bool:
    """``super().write_doctree(docname, doctree, _cache=False)``: a private keyword argument."""
    return any(keyword.arg is not None and _private(keyword.arg) for keyword in call.keywords)


def _private_module_path(value: object) -> bool:
    """``sys.modules.get("textstat.backend.utils._get_cmudict")``: a private module by name."""
    if not isinstance(value, str) or not MODULE_PATH.fullmatch(value):
        return False
    # A library's top-level name is public ("_x.xsd" is a file name's tail, not a module).
    top, *rest = value.split(".")
    return not _private(top) and any(_private(part) for part in rest)


def _flagged(source: str, *, imports: bool = False) -> bool:
    """Whether the rule's name checks (and, with ``imports``, its import and attribute checks)
    flag a node of ``source``."""
    return any(
        (isinstance(n, ast.Call) and (_private_by_name(n) or _private_keyword(n)))
        or (isinstance(n, ast.Constant) and _private_module_path(n.value))
        or (imports and isinstance(n, ast.ImportFrom) and "._" in f".{n.module}")
        or (imports and isinstance(n, ast.Attribute) and _private(n.attr))
        for n in ast.walk(ast.parse(source))
    )


def test_the_rule_finds_private_names_of_sphinx_and_textstat():
    """What earlier rounds' code did (report.py, records.py, the PDF and slide builders' doctrees)
    fails the rule."""
    bad = [
        'sys.modules.get("textstat.backend.utils._get_cmudict").get_cmudict.cache_clear()',
        'getattr(app, "_warncount", 0)',
        'getattr(app, "_fail_on_warnings", False)',
        "from textstat.backend.utils._get_cmudict import get_cmudict",
        "app._warncount",
        "super().write_doctree(docname, doctree, _cache=False)",
    ]
    for source in bad:
        assert _flagged(source, imports=True), source
    fine = [
        'getattr(node, "ids", [])',
        "open(path, encoding='utf-8', **options)",
        '"_static/fonts.css"',
        '"lessonpack.pdf.jobs"',
        'f"{base}/LOM/cc{short}_lommanifest_v1p0.xsd"',
    ]
    for source in fine:
        assert not _flagged(source), source


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


def _hashes_a_whole_file(call: ast.Call) -> bool:
    """``hashlib.sha256(path.read_bytes())``, ``digest.update(path.read_bytes())`` and the like:
    a file read whole only to be hashed (filehash.py reads it a block at a time)."""
    func = call.func
    hashing = (
        isinstance(func, ast.Attribute)
        and (
            func.attr == "update"
            or (isinstance(func.value, ast.Name) and func.value.id == "hashlib")
        )
    ) or (isinstance(func, ast.Name) and func.id in {"sha256", "md5", "sha1", "blake2b"})
    if not hashing:
        return False
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == "read_bytes"
        for arg in call.args
        for n in ast.walk(arg)
    )


def test_no_file_is_read_whole_to_be_hashed():
    """A file hashed may grow with the book (a merged book PDF, 34 MB at 128 lessons): a process
    that read it whole to hash it peaked that much higher. Every file goes through filehash.py."""
    found = [
        f"{path.relative_to(PACKAGE)}:{node.lineno}: {ast.unparse(node)}"
        for path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _hashes_a_whole_file(node)
    ]
    assert found == []


def test_the_rule_finds_a_file_read_whole_to_be_hashed():
    """What the render cache, the page keys and the kept stores did fails the rule."""
    bad = [
        'record.get("sha256") != hashlib.sha256(path.read_bytes()).hexdigest()',
        'digest.update((doctrees / f"{doc}.doctree").read_bytes())',
        'digest.update(str(path).encode() + b"\\0" + path.read_bytes())',
        "digest.update(name.encode() + hashlib.sha256(font.read_bytes()).digest())",
    ]
    fine = [
        "hashlib.sha256(text.encode()).hexdigest()",
        "digest.update(file_digest(path))",
        "data = path.read_bytes()",
    ]
    for source in bad:
        assert _reads_whole(source), source
    for source in fine:
        assert not _reads_whole(source), source


def _reads_whole(source: str) -> bool:
    return any(
        isinstance(n, ast.Call) and _hashes_a_whole_file(n) for n in ast.walk(ast.parse(source))
    )
