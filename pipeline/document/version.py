"""Code versions: which code and data made an output, so that only what a change touches
is made again.

Each kind of output has its roots, the modules that produce it; its version is a hash of
those modules, every module of ``pipeline`` and ``extractors`` they import (followed at
module level and inside functions alike) and the data files they name. So an edit to the
gap-report layout gives gap reports a new version and leaves documents and the index alone.
"""
from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_PACKAGES = ("pipeline.", "extractors.", "flows.")

EXTRACTION = ("pipeline.readers.registry", "extractors.extraction", "pipeline.document.contract")
"""What makes ``<name>.json`` (and what the index stores of it)."""
GAP_REPORTS = ("pipeline.reports.archive",)
"""What makes ``gaps/<plan>.*`` from the extracted documents."""


def _module_file(name: str) -> Path | None:
    base = REPO.joinpath(*name.split("."))
    for f in (base.with_suffix(".py"), base / "__init__.py"):
        if f.is_file():
            return f
    return None


def _imports(tree: ast.AST, package: str) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: resolve against the importing package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([module] if module else []))
            yield module
            yield from (f"{module}.{a.name}" for a in node.names)


def code_files(roots: tuple[str, ...]) -> list[Path]:
    """The modules reachable from ``roots`` inside this repository, their packages'
    ``__init__`` files, and the data files they name."""
    seen: dict[str, Path] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen or not name.startswith(_PACKAGES):
            continue
        f = _module_file(name)
        if f is None:
            continue
        seen[name] = f
        package = name if f.name == "__init__.py" else name.rsplit(".", 1)[0]
        todo.extend(_imports(ast.parse(f.read_bytes(), str(f)), package))
        parent = name.rsplit(".", 1)[0]
        if parent != name:
            todo.append(parent)
    sources = "\n".join(f.read_text("utf-8") for f in seen.values())
    data = [d for pkg in ("pipeline", "extractors") for d in (REPO / pkg / "data").glob("*")
            if d.is_file() and d.name in sources]
    return sorted(set(seen.values()) | set(data))


@cache
def code_version(roots: tuple[str, ...] = EXTRACTION) -> str:
    """A short hash of :func:`code_files` of ``roots`` (paths and contents)."""
    h = hashlib.sha256()
    for f in code_files(roots):
        h.update(f.relative_to(REPO).as_posix().encode() + b"\0")
        h.update(f.read_bytes())
    return h.hexdigest()[:16]
