"""User query text → safe FTS5 expressions and accent-aware highlighting.

Syntax: words (all must occur), ``"a phrase"``, ``prefix*`` (at least three letters
before the star, else the star is ignored), ``-word`` (must not occur). A query keeps its
first :data:`MAX_TERMS` terms within its first :data:`MAX_QUERY_CHARS` characters
(``Query.shortened`` says it was cut): the CLI, the library and the web app share this
parser, so no caller can send 10,000 terms to FTS5 and the highlighter. Every term
reaches FTS5 as a double-quoted string, so no user text is ever FTS5 syntax (``NEAR(``,
``*``, ``"``, ``-``, ``OR`` are plain text).

Vietnamese words are several syllables, so words typed one after the other without
quotes (a *run*: ``bình đẳng giới``) are first looked for next to each other, in the
order typed — the ``phrase`` tier of a search —, then anywhere in the document (every
word must occur). A query with any accent or đ is read as written (``Query.has_accents``):
``đẳng`` is not ``đảng``; one without accents matches any accents.
"""
from __future__ import annotations

import html
import re
import unicodedata

import numpy as np
from dataclasses import dataclass, field

from pipeline.document.normalize import fix_tone_placement, fold
from pipeline.index.terms import pair_token, term_words

_ITEM = re.compile(r'(-?)"([^"]*)"?(\*?)|(\S+)')
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s")


@dataclass(frozen=True)
class Term:
    text: str  # as typed (NFC), no quotes, no trailing *
    phrase: bool = False  # more than one word (quoted, or joined by punctuation: 1696/QĐ-TTg)
    prefix: bool = False
    negated: bool = False
    quoted: bool = False  # typed in double quotes: always a phrase, never part of a run

    @property
    def words(self) -> list[str]:
        return _WORD.findall(self.text)


MAX_TERMS = 32  # terms of one query (a phrase is one term)
MAX_QUERY_CHARS = 1000  # characters of one query


