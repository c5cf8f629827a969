"""Rows of one stored document for its web page, and ids of stored paths (SQLite)."""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from pipeline.index.base import DocumentRecord

DOC_FIELDS = ("id", "path", "format", "pages", "doc_type", "number", "symbol", "issuer",
              "issuer_parent", "place", "date", "title", "signer_name", "signer_position",
              "signer_authority", "recipients", "spans", "n_references", "n_tasks",
              "n_findings", "indexed_at", "sha256")


def ids_of(conn: sqlite3.Connection, paths: Iterable[str]) -> dict[str, int]:
    """The document id of each stored path among ``paths``."""
    return dict(conn.execute("SELECT path, id FROM documents WHERE path IN "
                             "(SELECT value FROM json_each(?))",
                             (json.dumps(list(paths), ensure_ascii=False),)))


def load_document(conn: sqlite3.Connection, doc_id: int) -> DocumentRecord | None:
    """Everything stored of ``doc_id`` (see :class:`DocumentRecord`), or None."""
    row = conn.execute(f"SELECT {', '.join(DOC_FIELDS)} FROM documents WHERE id = ?",
                       (doc_id,)).fetchone()
    if row is None:
        return None
    meta = dict(zip(DOC_FIELDS, row, strict=True))
    meta["recipients"] = json.loads(meta["recipients"] or "[]")
    spans = json.loads(meta.pop("spans") or "{}")
    text = conn.execute("SELECT text FROM texts WHERE doc_id = ?", (doc_id,)).fetchone()[0]
    refs = [dict(zip(("seq", "text", "doc_type", "symbol", "date", "issuer", "start", "end",
                      "target_id"), r, strict=True)) for r in conn.execute(
        'SELECT seq, text, doc_type, symbol, date, issuer, start, "end", target_id FROM refs '
        "WHERE doc_id = ? ORDER BY seq", (doc_id,))]
    dates = [dict(zip(("start", "end", "text", "value", "kind", "cue"), r, strict=True))
             for r in conn.execute('SELECT start, "end", text, value, kind, cue FROM dates '
                                   "WHERE doc_id = ? ORDER BY seq", (doc_id,))]
    duties = [dict(zip(("rowid", "task_id", "section", "text", "deadline", "period_start",
                        "period_end", "recurrence", "start", "end"), r, strict=True))
              for r in conn.execute(
        'SELECT id, task_id, section, text, deadline, period_start, period_end, recurrence, '
        'start, "end" FROM tasks WHERE doc_id = ? ORDER BY seq', (doc_id,))]
    owners: dict[int, dict[str, list[str]]] = {}
    for task_rowid, role, owner in conn.execute(
            "SELECT task_rowid, role, owner FROM task_owners WHERE doc_id = ? ORDER BY rowid",
            (doc_id,)):
        owners.setdefault(task_rowid, {"lead": [], "support": []})[role].append(owner)
    findings = [dict(zip(("kind", "message", "text", "start", "end"), r, strict=True))
                for r in conn.execute('SELECT kind, message, text, start, "end" FROM findings '
                                      "WHERE doc_id = ? ORDER BY seq", (doc_id,))]
    blocks = conn.execute('SELECT kind, start, "end", tbl, "row", col FROM blocks '
                          "WHERE doc_id = ? ORDER BY seq", (doc_id,)).fetchall()
    return DocumentRecord(doc_id, meta, spans, text, refs, dates, duties, owners, findings,
                          blocks)
