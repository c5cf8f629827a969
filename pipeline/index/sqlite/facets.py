"""Matching ids, filters and facet counts of a search, in memory.

Each connection keeps a :class:`FacetTable`: per document id, small integer codes of its
type, issuer, signer and year, its date, whether it has findings and its latest duty
deadline, as numpy arrays. A search enumerates the matching ids once (one FTS5 scan),
filters them with array masks and counts facets with ``bincount`` — several times faster
than joining and grouping in SQL when a query matches most of the archive. The table (and
the matching ids of recent queries) are dropped when the index changes: every write bumps
the ``generation`` row of ``meta``.
"""
from __future__ import annotations

import re
import sqlite3
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from pipeline.document.collation import vi_key
from pipeline.document.normalize import fix_tone_placement, fold
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
    owner_group: np.ndarray | None = None  # bool per owner code: a group (made on first use)
    signer: np.ndarray | None = None  # signer code per document, -1 where none
    signers: list[str] | None = None  # a display name per signer code (its first spelling)
    signer_keys: list[str] | None = None  # per code: the name lower-cased, accents kept
    signer_folds: list[str] | None = None  # per code: the name without accents
    signer_spellings: list[list[str]] | None = None  # per code: the names as stored

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


_SPACES = re.compile(r"\s+")


def person_key(name: str | None) -> str:
    """A person's name for equality with accents kept: NFC, one tone placement (``Hoà`` =
    ``Hòa``), lower case, single spaces."""
    s = unicodedata.normalize("NFC", name or "")
    return _SPACES.sub(" ", fix_tone_placement(s).lower()).strip()


def signer_codes(t: FacetTable, name: str) -> np.ndarray:
    """Codes of the signers ``name`` names: the same name in any case; with the accents
    typed when it has any, else any accents (``tran hong ha`` = ``Trần Hồng Hà``)."""
    want = person_key(name)
    if not want or not t.signers:
        return np.zeros(0, dtype=np.int64)
    if fold(want) == want:  # typed without accents: compare without
        keys = t.signer_folds
    else:
        keys = t.signer_keys
    return np.array([c for c, k in enumerate(keys) if k == want], dtype=np.int64)


def is_group_owner(name: str) -> bool:
    """True for an owner that names agencies by their kind — ``các đơn vị liên quan``,
    ``các sở, ban, ngành``, ``UBND các huyện`` — rather than one agency: the extractor's
    group table (``extractors/data/agency_groups.tsv``) and group scanner decide."""
    from extractors.owners_data import group_index, key  # lazy: loaded on first use
    from extractors.owners_groups import scan_groups

    if key(name) in group_index():
        return True
    return any(c.start <= 1 and c.end >= len(name.rstrip(" .;,")) - 1
               for c in scan_groups(name))


def facet_table(conn: sqlite3.Connection) -> FacetTable:
    """The cached facet values of every document (loaded once per index state)."""
    state = _state(conn)
    with _LOCK:
        cached = _CACHE.get(id(conn))
        if cached is not None and cached.key == state:
            _CACHE.move_to_end(id(conn))
            return cached
    has_terms = bool(conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'fts_terms'"
                                  ).fetchone())
    t = build_facet_table(state, (state[3] or 0) + 1, conn.execute(DOCUMENT_FACETS),
                          conn.execute(OWNER_FACETS), has_terms)
    with _LOCK:
        _CACHE[id(conn)] = t
        while len(_CACHE) > 8:
            _CACHE.popitem(last=False)
    return t


DOCUMENT_FACETS = ("SELECT id, doc_type, issuer, issuer_key, year, n_findings > 0, "
                   "max_deadline, date, signer_name FROM documents ORDER BY id")
OWNER_FACETS = "SELECT doc_id, owner_key, owner FROM doc_owners ORDER BY owner_key, doc_id"


