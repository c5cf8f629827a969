"""Rows of one stored document for its web page, and ids of stored paths (PostgreSQL)."""
from __future__ import annotations

import json
from collections.abc import Iterable

from pipeline.index.base import DocumentRecord
from pipeline.index.postgres.db import Db
from pipeline.index.sqlite.views import DOC_FIELDS


def ids_of(db: Db, paths: Iterable[str]) -> dict[str, int]:
    """The document id of each stored path among ``paths``."""
    return {p: int(i) for p, i in db.execute(
        "SELECT path, id FROM documents WHERE path = ANY(?)", (list(paths),))}


def load_document(db: Db, doc_id: int) -> DocumentRecord | None:
    """Everything stored of ``doc_id`` (see :class:`DocumentRecord`), or None."""
    row = db.execute(f"SELECT {', '.join(DOC_FIELDS)} FROM documents WHERE id = ?",
                     (doc_id,)).fetchone()
    if row is None:
        return None
    meta = dict(zip(DOC_FIELDS, row, strict=True))
    meta["id"] = int(meta["id"])
    meta["recipients"] = json.loads(meta["recipients"] or "[]")
    spans = json.loads(meta.pop("spans") or "{}")
    text = db.execute("SELECT text FROM texts WHERE doc_id = ?", (doc_id,)).fetchone()[0]
    refs = [dict(zip(("seq", "text", "doc_type", "symbol", "date", "issuer", "start", "end",
                      "target_id"), r, strict=True)) for r in db.execute(
        'SELECT seq, text, doc_type, symbol, date, issuer, start, "end", target_id FROM refs '
        "WHERE doc_id = ? ORDER BY seq", (doc_id,))]
    dates = [dict(zip(("start", "end", "text", "value", "kind", "cue"), r, strict=True))
             for r in db.execute('SELECT start, "end", text, value, kind, cue FROM dates '
                                 "WHERE doc_id = ? ORDER BY seq", (doc_id,))]
    duties = [dict(zip(("rowid", "task_id", "section", "text", "deadline", "period_start",
                        "period_end", "recurrence", "start", "end"), r, strict=True))
              for r in db.execute(
        'SELECT id, task_id, section, text, deadline, period_start, period_end, recurrence, '
        'start, "end" FROM tasks WHERE doc_id = ? ORDER BY seq', (doc_id,))]
    owners: dict[int, dict[str, list[str]]] = {}
    for task_rowid, role, owner in db.execute(
            "SELECT task_rowid, role, owner FROM task_owners WHERE doc_id = ? ORDER BY id",
            (doc_id,)):
        owners.setdefault(task_rowid, {"lead": [], "support": []})[role].append(owner)
    findings = [dict(zip(("kind", "message", "text", "start", "end"), r, strict=True))
                for r in db.execute('SELECT kind, message, text, start, "end" FROM findings '
                                    "WHERE doc_id = ? ORDER BY seq", (doc_id,))]
    blocks = [tuple(b) for b in db.execute('SELECT kind, start, "end", tbl, "row", col '
                                           "FROM blocks WHERE doc_id = ? ORDER BY seq",
                                           (doc_id,))]
    return DocumentRecord(doc_id, meta, spans, text, refs, dates, duties, owners, findings,
                          blocks)
