"""The citation graph: references resolved to indexed documents, ``cites``/``cited_by``,
and the documents that are cited but not held (:mod:`.citedocs`, which also says which
spellings of a symbol name one document).

A reference resolves to a held document with the same symbol in any spelling (a short
repeat uses its antecedent's symbol and date). Symbols without a year (``580/KH-UBND``)
repeat every year, so when the reference is dated only a held document of that date, else
that year, is taken; an undated reference takes the latest candidate not after the citing
document. Ties go to the candidate whose issuer is the cited issuer (or, when none is
printed, the citing document's). With none of the same spelling, a held document whose
symbol has the year when the reference's has not (or the other way round) is taken when
the dates agree, or when one of them has no date, the years agree and it is the family's
only held document. A document's mentions of its own symbol are not citations.

A reference that no symbol resolves may mean a held scan whose own number could not be
read (:mod:`.doubtful`).
"""
from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable

from pipeline.document.collation import vi_key
from pipeline.index.keys import (
    SymbolSpec,
    name_key,
    number_key,
    parse_symbol_spec,
    symbol_key,
    symbol_year,
)
from pipeline.index.sqlite.citedocs import (
    best_spelling,
    cluster,
    family_keys,
    family_units,
    family_where,
    held_in_families,
    not_held,
    symbol_parts,
    unit_of,
)
from pipeline.index.sqlite.doubtful import (
    Doubtful,
    by_citation,
    doubtful_documents,
    doubtful_keys,
    note_numbers,
    number_pattern,
)

__all__ = ["choose_target", "cited_by", "cited_by_document", "cites", "doc_summary",
           "doubtful_keys", "held_documents", "not_held", "number_pattern", "resolve_all",
           "resolve_references"]

_SUMMARY = ("id", "path", "symbol", "doc_type", "issuer", "date", "title")


def doc_summary(row: sqlite3.Row | tuple) -> dict:
    """A document as in search results (without snippet and score)."""
    return dict(zip(_SUMMARY, row, strict=True))


def _same_family(key: str | None, parts: tuple[str, int | None, str]) -> bool:
    other = symbol_parts(key)
    return other is not None and other[0] == parts[0] and other[2] == parts[2]


def _printed(key: str | None) -> int | None:
    parts = symbol_parts(key)
    return parts[1] if parts else symbol_year(key)


def _candidates(conn: sqlite3.Connection, key: str) -> list[tuple]:
    """Held documents of this symbol in any spelling, with or without its year:
    ``(id, date, year, issuer_key, symbol_key)`` rows."""
    parts = symbol_parts(key)
    if parts is None:
        return conn.execute("SELECT id, date, year, issuer_key, symbol_key FROM documents "
                            "WHERE symbol_key = ?", (key,)).fetchall()
    where, params = family_where(parts[0], "d")
    rows = conn.execute("SELECT d.id, d.date, d.year, d.issuer_key, d.symbol_key FROM "
                        f"documents d WHERE {where}", params).fetchall()
    return [r for r in rows if _same_family(r[4], parts)]


def choose_target(cands: list[tuple], key: str, ref_date: str | None, ref_issuer: str | None,
                  citing_date: str | None, citing_issuer: str | None) -> int | None:
    """The held document a reference means, from ``(id, date, year, issuer_key,
    symbol_key)`` rows."""
    if not cands:
        return None
    issuer = name_key(ref_issuer) or citing_issuer

    def best(rows: list[tuple]) -> int | None:
        if not rows:
            return None
        rows = sorted(rows, key=lambda c: (c[3] == issuer, c[1] or ""), reverse=True)
        return int(rows[0][0])

    printed = _printed(key)
    same = [c for c in cands if _printed(c[4]) == printed]
    if same and printed is not None:
        exact = [c for c in same if ref_date and c[1] == ref_date]
        return best(exact or same)
    if same and ref_date:
        same_day = [c for c in same if c[1] == ref_date]
        same_year = [c for c in same if c[2] is not None and c[2] == int(ref_date[:4])]
        found = best(same_day or same_year)
    elif same:
        found = best([c for c in same if not (c[1] and citing_date and c[1] > citing_date)])
    else:
        found = None
    if found is not None or symbol_parts(key) is None:
        return found
    # the same symbol with the year printed where this one has none, or the other way
    other = [c for c in cands if (_printed(c[4]) is None) != (printed is None)]
    if ref_date:
        agree = [c for c in other if c[1] == ref_date]
        if agree or len(cands) > 1:
            return best(agree)
        return best([c for c in other if not c[1] and printed is None
                     and _printed(c[4]) == int(ref_date[:4])])
    if len(cands) > 1:
        return None
    if printed is not None:
        return best([c for c in other if c[2] == printed])
    return best([c for c in other if not (c[1] and citing_date and c[1] > citing_date)])


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
    spelled: set[str] = set()  # every spelling: with and without the year, dashes anywhere
    for family in {(p[0], p[2]) if (p := symbol_parts(k)) else (k, "") for k in keys}:
        spelled.update(family_keys(conn, *family) if family[1] else [family[0]])
    for key in spelled:
        rows += conn.execute(sql + "r.symbol_key = ?", (key,)).fetchall()
    rows = list({r[0]: r for r in rows}.values())
    cache: dict[str, list[tuple]] = {}
    updates: dict[int, int | None] = {}
    by_date: dict[str, list[Doubtful]] = {}  # doubtful documents of a date
    for ref_id, key, rdate, rissuer, cdate, cissuer, _ in rows:
        if key not in cache:
            cache[key] = _candidates(conn, key)
        target = choose_target(cache[key], key, rdate, rissuer, cdate, cissuer)
        if target is None and rdate:
            if rdate not in by_date:
                by_date[rdate] = doubtful_documents(conn, "d.date = ?", rdate)
            target = by_citation(by_date[rdate], key)
        updates[ref_id] = target
    conn.executemany("UPDATE refs SET target_id = ? WHERE id = ?",
                     [(t, r) for r, t in updates.items()])
    doubtful = [d for ds in by_date.values() for d in ds]
    if doubtful:
        note_numbers(conn, doubtful, {t for t in updates.values() if t is not None})
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


