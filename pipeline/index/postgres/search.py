"""Search the PostgreSQL index: ``vanban.search/1`` with the SQLite search's semantics.

Tiers, accents, filters, facets, orders and snippets are those documented in
:mod:`pipeline.index.sqlite.search` (that module is the specification): ``symbol``, then
``phrase``, ``cites``, ``text`` (``all`` for an empty query); an accented query counts only
exact-accent matches and falls back to ignoring accents (``accents_ignored``) when it finds
nothing; ``sort`` by relevance or by date, undated last. What differs is how matches are
found — word arrays and GIN indexes instead of FTS5 (:mod:`.matching`) — and that a large
phrase tier is always enumerated (SQLite may read it newest first instead: the same
documents). Query parsing, highlighting, symbol specs, filters on ``documents d``, the facet
arrays and their counts are the backend-neutral (or SQLite's own) Python, shared.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.index.base import SORTS, Filters
from pipeline.index.keys import SymbolSpec, parse_symbol_spec
from pipeline.index.postgres.db import Db
from pipeline.index.postgres.facets import facet_table
from pipeline.index.postgres.matching import Matcher, bm25, every
from pipeline.index.query import Highlighter, Query, parse_query
from pipeline.index.sqlite.conditions import spec_parts, spec_sql
from pipeline.index.sqlite.facets import (
    FacetTable,
    by_date,
    count_facets,
    filter_ids,
    ids_from_sql,
    owner_counts,
    sorted_unique,
    tier_picker,
)

RANK_ALL = 1000  # more matches than this: titles first, then newest indexed (as SQLite)
SNIPPET_SCAN = 12_000  # characters of a result searched first for its snippet
_FIELDS = "d.id, d.path, d.symbol, d.doc_type, d.issuer, d.date, d.title, d.signer_name"


class Plan:
    """What one search asks of the index. ``exact``: the words are matched with the
    accents typed; else accent-insensitively."""

    def __init__(self, db: Db, query: Query, spec: SymbolSpec | None, filters: Filters,
                 exact: bool | None = None, state: tuple = (), ranked: bool = True) -> None:
        self.query = query
        self.exact = query.has_accents if exact is None else exact
        self.title_only = filters.title_only
        self.words = query.units() or None  # every term anywhere
        self.phrase = query.units(phrase=True) if query.phrase_runs and self.words else None
        self.negated_terms = [t for t in query.terms if t.negated and t.words]
        self.negated = any(t.negated for t in query.terms)
        self.spec = spec
        self.matcher = Matcher(db, self.exact, self.title_only, state)
        self.matcher.count = ranked  # sorted by date: no bm25 to count phrases for
        self.titles = Matcher(db, self.exact, True, state)  # a large tier's title matches


@dataclass
class Matches:
    """Matching document ids (ascending), before the filters."""

    all: np.ndarray
    words: np.ndarray | None = None
    phrase: np.ndarray | None = None
    held: np.ndarray | None = None
    cited: np.ndarray | None = None


def _both(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a[np.isin(a, b, assume_unique=True)] if len(a) and len(b) else a[:0]


def match_sets(db: Db, plan: Plan, table: FacetTable) -> Matches:
    """Every document the query matches, before filters, and the tiers' sets (the phrase
    tier's by :func:`add_phrase`)."""
    if not plan.words and not plan.spec:
        return Matches(table.ids)
    m = Matches(np.zeros(0, dtype=np.int64))
    parts: list[np.ndarray] = []
    if plan.words:
        m.words = every(plan.matcher, plan.words, plan.negated_terms)
        parts.append(m.words)
    if plan.spec:
        held, hp = spec_sql(plan.spec, "d")
        m.held = ids_from_sql(db, f"SELECT d.id FROM documents d WHERE {held}", hp)
        parts.append(m.held)
        if not plan.title_only:  # a citation is in the body
            either = spec_parts(plan.spec, "r")  # each an index-only scan
            m.cited = ids_from_sql(db, " UNION ".join(
                f"SELECT r.doc_id FROM refs r WHERE {c}" for c, _ in either),
                [p for _, ps in either for p in ps])
            parts.append(m.cited)
    m.all = parts[0] if len(parts) == 1 else sorted_unique(np.concatenate(parts))
    return m


def add_phrase(plan: Plan, m: Matches) -> None:
    """The phrase tier of ``m``: the documents with every run as a phrase."""
    if plan.phrase and m.words is not None and len(m.words):
        m.phrase = _both(every(plan.matcher, plan.phrase, plan.negated_terms), m.words)


def _ranked(matcher: Matcher, units: list, ids: np.ndarray) -> list[tuple[int, float]]:
    """``ids`` by BM25 of ``units``, best first (ties: lower id first)."""
    scores = bm25(matcher, units, ids.tolist())
    return sorted(((i, -s) for i, s in scores.items()), key=lambda x: (x[1], x[0]))


