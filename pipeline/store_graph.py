"""The citation graph: references resolved to indexed documents, ``cites``/``cited_by``,
and the documents that are cited but not held.

A reference resolves to a held document with the same symbol key (a short repeat uses its
antecedent's symbol and date). Symbols without a year (``580/KH-UBND``) repeat every
year, so when the reference is dated only a held document of that date, else that year,
is taken; an undated reference takes the latest candidate not after the citing
document. Ties go to the candidate whose issuer is the cited issuer (or, when none is
printed, the citing document's). A document's mentions of its own symbol are not
citations.
"""
from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable

from pipeline.store_keys import (
    SymbolSpec,
    name_key,
    number_key,
    parse_symbol_spec,
    symbol_key,
    symbol_year,
)

_SUMMARY = ("id", "path", "symbol", "doc_type", "issuer", "date", "title")


def doc_summary(row: sqlite3.Row | tuple) -> dict:
    """A document as in search results (without snippet and score)."""
    return dict(zip(_SUMMARY, row, strict=True))


def _candidates(conn: sqlite3.Connection, key: str) -> list[tuple]:
    return conn.execute("SELECT id, date, year, issuer_key FROM documents WHERE symbol_key = ?",
                        (key,)).fetchall()


def choose_target(cands: list[tuple], key: str, ref_date: str | None, ref_issuer: str | None,
                  citing_date: str | None, citing_issuer: str | None) -> int | None:
    """The held document a reference means, from ``(id, date, year, issuer_key)`` rows."""
    if not cands:
        return None
    issuer = name_key(ref_issuer) or citing_issuer

    def best(rows: list[tuple]) -> int | None:
        if not rows:
            return None
        rows = sorted(rows, key=lambda c: (c[3] == issuer, c[1] or ""), reverse=True)
        return int(rows[0][0])

    if symbol_year(key) is not None:
        exact = [c for c in cands if ref_date and c[1] == ref_date]
        return best(exact or cands)
    if ref_date:
        same_day = [c for c in cands if c[1] == ref_date]
        same_year = [c for c in cands if c[2] is not None and c[2] == int(ref_date[:4])]
        return best(same_day or same_year)
    earlier = [c for c in cands if not (c[1] and citing_date and c[1] > citing_date)]
    return best(earlier)


def resolve_references(conn: sqlite3.Connection, doc_ids: Iterable[int] = (),
                       keys: Iterable[str] = ()) -> int:
    """Recompute ``refs.target_id`` for the references of ``doc_ids`` and every reference
    whose symbol key is in ``keys``; returns how many rows were looked at."""
    rows: list[tuple] = []
    sql = ("SELECT r.id, r.symbol_key, r.date_eff, r.issuer, d.date, d.issuer_key, d.id "
           "FROM refs r JOIN documents d ON d.id = r.doc_id WHERE ")
    for doc_id in doc_ids:
        rows += conn.execute(sql + "r.doc_id = ? AND r.symbol_key IS NOT NULL",
                             (doc_id,)).fetchall()
    for key in keys:
        rows += conn.execute(sql + "r.symbol_key = ?", (key,)).fetchall()
    cache: dict[str, list[tuple]] = {}
    updates: dict[int, int | None] = {}
    for ref_id, key, rdate, rissuer, cdate, cissuer, _ in rows:
        if key not in cache:
            cache[key] = _candidates(conn, key)
        updates[ref_id] = choose_target(cache[key], key, rdate, rissuer, cdate, cissuer)
    conn.executemany("UPDATE refs SET target_id = ? WHERE id = ?",
                     [(t, r) for r, t in updates.items()])
    return len(rows)


def resolve_all(conn: sqlite3.Connection) -> int:
    """Resolve every reference again (after a bulk load with ``resolve=False``)."""
    keys = [k for (k,) in conn.execute("SELECT DISTINCT symbol_key FROM refs "
                                       "WHERE symbol_key IS NOT NULL")]
    return resolve_references(conn, keys=keys)


def _spec(symbol: str | SymbolSpec) -> SymbolSpec:
    if isinstance(symbol, SymbolSpec):
        return symbol
    spec = parse_symbol_spec(symbol)
    return spec or SymbolSpec(symbol, key=symbol_key(symbol))


def _where(spec: SymbolSpec, alias: str) -> tuple[str, list]:
    if spec.key:
        return f"{alias}.symbol_key = ?", [spec.key]
    if spec.doc_type and spec.number:
        return f"{alias}.number_key = ? AND {alias}.doc_type = ?", [spec.number, spec.doc_type]
    return f"{alias}.number_key = ?", [number_key(spec.number)]


def held_documents(conn: sqlite3.Connection, symbol: str | SymbolSpec) -> list[dict]:
    """Indexed documents with this symbol (any spelling, or type + number), newest first."""
    where, params = _where(_spec(symbol), "d")
    rows = conn.execute(f"SELECT {', '.join('d.' + c for c in _SUMMARY)} FROM documents d "
                        f"WHERE {where} ORDER BY d.date DESC, d.id", params).fetchall()
    return [doc_summary(r) for r in rows]


def _ref_groups(conn: sqlite3.Connection, spec: SymbolSpec) -> dict[tuple, list[tuple]]:
    """Matching references (not a document's mentions of itself), grouped by (symbol key or
    ``TYPE NUMBER``, resolved document id or None)."""
    where, params = _where(spec, "r")
    rows = conn.execute(
        "SELECT r.symbol_key, r.symbol, r.doc_type, r.number_key, r.doc_id, r.date, "
        "r.target_id FROM refs r WHERE " + where, params).fetchall()
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    for row in rows:
        if row[6] is not None and row[6] == row[4]:
            continue
        groups[(row[0] or f"{row[2] or ''} {row[3] or ''}".strip(), row[6])].append(row)
    return groups


