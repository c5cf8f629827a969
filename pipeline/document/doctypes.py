"""The table of document types (``pipeline/data/doc_types.tsv``)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from pipeline.document.normalize import fold


@dataclass(frozen=True)
class DocType:
    abbr: str
    name: str  # lower case, as in running text: "kế hoạch"
    klass: str  # admin | normative


@lru_cache(maxsize=1)
def doc_types() -> tuple[DocType, ...]:
    raw = resources.files("pipeline.data").joinpath("doc_types.tsv").read_text("utf-8")
    rows = [ln.split("\t") for ln in raw.splitlines() if ln.strip() and not ln.startswith("#")]
    return tuple(DocType(a, n, k) for a, n, k in rows)


@lru_cache(maxsize=1)
def by_abbr() -> dict[str, DocType]:
    """Abbreviation → type, also by accent-folded upper case (``QD`` → ``QĐ``)."""
    out: dict[str, DocType] = {}
    for t in doc_types():
        out.setdefault(fold(t.abbr).upper(), t)
    for t in doc_types():
        out[t.abbr] = t
    return out


def lookup_abbr(code: str) -> DocType | None:
    return by_abbr().get(code) or by_abbr().get(fold(code).upper())


@lru_cache(maxsize=1)
def by_name() -> dict[str, DocType]:
    return {t.name: t for t in doc_types()}


@lru_cache(maxsize=1)
def type_line_re() -> re.Pattern[str]:
    """A line that is only a document-type name in capitals: ``KẾ HOẠCH``, ``QUYẾT ĐỊNH``."""
    names = sorted((t.name.upper() for t in doc_types() if t.abbr != "CV"), key=len, reverse=True)
    return re.compile(r"^(?:" + "|".join(map(re.escape, names)) + r")\s*:?\s*$")
