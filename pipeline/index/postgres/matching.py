"""Which documents have a query's terms, and their BM25 scores, on PostgreSQL.

What FTS5 does for SQLite, over the word arrays of ``texts`` (:mod:`.schema`):

- a term of one word: its folded word in ``terms`` (accents ignored), or the word as
  typed in ``words`` (accents kept) — GIN look-ups; a prefix (``truyen*``) is the words of
  ``vocab`` it begins;
- a phrase (quoted, a run of words, ``1696/QĐ-TTg``): its folded word pairs in ``terms``
  (with the accents typed: its pairs as written in ``words`` too); two words are decided
  there; longer phrases are then checked on the server for the words in order in
  ``folded``/``lowered`` (``|a||b|``: :func:`~pipeline.index.postgres.schema.token_string`),
  in the text as SQLite's search checks them: without accents up to :data:`VERIFY_MAX`
  candidates; with the accents typed, the newest :data:`SAMPLE` first, as SQLite's
  ``_sample_check`` (every candidate only when most of those lack the phrase); up to
  :data:`COUNT_MAX` candidates the phrase is counted as it is checked, for :func:`bm25`;
- ``title_only``: the same on ``title_terms``/``title_words`` and the title (any phrase
  checked in the title).

Every look-up in the arrays is a bitmap scan of their GIN indexes, one per condition
(:func:`gin_query`, sequential scans off): the planner's costs leave out unpacking the
arrays, so it would read them all for a frequent word.

Answers are kept per process for the index state (:func:`cached`): paging and facet clicks
do not search again.

:func:`bm25` ranks as FTS5's ``bm25()`` does (k1 = 1.2, b = 0.75, a title hit counting
4 times, one IDF per phrase over the whole index), counting the phrase's occurrences in
the document's words on the server, so ranks agree with SQLite's.
"""
from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict

import numpy as np

from pipeline.index.postgres.db import Db
from pipeline.index.postgres.schema import token_string
from pipeline.index.query import Term
from pipeline.index.sqlite.facets import sorted_unique
from pipeline.index.terms import pair_token, term_words

VERIFY_MAX = 2000  # a phrase's candidates checked in their texts up to this many (SQLite's)
SAMPLE = 8  # a phrase typed with its accents: candidates read to decide (SQLite's)
COUNT_MAX = 1500  # a phrase's candidates counted (not only checked) up to this many
MAX_EXPANSION = 5000  # words a prefix stands for, at most (else: every word scanned)
WORD = re.compile(r"[^\W_]+")
_CONTAINS = re.compile(r"t\.(\w+) @> \?::text\[\]")  # a condition that merges with others
K1, B = 1.2, 0.75


def exact_words(unit: Term) -> list[str]:
    return [w.lower() for w in WORD.findall(unit.text)]


_CACHE: OrderedDict[tuple, object] = OrderedDict()
_LOCK = threading.Lock()  # shared by the threads of a web server
CACHE_SIZE = 64  # id sets and score tables kept per process: paging and facet clicks


def cached(key: tuple):
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    return None


def remember(key: tuple, value):
    with _LOCK:
        _CACHE[key] = value
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