def build_facet_table(key: tuple, size: int, documents: Iterable[tuple],
                      owners: Iterable[tuple], has_terms: bool) -> FacetTable:
    """The facet values of every document from the rows of :data:`DOCUMENT_FACETS` and
    :data:`OWNER_FACETS` (either backend's), ids below ``size``."""
    codes: dict[str, dict] = {"type": {}, "issuer": {}, "key": {}}
    arrays = {k: np.full(size, -1, dtype=np.int32) for k in ("type", "issuer", "key")}
    present = np.zeros(size, dtype=bool)
    year = np.zeros(size, dtype=np.int32)
    findings = np.zeros(size, dtype=bool)
    deadline = np.zeros(size, dtype=np.int32)
    date = np.zeros(size, dtype=np.int32)
    signer = np.full(size, -1, dtype=np.int32)
    signer_codes_by_key: dict[str, int] = {}
    signers: list[str] = []
    spellings: list[list[str]] = []
    for i, dt, iss, ik, y, f, dl, day, sn in documents:
        present[i] = True
        for name, value in (("type", dt), ("issuer", iss), ("key", ik)):
            if value is not None:
                arrays[name][i] = codes[name].setdefault(value, len(codes[name]))
        if sn:
            sk = person_key(sn)
            code = signer_codes_by_key.get(sk)
            if code is None and sk:
                code = signer_codes_by_key[sk] = len(signers)
                signers.append(_SPACES.sub(" ", sn).strip())
                spellings.append([])
            if code is not None:
                signer[i] = code
                if sn not in spellings[code]:
                    spellings[code].append(sn)
        year[i] = y or 0
        findings[i] = bool(f)
        deadline[i] = _date_int(dl)
        date[i] = _date_int(day)
    owner_codes: dict[str, int] = {}
    names: list[str] = []
    pairs: list[int] = []
    for doc_id, okey, name in owners:
        code = owner_codes.get(okey)
        if code is None:
            code = owner_codes[okey] = len(names)
            names.append(name)  # the first spelling (doc_owners keeps the min per document)
        pairs += (doc_id, code)
    both = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    keys = list(signer_codes_by_key)
    return FacetTable(key, present, arrays["type"], arrays["issuer"], arrays["key"], year,
                      findings, deadline, date, list(codes["type"]), list(codes["issuer"]),
                      codes["key"], has_terms, both[:, 0].copy(), both[:, 1].copy(), names,
                      None, signer, signers, keys, [fold(k) for k in keys], spellings)


def tier_picker(matches: np.ndarray, need: int):
    """The shared state of a search's tier assembly (either backend): ``out`` the
    (document id, tier, score) picked so far, ``seen`` their ids, ``allowed`` a mask of
    ``matches`` (every matching id after the filters, ascending); ``inside(ids)`` keeps
    the allowed ids, ``take(rows, tier)`` appends allowed unseen (id, score) rows until
    ``need`` are picked."""
    out: list[tuple[int, str, float]] = []
    seen: set[int] = set()
    allowed = np.zeros(int(matches[-1]) + 1 if len(matches) else 0, dtype=bool)
    allowed[matches] = True

    def inside(ids: np.ndarray | None) -> np.ndarray:
        if ids is None or not len(allowed):
            return np.zeros(0, dtype=np.int64)
        ids = ids[ids < len(allowed)]
        return ids[allowed[ids]]

    def take(rows, tier: str) -> None:
        for doc_id, score in rows:
            if len(out) >= need:
                break
            if doc_id not in seen and 0 <= doc_id < len(allowed) and allowed[doc_id]:
                seen.add(doc_id)
                out.append((doc_id, tier, round(float(score or 0), 4)))

    return out, seen, allowed, inside, take


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
    if filters.year_unknown:
        ids = ids[t.year[ids] == 0]
    lo, hi = date_bound(filters.date_from), date_bound(filters.date_to, end=True)
    if lo or hi:
        days = t.date[ids]
        ids = ids[(days > 0) & (days >= lo) & (days <= (hi or 99991231))]
    if filters.signer:
        want = np.zeros(len(t.signers or ()) + 1, dtype=bool)  # last slot: code -1
        want[signer_codes(t, filters.signer)] = True
        ids = ids[want[t.signer[ids]]]
    if filters.has_findings:
        ids = ids[t.findings[ids]]
    if filters.open_duties:
        ids = ids[t.deadline[ids] >= _date_int(filters.as_of_date())]
    if filters.owner:
        owned = ids_from_sql(conn, "SELECT doc_id FROM doc_owners WHERE owner_key = ?",
                             [name_key(filters.owner)])
        ids = ids[np.isin(ids, owned, assume_unique=True)]
    return ids


def date_bound(value: str | None, end: bool = False) -> int:
    """An ISO day (``2020-03-02``), month (``2020-03``) or year (``2020``) as YYYYMMDD; a
    month or year counts from its first day, or (``end``) to its last. 0 when absent or not
    a date."""
    v = (value or "").strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", v)
    if not m:
        return 0
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    if d:
        return y * 10000 + int(mo) * 100 + int(d)
    if mo:
        return y * 10000 + int(mo) * 100 + (31 if end else 1)
    return y * 10000 + (1231 if end else 101)


