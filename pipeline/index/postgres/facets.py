"""Facet values of every document in memory, read from PostgreSQL.

The arrays, filters and counts are SQLite's (:mod:`pipeline.index.sqlite.facets`: one
:class:`~pipeline.index.sqlite.facets.FacetTable` per index state, masks and ``bincount``
in numpy), so facets count alike on both backends; only loading the table differs. The
state that keys the cache is the database, the write generation (raised in every write's
transaction, :func:`~pipeline.index.postgres.store.bump_generation`), the number of
documents and the highest id, read in the search's snapshot
(:meth:`~pipeline.index.postgres.PostgresIndex.snapshot`).
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from pipeline.index.postgres.db import Db
from pipeline.index.sqlite.facets import (DOCUMENT_FACETS, OWNER_FACETS, FacetTable,
                                           build_facet_table)

_CACHE: OrderedDict[tuple, FacetTable] = OrderedDict()
_LOCK = threading.Lock()


def state(db: Db) -> tuple:
    """What identifies the index contents: database, write generation, documents, last id."""
    info = db.conn.info
    row = db.execute("SELECT (SELECT generation FROM index_state), count(*), max(id) "
                     "FROM documents").fetchone()
    return (f"{info.host}:{info.port}/{info.dbname}", int(row[0]), int(row[1]),
            int(row[2]) if row[2] is not None else None)


def facet_table(db: Db) -> FacetTable:
    """The cached facet values of every document (loaded once per index state)."""
    key = state(db)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
            return cached
    t = build_facet_table(key, (key[3] or 0) + 1, db.execute(DOCUMENT_FACETS),
                          db.execute(OWNER_FACETS), True)
    with _LOCK:
        _CACHE[key] = t
        while len(_CACHE) > 8:
            _CACHE.popitem(last=False)
    return t
