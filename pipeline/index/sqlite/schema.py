"""The index schema as an ordered list of migrations, and the code that applies them.

``schema_version`` holds one row per applied step. A database made by an older vanban is
brought up to date by :func:`migrate` on open; each step runs in its own transaction, so
a failed step leaves the database at the previous version. Never edit a released step:
append a new one.

Full-text search uses two contentless FTS5 tables over the same rows (rowid = document
id), columns ``title`` and ``body``:

- ``fts_fold``: text with đ/Đ → d/D (:func:`pipeline.index.terms.index_fold`), tokenizer
  ``unicode61 remove_diacritics 2``: accent-insensitive matching;
- ``fts_exact``: text as written, ``remove_diacritics 0``: exact-accent matching, used to
  rank documents that match the accents the user typed first.

A third, ``fts_terms`` (``detail=none``: row ids only, no positions), lists each
document's distinct words and distinct pairs of adjacent words (``_binh_dang``), folded by
:func:`pipeline.index.terms.term_words`. It answers "which documents match" — the count,
facets and paging of a search — reading a few bytes per document instead of every
position of every word: a phrase becomes the AND of its word pairs (exact for two words,
a close superset for more; :mod:`pipeline.index.sqlite.search` checks longer phrases
against ``fts_fold`` when that is cheap).

Contentless tables keep only the index; a row is removed by giving back the values it was
indexed with (``'delete'``), which the store does from ``texts``. Changing
what :mod:`pipeline.index.terms` gives therefore needs a new migration that rebuilds the
tables (:func:`rebuild_fts`).
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.index.terms import doc_terms, index_fold


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]
    after: Callable[[sqlite3.Connection], None] | None = None


_V1 = (
    """CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        sha256 TEXT NOT NULL,
        code_version TEXT NOT NULL,
        format TEXT, pages INTEGER,
        doc_type TEXT, number TEXT, number_key TEXT, symbol TEXT, symbol_key TEXT,
        issuer TEXT, issuer_key TEXT, issuer_parent TEXT, place TEXT,
        date TEXT, year INTEGER, title TEXT,
        signer_name TEXT, signer_position TEXT, signer_authority TEXT,
        recipients TEXT, spans TEXT,
        n_references INTEGER NOT NULL DEFAULT 0, n_tasks INTEGER NOT NULL DEFAULT 0,
        n_findings INTEGER NOT NULL DEFAULT 0,
        indexed_at TEXT NOT NULL)""",
    "CREATE INDEX documents_symbol ON documents(symbol_key)",
    "CREATE INDEX documents_type_number ON documents(doc_type, number_key)",
    "CREATE INDEX documents_number ON documents(number_key)",
    "CREATE INDEX documents_issuer ON documents(issuer_key)",
    "CREATE INDEX documents_year ON documents(year)",
    "CREATE TABLE texts (doc_id INTEGER PRIMARY KEY, text TEXT NOT NULL)",
    """CREATE TABLE blocks (
        doc_id INTEGER NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        page INTEGER, tbl INTEGER, "row" INTEGER, col INTEGER,
        PRIMARY KEY (doc_id, seq)) WITHOUT ROWID""",
    """CREATE TABLE refs (
        id INTEGER PRIMARY KEY,
        doc_id INTEGER NOT NULL, seq INTEGER NOT NULL,
        text TEXT NOT NULL, doc_type TEXT, number TEXT, number_key TEXT,
        symbol TEXT, symbol_key TEXT, date TEXT, date_eff TEXT,
        issuer TEXT, title TEXT, title_key TEXT,
        start INTEGER, "end" INTEGER, antecedent INTEGER,
        target_id INTEGER)""",
    "CREATE INDEX refs_doc ON refs(doc_id)",
    "CREATE INDEX refs_symbol ON refs(symbol_key)",
    "CREATE INDEX refs_type_number ON refs(number_key, doc_type)",
    "CREATE INDEX refs_title ON refs(title_key) WHERE title_key IS NOT NULL",
    "CREATE INDEX refs_target ON refs(target_id)",
    """CREATE TABLE tasks (
        id INTEGER PRIMARY KEY,
        doc_id INTEGER NOT NULL, seq INTEGER NOT NULL,
        task_id TEXT, section TEXT, text TEXT NOT NULL,
        deadline TEXT, period_start TEXT, period_end TEXT, recurrence TEXT,
        start INTEGER, "end" INTEGER, source TEXT)""",
    "CREATE INDEX tasks_doc ON tasks(doc_id)",
    "CREATE INDEX tasks_deadline ON tasks(deadline)",
    """CREATE TABLE task_owners (
        task_rowid INTEGER NOT NULL, doc_id INTEGER NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('lead', 'support')),
        owner TEXT NOT NULL, owner_key TEXT NOT NULL)""",
    "CREATE INDEX task_owners_task ON task_owners(task_rowid)",
    "CREATE INDEX task_owners_doc ON task_owners(doc_id)",
    "CREATE INDEX task_owners_owner ON task_owners(owner_key, doc_id)",
    """CREATE TABLE findings (
        id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL, seq INTEGER NOT NULL,
        kind TEXT NOT NULL, message TEXT, text TEXT, start INTEGER, "end" INTEGER)""",
    "CREATE INDEX findings_doc ON findings(doc_id)",
    """CREATE TABLE dates (
        doc_id INTEGER NOT NULL, seq INTEGER NOT NULL,
        start INTEGER, "end" INTEGER, text TEXT, value TEXT, kind TEXT, cue TEXT,
        PRIMARY KEY (doc_id, seq)) WITHOUT ROWID""",
)

_V2 = (
    """CREATE VIRTUAL TABLE fts_fold USING fts5(title, body, content='',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE VIRTUAL TABLE fts_exact USING fts5(title, body, content='',
        tokenize='unicode61 remove_diacritics 0')""",
    "INSERT INTO fts_fold(fts_fold, rank) VALUES ('rank', 'bm25(4.0, 1.0)')",
    "INSERT INTO fts_exact(fts_exact, rank) VALUES ('rank', 'bm25(4.0, 1.0)')",
)

_V3 = (
    # latest deadline (or end of a period) of the document's duties: the "open duties" filter
    "ALTER TABLE documents ADD COLUMN max_deadline TEXT",
    """UPDATE documents SET max_deadline = (
        SELECT max(max(coalesce(deadline, ''), coalesce(period_end, '')))
        FROM tasks WHERE tasks.doc_id = documents.id)""",
    "UPDATE documents SET max_deadline = NULL WHERE max_deadline = ''",
    "CREATE INDEX documents_deadline ON documents(max_deadline)",
    """CREATE TABLE doc_owners (
        doc_id INTEGER NOT NULL, owner_key TEXT NOT NULL, owner TEXT NOT NULL,
        PRIMARY KEY (owner_key, doc_id)) WITHOUT ROWID""",
    "CREATE INDEX doc_owners_doc ON doc_owners(doc_id)",
    """INSERT OR IGNORE INTO doc_owners(doc_id, owner_key, owner)
        SELECT doc_id, owner_key, min(owner) FROM task_owners GROUP BY doc_id, owner_key""",
)


_V4 = (
    # titles alone: ranking for queries that match a large share of the archive
    """CREATE VIRTUAL TABLE titles_fold USING fts5(title, content='',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE VIRTUAL TABLE titles_exact USING fts5(title, content='',
        tokenize='unicode61 remove_diacritics 0')""",
)


_V5 = (
    # citing documents straight from an index, in document order; browsing by date
    "CREATE INDEX refs_symbol_doc ON refs(symbol_key, doc_id)",
    "CREATE INDEX refs_number_doc ON refs(number_key, doc_type, doc_id)",
    "DROP INDEX refs_symbol",
    "DROP INDEX refs_type_number",
    "CREATE INDEX documents_date ON documents(date)",
)


_V6 = (
    # bumped by every write, so readers can tell that cached search state is stale
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
    "INSERT INTO meta(key, value) VALUES ('generation', 1)",
)


_V7 = (
    # covering indexes: who cites a symbol is answered from the index alone
    "CREATE INDEX refs_symbol_cover ON refs(symbol_key, doc_id, target_id, date, symbol)",
    "CREATE INDEX refs_number_cover ON refs(number_key, doc_type, doc_id, target_id, date, "
    "symbol, symbol_key)",
    "DROP INDEX refs_symbol_doc",
    "DROP INDEX refs_number_doc",
)


_V8 = (
    # which documents match, without positions: counts, facets and paging of big result sets
    """CREATE VIRTUAL TABLE fts_terms USING fts5(terms, content='', detail=none,
        prefix='3 4', tokenize="unicode61 remove_diacritics 0 tokenchars '_'")""",
)


def _fill_terms(conn: sqlite3.Connection) -> None:
    for doc_id, title, text in conn.execute("SELECT d.id, d.title, t.text FROM documents d "
                                            "JOIN texts t ON t.doc_id = d.id"):  # streamed
        conn.execute("INSERT INTO fts_terms(rowid, terms) VALUES (?, ?)",
                     (doc_id, doc_terms(title, text)))


def _fill_titles(conn: sqlite3.Connection) -> None:
    for doc_id, title in conn.execute("SELECT id, title FROM documents WHERE title IS NOT NULL "
                                      "AND title != ''").fetchall():
        conn.execute("INSERT INTO titles_fold(rowid, title) VALUES (?, ?)",
                     (doc_id, index_fold(title)))
        conn.execute("INSERT INTO titles_exact(rowid, title) VALUES (?, ?)", (doc_id, title))


def fts_insert(conn: sqlite3.Connection, doc_id: int, title: str | None, text: str,
               titles: bool = True, terms: bool = True) -> None:
    conn.execute("INSERT INTO fts_fold(rowid, title, body) VALUES (?, ?, ?)",
                 (doc_id, index_fold(title or ""), index_fold(text)))
    conn.execute("INSERT INTO fts_exact(rowid, title, body) VALUES (?, ?, ?)",
                 (doc_id, title or "", text))
    if title and titles:
        conn.execute("INSERT INTO titles_fold(rowid, title) VALUES (?, ?)",
                     (doc_id, index_fold(title)))
        conn.execute("INSERT INTO titles_exact(rowid, title) VALUES (?, ?)", (doc_id, title))
    if terms:
        conn.execute("INSERT INTO fts_terms(rowid, terms) VALUES (?, ?)",
                     (doc_id, doc_terms(title, text)))


def fts_delete(conn: sqlite3.Connection, doc_id: int, title: str | None, text: str) -> None:
    """Remove a row from both FTS tables; ``title``/``text`` must be what was indexed."""
    conn.execute("INSERT INTO fts_fold(fts_fold, rowid, title, body) VALUES ('delete', ?, ?, ?)",
                 (doc_id, index_fold(title or ""), index_fold(text)))
    conn.execute("INSERT INTO fts_exact(fts_exact, rowid, title, body) "
                 "VALUES ('delete', ?, ?, ?)", (doc_id, title or "", text))
    if title:
        conn.execute("INSERT INTO titles_fold(titles_fold, rowid, title) VALUES ('delete', ?, ?)",
                     (doc_id, index_fold(title)))
        conn.execute("INSERT INTO titles_exact(titles_exact, rowid, title) "
                     "VALUES ('delete', ?, ?)", (doc_id, title))
    if _has(conn, "fts_terms"):
        conn.execute("INSERT INTO fts_terms(fts_terms, rowid, terms) VALUES ('delete', ?, ?)",
                     (doc_id, doc_terms(title, text)))


def _has(conn: sqlite3.Connection, table: str) -> bool:
    return bool(conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone())


def rebuild_fts(conn: sqlite3.Connection) -> None:
    """Empty the FTS tables and index every stored text (and title) again."""
    conn.execute("INSERT INTO fts_fold(fts_fold) VALUES ('delete-all')")
    conn.execute("INSERT INTO fts_exact(fts_exact) VALUES ('delete-all')")
    titles = _has(conn, "titles_fold")
    terms = _has(conn, "fts_terms")
    if titles:
        conn.execute("INSERT INTO titles_fold(titles_fold) VALUES ('delete-all')")
        conn.execute("INSERT INTO titles_exact(titles_exact) VALUES ('delete-all')")
    if terms:
        conn.execute("INSERT INTO fts_terms(fts_terms) VALUES ('delete-all')")
    rows = conn.execute("SELECT d.id, d.title, t.text FROM documents d "
                        "JOIN texts t ON t.doc_id = d.id")  # streamed: texts can be gigabytes
    for doc_id, title, text in rows:
        fts_insert(conn, doc_id, title, text, titles=titles, terms=terms)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "documents, texts, blocks, references, duties, owners, findings, dates", _V1),
    Migration(2, "full-text tables: accent-folded and exact", _V2, after=rebuild_fts),
    Migration(3, "latest duty deadline per document; distinct owners per document", _V3),
    Migration(4, "title-only full-text tables", _V4, after=_fill_titles),
    Migration(5, "indexes for citing documents and for browsing by date", _V5),
    Migration(6, "generation counter of the index contents", _V6),
    Migration(7, "covering indexes for citation look-ups", _V7),
    Migration(8, "document-level word and word-pair index (no positions)", _V8,
              after=_fill_terms),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


def schema_version(conn: sqlite3.Connection) -> int:
    """The highest applied migration, 0 for an empty database."""
    has = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'"
                       ).fetchone()
    if not has:
        return 0
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(conn: sqlite3.Connection, upto: int | None = None) -> list[int]:
    """Apply the migrations after the database's version (up to ``upto``); returns the
    versions applied. ``conn`` must be in autocommit mode (``isolation_level=None``)."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                 "description TEXT NOT NULL, applied_at TEXT NOT NULL "
                 "DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now')))")
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise RuntimeError(f"chỉ mục do vanban mới hơn tạo (lược đồ phiên bản {current}, "
                           f"vanban này đọc tới {SCHEMA_VERSION}); hãy nâng cấp vanban")
    applied: list[int] = []
    for m in MIGRATIONS:
        if m.version <= current or (upto is not None and m.version > upto):
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            for stmt in m.statements:
                conn.execute(stmt)
            if m.after:
                m.after(conn)
            conn.execute("INSERT INTO schema_version(version, description) VALUES (?, ?)",
                         (m.version, m.description))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(m.version)
    return applied
