"""Writing one document into the PostgreSQL index, as :mod:`pipeline.index.sqlite.store`
does into SQLite: a document is identified by its path; storing a path again replaces
all its rows in one transaction and keeps its id.

Many writers at once: the transaction first takes an advisory lock on the path (two
workers storing one document take turns: one copy, the second replaces the first), then
on the symbols the document carries (exclusive) or cites (shared; :func:`lock_symbols`),
so that a document and one citing it, stored at the same time, are still linked.
``INSERT … ON CONFLICT (path)`` keeps one row per path whatever happens. A deadlock or
serialization failure runs the transaction again. Keys longer than :data:`KEY_MAX` and
words longer than :data:`TERM_MAX` (garbled text only) are cut or left out: an index
entry of PostgreSQL has a size limit that SQLite's have not.
"""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence

from pipeline.document.model import Block
from pipeline.index.base import store_path
from pipeline.index.keys import name_key, number_key, symbol_key
from pipeline.index.postgres.db import RETRY, Db
from pipeline.index.postgres.graph import doubtful_keys, resolve_references
from pipeline.index.postgres.schema import text_columns
from pipeline.index.sqlite.citedocs import symbol_parts
from pipeline.index.sqlite.store import effective_refs, index_code_version, max_deadline

PATH_LOCK = 7392  # pg_advisory_xact_lock(PATH_LOCK, hashtext(path))
SYMBOL_LOCK = 7393  # pg_advisory_xact_lock(SYMBOL_LOCK, hashtext(family)): citations
ATTEMPTS = 8
KEY_MAX = 300  # characters of a stored key (symbol, number, issuer, owner): an index
# entry must stay under PostgreSQL's ~2,700 bytes; only garbled text is longer
# words and pairs longer than schema.TERM_MAX bytes (garbled text) are left out of the
# word arrays (a GIN entry has a limit too), so they are not found


def capped(value: str | None) -> str | None:
    return value[:KEY_MAX] if value and len(value) > KEY_MAX else value


def array_literal(terms: list[str]) -> str:
    """``terms`` as PostgreSQL's text form of a ``text[]`` (``{"a","_a_b"}``): words and
    pairs are letters, digits and ``_`` only, so quoting each is all it takes. psycopg's
    own list dumper took 4 ms an array, a third of storing a long document."""
    return '{"' + '","'.join(terms) + '"}' if terms else "{}"


