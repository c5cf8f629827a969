"""Search the index: full text, symbols in any spelling, filters and facet counts.

:func:`search` answers ``vanban.search/1``. Results come in tiers, then by score:

1. ``symbol``: the query is a số/ký hiệu (``1696/QĐ-TTg``, ``QĐ 1696``, ``1696``) and the
   document has it;
2. ``exact``: the text matches with the accents the user typed (only when the query has
   accents); score is BM25 on the accent-kept index;
3. ``cites``: the document cites the symbol of the query; score is the number of mentions;
4. ``text``: accent-insensitive match (đ = d); score is BM25 (title weighs 4× the body).

BM25 over every match costs time in proportion to the matches, so a text tier with more
than :data:`RANK_ALL` matches puts the documents whose title matches first (by BM25 on
titles, or newest first when those too are more than RANK_ALL), then the others, most
recently indexed first (score 0).

``total`` and ``facets`` count every matching document after the filters. A document
with no value for a facet (no issuer found, say) is not counted in that facet.
"Open duties": the document has a duty whose deadline (or period end) is on or after
``as_of`` (default today); a duty without any date never counts as open.
``snippet`` is HTML: document text escaped, matches in ``<mark>``; the other fields are
plain text. ``query`` is the query as searched: a longer one is cut to its first
:data:`~pipeline.index.query.MAX_TERMS` terms and
:data:`~pipeline.index.query.MAX_QUERY_CHARS` characters, and ``shortened`` is true.
"""
from __future__ import annotations

import re
import sqlite3

import numpy as np

from pipeline.index.base import Filters
from pipeline.index.keys import SymbolSpec, name_key, parse_symbol_spec, type_abbr
from pipeline.index.query import Highlighter, Query, parse_query
from pipeline.index.sqlite.facets import (
    FacetTable,
    count_facets,
    facet_table,
    filter_ids,
    ids_from_sql,
    newest_by_date,
    owner_counts,
    sorted_unique,
)

VERIFY_MAX = 2000  # a long phrase's candidates checked exactly up to this many (text_ids)
RANK_ALL = 1000  # more matches than this: titles first, then newest indexed (see _tiers)
SNIPPET_SCAN = 12_000  # characters of a result searched first for its snippet
_FIELDS = "d.id, d.path, d.symbol, d.doc_type, d.issuer, d.date, d.title"


def filter_sql(filters: Filters) -> tuple[str, list]:
    """``AND …`` conditions on ``documents d`` for ``filters``, and their parameters."""
    parts: list[str] = []
    params: list = []
    if filters.doc_type:
        parts.append("d.doc_type = ?")
        params.append(type_abbr(filters.doc_type) or filters.doc_type)
    if filters.issuer:
        parts.append("d.issuer_key = ?")
        params.append(name_key(filters.issuer))
    if filters.year:
        parts.append("d.year = ?")
        params.append(int(filters.year))
    if filters.owner:
        parts.append("d.id IN (SELECT doc_id FROM doc_owners WHERE owner_key = ?)")
        params.append(name_key(filters.owner))
    if filters.has_findings:
        parts.append("d.n_findings > 0")
    if filters.open_duties:
        parts.append("d.max_deadline >= ?")
        params.append(filters.as_of_date())
    return "".join(f" AND {p}" for p in parts), params


def _spec_sql(spec: SymbolSpec, alias: str) -> tuple[str, list]:
    if spec.key:
        return f"{alias}.symbol_key = ?", [spec.key]
    if spec.doc_type:
        return f"{alias}.number_key = ? AND {alias}.doc_type = ?", [spec.number, spec.doc_type]
    return f"{alias}.number_key = ?", [spec.number]


class _Plan:
    """What one search asks of the index."""

    def __init__(self, query: Query, spec: SymbolSpec | None, filters: Filters) -> None:
        self.fold = query.fts()
        self.fold_all = query.fts(boost=False)  # the same matches, cheaper to enumerate
        self.exact = query.fts(exact=True) if query.has_accents else None
        self.exact_all = query.fts(exact=True, boost=False) if query.has_accents else None
        self.spec = spec
        self.negated = any(t.negated for t in query.terms)
        self.terms, self.terms_exact = query.terms_expr()
        self.cited_ids: np.ndarray | None = None  # documents citing the symbol (match_ids)
        self.filter_sql, self.filter_params = filter_sql(filters)


