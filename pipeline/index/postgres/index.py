"""The :class:`~pipeline.index.base.Index` interface over a PostgreSQL database.

Each method borrows a connection of a small pool (:mod:`psycopg_pool`, opened on first
use, closed by :meth:`PostgresIndex.close`) and makes one call into the modules that hold
the SQL (:mod:`.store`, :mod:`.search`, :mod:`.graph`, :mod:`.views`); this class turns
PostgreSQL's storage errors into :class:`~pipeline.index.base.StoreError`.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import psycopg
from psycopg_pool import ConnectionPool

from pipeline.document.model import Block, VanbanError
from pipeline.index.base import DocumentRecord, Filters, Index, Stamp
from pipeline.index.postgres import graph, views
from pipeline.index.postgres.db import Db, storage_errors, without_password
from pipeline.index.postgres.schema import SCHEMA_VERSION, migrate, schema_version
from pipeline.index.postgres.store import index_document
from pipeline.index.sqlite.store import index_code_version

POOL_SIZE = 4
CONNECT_TIMEOUT = 10  # seconds to wait for the server (or a free connection)


def is_url(db: object) -> bool:
    """True for a PostgreSQL URL (``postgresql://…``, ``postgres://…``)."""
    return isinstance(db, str) and db.startswith(("postgresql://", "postgres://"))


class PostgresIndex(Index):
    """The index in a PostgreSQL database, created and upgraded on a writable open."""

    @property
    def code_version(self) -> str:
        return index_code_version()

    def __init__(self, url: str) -> None:
        self.url = url
        self.location = without_password(url)
        self._pool: ConnectionPool | None = None

    @classmethod
    def open(cls, url: str, *, readonly: bool = False) -> PostgresIndex:
        """Connect to ``url`` and create or upgrade the schema (``readonly``: refuse a
        database without the index, or of another schema version: VanbanError)."""
        index = cls(url)
        try:  # one plain connection: a wrong address fails at once, not after the pool's
            # retries; the pool opens on the first call that needs it
            with storage_errors(), psycopg.connect(url, autocommit=True,
                                                   connect_timeout=CONNECT_TIMEOUT) as conn:
                db = Db(conn)
                if readonly:
                    version = schema_version(db.conn)
                    if version == 0:
                        raise VanbanError(index.location, "chưa có chỉ mục ở đây (hãy chạy "
                                          "`vanban index` trước)", kind="missing")
                    if version != SCHEMA_VERSION:
                        if version > SCHEMA_VERSION:
                            raise RuntimeError(f"chỉ mục do vanban mới hơn tạo (lược đồ phiên "
                                               f"bản {version}, bản này {SCHEMA_VERSION}); "
                                               "hãy nâng cấp vanban")
                        raise VanbanError(index.location, "chỉ mục do phiên bản vanban khác "
                                          "tạo; hãy chạy `vanban index` để nâng cấp",
                                          kind="schema")
                else:
                    migrate(db.conn)
        except BaseException:
            index.close()
            raise
        return index

    def pool(self) -> ConnectionPool:
        if self._pool is None:
            pool = ConnectionPool(self.url, min_size=1, max_size=POOL_SIZE, open=False,
                                  timeout=CONNECT_TIMEOUT, name="vanban-index",
                                  kwargs={"autocommit": True,
                                          "connect_timeout": CONNECT_TIMEOUT})
            with storage_errors():
                pool.open(wait=True, timeout=CONNECT_TIMEOUT)
            self._pool = pool
        return self._pool

    @contextmanager
    def db(self) -> Iterator[Db]:
        """A pooled connection (autocommit; ``db.transaction()`` for a transaction)."""
        with storage_errors(), self.pool().connection() as conn:
            yield Db(conn)

    @contextmanager
    def snapshot(self) -> Iterator[Db]:
        """A pooled connection in one read-only REPEATABLE READ transaction: every query
        of a search (the facet table's state, matches, counts, ranking, rows) sees the same
        committed index while writers go on. Read one statement at a time instead, a
        search could count more matches of a word than documents stored (BM25's
        logarithm of a negative: an error in the web app) or cache one state's
        answers under another's key."""
        with self.db() as db, db.transaction():
            db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield db

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def stamp(self, path: str) -> Stamp | None:
        with self.db() as db:
            row = db.execute("SELECT sha256, code_version FROM documents WHERE path = ?",
                             (path,)).fetchone()
        return Stamp(row[0], row[1]) if row else None

    def stamps(self) -> dict[str, Stamp]:
        with self.db() as db:
            return {p: Stamp(sha, cv) for p, sha, cv in
                    db.execute("SELECT path, sha256, code_version FROM documents")}

    def store(self, result: dict, text: str, *, path: str | None = None,
              code_version: str | None = None, blocks: Sequence[Block] | None = None,
              resolve: bool = True) -> tuple[int, str]:
        with self.db() as db:
            return index_document(db, result, text, path=path,
                                  code_version=code_version or self.code_version,
                                  blocks=blocks, resolve=resolve)

    def resolve_all(self) -> int:
        """Resolve every reference again (after storing with ``resolve=False``)."""
        from pipeline.index.postgres.store import resolve_all

        with self.db() as db:
            return resolve_all(db)

    def search(self, query: str, filters: Filters | None = None, *, limit: int = 20,
               offset: int = 0, facets: bool = True, owner_facet: bool = False,
               sort: str = "relevance") -> dict:
        from pipeline.index.postgres.search import search  # lazy: numpy, as SQLite's

        with self.snapshot() as db:
            return search(db, query, filters, limit=limit, offset=offset, facets=facets,
                          owner_facet=owner_facet, sort=sort)

    def cites(self, symbol: str) -> dict:
        with self.snapshot() as db:
            return graph.cites(db, symbol)

    def cited_by(self, symbol: str) -> dict:
        with self.snapshot() as db:
            return graph.cited_by(db, symbol)

    def cited_by_document(self, doc_id: int) -> dict:
        with self.snapshot() as db:
            return graph.cited_by_document(db, doc_id)

    def not_held(self, limit: int = 100) -> list[dict]:
        with self.snapshot() as db:
            return graph.not_held(db, limit)

    def document(self, doc_id: int) -> DocumentRecord | None:
        with self.snapshot() as db:
            return views.load_document(db, doc_id)

    def ids(self, paths: Iterable[str]) -> dict[str, int]:
        with self.snapshot() as db:
            return views.ids_of(db, paths)