def by_date(t: FacetTable, ids: np.ndarray, n: int, newest: bool = True) -> list[int]:
    """The first ``n`` of ``ids`` by document date, newest (or oldest) first; undated
    documents last either way; ties: the latest indexed first when newest, else the
    earliest."""
    if len(ids) == 0 or n <= 0:
        return []
    day = t.date[ids].astype(np.int64)
    if not newest:
        day = np.where(day > 0, 99_999_999 - day, -1)  # oldest first, undated still last
    key = day * (1 << 32) + (ids if newest else (1 << 32) - 1 - ids)  # larger comes first
    n = min(n, len(ids))
    top = np.argpartition(-key, n - 1)[:n] if n < len(ids) else np.arange(len(ids))
    return ids[top[np.argsort(-key[top], kind="stable")]].tolist()


def newest_by_date(t: FacetTable, ids: np.ndarray, n: int) -> list[int]:
    """The ``n`` of ``ids`` with the latest document date (then highest id), newest first."""
    if len(ids) == 0 or n <= 0:
        return []
    order = np.lexsort((ids, t.date[ids]))[::-1]  # by date, then id, both descending
    return ids[order[:n]].tolist()


def owner_counts(t: FacetTable, ids: np.ndarray, top: int = 100) -> dict[str, int]:
    """Documents per duty owner among ``ids``, the ``top`` most frequent (then in
    Vietnamese order); owners that are groups (:func:`is_group_owner`) are left out."""
    if t.owner_doc is None or not len(ids) or not t.owners:
        return {}
    chosen = np.zeros(len(t.present), dtype=bool)
    chosen[ids] = True
    inside = (t.owner_doc < len(chosen))
    docs = t.owner_doc[inside]
    codes = t.owner_code[inside][chosen[docs]]
    n = np.bincount(codes, minlength=len(t.owners))
    if t.owner_group is None:  # only the owner facet needs it: the extractor's group data
        t.owner_group = np.array([is_group_owner(o) for o in t.owners], dtype=bool)
    n[t.owner_group] = 0
    order = sorted(np.flatnonzero(n).tolist(), key=lambda c: (-int(n[c]), vi_key(t.owners[c])))
    return {t.owners[c]: int(n[c]) for c in order[:top]}


def _counts(codes: np.ndarray, names: list[str], top: int | None = None) -> dict[str, int]:
    n = np.bincount(codes[codes >= 0], minlength=len(names)) if len(names) else []
    pairs = [(names[c], int(k)) for c, k in enumerate(n) if k]
    pairs.sort(key=lambda kv: (-kv[1], vi_key(kv[0])))  # ties: Vietnamese order
    return dict(pairs[:top] if top else pairs)


SIGNERS_SHOWN = 100  # signer facet: the most frequent signers


def count_facets(t: FacetTable, ids: np.ndarray, as_of: str) -> dict[str, dict[str, int]]:
    """Counts per value of doc_type, issuer, year, signer, has_findings and open_duties; a
    document without a value is not counted in that facet, except the year: ``"unknown"``
    counts the documents whose year is not known (listed after the years). ``signer``: the
    :data:`SIGNERS_SHOWN` most frequent, one entry per name whatever its case."""
    years = np.bincount(t.year[ids]) if len(ids) else np.zeros(1, dtype=np.int64)
    n_find = int(t.findings[ids].sum())
    n_open = int((t.deadline[ids] >= _date_int(as_of)).sum()) if _date_int(as_of) else 0
    total = len(ids)
    year = {str(y): int(years[y]) for y in range(len(years) - 1, 0, -1) if years[y]}
    if years[0]:
        year["unknown"] = int(years[0])
    signer = t.signer if t.signer is not None else np.full(len(t.present), -1, np.int32)
    return {
        "doc_type": _counts(t.doc_type[ids], t.types),
        "issuer": _counts(t.issuer[ids], t.issuers),
        "year": year,
        "signer": _counts(signer[ids], t.signers or [], SIGNERS_SHOWN),
        "has_findings": {k: v for k, v in (("true", n_find), ("false", total - n_find)) if v},
        "open_duties": {k: v for k, v in (("true", n_open), ("false", total - n_open)) if v},
    }