def clean(text: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL: a space instead (same length, offsets kept)."""
    return text.replace("\x00", " ") if text and "\x00" in text else text


def _year(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None


_CHILDREN = ("texts", "blocks", "refs", "tasks", "task_owners", "findings", "dates",
             "doc_owners")


def _insert_children(db: Db, doc_id: int, result: dict, text: str,
                     blocks: Sequence[Block] | None) -> None:
    meta = result.get("metadata") or {}
    title = clean(meta.get("title")) or ""
    cols, vocab = text_columns(title, text)
    arrays = ("terms", "title_terms", "words", "title_words")
    db.execute(f"INSERT INTO texts(doc_id, text, {', '.join(cols)}) VALUES (?, ?, "
               + ", ".join("?::text[]" if c in arrays else "?" for c in cols) + ")",
               (doc_id, text, *(array_literal(v) if c in arrays else v
                                for c, v in cols.items())))
    db.execute("INSERT INTO vocab(term) SELECT unnest(?::text[]) "
               "ON CONFLICT DO NOTHING", (array_literal(vocab),))
    if blocks:
        db.copy("blocks", ("doc_id", "seq", "kind", "start", "end", "page", "tbl", "row", "col"),
                [(doc_id, i, b.kind, b.start, b.end, b.page, b.table, b.row, b.col)
                 for i, b in enumerate(blocks)])
    refs = result.get("references") or []
    eff = effective_refs(refs)
    db.copy("refs", ("doc_id", "seq", "text", "doc_type", "number", "number_key", "symbol",
                     "symbol_key", "date", "date_eff", "issuer", "title", "title_key", "start",
                     "end", "antecedent"),
            [(doc_id, i, clean(r.get("text")) or "", r.get("doc_type"), r.get("number"),
              capped(number_key(r.get("number"))), r.get("symbol"), capped(eff[i][0]),
              r.get("date"), eff[i][1], r.get("issuer"), clean(r.get("title")),
              name_key(f"{r.get('doc_type') or ''} {r['title']}") if r.get("title") else None,
              r.get("start"), r.get("end"), r.get("antecedent")) for i, r in enumerate(refs)])
    tasks = result.get("tasks") or []
    task_ids = [int(i) for (i,) in db.execute(
        "SELECT nextval(pg_get_serial_sequence('tasks', 'id')) FROM generate_series(1, ?)",
        (len(tasks),))] if tasks else []
    task_rows, owner_rows = [], []
    owners: dict[str, str] = {}
    for i, (t, task_rowid) in enumerate(zip(tasks, task_ids, strict=True)):
        period = t.get("period") or {}
        task_rows.append((task_rowid, doc_id, i, t.get("id"), clean(t.get("section")),
                          clean(t.get("text")) or "", t.get("deadline"), period.get("start"),
                          period.get("end"), t.get("recurrence"), t.get("start"), t.get("end"),
                          t.get("source")))
        for role in ("lead", "support"):
            for o in t.get(role) or []:
                if o:
                    owner_rows.append((task_rowid, doc_id, role, o, capped(name_key(o) or o)))
                    owners.setdefault(owner_rows[-1][4], o)
    db.copy("tasks", ("id", "doc_id", "seq", "task_id", "section", "text", "deadline",
                      "period_start", "period_end", "recurrence", "start", "end", "source"),
            task_rows)
    db.copy("task_owners", ("task_rowid", "doc_id", "role", "owner", "owner_key"), owner_rows)
    db.copy("doc_owners", ("doc_id", "owner_key", "owner"),
            [(doc_id, k, o) for k, o in owners.items()])
    db.copy("findings", ("doc_id", "seq", "kind", "message", "text", "start", "end"),
            [(doc_id, i, f.get("kind") or "", clean(f.get("message")), clean(f.get("text")),
              f.get("start"), f.get("end")) for i, f in enumerate(result.get("findings") or [])])
    db.copy("dates", ("doc_id", "seq", "start", "end", "text", "value", "kind", "cue"),
            [(doc_id, i, d.get("start"), d.get("end"), clean(d.get("text")), d.get("value"),
              d.get("kind"), d.get("cue")) for i, d in enumerate(result.get("dates") or [])])


DOC_COLUMNS = ("path", "sha256", "code_version", "format", "pages", "doc_type", "number",
               "number_key", "symbol", "symbol_key", "issuer", "issuer_key", "issuer_parent",
               "place", "date", "year", "title", "signer_name", "signer_position",
               "signer_authority", "recipients", "spans", "n_references", "n_tasks",
               "n_findings", "max_deadline", "indexed_at")


def _values(result: dict, text: str, path: str, code_version: str | None) -> dict:
    src = result.get("source") or {}
    meta = result.get("metadata") or {}
    signer = meta.get("signer") or {}
    tasks = result.get("tasks") or []
    return {
        "path": path, "sha256": src.get("sha256") or hashlib.sha256(text.encode()).hexdigest(),
        "code_version": code_version or index_code_version(), "format": src.get("format"),
        "pages": src.get("pages"),
        "doc_type": meta.get("doc_type"), "number": meta.get("number"),
        "number_key": capped(number_key(meta.get("number"))), "symbol": meta.get("symbol"),
        "symbol_key": capped(symbol_key(meta.get("symbol"))), "issuer": meta.get("issuer"),
        "issuer_key": capped(name_key(meta.get("issuer"))),
        "issuer_parent": meta.get("issuer_parent"),
        "place": meta.get("place"), "date": meta.get("date"), "year": _year(meta.get("date")),
        "title": clean(meta.get("title")), "signer_name": signer.get("name"),
        "signer_position": signer.get("position"), "signer_authority": signer.get("authority"),
        "recipients": json.dumps(meta.get("recipients") or [], ensure_ascii=False),
        "spans": json.dumps(meta.get("spans") or {}, ensure_ascii=False),
        "n_references": len(result.get("references") or []), "n_tasks": len(tasks),
        "n_findings": len(result.get("findings") or []), "max_deadline": max_deadline(tasks),
        "indexed_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def lock_symbols(db: Db, own: set[str | None], cited: set[str | None] = frozenset()) -> None:
    """Advisory locks on the symbol families (number and code: every spelling of one
    document's symbol shares one) of these keys, in order so that no two writers wait on
    each other in a circle: exclusive on the document's own symbols, shared on those it
    cites. A document and one citing it take turns (the later one sees the other's rows
    and links them); documents citing the same symbol do not wait on each other."""
    def family(key: str) -> str:
        parts = symbol_parts(key)
        return f"{parts[0]}|{parts[2]}" if parts else key

    mine = {family(k) for k in own if k}
    theirs = {family(k) for k in cited if k} - mine
    calls, params = [], []
    for name in sorted(mine | theirs):  # one statement: its calls run in this order
        how = "pg_advisory_xact_lock" if name in mine else "pg_advisory_xact_lock_shared"
        calls.append(f"{how}(?, hashtext(?))")
        params += [SYMBOL_LOCK, name]
    if calls:
        db.execute(f"SELECT {', '.join(calls)}", params)


def _store_once(db: Db, values: dict, result: dict, text: str,
                blocks: Sequence[Block] | None, resolve: bool) -> tuple[int, str]:
    path = values["path"]
    with db.transaction():
        db.execute("SELECT pg_advisory_xact_lock(?, hashtext(?))", (PATH_LOCK, path))
        old = db.execute("SELECT id, symbol_key FROM documents WHERE path = ?",
                         (path,)).fetchone()
        if resolve:
            cited = {k for k, _ in effective_refs(result.get("references") or [])}
            lock_symbols(db, {values["symbol_key"], old[1] if old else None}, cited)
        cols = ", ".join(f'"{c}"' for c in DOC_COLUMNS)
        marks = ", ".join("?" for _ in DOC_COLUMNS)
        sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in DOC_COLUMNS if c != "path")
        updates = ", ".join(f'"{c}" = ?' for c in DOC_COLUMNS)
        if old:  # the path's lock is held: the row stays until this commits
            doc_id = old[0]
            for table in _CHILDREN:
                db.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
            db.execute(f"UPDATE documents SET {updates} WHERE id = ?",
                       [values[c] for c in DOC_COLUMNS] + [doc_id])
        else:  # ON CONFLICT: one row per path even for a writer that took no lock
            doc_id = db.execute(
                f"INSERT INTO documents({cols}) VALUES ({marks}) ON CONFLICT (path) DO UPDATE "
                f"SET {sets} RETURNING id", [values[c] for c in DOC_COLUMNS]).fetchone()[0]
        status = "changed" if old else "new"
        _insert_children(db, doc_id, result, text, blocks)
        if resolve:
            keys = {k for k in (old[1] if old else None, values["symbol_key"]) if k}
            more = doubtful_keys(db, doc_id)  # references that may mean a misread number
            lock_symbols(db, more - keys)
            resolve_references(db, doc_ids=[doc_id], keys=keys | more)
        bump_generation(db)
    return int(doc_id), status


def bump_generation(db: Db) -> None:
    """Raise the write generation, as the last statement of a write's transaction: readers'
    cached search state (keyed by it, :func:`~pipeline.index.postgres.facets.state`) goes
    stale exactly when they can see this write. Its row lock is held only until the
    commit, and taken after every other lock, so writers never deadlock on it."""
    db.execute("UPDATE index_state SET generation = generation + 1")


def index_document(db: Db, result: dict, text: str, *, path: str | None = None,
                   code_version: str | None = None, blocks: Sequence[Block] | None = None,
                   resolve: bool = True) -> tuple[int, str]:
    """Store one ``vanban.document/1`` result and its normalised ``text``, replacing any
    earlier rows of the same path, in one transaction (children written with COPY).
    Returns ``(document id, "new" | "changed")``."""
    src = result.get("source") or {}
    if not (path or src.get("path")):
        raise ValueError("index_document needs a path (argument or source.path)")
    path = store_path(path or src.get("path"))
    text = clean(text) or ""
    values = _values(result, text, path, code_version)
    for attempt in range(ATTEMPTS):
        try:
            out = _store_once(db, values, result, text, blocks, resolve)
            break
        except RETRY:
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(0.02 * (attempt + 1))
    return out


def resolve_all(db: Db) -> int:
    """Resolve every reference again (after a bulk load with ``resolve=False``)."""
    from pipeline.index.postgres.graph import resolve_all as resolve

    for attempt in range(ATTEMPTS):
        try:
            with db.transaction():
                n = resolve(db)
                bump_generation(db)
            return n
        except RETRY:
            if attempt == ATTEMPTS - 1:
                raise
    return 0

