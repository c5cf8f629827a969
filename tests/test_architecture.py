"""The house's plan, as tests: layers, no cycles, no private names across modules, modules
that one person reads in a sitting (README, "How it is built")."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("pipeline", "extractors", "flows")
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for f in sorted((ROOT / pkg).rglob("*.py")):
            parts = f.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = f
    return out


def test_import_contracts() -> None:
    """pyproject.toml's [tool.importlinter]: the layers, Prefect only in flows/, no cycles
    between sibling packages."""
    exe = Path(sys.executable).with_name("lint-imports")
    res = subprocess.run([str(exe), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert "BROKEN" not in res.stdout and "KEPT" in res.stdout


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_between_modules() -> None:
    """Module by module (imports inside functions count too), not only between packages.
    A package's ``__init__`` re-exporting its own modules is not a cycle of concepts."""
    g = grimp.build_graph(*PACKAGES)
    graph: dict[str, set[str]] = {}
    for m in g.modules:
        deps = set()
        for d in g.find_modules_directly_imported_by(m):
            if m.startswith(d + "."):  # a module importing its own package's __init__
                continue
            if d.startswith(m + "."):  # a package's __init__ importing its own modules
                continue
            deps.add(d)
        graph[m] = deps
    assert _cycles(graph) == []


def _private_imports(name: str, path: Path, modules: dict[str, Path]) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    bad = []
    bound: dict[str, str] = {}  # local name -> our module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([mod] if mod else []))
            if not mod.startswith(PACKAGES) or mod == name:
                continue
            for a in node.names:
                if a.name.startswith("_") and not a.name.startswith("__"):
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {mod}.{a.name}")
                if f"{mod}.{a.name}" in modules:
                    bound[a.asname or a.name] = f"{mod}.{a.name}"
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith(PACKAGES) and a.asname:
                    bound[a.asname] = a.name
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in bound and node.attr.startswith("_")
                and not node.attr.startswith("__")):
            bad.append(f"{path.relative_to(ROOT)}:{node.lineno} uses "
                       f"{bound[node.value.id]}.{node.attr}")
    return bad


def test_no_private_name_imported_across_modules() -> None:
    """A name with a leading underscore belongs to its module: another module that needs
    it needs a public name (or the code belongs elsewhere). Tests are exempt."""
    modules = _modules()
    bad = [line for name, path in modules.items()
           for line in _private_imports(name, path, modules)]
    assert bad == []


@pytest.mark.parametrize("name", sorted(_modules()))
def test_module_fits_one_reading(name: str) -> None:
    path = _modules()[name]
    n = len(path.read_text("utf-8").splitlines())
    assert n <= MAX_LINES, f"{path.relative_to(ROOT)}: {n} lines: split it along its concepts"


def test_lower_layers_never_import_prefect_at_run_time() -> None:
    """What the contracts say, seen from a real process: `vanban search`'s modules and the
    extraction load neither Prefect nor (for the index) spaCy."""
    code = ("import sys, pipeline.index, pipeline.outputs, flows.cli.index;"
            "print(sorted(m for m in ('prefect', 'spacy', 'underthesea') if m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


def test_one_code_version_per_output() -> None:
    """An output is made again only when the code that produces it changes: the gap-report
    layout and the index belong to no document's version; the gap reports' version covers
    the cross-check, the report writers and the extraction they read."""
    from pipeline.document import version

    def parts(roots: tuple[str, ...]) -> set[str]:
        return {f.relative_to(ROOT).as_posix() for f in version.code_files(roots)}

    extraction = parts(version.EXTRACTION)
    assert "extractors/extraction.py" in extraction
    assert "pipeline/readers/registry.py" in extraction
    assert "extractors/data/agencies.tsv" in extraction
    assert not {p for p in extraction
                if p.startswith(("pipeline/crosscheck", "pipeline/reports", "pipeline/index",
                                 "pipeline/web", "flows/"))}
    gaps = parts(version.GAP_REPORTS)
    assert {"pipeline/reports/archive.py", "pipeline/crosscheck/coverage.py"} <= gaps
    assert not {p for p in gaps if p.startswith(("pipeline/index", "pipeline/web", "flows/"))}
