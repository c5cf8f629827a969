"""The citation graph: references resolved to indexed documents, ``cites``/``cited_by``,
and the documents that are cited but not held.

A reference resolves to a held document with the same symbol key (a short repeat uses its
antecedent's symbol and date). Symbols without a year (``580/KH-UBND``) repeat every
year, so when the reference is dated only a held document of that date, else that year,
is taken; an undated reference takes the latest candidate not after the citing
document. Ties go to the candidate whose issuer is the cited issuer (or, when none is
printed, the citing document's). A document's mentions of its own symbol are not
citations.

A scan whose own number could not be read ("52ø/BCA-V01": a ``doubtful_number`` finding)
is found by what cites it: a dated reference that no symbol resolves, with the same code
("BCA-V01"), the same date, and a number that fits the digits that were read ("52" then
one or two more), resolves to it when exactly one such document is held; the document
then gets a ``number_from_citations`` finding naming the number others cite.
"""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.document.collation import vi_key
from pipeline.index.keys import (
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


@dataclass(frozen=True)
class _Doubtful:
    doc_id: int
    raw: str  # as read: "52ø/BCA-V01"
    code: str  # the key's code part: "BCA-V01"
    date: str
    number: re.Pattern[str]


def number_pattern(raw: str) -> re.Pattern[str] | None:
    """Digits read stay as they are; each other character stands for one or two digits.
    None when fewer than two digits were read (too little to go on)."""
    if sum(c.isdigit() for c in raw) < 2:
        return None
    return re.compile("".join(re.escape(c) if c.isdigit() else r"\d{1,2}" for c in raw))


_DOUBTFUL_SQL = ("SELECT f.doc_id, f.text, d.date FROM documents d JOIN findings f "
                 "ON f.doc_id = d.id WHERE f.kind = 'doubtful_number' AND d.date IS NOT NULL "
                 "AND d.symbol_key IS NULL AND ")


def _doubtful(conn: sqlite3.Connection, where: str, param: object) -> list[_Doubtful]:
    """Held documents whose own number was not read, by ``where`` (on an index: their
    date, or their id), so that resolving a reference never scans every finding."""
    out = []
    for doc_id, raw, date in conn.execute(_DOUBTFUL_SQL + where, (param,)):
        key = symbol_key(raw) or ""
        num, _, code = key.partition("/")
        pattern = number_pattern(num)
        if code and pattern:
            out.append(_Doubtful(doc_id, raw, code, date, pattern))
    return out


def doubtful_keys(conn: sqlite3.Connection, doc_id: int) -> set[str]:
    """The symbol keys of references that may mean ``doc_id``, a document whose own number
    was not read: to resolve again when it is stored."""
    keys: set[str] = set()
    for d in _doubtful(conn, "d.id = ?", doc_id):
        keys.update(k for (k,) in conn.execute(
            "SELECT DISTINCT symbol_key FROM refs WHERE symbol_key LIKE ? AND date_eff = ?",
            (f"%/{d.code}", d.date)))
    return keys


def _by_citation(doubtful: list[_Doubtful], key: str) -> int | None:
    """The one doubtful document of the reference's date whose code and digits fit."""
    num, _, code = key.partition("/")
    fits = {d.doc_id for d in doubtful if d.code == code and d.number.fullmatch(num)}
    return fits.pop() if len(fits) == 1 else None


def _note_numbers(conn: sqlite3.Connection, doubtful: list[_Doubtful],
                  doc_ids: set[int]) -> None:
    """The ``number_from_citations`` finding of each doubtful document in ``doc_ids``:
    which number the references that resolve to it print."""
    for d in doubtful:
        if d.doc_id not in doc_ids:
            continue
        conn.execute("DELETE FROM findings WHERE doc_id = ? AND kind = 'number_from_citations'",
                     (d.doc_id,))
        cited = conn.execute(
            "SELECT DISTINCT r.symbol, coalesce(c.symbol, c.path) FROM refs r "
            "JOIN documents c ON c.id = r.doc_id WHERE r.target_id = ? AND r.doc_id != ? "
            "AND r.symbol IS NOT NULL ORDER BY 1, 2", (d.doc_id, d.doc_id)).fetchall()
        if not cited:
            continue
        (span,) = conn.execute("SELECT start, \"end\", seq FROM findings WHERE doc_id = ? AND "
                               "kind = 'doubtful_number'", (d.doc_id,)).fetchall()[:1] or [None]
        seq = conn.execute("SELECT coalesce(max(seq), -1) + 1 FROM findings WHERE doc_id = ?",
                           (d.doc_id,)).fetchone()[0]
        symbols = sorted({s for s, _ in cited})
        by = "; ".join(sorted({c for _, c in cited}, key=vi_key))
        y, m, dd = d.date.split("-")
        msg = (f"Số, ký hiệu đọc được là '{d.raw}'; văn bản khác trích dẫn "
               f"{', '.join(symbols)} cùng ngày {dd}/{m}/{y} ({by}): nhiều khả năng là số của "
               "văn bản này")
        conn.execute('INSERT INTO findings(doc_id, seq, kind, message, text, start, "end") '
                     "VALUES (?, ?, 'number_from_citations', ?, ?, ?, ?)",
                     (d.doc_id, seq, msg, d.raw, span[0] if span else 0,
                      span[1] if span else 0))


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
    by_date: dict[str, list[_Doubtful]] = {}  # doubtful documents of a date
    for ref_id, key, rdate, rissuer, cdate, cissuer, _ in rows:
        if key not in cache:
            cache[key] = _candidates(conn, key)
        target = choose_target(cache[key], key, rdate, rissuer, cdate, cissuer)
        if target is None and rdate:
            if rdate not in by_date:
                by_date[rdate] = _doubtful(conn, "d.date = ?", rdate)
            target = _by_citation(by_date[rdate], key)
        updates[ref_id] = target
    conn.executemany("UPDATE refs SET target_id = ? WHERE id = ?",
                     [(t, r) for r, t in updates.items()])
    doubtful = [d for ds in by_date.values() for d in ds]
    if doubtful:
        _note_numbers(conn, doubtful, {t for t in updates.values() if t is not None})
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


_GROUP = "coalesce(r.symbol_key, trim(coalesce(r.doc_type, '') || ' ' || r.number_key))"
_NOT_SELF = "(r.target_id IS NULL OR r.target_id != r.doc_id)"


def _ref_groups(conn: sqlite3.Connection, spec: SymbolSpec) -> list[tuple]:
    """Matching references (not a document's mentions of itself) as groups: (symbol key or
    ``TYPE NUMBER``, resolved document id or None, citing documents, mentions,
    most used spelling)."""
    where, params = _where(spec, "r")
    return conn.execute(
        f"SELECT {_GROUP} AS g, r.target_id, count(DISTINCT r.doc_id), count(*), "
        f"min(r.symbol) FROM refs r WHERE {where} AND {_NOT_SELF} GROUP BY g, r.target_id",
        params).fetchall()


def _spelling(conn: sqlite3.Connection, key: str) -> str | None:
    """The most used spelling of a symbol key in references."""
    row = conn.execute("SELECT symbol FROM refs WHERE symbol_key = ? AND symbol IS NOT NULL "
                       "GROUP BY symbol ORDER BY count(*) DESC, symbol LIMIT 1",
                       (key,)).fetchone()
    return row[0] if row else None


def _citing(conn: sqlite3.Connection, spec: SymbolSpec, group: str,
            target: int | None) -> list[dict]:
    where, params = _where(spec, "r")
    rows = conn.execute(
        "SELECT d.path, d.symbol, d.date, count(*), group_concat(DISTINCT r.date) "
        f"FROM refs r JOIN documents d ON d.id = r.doc_id WHERE {where} AND {_NOT_SELF} "
        f"AND {_GROUP} = ? AND r.target_id IS ? GROUP BY r.doc_id "
        "ORDER BY count(*) DESC, d.date, d.path", [*params, group, target]).fetchall()
    return [{"path": p, "symbol": sym, "date": date, "mentions": n,
             "dates_cited": sorted(set((dates or "").split(",")) - {""})}
            for p, sym, date, n, dates in rows]


def cited_by(conn: sqlite3.Connection, symbol: str | SymbolSpec) -> dict:
    """``vanban.citedby/1``: who cites the document ``symbol`` names (any spelling). When
    the spelling fits several documents (``QĐ 1696``; one symbol in several years) the one
    cited by most documents is answered, a held one first on a tie; the others are listed
    under ``also`` (symbol, held, number of citing documents; the first 20)."""
    spec = _spec(symbol)
    held = {h["id"]: h for h in held_documents(conn, spec)}
    groups = {(g, t): (n, m, name) for g, t, n, m, name in _ref_groups(conn, spec)}
    for h in held.values():
        groups.setdefault((symbol_key(h["symbol"]) or "", h["id"]), (0, 0, h["symbol"]))
    ordered = sorted(groups.items(), key=lambda kv: (kv[1][0], kv[0][1] is not None,
                                                     kv[1][1]), reverse=True)

    def shown(group: tuple, info: tuple, best: bool = False) -> str:
        doc = held.get(group[1]) if group[1] is not None else None
        spelled = _spelling(conn, group[0]) if best and "/" in group[0] else None
        return (doc or {}).get("symbol") or spelled or info[2] or group[0] or spec.text

    if not ordered:
        return {"schema": "vanban.citedby/1", "symbol": spec.text, "held": None,
                "cited_by": []}
    (group, target), info = ordered[0]
    if target is not None and target not in held:  # held under no symbol: a misread number
        row = conn.execute(f"SELECT {', '.join(_SUMMARY)} FROM documents WHERE id = ?",
                           (target,)).fetchone()
        if row is not None:
            held[target] = doc_summary(row)
    doc = held.get(target) if target is not None else None
    out = {"schema": "vanban.citedby/1", "symbol": shown((group, target), info, best=True),
           "held": {k: v for k, v in doc.items() if k != "id"} if doc else None,
           "cited_by": _citing(conn, spec, group, target)}
    also = [{"symbol": shown(g, i), "held": g[1] is not None, "cited_by": i[0]}
            for g, i in ordered[1:21]]
    if also:
        out["also"] = also
    return out


def cited_by_document(conn: sqlite3.Connection, doc_id: int) -> dict:
    """``vanban.citedby/1`` for one held document (the web page's "what cites it")."""
    row = conn.execute(f"SELECT {', '.join(_SUMMARY)} FROM documents WHERE id = ?",
                       (doc_id,)).fetchone()
    if row is None:
        return {"schema": "vanban.citedby/1", "symbol": None, "held": None, "cited_by": []}
    doc = doc_summary(row)
    rows = conn.execute(
        "SELECT d.path, d.symbol, d.date, count(*), group_concat(DISTINCT r.date) "
        "FROM refs r JOIN documents d ON d.id = r.doc_id WHERE r.target_id = ? "
        "AND r.doc_id != ? GROUP BY r.doc_id ORDER BY count(*) DESC, d.date, d.path",
        (doc_id, doc_id)).fetchall()
    return {"schema": "vanban.citedby/1", "symbol": doc["symbol"],
            "held": {k: v for k, v in doc.items() if k != "id"},
            "cited_by": [{"path": p, "symbol": sym, "date": date, "mentions": n,
                          "dates_cited": sorted(set((dates or "").split(",")) - {""})}
                         for p, sym, date, n, dates in rows]}


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
