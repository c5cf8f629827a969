"""The SQLite archive index: one file (default ``outputs/index.db``) of extracted documents.

:func:`connect` opens (creates, upgrades) it; :func:`index_document` stores one result. A
document is identified by its path; storing a path again (other sha256 or other
:func:`index_code_version`) replaces all its rows in one transaction and keeps its id.
Schema and migrations: :mod:`pipeline.index.sqlite.schema`; citation links:
:mod:`pipeline.index.sqlite.graph`; search: :mod:`pipeline.index.sqlite.search`.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from urllib.parse import quote

from pipeline.document.model import Block, VanbanError
from pipeline.document.version import EXTRACTION, code_version
from pipeline.index.base import DEFAULT_DB, store_path
from pipeline.index.keys import name_key, number_key, symbol_key
from pipeline.index.sqlite.graph import doubtful_keys, resolve_references
from pipeline.index.sqlite.schema import (
    SCHEMA_VERSION,
    fts_delete,
    fts_insert,
    migrate,
    schema_version,
)


BUSY_TIMEOUT_MS = 60_000

def _package_version() -> str:
    from importlib import metadata  # lazy: only writing to the index stamps documents

    try:
        return metadata.version("vanban")
    except metadata.PackageNotFoundError:  # pragma: no cover - source checkout only
        return "0"


@cache
def index_code_version() -> str:
    """Package version, index schema version and the extraction's code version: the index
    stores what extraction made, so only an extraction change re-indexes documents.

    Computed on first use, not at import: hashing the extraction's modules takes about
    0.2 s, which the reading commands (``vanban search``, ``cited-by`` …) never need."""
    return f"{_package_version()}+s{SCHEMA_VERSION}.x{code_version(EXTRACTION)[:10]}"


def __getattr__(name: str) -> str:
    """``CODE_VERSION`` (:func:`index_code_version`), still importable by that name."""
    if name == "CODE_VERSION":
        return index_code_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def connect(db: str | Path = DEFAULT_DB, *, readonly: bool = False) -> sqlite3.Connection:
    """Open (and create or upgrade) the index. WAL mode; autocommit, so callers use
    :func:`transaction`. ``readonly`` opens without writing (SQLite's ``mode=ro``) and
    refuses an old schema (VanbanError ``kind="schema"``) and anything that is not an
    index: a directory, a file that is not SQLite, an SQLite file without our tables
    (``kind="not-index"``)."""
    db = Path(db)
    if readonly:
        if not db.exists():
            raise VanbanError(str(db), "chưa có chỉ mục ở đây (hãy chạy `vanban index` trước)",
                              kind="missing")
        if db.is_dir():
            raise VanbanError(str(db), "không phải chỉ mục vanban (là thư mục)", kind="not-index")
        # the path is escaped: a ? # or % in it is part of the name, not of the URI
        conn = sqlite3.connect(f"file:{quote(str(db))}?mode=ro", uri=True,
                               isolation_level=None, check_same_thread=False)
        try:
            version = schema_version(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise VanbanError(str(db), f"không phải chỉ mục vanban ({exc})",
                              kind="not-index") from exc
        if version == 0:  # every index has its schema_version table, from its first write
            conn.close()
            raise VanbanError(str(db), "không phải chỉ mục vanban (không có bảng của vanban)",
                              kind="not-index")
        if version != SCHEMA_VERSION:
            conn.close()
            raise VanbanError(str(db), "chỉ mục do phiên bản vanban khác tạo; hãy chạy "
                              "`vanban index` để nâng cấp", kind="schema")
    else:
        db.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(db), isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    # a writer waits for another's transaction this long: four writers on a loaded
    # machine (bench_index.py beside the test suite) waited past 10 s, and a document
    # stored late is better than one set aside
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA cache_size=-65536")
    conn.execute("PRAGMA temp_store=MEMORY")
    if not readonly:
        migrate(conn)
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE … COMMIT`` (ROLLBACK on error); a savepoint when nested."""
    if conn.in_transaction:
        name = f"sp{id(conn)}_{time.perf_counter_ns()}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield conn
        except BaseException:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
            raise
        conn.execute(f"RELEASE {name}")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


_FTS_TABLES = ("fts_fold", "fts_exact", "titles_fold", "titles_exact", "fts_terms")


@contextmanager
def bulk(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """For loading many documents: FTS5 segment merging is switched off while inside and
    the indexes are merged once at the end ('optimize'), about 1.5× faster to load."""
    for t in _FTS_TABLES:
        conn.execute(f"INSERT INTO {t}({t}, rank) VALUES ('automerge', 0)")
    try:
        yield conn
    finally:
        for t in _FTS_TABLES:
            conn.execute(f"INSERT INTO {t}({t}) VALUES ('optimize')")
            conn.execute(f"INSERT INTO {t}({t}, rank) VALUES ('automerge', 4)")


def _year(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None


def _delete_rows(conn: sqlite3.Connection, doc_id: int) -> None:
    old = conn.execute("SELECT d.title, t.text FROM documents d JOIN texts t ON t.doc_id = d.id "
                       "WHERE d.id = ?", (doc_id,)).fetchone()
    if old:
        fts_delete(conn, doc_id, old[0], old[1])
    for table in ("texts", "blocks", "refs", "tasks", "task_owners", "findings", "dates",
                  "doc_owners"):
        conn.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))


def effective_refs(refs: list[dict]) -> list[tuple[str | None, str | None]]:
    """(symbol key, date) of each reference, a short repeat taking its antecedent's."""
    out: list[tuple[str | None, str | None]] = []
    for r in refs:
        key, date = symbol_key(r.get("symbol")), r.get("date")
        a = r.get("antecedent")
        if isinstance(a, int) and 0 <= a < len(out):
            key = key or out[a][0]
            date = date or out[a][1]
        out.append((key, date))
    return out


def max_deadline(tasks: list[dict]) -> str | None:
    ends = [t.get("deadline") for t in tasks]
    ends += [(t.get("period") or {}).get("end") for t in tasks]
    ends = [e for e in ends if e]
    return max(ends) if ends else None


def _insert_children(conn: sqlite3.Connection, doc_id: int, result: dict,
                     blocks: Sequence[Block] | None) -> None:
    if blocks:
        conn.executemany(
            'INSERT INTO blocks(doc_id, seq, kind, start, "end", page, tbl, "row", col) '
            "VALUES (?,?,?,?,?,?,?,?,?)",
            [(doc_id, i, b.kind, b.start, b.end, b.page, b.table, b.row, b.col)
             for i, b in enumerate(blocks)])
    refs = result.get("references") or []
    eff = effective_refs(refs)
    conn.executemany(
        "INSERT INTO refs(doc_id, seq, text, doc_type, number, number_key, symbol, symbol_key, "
        'date, date_eff, issuer, title, title_key, start, "end", antecedent) '
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(doc_id, i, r.get("text") or "", r.get("doc_type"), r.get("number"),
          number_key(r.get("number")), r.get("symbol"), eff[i][0], r.get("date"), eff[i][1],
          r.get("issuer"), r.get("title"),
          name_key(f"{r.get('doc_type') or ''} {r['title']}") if r.get("title") else None,
          r.get("start"), r.get("end"), r.get("antecedent")) for i, r in enumerate(refs)])
    owners: dict[str, str] = {}
    for i, t in enumerate(result.get("tasks") or []):
        period = t.get("period") or {}
        cur = conn.execute(
            "INSERT INTO tasks(doc_id, seq, task_id, section, text, deadline, period_start, "
            'period_end, recurrence, start, "end", source) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
            (doc_id, i, t.get("id"), t.get("section"), t.get("text") or "", t.get("deadline"),
             period.get("start"), period.get("end"), t.get("recurrence"), t.get("start"),
             t.get("end"), t.get("source")))
        rows = [(cur.lastrowid, doc_id, role, o, name_key(o) or o)
                for role in ("lead", "support") for o in (t.get(role) or []) if o]
        conn.executemany("INSERT INTO task_owners(task_rowid, doc_id, role, owner, owner_key) "
                         "VALUES (?,?,?,?,?)", rows)
        for _, _, _, o, k in rows:
            owners.setdefault(k, o)
    conn.executemany("INSERT INTO doc_owners(doc_id, owner_key, owner) VALUES (?,?,?)",
                     [(doc_id, k, o) for k, o in owners.items()])
    conn.executemany(
        'INSERT INTO findings(doc_id, seq, kind, message, text, start, "end") '
        "VALUES (?,?,?,?,?,?,?)",
        [(doc_id, i, f.get("kind") or "", f.get("message"), f.get("text"), f.get("start"),
          f.get("end")) for i, f in enumerate(result.get("findings") or [])])
    conn.executemany(
        'INSERT INTO dates(doc_id, seq, start, "end", text, value, kind, cue) '
        "VALUES (?,?,?,?,?,?,?,?)",
        [(doc_id, i, d.get("start"), d.get("end"), d.get("text"), d.get("value"),
          d.get("kind"), d.get("cue")) for i, d in enumerate(result.get("dates") or [])])


