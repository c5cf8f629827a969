"""Which documents have a query's terms, and their BM25 scores, on PostgreSQL.

What FTS5 does for SQLite, over the word arrays of ``texts`` (:mod:`.schema`):

- a term of one word: its folded word in ``terms`` (accents ignored), or the word as
  typed in ``words`` (accents kept) — GIN look-ups; a prefix (``truyen*``) is the words of
  ``vocab`` it begins;
- a phrase (quoted, a run of words, ``1696/QĐ-TTg``): its folded word pairs in ``terms``
  (with the accents typed: its words in ``words`` too), then, unless the pairs decide it
  (two words, no accents), each candidate's text checked for the phrase
  (:class:`pipeline.index.query.PhraseCheck`, the SQLite search's own check);
- ``title_only``: the same on ``title_terms``/``title_words`` and the title.

:func:`bm25` ranks as FTS5's ``bm25()`` does (k1 = 1.2, b = 0.75, a title hit counting
4 times, one IDF per phrase over the whole index), counting the phrase's occurrences in
the document's words, so ranks agree with SQLite's.
"""
from __future__ import annotations

import math
import re

import numpy as np

from pipeline.index.postgres.db import Db
from pipeline.index.query import PhraseCheck, Term
from pipeline.index.sqlite.facets import sorted_unique
from pipeline.index.terms import pair_token, term_words

VERIFY_MAX = 2000  # a phrase's candidates checked in their texts up to this many (SQLite's)
MAX_EXPANSION = 5000  # words a prefix stands for, at most (else: every word scanned)
WORD = re.compile(r"[^\W_]+")
K1, B = 1.2, 0.75


def exact_words(unit: Term) -> list[str]:
    return [w.lower() for w in WORD.findall(unit.text)]


class Matcher:
    """Document ids that have a unit (a :class:`~pipeline.index.query.Term`), cached for
    one search. ``exact``: the accents typed count; ``titles``: titles only."""

    def __init__(self, db: Db, exact: bool, titles: bool) -> None:
        self.db = db
        self.exact = exact
        self.titles = titles
        self.cache: dict[tuple, np.ndarray] = {}
        self.prefixes: dict[str, list[str]] = {}

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
                   pair_head: str | None) -> tuple[str, list]:
        """SQL on ``t.column``: every word of ``required`` and, when ``prefix_of`` is
        given, some word beginning with it (``pair_head``: as the pair ``_head_word``)."""
        conds, params = [], []
        if required:
            conds.append(f"t.{column} @> ?::text[]")
            params.append(required)
        if prefix_of is not None:
            words = self.expand(prefix_of)
            if words is None:
                like = pair_token(pair_head, "") + prefix_of if pair_head else prefix_of
                conds.append(f"EXISTS (SELECT 1 FROM unnest(t.{column}) u WHERE u LIKE ?)")
                params.append(like.replace("_", "\\_") + "%")
            else:
                terms = [pair_token(pair_head, w) for w in words] if pair_head else words
                conds.append(f"t.{column} && ?::text[]")
                params.append(terms)
        return " AND ".join(conds) or "TRUE", params

    def ids(self, unit: Term) -> np.ndarray:
        """Documents that have ``unit`` (ascending ids)."""
        key = (unit.text, unit.prefix)
        if key not in self.cache:
            self.cache[key] = self._ids(unit)
        return self.cache[key]

    def _ids(self, unit: Term) -> np.ndarray:
        folded = term_words(unit.text)
        if not folded:
            return np.zeros(0, dtype=np.int64)
        pre = "title_" if self.titles else ""
        last = folded[-1] if unit.prefix else None
        if len(folded) == 1:
            sql, params = self._condition(f"{pre}terms", [] if last else folded, last, None)
        else:
            pairs = [pair_token(a, b) for a, b in zip(folded, folded[1:], strict=False)]
            sql, params = self._condition(f"{pre}terms", pairs[:-1] if last else pairs, last,
                                          folded[-2] if last else None)
        if self.exact:
            ws = exact_words(unit)
            more, extra = self._condition(f"{pre}words", ws[:-1] if unit.prefix else ws,
                                          ws[-1] if unit.prefix and ws else None, None)
            sql, params = f"{sql} AND {more}", [*params, *extra]
        ids = self.select(f"SELECT t.doc_id FROM texts t WHERE {sql}", params)
        check_needed = self.exact and len(folded) > 1 or len(folded) > 2 or self.titles \
            and len(folded) > 1
        if not check_needed or not len(ids) or (len(ids) > VERIFY_MAX and not self.exact):
            return ids
        check = PhraseCheck([unit], exact=self.exact)
        keep = [i for i, text in self.texts(ids.tolist()) if check(text)]
        return np.array(sorted(keep), dtype=np.int64)

    def select(self, sql: str, params: list) -> np.ndarray:
        ids = [int(i) for (i,) in self.db.execute(sql, params)]
        return sorted_unique(np.array(ids, dtype=np.int64))

    def texts(self, ids: list[int]):
        """(id, text) of ``ids``: the title alone with ``titles``."""
        if self.titles:
            sql = "SELECT id, coalesce(title, '') FROM documents WHERE id = ANY(?)"
        else:
            sql = "SELECT doc_id, text FROM texts WHERE doc_id = ANY(?)"
        for start in range(0, len(ids), 200):
            yield from self.db.execute(sql, (ids[start:start + 200],))


