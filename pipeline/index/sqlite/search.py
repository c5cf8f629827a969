"""Search the index: full text, symbols in any spelling, filters and facet counts.

:func:`search` answers ``vanban.search/1``. With ``sort="relevance"`` results come in
tiers, each whole before the next, then by score:

1. ``symbol``: the query is a số/ký hiệu (``1696/QĐ-TTg``, ``QĐ 1696``, ``1696``) and the
   document has it; newest first;
2. ``phrase``: the words typed without quotes stand next to each other in the document,
   in the order typed (every run of two or more such words; quoted phrases and the other
   words anywhere); score is BM25 (title 4×) of that phrase query;
3. ``cites``: the document cites the symbol of the query; score is the number of mentions;
4. ``text``: every word occurs somewhere in the document; score is BM25 (title 4×).

A query with no run of two or more unquoted words (one word, a quoted phrase) has no
``phrase`` tier: its matches are ``text``. An empty query lists documents (``all``),
newest first.

Accents: a query with any accent or đ is read as written — only exact-accent matches
count, for the total, the facets and the results (``đẳng`` does not find ``đảng``); one
without accents matches any accents (đ = d). When the accented query finds nothing at
all, the search is run again ignoring accents and the answer says
``"accents_ignored": true``.

``sort="date_desc"`` / ``"date_asc"``: every match by the document's date, newest (oldest)
first, undated documents last either way, ties by when indexed; ``match`` still says
why a document is listed (the best tier it belongs to), ``score`` is 0.

BM25 over every match costs time in proportion to the matches, so a tier with more
than :data:`RANK_ALL` matches puts the documents whose title matches first (by BM25 on
titles, or newest first when those too are more than RANK_ALL), then the others, most
recently indexed first (score 0).

``total`` and ``facets`` count every matching document after the filters. A document
with no value for a facet (no issuer found, say) is not counted in that facet; the year
facet counts documents without a year under ``"unknown"``. Filters: see
:class:`pipeline.index.base.Filters`; ``title_only`` looks for the words in titles only
(no ``cites`` tier then). "Open duties": the document has a duty whose deadline (or
period end) is on or after ``as_of`` (default today); a duty without any date never
counts as open.
``snippet`` is HTML: document text escaped, matches in ``<mark>``; the other fields are
plain text. ``query`` is the query as searched: a longer one is cut to its first
:data:`~pipeline.index.query.MAX_TERMS` terms and
:data:`~pipeline.index.query.MAX_QUERY_CHARS` characters, and ``shortened`` is true.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

import numpy as np

from pipeline.index.base import SORTS, Filters
from pipeline.index.keys import SymbolSpec, parse_symbol_spec
from pipeline.index.query import Highlighter, PhraseCheck, Query, parse_query
from pipeline.index.sqlite.conditions import spec_sql, filter_sql
from pipeline.index.sqlite.facets import (
    FacetTable,
    by_date,
    count_facets,
    facet_table,
    filter_ids,
    ids_from_sql,
    owner_counts,
    sorted_unique,
    tier_picker,
)

VERIFY_MAX = 2000  # a long phrase's candidates checked exactly up to this many (text_ids)
RANK_ALL = 1000  # more matches than this: titles first, then newest indexed (see _tiers)
SNIPPET_SCAN = 12_000  # characters of a result searched first for its snippet
_FIELDS = "d.id, d.path, d.symbol, d.doc_type, d.issuer, d.date, d.title, d.signer_name"
TIERS = ("symbol", "phrase", "cites", "text", "all")


class _Plan:
    """What one search asks of the index. ``exact``: the words are matched with the
    accents typed (``fts_exact``, ``titles_exact``); else accent-insensitively."""

    def __init__(self, query: Query, spec: SymbolSpec | None, filters: Filters,
                 exact: bool | None = None, table: FacetTable | None = None) -> None:
        self.query = query
        self.exact = query.has_accents if exact is None else exact
        self.title_only = filters.title_only
        self.words = query.fts(exact=self.exact)  # every word anywhere (positional tables)
        self.phrase = query.fts(exact=self.exact, phrase=True) if query.phrase_runs else None
        self.terms, self.terms_exact = query.terms_expr()  # the same on fts_terms (folded)
        self.pairs, self.pairs_exact = query.terms_expr(phrase=True) if self.phrase \
            else (None, False)
        self.spec = spec
        self.negated = any(t.negated for t in query.terms)
        self.filter_sql, self.filter_params = filter_sql(filters, table)
        suffix = "exact" if self.exact else "fold"
        self.titles = f"titles_{suffix}"
        self.text = self.titles if self.title_only else f"fts_{suffix}"


@dataclass
class _Matches:
    """Matching document ids (ascending), before the filters."""

    all: np.ndarray
    words: np.ndarray | None = None  # every word somewhere (the text tier and above)
    phrase: np.ndarray | None = None  # the runs as phrases (the phrase tier)
    held: np.ndarray | None = None  # the document has the symbol
    cited: np.ndarray | None = None  # the document cites the symbol
    phrase_stream: tuple[str, PhraseCheck | None] | None = None  # instead of ``phrase``
    # when it is large: its fts_terms expression, read newest first, and the check each
    # document read must pass


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


def _fts_ids(conn: sqlite3.Connection, fts: str, expr: str, table: FacetTable) -> np.ndarray:
    return ids_from_sql(conn, f"SELECT rowid FROM {fts} WHERE {fts} MATCH ?", [expr], table)


def _both(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The ids of ``a`` also in ``b`` (both ascending, unique), ascending."""
    if not len(a) or not len(b):
        return a[:0]
    if len(a) * 16 < len(b):  # a few ids: look each up
        at = np.searchsorted(b, a).clip(0, len(b) - 1)
        return a[b[at] == a]
    mask = np.zeros(int(max(a[-1], b[-1])) + 1, dtype=bool)
    mask[b] = True
    return a[mask[a]]


