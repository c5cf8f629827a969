"""Facet values of every document in memory, read from PostgreSQL.

The arrays, filters and counts are SQLite's (:mod:`pipeline.index.sqlite.facets`: one
:class:`~pipeline.index.sqlite.facets.FacetTable` per index state, masks and ``bincount``
in numpy), so facets count alike on both backends; only loading the table differs. The
state that keys the cache is the database, the ``generation`` sequence (bumped after
every write), the number of documents and the highest id.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict

import numpy as np

from pipeline.document.normalize import fold
from pipeline.index.postgres.db import Db
from pipeline.index.sqlite.facets import FacetTable, person_key

_CACHE: OrderedDict[tuple, FacetTable] = OrderedDict()
_LOCK = threading.Lock()
_SPACES = re.compile(r"\s+")


def state(db: Db) -> tuple:
    """What identifies the index contents: database, write generation, documents, last id."""
    info = db.conn.info
    row = db.execute("SELECT (SELECT last_value + (CASE WHEN is_called THEN 1 ELSE 0 END) "
                     "FROM generation), count(*), max(id) FROM documents").fetchone()
    return (f"{info.host}:{info.port}/{info.dbname}", int(row[0]), int(row[1]),
            int(row[2]) if row[2] is not None else None)


def _date_int(date: str | None) -> int:
    if not date or len(date) < 10 or not date[:4].isdigit():
        return 0
    try:
        return int(date[:4] + date[5:7] + date[8:10])
    except ValueError:
        return 0


def facet_table(db: Db) -> FacetTable:
    """The cached facet values of every document (loaded once per index state)."""
    key = state(db)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
            return cached
    size = (key[3] or 0) + 1
    codes: dict[str, dict] = {"type": {}, "issuer": {}, "key": {}}
    arrays = {k: np.full(size, -1, dtype=np.int32) for k in ("type", "issuer", "key")}
    present = np.zeros(size, dtype=bool)
    year = np.zeros(size, dtype=np.int32)
    findings = np.zeros(size, dtype=bool)
    deadline = np.zeros(size, dtype=np.int32)
    date = np.zeros(size, dtype=np.int32)
    signer = np.full(size, -1, dtype=np.int32)
    by_key: dict[str, int] = {}
    signers: list[str] = []
    spellings: list[list[str]] = []
    for i, dt, iss, ik, y, f, dl, day, sn in db.execute(
            "SELECT id, doc_type, issuer, issuer_key, year, n_findings > 0, max_deadline, "
            "date, signer_name FROM documents ORDER BY id"):
        present[i] = True
        for name, value in (("type", dt), ("issuer", iss), ("key", ik)):
            if value is not None:
                arrays[name][i] = codes[name].setdefault(value, len(codes[name]))
        if sn:
            sk = person_key(sn)
            code = by_key.get(sk)
            if code is None and sk:
                code = by_key[sk] = len(signers)
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
    for doc_id, okey, name in db.execute("SELECT doc_id, owner_key, owner FROM doc_owners "
                                         "ORDER BY owner_key, doc_id"):
        code = owner_codes.get(okey)
        if code is None:
            code = owner_codes[okey] = len(names)
            names.append(name)
        pairs += (doc_id, code)
    both = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    keys = list(by_key)
    t = FacetTable(key, present, arrays["type"], arrays["issuer"], arrays["key"], year,
                   findings, deadline, date, list(codes["type"]), list(codes["issuer"]),
                   codes["key"], True, both[:, 0].copy(), both[:, 1].copy(), names,
                   None, signer, signers, keys, [fold(k) for k in keys], spellings)
    with _LOCK:
        _CACHE[key] = t
        while len(_CACHE) > 8:
            _CACHE.popitem(last=False)
    return t
