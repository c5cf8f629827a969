"""The :class:`~pipeline.index.base.Index` interface over one SQLite file.

Each method is one call into the modules that hold the SQL (:mod:`.store`,
:mod:`.search`, :mod:`.graph`, :mod:`.views`); this class only holds the connection and
turns SQLite's storage errors into :class:`~pipeline.index.base.StoreError`.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pipeline.document.model import Block
from pipeline.index.base import DocumentRecord, Filters, Index, Stamp, StoreError
from pipeline.index.sqlite import graph, views
from pipeline.index.sqlite.store import connect, index_code_version, index_document


def storage_full(exc: BaseException) -> bool:
    """SQLite's way of saying the disk (or the file size limit) is full."""
    text = str(exc).lower()
    return "disk is full" in text or "disk i/o error" in text or "file too large" in text


def storage_reason(exc: BaseException) -> str:
    """SQLite's error as a user reads it: the common cases in Vietnamese, SQLite's own
    text after them."""
    text = str(exc)
    low = text.lower()
    if storage_full(exc):
        return f"ổ đĩa đã đầy hoặc tệp đã tới giới hạn kích thước ({text})"
    if "locked" in low or "busy" in low:
        return f"chỉ mục đang bị tiến trình khác khóa ({text})"
    if "not a database" in low:
        return f"không phải chỉ mục vanban ({text})"
    if "readonly" in low or "read-only" in low:
        return f"không có quyền ghi vào chỉ mục ({text})"
    if "unable to open" in low:
        return f"không mở được tệp chỉ mục ({text})"
    return text


@contextmanager
def storage_errors() -> Iterator[None]:
    """SQLite's operational errors (locked, disk full, I/O) as :class:`StoreError`."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        raise StoreError(storage_reason(exc), full=storage_full(exc)) from exc


class SQLiteIndex(Index):
    """The index in one SQLite file: WAL mode, created and upgraded on a writable open."""

    @property
    def code_version(self) -> str:
        return index_code_version()

    def __init__(self, conn: sqlite3.Connection, location: str) -> None:
        self.conn = conn
        own = conn.execute("PRAGMA database_list").fetchone()[2]
        self.location = own or location
        self.own = own

    @classmethod
    def open(cls, db: str | Path, *, readonly: bool = False) -> SQLiteIndex:
        """Open (create, upgrade) ``db``; ``readonly`` refuses a missing file or an old
        schema (:class:`VanbanError`). A file that is not an index: :class:`StoreError`."""
        try:
            return cls(connect(db, readonly=readonly), str(db))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"không mở được chỉ mục: {storage_reason(exc)}") from exc

    def close(self) -> None:
        self.conn.close()

    def files(self) -> frozenset[str]:
        if not self.own:
            return frozenset()
        return frozenset(self.own + s for s in ("", "-wal", "-shm", "-journal"))

    def stamp(self, path: str) -> Stamp | None:
        with storage_errors():
            row = self.conn.execute("SELECT sha256, code_version FROM documents "
                                    "WHERE path = ?", (path,)).fetchone()
        return Stamp(row[0], row[1]) if row else None

    def stamps(self) -> dict[str, Stamp]:
        with storage_errors():
            return {p: Stamp(sha, cv) for p, sha, cv in
                    self.conn.execute("SELECT path, sha256, code_version FROM documents")}

    def store(self, result: dict, text: str, *, path: str | None = None,
              code_version: str | None = None, blocks: Sequence[Block] | None = None,
              resolve: bool = True) -> tuple[int, str]:
        with storage_errors():
            return index_document(self.conn, result, text, path=path,
                                  code_version=code_version or self.code_version,
                                  blocks=blocks, resolve=resolve)

    def search(self, query: str, filters: Filters | None = None, *, limit: int = 20,
               offset: int = 0, facets: bool = True, owner_facet: bool = False,
               sort: str = "relevance") -> dict:
        # lazy: numpy (0.1 s to load) is the search's alone, not cites' or cited_by's
        from pipeline.index.sqlite.search import search

        return search(self.conn, query, filters, limit=limit, offset=offset,
                      facets=facets, owner_facet=owner_facet, sort=sort)

    def cites(self, symbol: str) -> dict:
        return graph.cites(self.conn, symbol)

    def cited_by(self, symbol: str) -> dict:
        return graph.cited_by(self.conn, symbol)

    def cited_by_document(self, doc_id: int) -> dict:
        return graph.cited_by_document(self.conn, doc_id)

    def not_held(self, limit: int = 100) -> list[dict]:
        return graph.not_held(self.conn, limit)

    def document(self, doc_id: int) -> DocumentRecord | None:
        return views.load_document(self.conn, doc_id)

    def ids(self, paths: Iterable[str]) -> dict[str, int]:
        return views.ids_of(self.conn, paths)