SAMPLE = 8  # documents read to tell whether the folded word pairs stand for the phrase typed
PHRASE_MISSES = 16  # documents in a row read without the phrase: the phrase tier ends


def _with_phrase(conn: sqlite3.Connection, ids: list[int],
                 check: PhraseCheck) -> dict[int, str]:
    """Those of ``ids`` that have the phrases of ``check`` as typed, with their texts."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {i: text for i, text in conn.execute(
        f"SELECT doc_id, text FROM texts WHERE doc_id IN ({marks})", ids) if check(text)}


def _sample_check(conn: sqlite3.Connection, ids: np.ndarray,
                  check: PhraseCheck) -> np.ndarray | None:
    """``ids`` (documents with a phrase's words as typed and its word pairs without
    accents) as far as their texts tell: up to :data:`SAMPLE` of them, each read; more,
    the newest SAMPLE are read: when at least half have the phrase as typed, the pairs
    stand for it (all of ``ids`` but the ones read without it: a close superset), else
    None — the positional index must decide (``cao đảng`` among the documents of
    ``cao đẳng``)."""
    if not len(ids):
        return ids
    probe = ids[-SAMPLE:].tolist()
    ok = _with_phrase(conn, probe, check)
    if len(ids) <= SAMPLE:
        return np.array([i for i in probe if i in ok], dtype=ids.dtype)
    if 2 * len(ok) < len(probe):
        return None
    if len(ok) < len(probe):  # a close superset: the pairs stand for the phrase typed mostly
        ids = ids[~np.isin(ids, [i for i in probe if i not in ok])]
    return ids


def text_ids(conn: sqlite3.Connection, plan: _Plan, table: FacetTable,
             phrase: bool = False) -> np.ndarray:
    """Documents whose text has every word (``phrase``: every run as a phrase).

    Accent-insensitive: from ``fts_terms`` (row ids only) when it can answer; a phrase of
    three or more words, a superset there, is checked against ``fts_fold`` when at most
    :data:`VERIFY_MAX` documents have all its word pairs. With the accents typed: every
    word as typed from ``fts_exact`` without positions (an AND of words, cheap); a phrase
    is its word pairs (``fts_terms``) among those documents, when a sample of them has it
    as typed (:func:`_sample_check`), else the phrase from ``fts_exact`` (positions:
    slower, needed when other accents make the same pairs). Titles only:
    ``titles_fold`` or ``titles_exact``."""
    expr = plan.phrase if phrase else plan.words
    if expr is None:
        return np.zeros(0, dtype=np.int64)
    if plan.title_only:
        return _fts_ids(conn, plan.titles, expr, table)
    terms, terms_exact = (plan.pairs, plan.pairs_exact) if phrase else \
        (plan.terms, plan.terms_exact)
    if plan.exact:
        units = plan.query.multi_units(phrase)
        check = PhraseCheck(units)
        pairs = _fts_ids(conn, "fts_terms", expand_prefixes(conn, terms), table) \
            if units and terms and table.has_terms else None
        if pairs is not None and not phrase and not plan.negated and \
                len(units) == len(plan.query.units()):
            # only phrases ("người có công" in quotes): their words come with them, so
            # when the sample has them as typed the pairs answer alone
            checked = _sample_check(conn, pairs, check)
            if checked is not None:
                return checked
        words = _fts_ids(conn, "fts_exact", plan.query.words_expr(exact=True), table)
        if not units or not len(words):
            return words  # single words: fts_exact answers without positions
        if pairs is not None:
            checked = _sample_check(conn, _both(words, pairs), check)
            if checked is not None:
                return checked
        return _both(words, _fts_ids(conn, "fts_exact", expr, table))
    if terms and table.has_terms:
        ids = _fts_ids(conn, "fts_terms", expand_prefixes(conn, terms), table)
        if terms_exact or len(ids) == 0 or len(ids) > VERIFY_MAX:
            return ids
    return _fts_ids(conn, "fts_fold", expr, table)


def _phrase_stream(conn: sqlite3.Connection, plan: _Plan,
                   table: FacetTable) -> tuple[str, PhraseCheck | None] | None:
    """For a phrase tier of more than :data:`RANK_ALL` documents, ranked by title then
    newest: its word pairs' expression on ``fts_terms``, to be read newest first until a
    page is full, instead of every document that has them, and the check each must pass
    (the pairs without accents stand for the phrase typed only when it has none and at most
    two words); None when the whole set is needed (few documents). The tier ends after
    :data:`PHRASE_MISSES` documents in a row without the phrase (``cao đảng`` among the
    documents of ``cao đẳng``)."""
    if plan.title_only or plan.negated or not plan.pairs or not table.has_terms:
        return None
    expr = expand_prefixes(conn, plan.pairs)
    n = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM fts_terms WHERE fts_terms MATCH ? "
                     f"LIMIT {RANK_ALL + 1})", (expr,)).fetchone()[0]
    if n <= RANK_ALL:
        return None
    if not plan.exact and plan.pairs_exact:
        return expr, None
    return expr, PhraseCheck(plan.query.multi_units(phrase=True), exact=plan.exact)


STREAM_SHARE = 0.02  # a phrase tier is read newest first when this share of matches passes
# the filters (else a page would read too many rows to find its documents)


def match_sets(conn: sqlite3.Connection, plan: _Plan, table: FacetTable,
               phrase: bool = True) -> _Matches:
    """Every document the query matches, before filters, and the tiers' sets (the phrase
    tier's with ``phrase``; else :func:`add_phrase` does it)."""
    if not plan.words and not plan.spec:
        return _Matches(table.ids)
    m = _Matches(np.zeros(0, dtype=np.int64))
    parts: list[np.ndarray] = []
    if plan.words:
        m.words = text_ids(conn, plan, table)
        if phrase:
            add_phrase(conn, plan, table, m, stream=False)
        parts.append(m.words)
    if plan.spec:
        held, hp = spec_sql(plan.spec, "d")
        m.held = ids_from_sql(conn, f"SELECT d.id FROM documents d WHERE {held}", hp)
        parts.append(m.held)
        if not plan.title_only:  # a citation is in the body
            cited, cp = spec_sql(plan.spec, "r")
            m.cited = ids_from_sql(conn, "SELECT DISTINCT r.doc_id FROM refs r "
                                   f"WHERE {cited}", cp)
            parts.append(m.cited)
    m.all = parts[0] if len(parts) == 1 else sorted_unique(np.concatenate(parts))
    return m


