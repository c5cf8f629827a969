"""The citation graph of the PostgreSQL index: the SQLite backend's own code
(:mod:`pipeline.index.sqlite.graph` with :mod:`~pipeline.index.sqlite.citedocs` and
:mod:`~pipeline.index.sqlite.doubtful`) run over a :class:`~pipeline.index.postgres.db.Db`,
which speaks SQLite's dialect to PostgreSQL. One specification of how references resolve,
how spellings group into cited documents and what is not held: both backends answer
``cites``, ``cited_by`` and ``not_held`` alike by construction.
"""
from __future__ import annotations

from collections.abc import Iterable

from pipeline.index.keys import SymbolSpec
from pipeline.index.postgres.db import Db
from pipeline.index.sqlite import graph as spec


def resolve_references(db: Db, doc_ids: Iterable[int] = (), keys: Iterable[str] = ()) -> int:
    """Recompute ``refs.target_id`` for ``doc_ids`` and the references of ``keys``."""
    return spec.resolve_references(db, doc_ids=doc_ids, keys=keys)  # type: ignore[arg-type]


def resolve_all(db: Db) -> int:
    return spec.resolve_all(db)  # type: ignore[arg-type]


def doubtful_keys(db: Db, doc_id: int) -> set[str]:
    return spec.doubtful_keys(db, doc_id)  # type: ignore[arg-type]


def cites(db: Db, symbol: str | SymbolSpec) -> dict:
    return spec.cites(db, symbol)  # type: ignore[arg-type]


def cited_by(db: Db, symbol: str | SymbolSpec) -> dict:
    return spec.cited_by(db, symbol)  # type: ignore[arg-type]


def cited_by_document(db: Db, doc_id: int) -> dict:
    return spec.cited_by_document(db, doc_id)  # type: ignore[arg-type]


def not_held(db: Db, limit: int = 100) -> list[dict]:
    return spec.not_held(db, limit)  # type: ignore[arg-type]


def held_documents(db: Db, symbol: str | SymbolSpec) -> list[dict]:
    return spec.held_documents(db, symbol)  # type: ignore[arg-type]