@dataclass(frozen=True)
class Query:
    text: str  # as used: cut to MAX_QUERY_CHARS and to the end of its MAX_TERMS-th term
    terms: tuple[Term, ...] = field(default_factory=tuple)
    shortened: bool = False  # the text given was longer than ``text``

    @property
    def positives(self) -> list[Term]:
        return [t for t in self.terms if not t.negated]

    @property
    def has_accents(self) -> bool:
        """True when the words to find have diacritics or đ: the query is then read as
        written, only exact-accent matches count (excluded words too)."""
        body = " ".join(t.text for t in self.positives)
        return fold(body) != body.lower()

    @property
    def runs(self) -> list[tuple[Term, ...]]:
        """The words typed one after another without quotes: maximal sequences of
        unquoted positive terms; a quoted or excluded term ends a run, and so does a prefix
        term (after itself: ``tuyen truyen*`` is one run)."""
        out: list[tuple[Term, ...]] = []
        cur: list[Term] = []
        for t in self.terms:
            if t.negated or t.quoted or not t.words:
                if cur:
                    out.append(tuple(cur))
                cur = []
                continue
            cur.append(t)
            if t.prefix:
                out.append(tuple(cur))
                cur = []
        if cur:
            out.append(tuple(cur))
        return out

    @property
    def phrase_runs(self) -> list[tuple[Term, ...]]:
        """The runs of two or more words: each must be adjacent, in order, for the
        ``phrase`` tier."""
        return [r for r in self.runs if sum(len(t.words) for t in r) >= 2]

    def units(self, phrase: bool = False) -> list[Term]:
        """The positive terms a match must have: each term as typed, or (``phrase``) each
        run of two or more words as one phrase, the other terms as typed."""
        pos = [t for t in self.positives if t.words]
        if not phrase:
            return pos
        runs = self.phrase_runs
        inside = {id(t) for r in runs for t in r}
        out = [Term(" ".join(t.text for t in r), phrase=True, prefix=r[-1].prefix)
               for r in runs]
        return out + [t for t in pos if id(t) not in inside]

    def fts(self, exact: bool = False, phrase: bool = False) -> str | None:
        """The FTS5 MATCH expression (accent-folded for ``fts_fold``/``titles_fold``, or
        ``exact`` for ``fts_exact``/``titles_exact``): every term (``phrase``: every run as
        a phrase), none of the excluded ones; ``None`` when there is nothing to match."""
        conv = (lambda s: s.lower()) if exact else fold
        pos = self.units(phrase)
        neg = [t for t in self.terms if t.negated and t.words]
        if not pos:
            return None

        def quoted(t: Term) -> str:
            s = " ".join(conv(w) for w in t.words).replace('"', '""')
            return f'"{s}"' + ("*" if t.prefix else "")

        expr = " AND ".join(quoted(t) for t in pos)
        if neg:
            expr = f"({expr}) NOT ({' OR '.join(quoted(t) for t in neg)})"
        return expr

    def words_expr(self, exact: bool = False) -> str | None:
        """Every word of the positive terms anywhere, each on its own (a phrase's words
        too; the star of a prefix stays on its last word), none of the excluded terms: the
        positions-free part of :meth:`fts`, cheap to evaluate on ``fts_exact``."""
        conv = (lambda s: s.lower()) if exact else fold
        words: list[str] = []
        for t in self.positives:
            ws = [conv(w).replace('"', '""') for w in t.words]
            words += [f'"{w}"' for w in ws[:-1]] + ([f'"{ws[-1]}"' + ("*" if t.prefix else "")]
                                                    if ws else [])
        if not words:
            return None
        expr = " AND ".join(dict.fromkeys(words))
        neg = [t for t in self.terms if t.negated and t.words]
        if neg:
            quoted = ['"' + " ".join(conv(w) for w in t.words).replace('"', '""') + '"' +
                      ("*" if t.prefix else "") for t in neg]
            expr = f"({expr}) NOT ({' OR '.join(quoted)})"
        return expr

    def multi_units(self, phrase: bool = False) -> list[Term]:
        """The units (:meth:`units`) of two or more words: what word positions decide."""
        return [u for u in self.units(phrase) if len(u.words) >= 2]

    def terms_expr(self, phrase: bool = False) -> tuple[str | None, bool]:
        """The ``fts_terms`` expression for the documents that match (words and adjacent
        word pairs, accent-folded; see :mod:`pipeline.index.terms`) and whether it is exact:
        a phrase (``phrase``: a run) of three or more words becomes the AND of its pairs, a
        superset. ``(None, False)`` when there is nothing to match or ``fts_terms`` cannot
        answer (an excluded phrase of three or more words)."""
        def expr(t: Term) -> str | None:
            ws = term_words(t.text)
            if not ws:
                return None
            star = "*" if t.prefix else ""
            if len(ws) == 1:
                return f'"{ws[0]}"{star}'
            pairs = [f'"{pair_token(a, b)}"' for a, b in zip(ws, ws[1:], strict=False)]
            pairs[-1] += star
            return pairs[0] if len(pairs) == 1 else "(" + " AND ".join(pairs) + ")"

        units = self.units(phrase)
        pos = [e for e in map(expr, units) if e]
        if not pos:
            return None, False
        neg_terms = [t for t in self.terms if t.negated and term_words(t.text)]
        if any(len(term_words(t.text)) > 2 for t in neg_terms):
            return None, False
        out = " AND ".join(pos)
        if neg_terms:
            out = f"({out}) NOT ({' OR '.join(expr(t) for t in neg_terms)})"
        exact = all(len(term_words(t.text)) <= 2 for t in units)
        return out, exact


MIN_PREFIX = 3  # letters before a *: shorter prefixes expand to too many words


def _long_enough(raw: str) -> bool:
    words = _WORD.findall(raw)
    return bool(words) and len(words[-1]) >= MIN_PREFIX


def parse_query(text: str) -> Query:
    """Split user text into terms, at most :data:`MAX_TERMS` of them within
    :data:`MAX_QUERY_CHARS` characters; never raises. Tones are placed as the archive's
    texts place them (``hoà`` → ``hòa``, ``tuý`` → ``túy``)."""
    # the archive's texts are NFC with one tone placement (normalize_text): "tuý" = "túy"
    text = fix_tone_placement(unicodedata.normalize("NFC", text or ""))
    shortened = len(text) > MAX_QUERY_CHARS
    text = text[:MAX_QUERY_CHARS]
    terms: list[Term] = []
    for m in _ITEM.finditer(text):
        if len(terms) == MAX_TERMS:
            if _WORD.search(m.group(0)):  # a term more: the query stops before it
                shortened = True
                text = text[:m.start()].rstrip()
                break
            continue
        if m.group(4) is not None:
            raw = m.group(4)
            neg = raw.startswith("-") and len(raw) > 1
            raw = raw[1:] if neg else raw
            prefix = raw.endswith("*")
            raw = raw.rstrip("*")
            prefix = prefix and _long_enough(raw)
            if _WORD.search(raw):
                terms.append(Term(raw, phrase=len(_WORD.findall(raw)) > 1, prefix=prefix,
                                  negated=neg))
        else:
            raw = m.group(2).strip()
            if _WORD.search(raw):
                terms.append(Term(raw, phrase=True, prefix=bool(m.group(3)) and _long_enough(raw),
                                  negated=bool(m.group(1)), quoted=True))
    return Query(text, tuple(terms), shortened)