def _year_of(doc: dict) -> int | None:
    """The year a held document belongs to: printed in its symbol, else of its date."""
    printed = _printed(symbol_key(doc.get("symbol")))
    date = doc.get("date") or ""
    return printed if printed is not None else int(date[:4]) if date[:4].isdigit() else None


def held_documents(conn: sqlite3.Connection, symbol: str | SymbolSpec) -> list[dict]:
    """Indexed documents with this symbol (any spelling, with or without its year — a
    year asked for must agree —, or type + number), newest first."""
    spec = _spec(symbol)
    parts = symbol_parts(spec.key)
    cols = ", ".join("d." + c for c in _SUMMARY)
    if parts is None:
        where, params = _where(spec, "d")
        rows = conn.execute(f"SELECT {cols} FROM documents d WHERE {where} "
                            "ORDER BY d.date DESC, d.id", params).fetchall()
        return [doc_summary(r) for r in rows]
    where, params = family_where(parts[0], "d")
    docs = [doc_summary(r[:-1]) for r in conn.execute(
        f"SELECT {cols}, d.symbol_key FROM documents d WHERE {where} ORDER BY d.id", params)
        if _same_family(r[-1], parts)]
    docs = [d for d in docs if parts[1] is None or _year_of(d) == parts[1]]
    return sorted(docs, key=lambda d: d["date"] or "", reverse=True)


_NOT_SELF = "(r.target_id IS NULL OR r.target_id != r.doc_id)"
_REF = ("r.id, r.doc_id, r.symbol_key, r.date_eff, r.date, r.symbol, r.target_id, "
        "r.doc_type, r.number_key, d.path, d.symbol, d.date, r.title_key, r.title, r.text, "
        "r.number")
_KEY, _DATE_EFF, _DATE, _SYMBOL, _TARGET, _TYPE, _NUMBER, _TITLE_KEY = 2, 3, 4, 5, 6, 7, 8, 12
_AGG = ("SELECT r.symbol_key, r.date_eff, r.target_id, r.title_key, r.doc_type, r.number_key, "
        "count(*), count(DISTINCT r.doc_id), min(r.symbol), max(r.title) FROM refs r WHERE ")


def _spec_sql(conn: sqlite3.Connection, spec: SymbolSpec) -> tuple[str, list]:
    """SQL over ``r`` for the references a spec asks for: every spelling of a symbol
    (with or without its year, dashes anywhere), a type and number, or a law's name."""
    parts = symbol_parts(spec.key)
    if parts is None and spec.key and parse_symbol_spec(spec.text) is None:
        return "(r.symbol_key = ? OR r.title_key = ?)", [spec.key, name_key(spec.text)]
    if parts is None:
        return _where(spec, "r")
    keys = family_keys(conn, parts[0], parts[2]) or [spec.key]
    return f"r.symbol_key IN ({','.join('?' * len(keys))})", keys


