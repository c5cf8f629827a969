"""Code versions: which code and data made an output, so that only what a change touches
is made again.

Each kind of output has its roots, the modules that produce it; its version is a hash of
those modules, every module of ``pipeline`` and ``extractors`` they import (followed at
module level and inside functions alike) and the data files they name. So an edit to the
gap-report layout gives gap reports a new version and leaves documents and the index alone.
"""
from __future__ import annotations

import hashlib
import re
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


_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)"
                     r"|import[ \t]+([^\n]*))", re.M)


def _names(part: str) -> Iterator[str]:
    part = re.sub(r"#[^\n]*", "", part).strip("() \t\n\\")
    for chunk in part.split(","):
        name = chunk.split(" as ")[0].strip().strip("()")
        if name:
            yield name


def _imports(text: str, package: str) -> Iterator[str]:
    """The modules (and ``module.name``) a source imports, at module level and inside
    functions alike. A line scan, not ``ast``: 15 times faster (every ``vanban run``
    computes this before it decides whether there is work), and an ``import`` line in a
    docstring only adds a file to the hash."""
    for m in _IMPORT.finditer(text):
        dots, module, names, plain = m.groups()
        if plain is not None:
            yield from _names(plain)
            continue
        if dots:  # relative: resolve against the importing package
            base = package.split(".")[: len(package.split(".")) - len(dots) + 1]
            module = ".".join(base + ([module] if module else []))
        yield module
        yield from (f"{module}.{n}" for n in _names(names))


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
        todo.extend(_imports(f.read_text("utf-8"), package))
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