class PhraseCheck:
    """Whether a text has every phrase of ``units`` with the accents typed (or, not
    ``exact``, with any accents; lower case, words at word boundaries, any punctuation or
    spaces between them): what the search asks of a document it cannot check in the
    positional index cheaply."""

    def __init__(self, units: list[Term], exact: bool = True) -> None:
        conv = (lambda w: w.lower()) if exact else fold
        self.exact = exact
        # a literal first (fast to find); the word start is checked for each hit
        self.patterns = [re.compile(r"\W+".join(re.escape(conv(w)) for w in u.words) +
                                    ("" if u.prefix else r"(?!\w)")) for u in units]

    def __call__(self, text: str) -> bool:
        low = text.lower() if self.exact else fast_fold(text)
        for p in self.patterns:
            if not any(m.start() == 0 or not low[m.start() - 1].isalnum()
                       for m in p.finditer(low)):
                return False
        return True


_CHUNK = 2000  # characters folded at a time when looking for a snippet
_OVERLAP = 200  # a match may run this far into the next chunk
_LUT_SIZE = 0x10000  # the whole Basic Multilingual Plane (typographic quotes, …, too)


_LUT = np.arange(_LUT_SIZE, dtype=np.uint32)  # code point → its folded code point
_LUT_DONE = np.zeros(_LUT_SIZE, dtype=bool)  # entries of _LUT filled so far


def _fold_lut(codes: np.ndarray) -> np.ndarray:
    """The table code point → the code point of its folded form (lower case, no accents,
    đ → d) where that is one character, itself otherwise; filled for ``codes`` (all below
    :data:`_LUT_SIZE`) on first sight: folding all 65,536 at once took 50–110 ms of every
    ``vanban search`` call, and a text uses a few hundred."""
    todo = codes[~_LUT_DONE[codes]]
    if todo.size:
        for cp in np.unique(todo).tolist():
            f = fold(chr(cp))
            if len(f) == 1:
                _LUT[cp] = ord(f)
        _LUT_DONE[todo] = True
    return _LUT