_DOC_COLUMNS = ("path", "sha256", "code_version", "format", "pages", "doc_type", "number",
                "number_key", "symbol", "symbol_key", "issuer", "issuer_key", "issuer_parent",
                "place", "date", "year", "title", "signer_name", "signer_position",
                "signer_authority", "recipients", "spans", "n_references", "n_tasks",
                "n_findings", "max_deadline", "indexed_at")


def index_document(conn: sqlite3.Connection, result: dict, text: str, *,
                   path: str | None = None, code_version: str | None = None,
                   blocks: Sequence[Block] | None = None, resolve: bool = True
                   ) -> tuple[int, str]:
    """Store one ``vanban.document/1`` result and its normalised ``text``, replacing any
    earlier rows of the same path, in one transaction (a savepoint inside a caller's).
    ``code_version`` defaults to :func:`index_code_version`. Returns
    ``(document id, "new" | "changed")``."""
    src = result.get("source") or {}
    meta = result.get("metadata") or {}
    signer = meta.get("signer") or {}
    tasks = result.get("tasks") or []
    if not (path or src.get("path")):
        raise ValueError("index_document needs a path (argument or source.path)")
    path = store_path(path or src.get("path"))
    values = {
        "path": path, "sha256": src.get("sha256") or hashlib.sha256(text.encode()).hexdigest(),
        "code_version": code_version or index_code_version(), "format": src.get("format"),
        "pages": src.get("pages"),
        "doc_type": meta.get("doc_type"), "number": meta.get("number"),
        "number_key": number_key(meta.get("number")), "symbol": meta.get("symbol"),
        "symbol_key": symbol_key(meta.get("symbol")), "issuer": meta.get("issuer"),
        "issuer_key": name_key(meta.get("issuer")), "issuer_parent": meta.get("issuer_parent"),
        "place": meta.get("place"), "date": meta.get("date"), "year": _year(meta.get("date")),
        "title": meta.get("title"), "signer_name": signer.get("name"),
        "signer_position": signer.get("position"), "signer_authority": signer.get("authority"),
        "recipients": json.dumps(meta.get("recipients") or [], ensure_ascii=False),
        "spans": json.dumps(meta.get("spans") or {}, ensure_ascii=False),
        "n_references": len(result.get("references") or []), "n_tasks": len(tasks),
        "n_findings": len(result.get("findings") or []), "max_deadline": max_deadline(tasks),
        "indexed_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    with transaction(conn):
        old = conn.execute("SELECT id, symbol_key FROM documents WHERE path = ?",
                           (path,)).fetchone()
        cols = ", ".join(f'"{c}"' for c in _DOC_COLUMNS)
        marks = ", ".join("?" for _ in _DOC_COLUMNS)
        if old:
            doc_id, status = int(old[0]), "changed"
            _delete_rows(conn, doc_id)
            sets = ", ".join(f'"{c}" = ?' for c in _DOC_COLUMNS)
            conn.execute(f"UPDATE documents SET {sets} WHERE id = ?",
                         [values[c] for c in _DOC_COLUMNS] + [doc_id])
        else:
            status = "new"
            cur = conn.execute(f"INSERT INTO documents({cols}) VALUES ({marks})",
                               [values[c] for c in _DOC_COLUMNS])
            doc_id = int(cur.lastrowid)
        conn.execute("INSERT INTO texts(doc_id, text) VALUES (?, ?)", (doc_id, text))
        _insert_children(conn, doc_id, result, blocks)
        fts_insert(conn, doc_id, meta.get("title"), text)
        if resolve:
            keys = {k for k in (old[1] if old else None, values["symbol_key"]) if k}
            keys |= doubtful_keys(conn, doc_id)  # references that may mean a misread number
            resolve_references(conn, doc_ids=[doc_id], keys=keys)
        conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
    return doc_id, status