class Matcher:
    """Document ids that have a unit (a :class:`~pipeline.index.query.Term`), cached for
    one search. ``exact``: the accents typed count; ``titles``: titles only."""

    def __init__(self, db: Db, exact: bool, titles: bool, state: tuple = ()) -> None:
        self.db = db
        self.exact = exact
        self.titles = titles
        self.state = state  # the index contents (facets.state): keys the shared cache
        self.prefixes: dict[str, list[str]] = {}
        self.count = True  # a checked phrase counted too, for bm25 (False: sorted by date)

    def expand(self, prefix: str) -> list[str] | None:
        """The stored words that begin with ``prefix`` (None: too many to list)."""
        if prefix not in self.prefixes:
            rows = self.db.execute("SELECT term FROM vocab WHERE term >= ? AND term < ? "
                                   "LIMIT ?", (prefix, prefix + "\U0010ffff",
                                               MAX_EXPANSION + 1)).fetchall()
            self.prefixes[prefix] = [t for (t,) in rows]
        found = self.prefixes[prefix]
        return None if len(found) > MAX_EXPANSION else found

    def _condition(self, column: str, required: list[str], prefix_of: str | None,
                   pair_head: str | None) -> tuple[list[tuple[str, list]], list[tuple[str, list]]]:
        """Conditions on ``t.column``: every word of ``required`` and, when ``prefix_of`` is
        given, some word beginning with it (``pair_head``: as the pair ``_head_word``).
        Returns (GIN-indexed conditions, conditions only checked on rows: a prefix of too
        many words)."""
        indexed: list[tuple[str, list]] = []
        checked: list[tuple[str, list]] = []
        if required:
            indexed.append((f"t.{column} @> ?::text[]", [required]))
        if prefix_of is not None:
            words = self.expand(prefix_of)
            if words is None:
                like = pair_token(pair_head, "") + prefix_of if pair_head else prefix_of
                checked.append((f"EXISTS (SELECT 1 FROM unnest(t.{column}) u WHERE u LIKE ?)",
                                [like.replace("_", "\\_") + "%"]))
            elif not words:  # no stored word begins so: nothing matches
                indexed.append(("FALSE", []))
            else:
                terms = [pair_token(pair_head, w) for w in words] if pair_head else words
                indexed.append((f"t.{column} && ?::text[]", [terms]))
        return indexed, checked

    def ids(self, unit: Term) -> np.ndarray:
        """Documents that have ``unit`` (ascending ids)."""
        key = ("ids", self.state, self.exact, self.titles, unit.text, unit.prefix)
        found = cached(key)
        if found is None:
            found = remember(key, self._ids(unit))
        return found

    def conditions(self, unit: Term) -> tuple[list[tuple[str, list]],
                                              list[tuple[str, list]], bool]:
        """What matching ``unit`` takes: (GIN-indexed conditions, conditions checked on
        the rows, whether the text must then be read: :meth:`_ids`)."""
        folded = term_words(unit.text)
        pre = "title_" if self.titles else ""
        last = folded[-1] if unit.prefix else None
        if len(folded) == 1:
            indexed, checked = self._condition(f"{pre}terms", [] if last else folded, last,
                                               None)
        else:
            pairs = [pair_token(a, b) for a, b in zip(folded, folded[1:], strict=False)]
            indexed, checked = self._condition(f"{pre}terms", pairs[:-1] if last else pairs,
                                               last, folded[-2] if last else None)
        ws = exact_words(unit) if self.exact else folded
        if self.exact and ws and not unit.prefix and len(ws) == len(folded):
            # the words (and pairs) as written imply their folded forms: the one array
            # answers, as SQLite's fts_exact does (measured at 30,000 documents: 10 ms
            # against 41 ms for both arrays intersected, "báo cáo")
            indexed, checked = [], []
        if self.exact and len(ws) > 1:  # the pairs as written
            pairs = [pair_token(a, b) for a, b in zip(ws, ws[1:], strict=False)]
            more, extra = self._condition(f"{pre}words", pairs[:-1] if unit.prefix else pairs,
                                          ws[-1] if unit.prefix else None,
                                          ws[-2] if unit.prefix else None)
            indexed, checked = indexed + more, checked + extra
        elif self.exact and ws:
            more, extra = self._condition(f"{pre}words", [] if unit.prefix else ws,
                                          ws[-1] if unit.prefix else None, None)
            indexed, checked = indexed + more, checked + extra
        # two words are decided by their pairs, in a title as in the text (title_terms and
        # title_words hold the title's own pairs); longer phrases, and accents typed on
        # words that fold apart, are checked in the text
        check_needed = len(folded) > 2 or len(ws) != len(folded)
        return indexed, checked, check_needed

    def all_of(self, units: list[Term]) -> np.ndarray | None:
        """Documents with every one of ``units`` in one query: their conditions on each
        array merged into one containment (``terms @> {bao,luc,gia,dinh}``), which GIN
        answers by intersecting its posting lists, where one query per word returned
        each word's documents (measured at 22,000 documents: 34 ms against 311 ms for
        ``bạo lực gia đình``). None when a unit needs its text read or a prefix too
        broad to list (:meth:`ids` then, one unit at a time)."""
        key = ("all", self.state, self.exact, self.titles,
               tuple(sorted((u.text, u.prefix) for u in units)))
        found = cached(key)
        if found is not None:
            return found
        contains: dict[str, list[str]] = {}
        others: list[tuple[str, list]] = []
        for u in units:
            if not term_words(u.text):
                return None
            indexed, checked, check_needed = self.conditions(u)
            if checked or check_needed:
                return None
            for sql, ps in indexed:
                m = _CONTAINS.fullmatch(sql)
                if m:
                    contains.setdefault(m.group(1), []).extend(ps[0])
                else:
                    others.append((sql, ps))
        merged = [(f"t.{col} @> ?::text[]", [sorted(set(words))])
                  for col, words in contains.items()] + others
        return remember(key, self.select(*gin_query(merged, [])))

    def _ids(self, unit: Term) -> np.ndarray:
        folded = term_words(unit.text)
        if not folded:
            return np.zeros(0, dtype=np.int64)
        indexed, checked, check_needed = self.conditions(unit)
        ws = exact_words(unit) if self.exact else folded
        ids = self.select(*gin_query(indexed, checked))
        if not check_needed or not len(ids) or (len(ids) > VERIFY_MAX and not self.exact):
            return ids
        column = ("title_" if self.titles else "") + ("lowered" if self.exact else "folded")
        pattern = self.pattern(unit)
        if self.exact and not self.titles and pattern and len(ids) > SAMPLE:
            sampled = self._sample(ids, column, pattern)
            if sampled is not None:
                return sampled
        if self.titles or not pattern or not self.count or len(ids) > COUNT_MAX:
            return self.select(f"SELECT doc_id FROM texts WHERE doc_id = ANY(?) AND "
                               f"strpos({column}, ?) > 0", [ids.tolist(), pattern])
        # few candidates, likely ranked next: count the phrase in each while checking it,
        # and keep the counts for bm25 (one reading of each text instead of two)
        sql, ps = _hits(column, pattern)
        hits = {int(i): int(h) for i, h in self.db.execute(
            f"SELECT doc_id, {sql} FROM texts WHERE doc_id = ANY(?)", [*ps, ids.tolist()]) if h}
        remember(self.hits_key(unit), hits)
        return sorted_unique(np.array(list(hits), dtype=np.int64))

    def _sample(self, ids: np.ndarray, column: str, pattern: str) -> np.ndarray | None:
        """SQLite's ``_sample_check`` of a phrase with its accents: the newest
        :data:`SAMPLE` candidates read; when at least half have the phrase as typed, the
        word pairs stand for it (``ids`` but the ones read without it: a close superset),
        else None: every candidate must be read (``cao đảng`` among ``cao đẳng``)."""
        probe = ids[-SAMPLE:]
        ok = self.select(f"SELECT doc_id FROM texts WHERE doc_id = ANY(?) AND "
                         f"strpos({column}, ?) > 0", [probe.tolist(), pattern])
        if 2 * len(ok) < len(probe):
            return None
        return ids[~np.isin(ids, probe[~np.isin(probe, ok)])]

    def hits_key(self, unit: Term) -> tuple:
        """Where the body's counts of ``unit``'s phrase in its documents are kept."""
        return ("hits", self.state, self.exact, unit.text, unit.prefix)

    def pattern(self, unit: Term) -> str:
        """The unit's words as they stand in ``folded``/``lowered`` (``|a||b|``; a prefix
        without its closing bar)."""
        found = token_string(exact_words(unit) if self.exact else term_words(unit.text))
        return found[:-1] if unit.prefix and found else found

    def select(self, sql: str, params: list) -> np.ndarray:
        """Ids of ``sql``, read through the GIN indexes (never a sequential scan of
        ``texts``: see :func:`gin_query`). One array value, not a row per id (28,000 ids:
        22 ms against 39 ms)."""
        with self.db.within_transaction():
            self.db.execute("SET LOCAL enable_seqscan = off")
            (ids,) = self.db.execute(f"SELECT array_agg(doc_id) FROM ({sql}) AS found",
                                     params).fetchone()
            self.db.execute("SET LOCAL enable_seqscan TO DEFAULT")
        return sorted_unique(np.array(ids or [], dtype=np.int64))