def _grouper(conn: sqlite3.Connection, keys: Iterable[tuple[str | None, int | None]]):
    """``group(key, date_eff, target, title_key, doc_type, number_key)``: the cited
    document of a reference, ``("doc", id)`` when resolved, else the unit standing for it
    (:func:`.citedocs.cluster`), ``("key", key)``, ``("title", title key)`` or ``("tn",
    (type, number))``. ``keys``: the (symbol key, target) of the references to group."""
    families = {(p[0], p[2]) for k, t in keys if t is None and (p := symbol_parts(k))}
    head = cluster(family_units(conn, families), held_in_families(conn, families))

    def group(key, date_eff, target, title_key, doc_type, number) -> tuple:
        if target is not None:
            return ("doc", target)
        if key is None:
            return ("title", title_key) if title_key else ("tn", (doc_type, number))
        unit = head.get(unit_of(key, date_eff))
        return ("cited", unit) if unit and unit[1] else ("key", key)
    return group


def _group_sql(g: tuple, aggs: list[tuple]) -> tuple[str, list]:
    """SQL over ``r`` for the unresolved or resolved references of one group."""
    if g[0] == "doc":
        return "r.target_id = ?", [g[1]]
    if g[0] == "title":
        return "r.title_key = ? AND r.symbol_key IS NULL AND +r.target_id IS NULL", [g[1]]
    if g[0] == "tn":
        return ("r.symbol_key IS NULL AND r.title_key IS NULL AND +r.target_id IS NULL AND "
                "r.doc_type IS ? AND r.number_key IS ?", list(g[1]))
    dates: dict[str, set[str | None]] = {}
    for a in aggs:
        dates.setdefault(a[0], set()).add(a[1])
    terms, params = [], []
    for key, ds in sorted(dates.items()):
        known = sorted(d for d in ds if d)
        alts = [f"r.date_eff IN ({','.join('?' * len(known))})"] if known else []
        if None in ds:
            alts.append("r.date_eff IS NULL")
        terms.append(f"(r.symbol_key = ? AND ({' OR '.join(alts)}))")
        params += [key, *known]
    return f"+r.target_id IS NULL AND ({' OR '.join(terms)})", params  # + : by symbol_key


def _citing(rows: list[tuple]) -> list[dict]:
    docs: dict[int, list[tuple]] = {}
    for r in rows:
        docs.setdefault(r[1], []).append(r)
    out = [{"path": rs[0][9], "symbol": rs[0][10], "date": rs[0][11], "mentions": len(rs),
            "dates_cited": sorted({r[_DATE] for r in rs if r[_DATE]}),
            "cited_as": sorted({r[_SYMBOL] for r in rs if r[_SYMBOL]}, key=vi_key)}
           for rs in docs.values()]
    return sorted(out, key=lambda c: (-c["mentions"], c["date"] or "", c["path"]))