def every(matcher: Matcher, units: list[Term], negated: list[Term]) -> np.ndarray:
    """Documents with every unit and none of the negated ones (ascending)."""
    if not units:
        return np.zeros(0, dtype=np.int64)
    out = None
    for u in sorted(units, key=lambda u: -len(u.text)):  # long terms: fewer documents
        ids = matcher.ids(u)
        out = ids if out is None else out[np.isin(out, ids, assume_unique=True)]
        if not len(out):
            return out
    for n in negated:
        out = out[~np.isin(out, matcher.ids(n), assume_unique=True)]
    return out


# ---------------------------------------------------------------------------- ranking

def _tokens(text: str, exact: bool) -> list[str]:
    return WORD.findall(text.lower()) if exact else term_words(text)


def _hits(tokens: list[str], phrase: list[str], prefix: bool) -> int:
    n = len(phrase)
    if not n:
        return 0
    count = 0
    first = phrase[0]
    for i, tok in enumerate(tokens):
        if n == 1 and prefix:
            count += tok.startswith(first)
            continue
        if tok != first or i + n > len(tokens):
            continue
        if tokens[i + 1:i + n - 1] == phrase[1:-1] and (
                tokens[i + n - 1].startswith(phrase[-1]) if prefix
                else tokens[i + n - 1] == phrase[-1]):
            count += 1
    return count


def bm25(matcher: Matcher, units: list[Term], ids: list[int]) -> dict[int, float]:
    """FTS5's ``bm25()`` of ``ids`` for the phrases ``units``: title weight 4 and body 1
    (titles only: the title, weight 1), IDF over every stored document."""
    db, exact, titles = matcher.db, matcher.exact, matcher.titles
    if titles:
        n, total = db.execute("SELECT count(*), coalesce(sum(n_title_tokens), 0) FROM texts "
                              "WHERE n_title_tokens > 0").fetchone()
    else:
        n, total = db.execute("SELECT count(*), coalesce(sum(n_tokens), 0) FROM texts"
                              ).fetchone()
    if not n or not ids:
        return {}
    avgdl = max(float(total) / n, 1e-9)
    phrases = [(_tokens(u.text, exact), u.prefix) for u in units]
    idf = []
    for u in units:
        hit = len(matcher.ids(u))
        v = math.log((n - hit + 0.5) / (hit + 0.5))
        idf.append(v if v > 0 else 1e-6)
    out: dict[int, float] = {}
    rows = db.execute("SELECT d.id, coalesce(d.title, ''), t.text FROM documents d JOIN texts t "
                      "ON t.doc_id = d.id WHERE d.id = ANY(?)", (ids,))
    for doc_id, title, text in rows:
        ttoks = _tokens(title, exact)
        btoks = [] if titles else _tokens(text, exact)
        dl = len(ttoks) + len(btoks)
        score = 0.0
        for (ph, prefix), w in zip(phrases, idf, strict=True):
            f = (1.0 if titles else 4.0) * _hits(ttoks, ph, prefix) + _hits(btoks, ph, prefix)
            score += w * (f * (K1 + 1)) / (f + K1 * (1 - B + B * dl / avgdl))
        out[int(doc_id)] = score
    return out