def add_phrase(conn: sqlite3.Connection, plan: _Plan, table: FacetTable, m: _Matches,
               stream: bool) -> None:
    """The phrase tier of ``m``: its documents, or (``stream``: relevance order, enough of
    the matches pass the filters) a large tier to be read as it is ranked
    (:func:`_phrase_stream`)."""
    if not plan.phrase or m.words is None or not len(m.words):
        return
    if stream:
        m.phrase_stream = _phrase_stream(conn, plan, table)
    if m.phrase_stream is None:
        m.phrase = text_ids(conn, plan, table, phrase=True)
        if plan.exact:  # both close supersets: keep them nested
            m.phrase = _both(m.phrase, m.words)


def match_ids(conn: sqlite3.Connection, plan: _Plan, table: FacetTable) -> np.ndarray:
    """Every document the query matches, before filters (ascending ids)."""
    return match_sets(conn, plan, table).all


def _tiers(conn: sqlite3.Connection, plan: _Plan, need: int, matches: np.ndarray,
           sets: _Matches, table: FacetTable,
           texts: dict[int, str] | None = None) -> list[tuple[int, str, float]]:
    """(document id, tier, score) in relevance order, at least ``need`` when there are.
    ``matches``: every matching id after the filters, ascending; ``sets``: the tiers'
    matches before the filters (their sizes decide between BM25 and titles-then-newest)."""
    out, seen, allowed, inside, take = tier_picker(matches, need)
    texts = {} if texts is None else texts  # documents read whole on the way (by id)
    fs, fp = plan.filter_sql, plan.filter_params

    def by_titles(expr: str, tier: str) -> None:
        """Documents whose title matches: BM25 when they are few, else newest first."""
        titles = plan.titles
        lim = need + len(seen) + 100
        n = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {titles} WHERE {titles} "
                         f"MATCH ? LIMIT {RANK_ALL + 1})", (expr,)).fetchone()[0]
        if n <= RANK_ALL:
            take(conn.execute(f"SELECT rowid, -rank FROM {titles} WHERE {titles} MATCH ? "
                              f"ORDER BY rank LIMIT ?", (expr, lim)), tier)
        elif not fs or len(matches) >= 0.1 * len(sets.all):  # newest first, the cursor
            # stops once enough are taken (filters pass one in ten of the matches or more)
            take(conn.execute(f"SELECT rowid, 1 FROM {titles} WHERE {titles} MATCH ? "
                              f"ORDER BY rowid DESC", (expr,)), tier)
        else:  # filtered: every title match at once (not a Python loop), the allowed ones
            ids = inside(_fts_ids(conn, titles, expr, table))
            take(((i, 1) for i in ids[::-1][:need + len(seen)].tolist()), tier)

    def ranked(expr: str, tier: str) -> None:
        table_ = plan.text
        join = " JOIN documents d ON d.id = f.rowid" if fs else ""
        take(conn.execute(f"SELECT f.rowid, -f.rank FROM {table_} f{join} WHERE {table_} "
                          f"MATCH ?{fs} ORDER BY f.rank LIMIT ?",
                          [expr, *fp, need + len(seen)]), tier)

    def tier_of(expr: str, unfiltered: np.ndarray, ids: np.ndarray, tier: str) -> None:
        """One tier: BM25 when it has at most RANK_ALL matches, else titles then newest."""
        if len(out) >= need or not len(ids):
            return
        if len(unfiltered) <= RANK_ALL:
            ranked(expr, tier)
            return
        if not plan.negated and not plan.title_only:
            by_titles(expr, tier)  # a title match is a text match unless words are excluded
        take(((i, 0) for i in ids[::-1][:need + len(seen)].tolist()), tier)  # newest indexed

    if sets.held is not None:
        take(((i, 0) for i in by_date(table, inside(sets.held), need)), "symbol")
    if plan.phrase and sets.phrase is not None:
        tier_of(plan.phrase, sets.phrase, inside(sets.phrase), "phrase")
    elif plan.phrase and sets.phrase_stream is not None and len(out) < need:
        expr, check = sets.phrase_stream  # more than RANK_ALL: titles, then newest
        inw = np.zeros(len(allowed), dtype=bool)
        inw[inside(sets.words)] = True
        by_titles(plan.phrase, "phrase")

        def newest():
            misses = 0
            for (i,) in conn.execute("SELECT rowid FROM fts_terms WHERE fts_terms MATCH ? "
                                     "ORDER BY rowid DESC", (expr,)):
                if i >= len(inw) or not inw[i] or i in seen:
                    continue
                if check is not None:
                    found = _with_phrase(conn, [i], check)
                    texts.update(found)  # the snippet's text, read once
                    if not found:
                        misses += 1
                        if misses >= PHRASE_MISSES:
                            return
                        continue
                    misses = 0
                yield i, 0

        take(newest(), "phrase")
    if sets.cited is not None and len(out) < need:
        cited_ids = sets.cited
        if len(cited_ids) <= RANK_ALL:
            cited, cp = spec_sql(plan.spec, "r")
            take(conn.execute(f"SELECT r.doc_id, count(*) FROM refs r WHERE {cited} "
                              f"GROUP BY r.doc_id ORDER BY count(*) DESC, r.doc_id DESC", cp),
                 "cites")
        else:  # newest indexed first
            take(((i, 1) for i in inside(cited_ids)[::-1][:need + len(seen)].tolist()),
                 "cites")
    if plan.words and sets.words is not None:
        tier_of(plan.words, sets.words, inside(sets.words), "text")
    if not plan.words and not plan.spec:
        take(((i, 0) for i in by_date(table, matches, need)), "all")
    return out