def _tiers(conn: sqlite3.Connection, plan: _Plan, need: int, matches: np.ndarray,
           unfiltered: int, table: FacetTable) -> list[tuple[int, str, float]]:
    """(document id, tier, score) in result order, at least ``need`` when there are.
    ``matches``: every matching id after the filters, ascending; ``unfiltered``: how many
    match before the filters (decides between BM25 and titles-then-newest)."""
    out: list[tuple[int, str, float]] = []
    seen: set[int] = set()
    fs, fp = plan.filter_sql, plan.filter_params
    allowed = np.zeros(int(matches[-1]) + 1 if len(matches) else 0, dtype=bool)
    allowed[matches] = True

    def take(rows, tier: str) -> None:
        for doc_id, score in rows:
            if len(out) >= need:
                break
            if doc_id not in seen and 0 <= doc_id < len(allowed) and allowed[doc_id]:
                seen.add(doc_id)
                out.append((doc_id, tier, round(float(score or 0), 4)))

    def by_titles(titles: str, expr: str, expr_all: str, tier: str) -> None:
        """Documents whose title matches: BM25 when they are few, else newest first."""
        lim = need + len(seen) + 100
        n = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {titles} WHERE {titles} "
                         f"MATCH ? LIMIT {RANK_ALL + 1})", (expr_all,)).fetchone()[0]
        if n <= RANK_ALL:
            take(conn.execute(f"SELECT rowid, -rank FROM {titles} WHERE {titles} MATCH ? "
                              f"ORDER BY rank LIMIT ?", (expr, lim)), tier)
        else:
            take(conn.execute(f"SELECT rowid, 1 FROM {titles} WHERE {titles} MATCH ? "
                              f"ORDER BY rowid DESC", (expr_all,)), tier)

    def ranked(table: str, expr: str, tier: str) -> None:
        join = " JOIN documents d ON d.id = f.rowid" if fs else ""
        take(conn.execute(f"SELECT f.rowid, -f.rank FROM {table} f{join} WHERE {table} "
                          f"MATCH ?{fs} ORDER BY f.rank LIMIT ?",
                          [expr, *fp, need + len(seen)]), tier)

    if plan.spec:
        held, hp = _spec_sql(plan.spec, "d")
        take(conn.execute(f"SELECT d.id, 0 FROM documents d WHERE {held} "
                          f"ORDER BY d.date DESC, d.id DESC", hp), "symbol")
    if plan.exact and len(out) < need:
        n = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM fts_exact WHERE fts_exact "
                         f"MATCH ? LIMIT {RANK_ALL + 1})", [plan.exact_all]).fetchone()[0]
        if n <= RANK_ALL:
            ranked("fts_exact", plan.exact, "exact")
        else:
            if not plan.negated:  # a title match is a text match unless words are excluded
                by_titles("titles_exact", plan.exact, plan.exact_all, "exact")
            if len(out) < need:  # newest first; the cursor stops once enough are taken
                take(conn.execute("SELECT rowid, 0 FROM fts_exact WHERE fts_exact MATCH ? "
                                  "ORDER BY rowid DESC", [plan.exact_all]), "exact")
    if plan.spec and len(out) < need:
        cited, cp = _spec_sql(plan.spec, "r")
        cited_ids = plan.cited_ids  # set by match_ids, which always runs first
        if len(cited_ids) <= RANK_ALL:
            take(conn.execute(f"SELECT r.doc_id, count(*) FROM refs r WHERE {cited} "
                              f"GROUP BY r.doc_id ORDER BY count(*) DESC, r.doc_id DESC", cp),
                 "cites")
        else:  # newest indexed first, from the ids match_ids already has
            take(((i, 1) for i in cited_ids[::-1][:need + len(seen)].tolist()), "cites")
    if plan.fold and len(out) < need:
        if unfiltered <= RANK_ALL:
            ranked("fts_fold", plan.fold, "text")
        else:
            if not plan.negated:
                by_titles("titles_fold", plan.fold, plan.fold_all, "text")
            newest = matches[::-1][:need + len(seen)].tolist()  # newest indexed first
            take(((i, 0) for i in newest), "text")
    if not plan.fold and not plan.spec:
        take(((i, 0) for i in newest_by_date(table, matches, need)), "all")
    return out


_LONG_PREFIX = re.compile(r'"([^"]{5,})"\*')  # longer than fts_terms' prefix indexes (3, 4)
MAX_EXPANSION = 32


