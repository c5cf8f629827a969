"""Loading the small vocabulary files in ``extractors/data`` (once per process)."""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from importlib import resources


def _rows(name: str) -> list[list[str]]:
    raw = resources.files("extractors.data").joinpath(name).read_text("utf-8")
    return [ln.split("\t") for ln in raw.splitlines() if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=None)
def table(name: str) -> dict[str, tuple[str, ...]]:
    """``kind<TAB>text`` file → {kind: (texts in file order)}."""
    out: dict[str, list[str]] = defaultdict(list)
    for row in _rows(name):
        out[row[0]].append(row[1])
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=None)
def lines(name: str) -> tuple[str, ...]:
    raw = resources.files("extractors.data").joinpath(name).read_text("utf-8")
    return tuple(ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.startswith("#"))
