"""Matching ids, filters and facet counts of a search, in memory.

Each connection keeps a :class:`FacetTable`: per document id, small integer codes of its
type, issuer and year, whether it has findings and its latest duty deadline, as numpy
arrays. A search enumerates the matching ids once (one FTS5 scan), filters them with
array masks and counts facets with ``bincount`` — several times faster than joining and
grouping in SQL when a query matches most of the archive. The table (and the matching
ids of recent queries) are dropped when the index changes: every write bumps the
``generation`` row of ``meta``.
"""
from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from pipeline.document.collation import vi_key
from pipeline.index.keys import name_key, type_abbr


@dataclass
class FacetTable:
    """Facet values by document id; code -1 (year 0, deadline 0) where none."""

    key: tuple
    present: np.ndarray  # bool: a document has this id
    doc_type: np.ndarray
    issuer: np.ndarray
    issuer_key: np.ndarray
    year: np.ndarray
    findings: np.ndarray  # bool
    deadline: np.ndarray  # YYYYMMDD as int
    date: np.ndarray  # the document's date, YYYYMMDD as int
    types: list[str]
    issuers: list[str]
    issuer_keys: dict[str, int]
    has_terms: bool = False  # the index has fts_terms (schema 8)
    owner_doc: np.ndarray | None = None  # one entry per (document, owner) pair
    owner_code: np.ndarray | None = None
    owners: list[str] | None = None  # a display name per owner code

    @property
    def ids(self) -> np.ndarray:
        return np.flatnonzero(self.present)


_CACHE: OrderedDict[int, FacetTable] = OrderedDict()
_LOCK = threading.Lock()  # the caches are shared by the threads of a web server


def _state(conn: sqlite3.Connection) -> tuple:
    """What identifies the index contents: file, write generation, documents, last id."""
    db = conn.execute("PRAGMA database_list").fetchone()[2]
    generation = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    count = conn.execute("SELECT count(*) FROM documents").fetchone()[0]  # two queries:
    top = conn.execute("SELECT max(id) FROM documents").fetchone()[0]  # both are O(log n)
    return (db, generation[0] if generation else None, count, top)


def _date_int(date: str | None) -> int:
    if not date or len(date) < 10 or not date[:4].isdigit():
        return 0
    try:
        return int(date[:4] + date[5:7] + date[8:10])
    except ValueError:
        return 0


def facet_table(conn: sqlite3.Connection) -> FacetTable:
    """The cached facet values of every document (loaded once per index state)."""
    state = _state(conn)
    with _LOCK:
        cached = _CACHE.get(id(conn))
        if cached is not None and cached.key == state:
            _CACHE.move_to_end(id(conn))
            return cached
    size = (state[3] or 0) + 1
    codes: dict[str, dict] = {"type": {}, "issuer": {}, "key": {}}
    arrays = {k: np.full(size, -1, dtype=np.int32) for k in ("type", "issuer", "key")}
    present = np.zeros(size, dtype=bool)
    year = np.zeros(size, dtype=np.int32)
    findings = np.zeros(size, dtype=bool)
    deadline = np.zeros(size, dtype=np.int32)
    date = np.zeros(size, dtype=np.int32)
    for i, dt, iss, ik, y, f, dl, day in conn.execute(
            "SELECT id, doc_type, issuer, issuer_key, year, n_findings > 0, max_deadline, "
            "date FROM documents"):
        present[i] = True
        for name, value in (("type", dt), ("issuer", iss), ("key", ik)):
            if value is not None:
                arrays[name][i] = codes[name].setdefault(value, len(codes[name]))
        year[i] = y or 0
        findings[i] = bool(f)
        deadline[i] = _date_int(dl)
        date[i] = _date_int(day)
    has_terms = bool(conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'fts_terms'"
                                  ).fetchone())
    owner_codes: dict[str, int] = {}
    names: list[str] = []
    pairs: list[int] = []
    for doc_id, key, name in conn.execute("SELECT doc_id, owner_key, owner FROM doc_owners "
                                          "ORDER BY owner_key, doc_id"):
        code = owner_codes.get(key)
        if code is None:
            code = owner_codes[key] = len(names)
            names.append(name)  # the first spelling (doc_owners keeps the min per document)
        pairs += (doc_id, code)
    both = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    t = FacetTable(state, present, arrays["type"], arrays["issuer"], arrays["key"], year,
                   findings, deadline, date, list(codes["type"]), list(codes["issuer"]),
                   codes["key"], has_terms, both[:, 0].copy(), both[:, 1].copy(), names)
    with _LOCK:
        _CACHE[id(conn)] = t
        while len(_CACHE) > 8:
            _CACHE.popitem(last=False)
    return t


def sorted_unique(ids: np.ndarray) -> np.ndarray:
    """Ascending, without repeats (FTS5 already gives rowids so: then nothing to do)."""
    if len(ids) < 2 or bool(np.all(ids[1:] > ids[:-1])):
        return ids
    ids = np.sort(ids)
    return ids[np.concatenate(([True], ids[1:] != ids[:-1]))]


