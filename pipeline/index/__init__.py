"""The archive index: extracted documents stored for search and the citation graph.

:class:`Index` (:mod:`pipeline.index.base`) is what every backend offers;
:func:`open_index` opens one: SQLite (:mod:`pipeline.index.sqlite`, a file such as
``outputs/index.db``) or PostgreSQL (:mod:`pipeline.index.postgres`, a
``postgresql://`` URL; imported only then). Backend-neutral
helpers live beside it: :mod:`.keys` (symbol and name keys), :mod:`.query` (query
parsing, highlighting), :mod:`.terms` (the words indexed) and :mod:`.ingest` (the
``vanban index PATH…`` loop: read, extract, store).
"""
from __future__ import annotations

from pathlib import Path

from pipeline.index.base import (
    DEFAULT_DB,
    DocumentRecord,
    Filters,
    Index,
    Stamp,
    StoreError,
    store_path,
)
from pipeline.index.sqlite import SQLiteIndex

__all__ = ["DEFAULT_DB", "DocumentRecord", "Filters", "Index", "Stamp", "StoreError",
           "open_index", "store_path"]


POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_index(db: str | Path = DEFAULT_DB, *, readonly: bool = False) -> Index:
    """The index at ``db``: a ``postgresql://`` (or ``postgres://``) URL (PostgreSQL), else
    a file path (SQLite); created and upgraded unless ``readonly``. Raises
    :class:`pipeline.document.model.VanbanError` when a read-only open finds no index or
    one of another schema, :class:`StoreError` when ``db`` is not
    an index, RuntimeError when it was made by a newer vanban."""
    if isinstance(db, str) and db.startswith(POSTGRES_SCHEMES):
        from pipeline.index.postgres import PostgresIndex  # lazy: psycopg for PostgreSQL only

        return PostgresIndex.open(db, readonly=readonly)
    return SQLiteIndex.open(db, readonly=readonly)
