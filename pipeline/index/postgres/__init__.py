"""The PostgreSQL backend of the archive index: a database named by a URL
(``postgresql://user@host/db``), several writers at once.

:class:`PostgresIndex` implements :class:`pipeline.index.base.Index`; the modules below
hold its SQL: :mod:`.schema` (tables, migrations under an advisory lock), :mod:`.db` (the
connection, SQLite's dialect translated, storage errors), :mod:`.store` (write one
document), :mod:`.graph` (citations), :mod:`.search` with :mod:`.facets` and
:mod:`.matching` (search, filters, facet counts) and :mod:`.views` (a document's page).
Imported only when an index URL names PostgreSQL: SQLite users never load psycopg.
"""
from __future__ import annotations

from pipeline.index.postgres.index import PostgresIndex, is_url

__all__ = ["PostgresIndex", "is_url"]