_MATCHES: OrderedDict[tuple, np.ndarray] = OrderedDict()
MATCH_CACHE_SIZE = 32  # id sets kept per process: paging and facet clicks reuse them


def clear_match_cache() -> None:
    with _LOCK:
        _MATCHES.clear()


def ids_from_sql(conn: sqlite3.Connection, sql: str, params: list | tuple,
                 table: FacetTable | None = None) -> np.ndarray:
    """Ids selected by ``sql`` (one integer column), as a sorted unique array. With
    ``table``, the answer is cached for that index state."""
    key = (table.key, sql, tuple(params)) if table is not None else None
    if key is not None:
        with _LOCK:
            if key in _MATCHES:
                _MATCHES.move_to_end(key)
                return _MATCHES[key]
    row = conn.execute(f"WITH q(x) AS ({sql}) SELECT group_concat(x, ',') FROM q",
                       params).fetchone()
    ids = sorted_unique(np.fromstring(row[0], dtype=np.int64, sep=",")) if row and row[0] \
        else np.zeros(0, dtype=np.int64)
    if key is not None and MATCH_CACHE_SIZE > 0:
        with _LOCK:
            _MATCHES[key] = ids
            while len(_MATCHES) > MATCH_CACHE_SIZE:
                _MATCHES.popitem(last=False)
    return ids


def filter_ids(conn: sqlite3.Connection, t: FacetTable, ids: np.ndarray,
               filters) -> np.ndarray:
    """``ids`` that pass ``filters`` (a :class:`pipeline.index.base.Filters`), ascending."""
    ids = ids[(ids >= 0) & (ids < len(t.present))]
    ids = ids[t.present[ids]]
    if filters.doc_type:
        want = type_abbr(filters.doc_type) or filters.doc_type
        code = t.types.index(want) if want in t.types else -2
        ids = ids[t.doc_type[ids] == code]
    if filters.issuer:
        ids = ids[t.issuer_key[ids] == t.issuer_keys.get(name_key(filters.issuer) or "", -2)]
    if filters.year:
        ids = ids[t.year[ids] == int(filters.year)]
    if filters.has_findings:
        ids = ids[t.findings[ids]]
    if filters.open_duties:
        ids = ids[t.deadline[ids] >= _date_int(filters.as_of_date())]
    if filters.owner:
        owned = ids_from_sql(conn, "SELECT doc_id FROM doc_owners WHERE owner_key = ?",
                             [name_key(filters.owner)])
        ids = ids[np.isin(ids, owned, assume_unique=True)]
    return ids


def newest_by_date(t: FacetTable, ids: np.ndarray, n: int) -> list[int]:
    """The ``n`` of ``ids`` with the latest document date (then highest id), newest first."""
    if len(ids) == 0 or n <= 0:
        return []
    order = np.lexsort((ids, t.date[ids]))[::-1]  # by date, then id, both descending
    return ids[order[:n]].tolist()


def owner_counts(t: FacetTable, ids: np.ndarray, top: int = 100) -> dict[str, int]:
    """Documents per duty owner among ``ids``, the ``top`` most frequent (then by name)."""
    if t.owner_doc is None or not len(ids) or not t.owners:
        return {}
    chosen = np.zeros(len(t.present), dtype=bool)
    chosen[ids] = True
    inside = (t.owner_doc < len(chosen))
    docs = t.owner_doc[inside]
    codes = t.owner_code[inside][chosen[docs]]
    n = np.bincount(codes, minlength=len(t.owners))
    order = sorted(np.flatnonzero(n).tolist(), key=lambda c: (-int(n[c]), vi_key(t.owners[c])))
    return {t.owners[c]: int(n[c]) for c in order[:top]}


def _counts(codes: np.ndarray, names: list[str]) -> dict[str, int]:
    n = np.bincount(codes[codes >= 0], minlength=len(names)) if len(names) else []
    pairs = [(names[c], int(k)) for c, k in enumerate(n) if k]
    return dict(sorted(pairs, key=lambda kv: (-kv[1], vi_key(kv[0]))))  # ties: Vietnamese order


def count_facets(t: FacetTable, ids: np.ndarray, as_of: str) -> dict[str, dict[str, int]]:
    """Counts per value of doc_type, issuer, year, has_findings and open_duties; a document
    without a value is not counted in that facet."""
    years = np.bincount(t.year[ids]) if len(ids) else np.zeros(1, dtype=np.int64)
    n_find = int(t.findings[ids].sum())
    n_open = int((t.deadline[ids] >= _date_int(as_of)).sum()) if _date_int(as_of) else 0
    total = len(ids)
    return {
        "doc_type": _counts(t.doc_type[ids], t.types),
        "issuer": _counts(t.issuer[ids], t.issuers),
        "year": {str(y): int(years[y]) for y in range(len(years) - 1, 0, -1) if years[y]},
        "has_findings": {k: v for k, v in (("true", n_find), ("false", total - n_find)) if v},
        "open_duties": {k: v for k, v in (("true", n_open), ("false", total - n_open)) if v},
    }