def fast_fold(text: str) -> str:
    """Lower case, accents stripped, đ → d, position for position: one table look-up per
    character (numpy), several times faster than decomposing. Characters past the table
    are kept as they are (lower-cased)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if codes.size and int(codes.max()) >= _LUT_SIZE:
        high = codes >= _LUT_SIZE
        low = np.where(high, 0, codes)
        out = _fold_lut(low)[low]
        out[high] = np.frombuffer(text.lower().encode("utf-32-le"), dtype=np.uint32)[high] \
            if len(text.lower()) == len(text) else codes[high]
        return out.tobytes().decode("utf-32-le")
    return _fold_lut(codes)[codes].tobytes().decode("utf-32-le")


def _literal(term: Term, exact: bool) -> str:
    """Pattern of a term on folded (or, ``exact``, lower-cased) text; the word start is
    checked by the caller (a look-behind would make the scan several times slower)."""
    conv = (lambda w: w.lower()) if exact else fold
    body = r"\W+".join(re.escape(conv(w)) for w in term.words)
    return body + ("" if term.prefix else r"(?!\w)")


class Highlighter:
    """Finds a query's terms in a document text and cuts an HTML snippet around them.

    The text is folded once (:func:`fast_fold`, same length), so the terms are searched
    as literals; a match counts as exact when the lower-cased original has the accents
    the user typed. ``exact`` (default: the query has accents) keeps only exact matches,
    as the search counts only those; false when a search fell back to ignoring accents.
    A run of two or more words (:attr:`Query.phrase_runs`) is marked as one where its
    words stand together."""

    def __init__(self, query: Query, exact: bool | None = None) -> None:
        exact = query.has_accents if exact is None else exact
        pos = [t for t in query.positives if t.words]
        runs = [u for u in query.units(phrase=True) if u.phrase and not any(
            u is t for t in pos)]  # each run of 2+ words as one phrase
        self.phrase = re.compile("|".join(f"(?:{_literal(t, False)})" for t in runs)) \
            if runs else None
        pos = runs + pos  # tried first: the longest match at a place wins
        self.any = re.compile("|".join(f"(?:{_literal(t, False)})" for t in pos)) if pos \
            else None
        self.exact = re.compile("|".join(f"(?:{_literal(t, True)})" for t in pos)) \
            if pos and exact else None
        self.best = (2 if self.phrase else 0) + (1 if self.exact else 0)
        self.last_score = -1  # the best score :meth:`snippet` found last (-1: no match)

    @staticmethod
    def _lower(seg: str) -> str:
        """``seg`` lower-cased position for position (for exact-accent checks)."""
        low = seg.lower()
        if len(low) != len(seg):  # rare: a capital whose lower case is longer
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in seg)
        return low

    def _scan(self, pattern: re.Pattern[str], seg: str, folded: str, limit: int,
              phrase_only: bool = False):
        """(start, end, score) of ``pattern``'s matches at word starts in ``folded`` (the
        folded ``seg``), up to offset ``limit``; other accents than typed skipped."""
        low = None  # made on demand
        for m in pattern.finditer(folded):
            s, e = m.start(), m.end()
            if s >= limit:
                return
            if s and folded[s - 1].isalnum():
                continue
            if self.exact and low is None:
                low = self._lower(seg)
            phrase = phrase_only or bool(self.phrase and self.phrase.fullmatch(folded, s, e))
            score = (2 if phrase else 0) + \
                (1 if self.exact and self.exact.fullmatch(low, s, e) else 0)
            if self.exact and not score & 1:
                continue  # other accents than typed: not a match of this search
            yield s, e, score

    def _chunks(self, text: str):
        """(offset, segment, its folded form, where the next chunk starts): the opening
        first, so an early match costs little, then the rest at once."""
        bounds = [0, _CHUNK, len(text)] if len(text) > _CHUNK else [0, len(text)]
        for a, b in zip(bounds, bounds[1:], strict=False):
            seg = text[a:b + _OVERLAP]
            yield a, seg, fast_fold(seg), (b - a if b < len(text) else len(seg))

    def _first(self, text: str) -> tuple[int, int, int] | None:
        """The match a snippet is cut around: the first of the phrase (a run of the query,
        as typed) anywhere, else the best match of the first chunk that has any."""
        if self.any is None:
            return None
        chunks = []
        for chunk in self._chunks(text):
            chunks.append(chunk)
            if self.phrase:  # one regex over the chunk: cheap even when long
                a, seg, folded, limit = chunk
                for s, e, score in self._scan(self.phrase, seg, folded, limit, True):
                    return a + s, a + e, score
        for a, seg, folded, limit in chunks:
            best = None
            for s, e, score in self._scan(self.any, seg, folded, limit):
                if best is None or score > best[2]:
                    best = (a + s, a + e, score)
                    if score == self.best:
                        break
            if best:
                return best
        return None

    def _matches(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, score) of term matches at word starts, in text order, at most 60."""
        out: list[tuple[int, int, int]] = []
        if self.any is None:
            return out
        for a, seg, folded, limit in self._chunks(text):
            for s, e, score in self._scan(self.any, seg, folded, limit):
                out.append((a + s, a + e, score))
                if len(out) >= 60:
                    return out
        return out

    def snippet(self, text: str, width: int = 240) -> str:
        """``… <mark>bình đẳng giới</mark> …``: HTML, every document character escaped."""
        first = self._first(text)
        self.last_score = first[2] if first else -1
        if not first:
            start, end = 0, min(len(text), width)
        else:
            anchor = first[0]
            start = max(0, anchor - width // 3)
            end = min(len(text), start + width)
            while 0 < start < anchor and not text[start - 1].isspace() and anchor - start < 120:
                start -= 1
            ws = _SPACE.search(text, end)
            end = ws.start() if ws and ws.start() < end + 20 else end
        piece = text[start:end]
        marks = self._matches(piece) if first else []
        if any(sc & 1 for _, _, sc in marks):  # the typed accents are here: mark only those
            marks = [m for m in marks if m[2] & 1]
        out: list[str] = []
        pos = 0
        for s, e, _ in marks:
            out.append(html.escape(piece[pos:s]))
            out.append(f"<mark>{html.escape(piece[s:e])}</mark>")
            pos = e
        out.append(html.escape(piece[pos:]))
        body = re.sub(r"\s+", " ", "".join(out)).strip()
        return ("… " if start > 0 else "") + body + (" …" if end < len(text) else "")
