"""Copy an SQLite archive index into another index (PostgreSQL, say) without extracting
anything again: ``vanban index --db postgresql://… --from outputs/index.db``.

:meth:`Index.document` (:class:`~pipeline.index.base.DocumentRecord`) is what a web page
needs, not what :meth:`Index.store` takes: it lacks the references' numbers, titles and
antecedents, the duties' sources, the blocks' pages and the code-version stamp. So the
stored result is rebuilt here from the SQLite tables themselves
(:mod:`pipeline.index.sqlite.schema`, written by :mod:`pipeline.index.sqlite.store`): every
field the store reads from a ``vanban.document/1`` result, the normalised text, the
layout blocks, the path and the stamp (sha256, code version). It is written through the
backend-neutral :meth:`Index.store`, one transaction per document, so the target builds
its own search tables and citation links.

A document the target already holds with the same stamp is skipped: a copy stopped
halfway is finished by running it again.
"""
from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.document.model import Block
from pipeline.index.base import Index, Stamp, StoreError


@dataclass
class Stored:
    """One document as the SQLite index holds it, ready for :meth:`Index.store`."""

    path: str
    sha256: str
    code_version: str
    result: dict[str, Any]
    text: str
    blocks: list[Block]


_DOC = ("id", "path", "sha256", "code_version", "format", "pages", "doc_type", "number",
        "symbol", "issuer", "issuer_parent", "place", "date", "title", "signer_name",
        "signer_position", "signer_authority", "recipients", "spans")


def _rows(conn: sqlite3.Connection, sql: str, doc_id: int) -> list[sqlite3.Row]:
    return conn.execute(sql, (doc_id,)).fetchall()


def _tasks(conn: sqlite3.Connection, doc_id: int) -> list[dict[str, Any]]:
    owners: dict[int, dict[str, list[str]]] = {}
    for task_rowid, role, owner in conn.execute(
            "SELECT task_rowid, role, owner FROM task_owners WHERE doc_id = ? ORDER BY rowid",
            (doc_id,)):
        owners.setdefault(task_rowid, {"lead": [], "support": []})[role].append(owner)
    out = []
    for r in _rows(conn, 'SELECT id, task_id, section, text, deadline, period_start, '
                   'period_end, recurrence, start, "end", source FROM tasks WHERE doc_id = ? '
                   "ORDER BY seq", doc_id):
        who = owners.get(r["id"], {"lead": [], "support": []})
        period = ({"start": r["period_start"], "end": r["period_end"]}
                  if r["period_start"] is not None or r["period_end"] is not None else None)
        out.append({"id": r["task_id"], "section": r["section"], "text": r["text"],
                    "deadline": r["deadline"], "period": period, "recurrence": r["recurrence"],
                    "start": r["start"], "end": r["end"], "source": r["source"],
                    "lead": who["lead"], "support": who["support"]})
    return out


def read_document(conn: sqlite3.Connection, doc: sqlite3.Row) -> Stored:
    """The stored result of one ``documents`` row (``doc``: the columns of ``_DOC``)."""
    doc_id = doc["id"]
    text_row = conn.execute("SELECT text FROM texts WHERE doc_id = ?", (doc_id,)).fetchone()
    text = text_row[0] if text_row else ""
    meta = {"doc_type": doc["doc_type"], "number": doc["number"], "symbol": doc["symbol"],
            "issuer": doc["issuer"], "issuer_parent": doc["issuer_parent"],
            "place": doc["place"], "date": doc["date"], "title": doc["title"],
            "signer": {"name": doc["signer_name"], "position": doc["signer_position"],
                       "authority": doc["signer_authority"]},
            "recipients": json.loads(doc["recipients"] or "[]"),
            "spans": json.loads(doc["spans"] or "{}")}
    refs = [{"text": r["text"], "doc_type": r["doc_type"], "number": r["number"],
             "symbol": r["symbol"], "date": r["date"], "issuer": r["issuer"],
             "title": r["title"], "start": r["start"], "end": r["end"],
             "antecedent": r["antecedent"]}
            for r in _rows(conn, 'SELECT text, doc_type, number, symbol, date, issuer, title, '
                           'start, "end", antecedent FROM refs WHERE doc_id = ? ORDER BY seq',
                           doc_id)]
    findings = [dict(r) for r in _rows(conn, 'SELECT kind, message, text, start, "end" '
                                       "FROM findings WHERE doc_id = ? ORDER BY seq", doc_id)]
    dates = [dict(r) for r in _rows(conn, 'SELECT start, "end", text, value, kind, cue '
                                    "FROM dates WHERE doc_id = ? ORDER BY seq", doc_id)]
    blocks = [Block(r["kind"], text[r["start"]:r["end"]], r["start"], r["end"], r["page"],
                    r["tbl"], r["row"], r["col"])
              for r in _rows(conn, 'SELECT kind, start, "end", page, tbl, "row", col '
                             "FROM blocks WHERE doc_id = ? ORDER BY seq", doc_id)]
    result = {"schema": "vanban.document/1",
              "source": {"path": doc["path"], "sha256": doc["sha256"], "format": doc["format"],
                         "pages": doc["pages"]},
              "metadata": meta, "references": refs, "tasks": _tasks(conn, doc_id),
              "findings": findings, "dates": dates}
    return Stored(doc["path"], doc["sha256"], doc["code_version"], result, text, blocks)