def cited_by(conn: sqlite3.Connection, symbol: str | SymbolSpec) -> dict:
    """``vanban.citedby/1``: who cites the document ``symbol`` names (any spelling). A held
    document is preferred, then the most cited; other documents the spelling matches are
    listed under ``also`` (symbol, held, number of citing documents)."""
    spec = _spec(symbol)
    groups = _ref_groups(conn, spec)
    held = {h["id"]: h for h in held_documents(conn, spec)}
    for h in held.values():
        groups.setdefault((symbol_key(h["symbol"]), h["id"]), [])

    def weight(item: tuple[tuple, list[tuple]]) -> tuple:
        (_, target), refs = item
        return (target is not None, len({r[4] for r in refs}), len(refs))

    ordered = sorted(groups.items(), key=weight, reverse=True)
    (key, target), refs = ordered[0] if ordered else ((spec.key, None), [])
    held_doc = held.get(target) if target is not None else None

    def shown(refs: list[tuple], doc: dict | None, fallback: str) -> str:
        names = [r[1] for r in refs if r[1]]
        if doc and doc.get("symbol"):
            return doc["symbol"]
        return max(sorted(set(names)), key=names.count) if names else fallback

    per_doc: dict[int, list[tuple]] = defaultdict(list)
    for r in refs:
        per_doc[r[4]].append(r)
    docs = {}
    if per_doc:
        marks = ",".join("?" * len(per_doc))
        docs = {row[0]: row for row in conn.execute(
            f"SELECT id, path, symbol, date FROM documents WHERE id IN ({marks})", list(per_doc))}
    citing = [{"path": docs[i][1], "symbol": docs[i][2], "date": docs[i][3],
               "mentions": len(rs), "dates_cited": sorted({r[5] for r in rs if r[5]})}
              for i, rs in per_doc.items() if i in docs]
    citing.sort(key=lambda c: (-c["mentions"], c["date"] or "", c["path"]))
    out = {"schema": "vanban.citedby/1", "symbol": shown(refs, held_doc, spec.text),
           "held": {k: v for k, v in held_doc.items() if k != "id"} if held_doc else None,
           "cited_by": citing}
    also = [{"symbol": shown(rs, held.get(t) if t is not None else None, k or ""),
             "held": t is not None, "cited_by": len({r[4] for r in rs})}
            for (k, t), rs in ordered[1:]]
    if also:
        out["also"] = also
    return out


def cites(conn: sqlite3.Connection, symbol: str | SymbolSpec) -> dict:
    """``vanban.cites/1``: what the held document ``symbol`` (or a path) cites, one entry per
    cited document with its mentions, dates and the held document or ``null`` (not held)."""
    row = conn.execute(f"SELECT {', '.join(_SUMMARY)} FROM documents WHERE path = ?",
                       (symbol,)).fetchone() if isinstance(symbol, str) else None
    held = [doc_summary(row)] if row else held_documents(conn, symbol)
    shown = symbol.text if isinstance(symbol, SymbolSpec) else symbol
    if not held:
        return {"schema": "vanban.cites/1", "symbol": shown, "held": None, "cites": []}
    doc = held[0]
    rows = conn.execute(
        "SELECT r.symbol_key, r.symbol, r.doc_type, r.number, r.title, r.title_key, r.date, "
        "r.target_id, r.text FROM refs r WHERE r.doc_id = ? ORDER BY r.seq", (doc["id"],))
    groups: dict[tuple, list[tuple]] = {}
    for r in rows:  # one entry per cited document: same symbol, same resolution
        gkey = (r[0] or r[5] or f"{r[2] or ''} {r[3] or ''} {r[8]}", r[7])
        groups.setdefault(gkey, []).append(r)
    targets = {r[7] for rs in groups.values() for r in rs if r[7] is not None}
    tdocs = {}
    if targets:
        marks = ",".join("?" * len(targets))
        tdocs = {t[0]: doc_summary(t) for t in conn.execute(
            f"SELECT {', '.join(_SUMMARY)} FROM documents WHERE id IN ({marks})", list(targets))}
    out = []
    for rs in groups.values():
        first = next((r for r in rs if r[1]), rs[0])
        target = next((r[7] for r in rs if r[7] is not None), None)
        if target == doc["id"]:
            continue
        t = tdocs.get(target)
        out.append({"symbol": first[1], "doc_type": first[2], "number": first[3],
                    "title": first[4], "text": first[8], "mentions": len(rs),
                    "dates_cited": sorted({r[6] for r in rs if r[6]}),
                    "held": {k: v for k, v in t.items() if k != "id"} if t else None})
    return {"schema": "vanban.cites/1", "symbol": doc["symbol"] or shown,
            "held": {k: v for k, v in doc.items() if k != "id"}, "cites": out}


def not_held(conn: sqlite3.Connection, limit: int = 100) -> list[dict]:
    """Cited documents the index does not hold, most cited first: symbol (or law title),
    mentions, citing documents and the dates they give."""
    rows = conn.execute(
        "SELECT coalesce(r.symbol_key, r.title_key) AS k, count(*), count(DISTINCT r.doc_id), "
        "group_concat(DISTINCT r.date), min(coalesce(r.symbol, r.doc_type || ' ' || r.title)), "
        "min(r.doc_type) FROM refs r "
        "WHERE r.target_id IS NULL AND k IS NOT NULL GROUP BY k "
        "ORDER BY count(DISTINCT r.doc_id) DESC, count(*) DESC, k LIMIT ?", (limit,))
    return [{"symbol": r[4], "doc_type": r[5], "mentions": r[1], "cited_by": r[2],
             "dates_cited": sorted(set((r[3] or "").split(",")) - {""})} for r in rows]