def gin_query(indexed: list[tuple[str, list]], checked: list[tuple[str, list]]
              ) -> tuple[str, list]:
    """The ids of ``texts`` with every condition: each GIN-indexed one a bitmap index scan
    of its own (INTERSECT), the others checked on those rows only. The planner would
    otherwise read a frequent word by a sequential scan, or test one array on the rows
    the other's index found: its costs leave out unpacking the arrays (tens of kB per
    row, out of line), so both cost ~100 times a bitmap index scan's."""
    params: list = []
    parts = []
    for sql, ps in indexed:
        parts.append(f"SELECT t.doc_id FROM texts t WHERE {sql}")
        params += ps
    query = " INTERSECT ".join(parts)
    if checked:
        where = " AND ".join(sql for sql, _ in checked)
        rows = f"t.doc_id IN ({query}) AND " if parts else ""
        query = f"SELECT t.doc_id FROM texts t WHERE {rows}{where}"
        for _, ps in checked:
            params += ps
    return query or "SELECT t.doc_id FROM texts t", params


def every(matcher: Matcher, units: list[Term], negated: list[Term]) -> np.ndarray:
    """Documents with every unit and none of the negated ones (ascending)."""
    if not units:
        return np.zeros(0, dtype=np.int64)
    out = matcher.all_of(units) if len(units) > 1 else None
    if out is None:
        for u in sorted(units, key=lambda u: -len(u.text)):  # long terms: fewer documents
            ids = matcher.ids(u)
            out = ids if out is None else out[np.isin(out, ids, assume_unique=True)]
            if not len(out):
                return out
    for n in negated:
        out = out[~np.isin(out, matcher.ids(n), assume_unique=True)]
    return out


