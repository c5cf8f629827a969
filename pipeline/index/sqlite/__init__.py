"""The SQLite backend of the archive index: one file, WAL mode, FTS5 full-text tables.

:class:`SQLiteIndex` implements :class:`pipeline.index.base.Index`; the modules below
hold all of its SQL: :mod:`.schema` (tables, migrations), :mod:`.store` (open, write one
document), :mod:`.graph` (citations), :mod:`.search` with :mod:`.facets` (search,
filters, facet counts) and :mod:`.views` (a document's page).
"""
from __future__ import annotations

from pipeline.index.sqlite.index import SQLiteIndex
from pipeline.index.sqlite.store import index_code_version

__all__ = ["CODE_VERSION", "SQLiteIndex", "index_code_version"]


def __getattr__(name: str) -> str:
    """``CODE_VERSION``: computed on first use (:func:`index_code_version`)."""
    if name == "CODE_VERSION":
        return index_code_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