def cited_by(conn: sqlite3.Connection, symbol: str | SymbolSpec) -> dict:
    """``vanban.citedby/1``: who cites the document ``symbol`` names, in any spelling
    (``116/NĐ-CP`` and ``116/2021/NĐ-CP`` of the same date are one document). When the
    spelling fits several documents (``QĐ 1696``; one symbol in several years) the one
    cited by most documents is answered, a held one first on a tie; the others are listed
    under ``also`` (symbol, held, number of citing documents; the first 20). A year in
    the symbol asked for (or given with the query) leaves out the documents of other
    years. Each citing document says how it spelled the symbol (``cited_as``)."""
    spec = _spec(symbol)
    year = (_printed(spec.key) if spec.key else None) or getattr(spec, "year", None)
    held = {h["id"]: h for h in held_documents(conn, spec)}
    where, params = _spec_sql(conn, spec)
    aggs = conn.execute(f"{_AGG}{_NOT_SELF} AND {where} GROUP BY 1, 2, 3, 4, 5, 6",
                        params).fetchall()
    group = _grouper(conn, [(a[0], a[2]) for a in aggs])
    groups: dict[tuple, list[tuple]] = {}
    for a in aggs:
        groups.setdefault(group(*a[:6]), []).append(a)
    for t in held:
        groups.setdefault(("doc", t), [])
    for t in [g[1] for g in groups if g[0] == "doc" and g[1] not in held]:
        row = conn.execute(f"SELECT {', '.join(_SUMMARY)} FROM documents WHERE id = ?",
                           (t,)).fetchone()  # held under no symbol: a misread number
        if row is not None:
            held[t] = doc_summary(row)

    def group_year(g: tuple) -> int | None:
        if g[0] == "doc":
            return _year_of(held[g[1]]) if g[1] in held else None
        return g[1][3] if g[0] == "cited" else None

    if year is not None:
        groups = {g: a for g, a in groups.items() if group_year(g) in (year, None)}

    def citing(g: tuple, aggs: list[tuple]) -> int:
        if len(aggs) <= 1:
            return aggs[0][7] if aggs else 0
        cond, more = _group_sql(g, aggs)
        return conn.execute(f"SELECT count(DISTINCT r.doc_id) FROM refs r WHERE {_NOT_SELF} "
                            f"AND {where} AND {cond}", [*params, *more]).fetchone()[0]

    counted = {g: (citing(g, a), sum(x[6] for x in a)) for g, a in groups.items()}

    def shown(g: tuple) -> str:
        doc = held.get(g[1]) if g[0] == "doc" else None
        spellings = Counter({a[8]: a[6] for a in groups[g] if a[8]})
        if g[0] == "title":  # a law by name: its type and title
            a = max(groups[g], key=lambda x: x[6])
            return f"{a[4] or ''} {a[9] or ''}".strip()
        if g[0] == "tn":
            return " ".join(x for x in g[1] if x)
        return (doc or {}).get("symbol") or best_spelling(spellings) or spec.text

    def as_asked(g: tuple) -> bool:  # on a tie, the document of the spelling asked for
        return any(a[0] == spec.key for a in groups[g])

    ordered = sorted(groups, key=lambda g: (year is None or group_year(g) == year, counted[g][0],
                                            as_asked(g), g[0] == "doc", counted[g][1]),
                     reverse=True)
    if not ordered:
        return {"schema": "vanban.citedby/1", "symbol": spec.text, "held": None,
                "cited_by": []}
    top = ordered[0]
    cond, more = _group_sql(top, groups[top])
    rows = conn.execute(f"SELECT {_REF} FROM refs r JOIN documents d ON d.id = r.doc_id "
                        f"WHERE {_NOT_SELF} AND {where} AND {cond}", [*params, *more]).fetchall()
    doc = held.get(top[1]) if top[0] == "doc" else None
    spelled = best_spelling(Counter(r[_SYMBOL] for r in rows if r[_SYMBOL]))
    out = {"schema": "vanban.citedby/1",
           "symbol": (doc or {}).get("symbol") or (spelled if top[0] == "cited" else None)
           or shown(top),
           "held": {k: v for k, v in doc.items() if k != "id"} if doc else None,
           "cited_by": _citing(rows)}
    also = [{"symbol": shown(g), "held": g[0] == "doc", "cited_by": counted[g][0]}
            for g in ordered[1:21]]
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
    cited document (its spellings merged: ``spellings`` when it has several) with its
    mentions, dates and the held document or ``null`` (not held)."""
    row = conn.execute(f"SELECT {', '.join(_SUMMARY)} FROM documents WHERE path = ?",
                       (symbol,)).fetchone() if isinstance(symbol, str) else None
    held = [doc_summary(row)] if row else held_documents(conn, symbol)
    shown = symbol.text if isinstance(symbol, SymbolSpec) else symbol
    if not held:
        return {"schema": "vanban.cites/1", "symbol": shown, "held": None, "cites": []}
    doc = held[0]
    rows = conn.execute(
        f"SELECT {_REF} FROM refs r JOIN documents d "
        "ON d.id = r.doc_id WHERE r.doc_id = ? ORDER BY r.seq", (doc["id"],)).fetchall()
    group = _grouper(conn, [(r[_KEY], r[_TARGET]) for r in rows])
    groups: dict[tuple, list[tuple]] = {}
    for r in rows:  # one entry per cited document
        g = group(r[_KEY], r[_DATE_EFF], r[_TARGET], r[_TITLE_KEY], r[_TYPE], r[_NUMBER])
        if g[0] == "tn":
            g = ("text", f"{r[_TYPE] or ''} {r[_NUMBER] or ''} {r[14]}")
        groups.setdefault(g, []).append(r)
    targets = {g[1] for g in groups if g[0] == "doc"}
    tdocs = {}
    if targets:
        marks = ",".join("?" * len(targets))
        tdocs = {t[0]: doc_summary(t) for t in conn.execute(
            f"SELECT {', '.join(_SUMMARY)} FROM documents WHERE id IN ({marks})", list(targets))}
    out = []
    for g, rs in groups.items():
        if g == ("doc", doc["id"]):
            continue
        spellings = Counter(r[_SYMBOL] for r in rs if r[_SYMBOL])
        best = best_spelling(spellings)
        first = next((r for r in rs if r[_SYMBOL] == best), rs[0])
        t = tdocs.get(g[1]) if g[0] == "doc" else None
        entry = {"symbol": first[_SYMBOL], "doc_type": first[_TYPE], "number": first[15],
                 "title": first[13], "text": first[14], "mentions": len(rs),
                 "dates_cited": sorted({r[_DATE] for r in rs if r[_DATE]}),
                 "held": {k: v for k, v in t.items() if k != "id"} if t else None}
        if len(spellings) > 1:
            entry["spellings"] = sorted(spellings, key=vi_key)
        out.append(entry)
    return {"schema": "vanban.cites/1", "symbol": doc["symbol"] or shown,
            "held": {k: v for k, v in doc.items() if k != "id"}, "cites": out}