def expand_prefixes(conn: sqlite3.Connection, expr: str) -> str:
    """``"truyen"*`` → ``("truyen" OR "truyenthong")`` from the index's vocabulary: FTS5
    answers a prefix longer than its prefix indexes by merging doclists in memory,
    several times slower than the few words it stands for."""
    def words(m: re.Match[str]) -> str:
        prefix = m.group(1)
        rows = conn.execute("SELECT term FROM temp.fts_terms_vocab WHERE term >= ? AND "
                            "term < ? LIMIT ?", (prefix, prefix + "\uffff",
                                                 MAX_EXPANSION + 1)).fetchall()
        if not rows or len(rows) > MAX_EXPANSION:
            return m.group(0)
        return "(" + " OR ".join(f'"{t}"' for (t,) in rows) + ")"

    if not _LONG_PREFIX.search(expr):
        return expr
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms_vocab "
                 "USING fts5vocab(main, fts_terms, row)")
    return _LONG_PREFIX.sub(words, expr)


def text_ids(conn: sqlite3.Connection, plan: _Plan, table: FacetTable) -> np.ndarray:
    """Documents whose text matches, from ``fts_terms`` (row ids only) when it can answer;
    a phrase of three or more words, a superset there, is checked against ``fts_fold`` when
    at most :data:`VERIFY_MAX` documents have all its word pairs."""
    if plan.terms and table.has_terms:
        ids = ids_from_sql(conn, "SELECT rowid FROM fts_terms WHERE fts_terms MATCH ?",
                           [expand_prefixes(conn, plan.terms)], table)
        if plan.terms_exact or len(ids) == 0 or len(ids) > VERIFY_MAX:
            return ids
    return ids_from_sql(conn, "SELECT rowid FROM fts_fold WHERE fts_fold MATCH ?",
                        [plan.fold_all], table)


def match_ids(conn: sqlite3.Connection, plan: _Plan, table: FacetTable) -> np.ndarray:
    """Every document the query matches, before filters (ascending ids)."""
    if not plan.fold and not plan.spec:
        return table.ids
    parts: list[np.ndarray] = []
    if plan.fold:
        parts.append(text_ids(conn, plan, table))
    if plan.spec:
        held, hp = _spec_sql(plan.spec, "d")
        cited, cp = _spec_sql(plan.spec, "r")
        parts.append(ids_from_sql(conn, f"SELECT d.id FROM documents d WHERE {held}", hp))
        plan.cited_ids = ids_from_sql(conn, "SELECT DISTINCT r.doc_id FROM refs r "
                                      f"WHERE {cited}", cp)
        parts.append(plan.cited_ids)
    return parts[0] if len(parts) == 1 else sorted_unique(np.concatenate(parts))


def search(conn: sqlite3.Connection, query: str, filters: Filters | None = None, *,
           limit: int = 20, offset: int = 0, facets: bool = True,
           owner_facet: bool = False, sort: str = "relevance") -> dict:
    """``vanban.search/1`` for ``query`` (may be empty: filters only, newest first)."""
    filters = filters or Filters()
    q = parse_query(query)  # at most MAX_TERMS terms and MAX_QUERY_CHARS characters
    spec = parse_symbol_spec(q.text)
    plan = _Plan(q, spec, filters)
    limit, offset = max(0, int(limit)), max(0, int(offset))
    table = facet_table(conn)
    unfiltered = match_ids(conn, plan, table)
    matches = filter_ids(conn, table, unfiltered, filters)
    ranked = _tiers(conn, plan, offset + limit, matches, len(unfiltered), table)
    ranked = ranked[offset: offset + limit]
    results: list[dict] = []
    if ranked:
        ids = [r[0] for r in ranked]
        marks = ",".join("?" * len(ids))
        rows = {r[0]: r for r in conn.execute(
            f"SELECT {_FIELDS}, substr(t.text, 1, {SNIPPET_SCAN}) FROM documents d "
            f"JOIN texts t ON t.doc_id = d.id "
            f"WHERE d.id IN ({marks})", ids)}
        hl = Highlighter(q)
        for doc_id, tier, score in ranked:
            r = rows[doc_id]
            snippet = hl.snippet(r[7])
            if "<mark>" not in snippet and len(r[7]) == SNIPPET_SCAN and tier in ("exact",
                                                                                 "text"):
                full = conn.execute("SELECT text FROM texts WHERE doc_id = ?", (doc_id,))
                snippet = hl.snippet(full.fetchone()[0])  # the match is further in
            results.append({"path": r[1], "symbol": r[2], "doc_type": r[3], "issuer": r[4],
                            "date": r[5], "title": r[6], "snippet": snippet,
                            "score": score, "match": tier, "id": doc_id})
    out: dict = {"schema": "vanban.search/1", "query": q.text, "shortened": q.shortened,
                 "total": len(matches), "results": results, "facets": {}}
    if facets:
        out["facets"] = count_facets(table, matches, filters.as_of_date())
        if owner_facet:
            out["facets"]["owner"] = owner_counts(table, matches)
    return out