def _tiers(db: Db, plan: Plan, need: int, matches: np.ndarray, sets: Matches,
           table: FacetTable) -> list[tuple[int, str, float]]:
    """(document id, tier, score) in relevance order, at least ``need`` when there are."""
    out, seen, allowed, inside, take = tier_picker(matches, need)

    def by_titles(units: list, tier: str) -> None:
        """Documents whose title matches: BM25 when they are few, else newest first."""
        ids = every(plan.titles, units, plan.negated_terms)
        if len(ids) <= RANK_ALL:
            take(((i, -s) for i, s in _ranked(plan.titles, units, ids)), tier)
        else:
            take(((i, 1) for i in inside(ids)[::-1][:need + len(seen)].tolist()), tier)

    def tier_of(units: list, unfiltered: np.ndarray, ids: np.ndarray, tier: str) -> None:
        """One tier: BM25 when it has at most RANK_ALL matches, else titles then newest."""
        if len(out) >= need or not len(ids):
            return
        if len(unfiltered) <= RANK_ALL:
            take(((i, -s) for i, s in _ranked(plan.matcher, units, ids)), tier)
            return
        if not plan.negated and not plan.title_only:
            by_titles(units, tier)
        take(((i, 0) for i in ids[::-1][:need + len(seen)].tolist()), tier)

    if sets.held is not None:
        take(((i, 0) for i in by_date(table, inside(sets.held), need)), "symbol")
    if plan.phrase and sets.phrase is not None:
        tier_of(plan.phrase, sets.phrase, inside(sets.phrase), "phrase")
    if sets.cited is not None and len(out) < need:
        if len(sets.cited) <= RANK_ALL:
            cited, cp = spec_sql(plan.spec, "r")
            take(((int(i), n) for i, n in db.execute(
                f"SELECT r.doc_id, count(*) FROM refs r WHERE {cited} "
                f"GROUP BY r.doc_id ORDER BY count(*) DESC, r.doc_id DESC", cp)), "cites")
        else:
            take(((i, 1) for i in inside(sets.cited)[::-1][:need + len(seen)].tolist()),
                 "cites")
    if plan.words and sets.words is not None:
        tier_of(plan.words, sets.words, inside(sets.words), "text")
    if not plan.words and not plan.spec:
        take(((i, 0) for i in by_date(table, matches, need)), "all")
    return out


def _by_date(plan: Plan, sets: Matches, matches: np.ndarray, table: FacetTable,
             need: int, newest: bool) -> list[tuple[int, str, float]]:
    """(document id, tier, 0) of the first ``need`` matches by date; the tier is the
    first the document belongs to."""
    ids = by_date(table, matches, need, newest=newest)
    if not plan.words and not plan.spec:
        return [(i, "all", 0.0) for i in ids]
    chosen = np.sort(np.array(ids, dtype=np.int64))
    marks = [(tier, set(_both(chosen, s).tolist())) for tier, s in
             (("symbol", sets.held), ("phrase", sets.phrase), ("cites", sets.cited))
             if s is not None]
    return [(i, next((t for t, s in marks if i in s), "text"), 0.0) for i in ids]


def _results(db: Db, q: Query, plan: Plan, ranked: list[tuple[int, str, float]]) -> list[dict]:
    if not ranked:
        return []
    ids = [r[0] for r in ranked]
    rows = {int(r[0]): r for r in db.execute(
        f"SELECT {_FIELDS}, substr(t.text, 1, {SNIPPET_SCAN}) FROM documents d "
        "JOIN texts t ON t.doc_id = d.id WHERE d.id = ANY(?)", (ids,))}
    hl = Highlighter(q, exact=plan.exact)
    snippets: dict[int, str] = {}
    further: list[int] = []  # the match is past the text fetched: one more query
    for doc_id, tier, _ in ranked:
        opening = rows[doc_id][8]
        snippets[doc_id] = hl.snippet(opening)
        if len(opening) == SNIPPET_SCAN and ((tier == "text" and hl.last_score < 0) or
                                             (tier == "phrase" and hl.last_score < 2)):
            further.append(doc_id)
    if further:
        for doc_id, text in db.execute("SELECT doc_id, text FROM texts WHERE doc_id = ANY(?)",
                                       (further,)):
            snippets[int(doc_id)] = hl.snippet(text)
    return [{"path": rows[i][1], "symbol": rows[i][2], "doc_type": rows[i][3],
             "issuer": rows[i][4], "date": rows[i][5], "title": rows[i][6],
             "signer_name": rows[i][7], "snippet": snippets[i], "score": score,
             "match": tier, "id": i}
            for i, tier, score in ranked]


def search(db: Db, query: str, filters: Filters | None = None, *, limit: int = 20,
           offset: int = 0, facets: bool = True, owner_facet: bool = False,
           sort: str = "relevance") -> dict:
    """``vanban.search/1`` for ``query`` (may be empty: filters only, newest first)."""
    filters = filters or Filters()
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    q = parse_query(query)
    spec = parse_symbol_spec(q.text)
    limit, offset = max(0, int(limit)), max(0, int(offset))
    table = facet_table(db)
    plan = Plan(db, q, spec, filters, state=table.key, ranked=sort == "relevance")
    sets = match_sets(db, plan, table)
    matches = filter_ids(db, table, sets.all, filters)
    ignored = False
    if plan.exact and not len(matches):  # nothing as typed: try without the accents
        loose = Plan(db, q, spec, filters, exact=False, state=table.key,
                     ranked=sort == "relevance")
        loose_sets = match_sets(db, loose, table)
        loose_matches = filter_ids(db, table, loose_sets.all, filters)
        if len(loose_matches):
            plan, sets, matches, ignored = loose, loose_sets, loose_matches, True
    add_phrase(plan, sets)
    if sort == "relevance":
        ranked = _tiers(db, plan, offset + limit, matches, sets, table)
    else:
        ranked = _by_date(plan, sets, matches, table, offset + limit, sort == "date_desc")
    out: dict = {"schema": "vanban.search/1", "query": q.text, "shortened": q.shortened,
                 "accents_ignored": ignored, "total": len(matches),
                 "results": _results(db, q, plan, ranked[offset: offset + limit]),
                 "facets": {}}
    if facets:
        out["facets"] = count_facets(table, matches, filters.as_of_date())
        if owner_facet:
            out["facets"]["owner"] = owner_counts(table, matches)
    return out