def _by_date(plan: _Plan, sets: _Matches, matches: np.ndarray, table: FacetTable,
             need: int, newest: bool) -> list[tuple[int, str, float]]:
    """(document id, tier, 0) of the first ``need`` matches by date; the tier is the
    first of :data:`TIERS` the document belongs to."""
    ids = by_date(table, matches, need, newest=newest)
    if not plan.words and not plan.spec:
        return [(i, "all", 0.0) for i in ids]
    chosen = np.sort(np.array(ids, dtype=np.int64))
    marks = [(tier, set(_both(chosen, s).tolist())) for tier, s in
             (("symbol", sets.held), ("phrase", sets.phrase), ("cites", sets.cited))
             if s is not None]
    return [(i, next((t for t, s in marks if i in s), "text"), 0.0) for i in ids]


def search(conn: sqlite3.Connection, query: str, filters: Filters | None = None, *,
           limit: int = 20, offset: int = 0, facets: bool = True,
           owner_facet: bool = False, sort: str = "relevance") -> dict:
    """``vanban.search/1`` for ``query`` (may be empty: filters only, newest first)."""
    filters = filters or Filters()
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    q = parse_query(query)  # at most MAX_TERMS terms and MAX_QUERY_CHARS characters
    spec = parse_symbol_spec(q.text)
    limit, offset = max(0, int(limit)), max(0, int(offset))
    table = facet_table(conn)
    plan = _Plan(q, spec, filters, table=table)
    sets = match_sets(conn, plan, table, phrase=False)
    matches = filter_ids(conn, table, sets.all, filters)
    ignored = False
    if plan.exact and not len(matches):  # nothing as typed: try without the accents
        loose = _Plan(q, spec, filters, exact=False, table=table)
        loose_sets = match_sets(conn, loose, table, phrase=False)
        loose_matches = filter_ids(conn, table, loose_sets.all, filters)
        if len(loose_matches):
            plan, sets, matches, ignored = loose, loose_sets, loose_matches, True
    add_phrase(conn, plan, table, sets, stream=sort == "relevance" and
               len(matches) >= STREAM_SHARE * len(sets.all))
    texts: dict[int, str] = {}  # read whole while ranking: their snippets need no reading
    if sort == "relevance":
        ranked = _tiers(conn, plan, offset + limit, matches, sets, table, texts)
    else:
        ranked = _by_date(plan, sets, matches, table, offset + limit, sort == "date_desc")
    ranked = ranked[offset: offset + limit]
    results: list[dict] = []
    if ranked:
        ids = [r[0] for r in ranked]
        marks = ",".join("?" * len(ids))
        rows = {r[0]: r for r in conn.execute(
            f"SELECT {_FIELDS}, substr(t.text, 1, {SNIPPET_SCAN}) FROM documents d "
            f"JOIN texts t ON t.doc_id = d.id "
            f"WHERE d.id IN ({marks})", ids)}
        hl = Highlighter(q, exact=plan.exact)
        snippets: dict[int, str] = {}
        further: list[int] = []  # the match is past the text fetched: one more query
        for doc_id, tier, _ in ranked:
            whole = texts.get(doc_id)
            opening = rows[doc_id][8] if whole is None else whole
            snippets[doc_id] = hl.snippet(opening)
            if whole is None and len(opening) == SNIPPET_SCAN and (
                    (tier == "text" and hl.last_score < 0) or
                    (tier == "phrase" and hl.last_score < 2)):
                further.append(doc_id)
        if further:
            for doc_id, text in conn.execute("SELECT doc_id, text FROM texts WHERE doc_id IN "
                                             f"({','.join('?' * len(further))})", further):
                snippets[doc_id] = hl.snippet(text)
        for doc_id, tier, score in ranked:
            r = rows[doc_id]
            results.append({"path": r[1], "symbol": r[2], "doc_type": r[3], "issuer": r[4],
                            "date": r[5], "title": r[6], "signer_name": r[7],
                            "snippet": snippets[doc_id],
                            "score": score, "match": tier, "id": doc_id})
    out: dict = {"schema": "vanban.search/1", "query": q.text, "shortened": q.shortened,
                 "accents_ignored": ignored, "total": len(matches), "results": results,
                 "facets": {}}
    if facets:
        out["facets"] = count_facets(table, matches, filters.as_of_date())
        if owner_facet:
            out["facets"]["owner"] = owner_counts(table, matches)
    return out