# ---------------------------------------------------------------------------- ranking

def _hits(column: str, pattern: str) -> tuple[str, list]:
    """SQL counting the (non-overlapping) occurrences of ``pattern`` in ``column``. A
    prefix's pattern (``|cai||ngh``) ends inside a word and begins at a word's opening bar:
    its occurrences are the words it begins, as ``|cai||ngh[^|]*|`` would count them.
    In bytes: ``octet_length`` of a value is read from its header, where ``length()``
    would unpack the text and count its characters (the count is the same)."""
    return (f"(octet_length({column}) - octet_length(replace({column}, ?, ''))) / ?",
            [pattern, max(len(pattern.encode()), 1)])


_SIZES: OrderedDict[tuple, tuple[int, int]] = OrderedDict()  # per index state, as the
# facet tables: kept when the match cache is emptied


def _sizes(matcher: Matcher) -> tuple[int, int]:
    """(documents, words) of the index, or of its titles: BM25's average length."""
    key = (matcher.state, matcher.titles)
    with _LOCK:
        found = _SIZES.get(key)
    if found is None:
        if matcher.titles:
            sql = ("SELECT count(*), coalesce(sum(n_title_tokens), 0) FROM texts "
                   "WHERE n_title_tokens > 0")
        else:
            sql = "SELECT count(*), coalesce(sum(n_tokens), 0) FROM texts"
        n, total = matcher.db.execute(sql).fetchone()
        found = (int(n), int(total))
        with _LOCK:
            _SIZES[key] = found
            while len(_SIZES) > 16:
                _SIZES.popitem(last=False)
    return found


def bm25(matcher: Matcher, units: list[Term], ids: list[int]) -> dict[int, float]:
    """FTS5's ``bm25()`` of ``ids`` for the phrases ``units``: title weight 4 and body 1
    (titles only: the title, weight 1), IDF over every stored document; the phrases'
    occurrences counted on the server (``folded``/``lowered``)."""
    key = ("bm25", matcher.state, matcher.exact, matcher.titles,
           tuple((u.text, u.prefix) for u in units), hash(tuple(ids)), len(ids))
    found = cached(key)
    if found is None:
        found = remember(key, _bm25(matcher, units, ids))
    return found


def _bm25(matcher: Matcher, units: list[Term], ids: list[int]) -> dict[int, float]:
    db, exact, titles = matcher.db, matcher.exact, matcher.titles
    n, total = _sizes(matcher)
    if not n or not ids:
        return {}
    avgdl = max(float(total) / n, 1e-9)
    idf = []
    for u in units:
        hit = len(matcher.ids(u))
        v = math.log((n - hit + 0.5) / (hit + 0.5))
        idf.append(v if v > 0 else 1e-6)
    suffix = "lowered" if exact else "folded"
    exprs, params = [], []
    known: list[dict[int, int] | None] = []  # the body's counts, found when checked
    for u in units:
        pattern = matcher.pattern(u)
        body = None if titles else cached(matcher.hits_key(u))
        known.append(body if body is not None and all(i in body for i in ids) else None)
        for column in ("title_" + suffix, suffix):
            read = column != suffix or not (titles or known[-1] is not None)
            sql, ps = _hits(column, pattern) if read else ("0", [])  # titles only: the
            exprs.append(sql)  # body is never read
            params += ps
    length = "n_title_tokens" if titles else "n_tokens"
    rows = "texts WHERE doc_id = ANY(?)"
    uses = {c: sum(f"({c})" in e for e in exprs) for c in ("title_" + suffix, suffix)}
    if max(uses.values()) > 1:  # a column read for two phrases or more is unpacked once
        # (lz4: 50 ms for 1,000 texts), not once a phrase (3 words, 1,000 texts: 353 ->
        # 252 ms)
        cols = ", ".join(f"{c} || '' AS {c}" if n > 1 else c for c, n in uses.items() if n)
        rows = (f"(SELECT doc_id, {length}, {cols} FROM texts WHERE doc_id = ANY(?) "
                "OFFSET 0) AS texts")
    out: dict[int, float] = {}
    for doc_id, dl, *hits in db.execute(f"SELECT doc_id, {length}, {', '.join(exprs)} "
                                        f"FROM {rows}", [*params, ids]):
        score = 0.0
        for k, w in enumerate(idf):
            in_title, in_body = hits[2 * k], hits[2 * k + 1]
            if known[k] is not None:
                in_body = known[k][int(doc_id)]
            f = float(in_title) if titles else 4.0 * in_title + in_body
            score += w * (f * (K1 + 1)) / (f + K1 * (1 - B + B * dl / avgdl))
        out[int(doc_id)] = score
    return out