def connect_source(db: str | Path) -> sqlite3.Connection:
    """The SQLite index ``db`` read-only (:class:`VanbanError` when it is missing, not an
    index or of an older schema: open it writable once to upgrade it)."""
    from pipeline.index.sqlite.store import connect

    conn = connect(db, readonly=True)
    conn.row_factory = sqlite3.Row
    return conn


def read_sqlite(db: str | Path | sqlite3.Connection) -> Iterator[Stored]:
    """Every document of the SQLite index ``db``, in id order."""
    conn = db if isinstance(db, sqlite3.Connection) else connect_source(db)
    try:
        ids = [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY id")]
        for doc_id in ids:
            doc = conn.execute(f"SELECT {', '.join(_DOC)} FROM documents WHERE id = ?",
                               (doc_id,)).fetchone()
            if doc is not None:  # deleted meanwhile
                yield read_document(conn, doc)
    finally:
        if not isinstance(db, sqlite3.Connection):
            conn.close()


@dataclass
class CopySummary:
    source: str
    target: str
    copied: int = 0
    current: int = 0  # already in the target with the same stamp
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def describe(self) -> str:
        """The closing line, in Vietnamese."""
        secs = f"{self.seconds:.1f}".replace(".", ",")
        line = (f"Đã chép {self.copied} văn bản từ {self.source} sang {self.target} "
                f"({self.current} đã có sẵn, {len(self.failed)} lỗi) trong {secs} giây")
        return "\n".join([line] + [f"  lỗi: {p}: {why}" for p, why in self.failed])


Progress = Callable[[int, int, str], None]  # (done, total, path)


def copy_index(source: str | Path, target: Index, *, progress: Progress | None = None,
               target_name: str | None = None) -> CopySummary:
    """Copy every document of the SQLite index ``source`` into ``target``, keeping each
    one's path, text, blocks and stamp (sha256, code version). A stamp equal to the
    SQLite index's own current code version (made by this very extraction) becomes the
    target's current code version, so the copies count as up to date there; an older
    one is kept as it is (the next ``vanban index`` redoes those documents). Documents
    the target holds with that stamp already are skipped. A document that cannot be
    stored is counted in ``failed``; a full disk stops the copy (:class:`StoreError`)."""
    from pipeline.index.sqlite.store import index_code_version

    t0 = time.perf_counter()
    summary = CopySummary(str(source), target_name or target.location)
    conn = connect_source(source)
    here = index_code_version()
    try:
        total = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        have = target.stamps()
        for i, doc in enumerate(read_sqlite(conn), 1):
            stamp = doc.code_version if doc.code_version != here else target.code_version
            if have.get(doc.path) == Stamp(doc.sha256, stamp):
                summary.current += 1
            else:
                try:
                    target.store(doc.result, doc.text, path=doc.path, code_version=stamp,
                                 blocks=doc.blocks)
                    summary.copied += 1
                except StoreError as exc:
                    if exc.full:
                        raise
                    summary.failed.append((doc.path, str(exc)))
            if progress:
                progress(i, total, doc.path)
    finally:
        conn.close()
    summary.seconds = time.perf_counter() - t0
    return summary
