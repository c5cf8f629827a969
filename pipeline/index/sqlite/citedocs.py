"""Which references name one cited document, and the cited documents the archive lacks.

One document is cited under several spellings: with the year in its symbol and without
(``116/2021/NĐ-CP``, ``116/NĐ-CP``), with a dash left out (``1696/QĐTTg``), a Party
symbol with hyphen and slash swapped (``11/NQ-TW``). :func:`symbol_parts` gives them all
one number and code, a *family*. Numbers restart every year, so within a family a cited
document is a *unit*: the spelling's printed year (if any) and the year it is cited in
(the printed year, else the year of the cited date). Units are one document when

- one prints the year and the other does not, and a date they are cited with agrees; or
  the one with the year is cited with no date at all, the other in that year, and the
  family holds no other document (cited or held);
- a unit cited with neither year nor date joins the family's only other document.

``QĐ 1696`` of 2015 and of 2019 stay two documents; so do ``116/2021/NĐ-CP ngày
21/12/2021`` and ``116/NĐ-CP ngày 17/12/2021`` (the dates differ).
"""
from __future__ import annotations

import heapq
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from pipeline.document.collation import vi_key
from pipeline.document.doctypes import lookup_abbr
from pipeline.document.labels import doc_type as type_label
from pipeline.document.normalize import fold
from pipeline.index.keys import name_key, symbol_key

_PARTS = re.compile(r"^(\d+[A-Z]?)(?:/((?:19|20)\d\d))?[/-](.*[A-Z].*)$")


def symbol_parts(key: str | None) -> tuple[str, int | None, str] | None:
    """A symbol key's number, printed year and code without separators: ``116/2021/ND-CP``
    → ``("116", 2021, "NDCP")``, ``116/ND-CP`` → ``("116", None, "NDCP")``. Spellings that
    differ only in where the dashes and slashes go (``1696/QDTTG`` for ``1696/QD-TTG``, a
    Party ``11/NQ-TW`` for ``11-NQ/TW``) have the same parts; with and without the year they
    share number and code. ``None`` when no letter follows the number (``12/12``)."""
    m = _PARTS.match(key or "")
    if not m:
        return None
    return m.group(1), int(m.group(2)) if m.group(2) else None, re.sub(r"[-/.]", "", m.group(3))


def key_prefixes(number: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """The two ranges of symbol keys that begin with ``number`` (``116/…``, ``116-…``), as
    ``(low, high)`` bounds for an index range scan: every spelling of that number."""
    return (f"{number}/", f"{number}0"), (f"{number}-", f"{number}.")


Unit = tuple[str, str, int | None, int | None]
"""(number, code, printed year, year cited in) of a unit; a key without parts
(``12/12``) is the unit ``(key, "", None, None)``."""


def unit_of(key: str, date_eff: str | None) -> Unit:
    parts = symbol_parts(key)
    if parts is None:
        return key, "", None, None
    number, printed, code = parts
    year = printed
    if year is None and date_eff and date_eff[:4].isdigit():
        year = int(date_eff[:4])
    return number, code, printed, year


def family_where(number: str, alias: str = "r") -> tuple[str, list[str]]:
    """SQL over ``alias.symbol_key`` for every key spelling ``number`` (index ranges)."""
    (a, b), (c, d) = key_prefixes(number)
    return (f"(({alias}.symbol_key >= ? AND {alias}.symbol_key < ?) OR "
            f"({alias}.symbol_key >= ? AND {alias}.symbol_key < ?))", [a, b, c, d])


def held_in_families(conn: sqlite3.Connection,
                     families: Iterable[tuple[str, str]]) -> Counter[tuple[str, str]]:
    """How many held documents each (number, code) family has."""
    out: Counter[tuple[str, str]] = Counter()
    for number in {f[0] for f in families}:
        where, params = family_where(number, "d")
        for (key,) in conn.execute(f"SELECT d.symbol_key FROM documents d WHERE {where}",
                                   params):
            parts = symbol_parts(key)
            if parts:
                out[(parts[0], parts[2])] += 1
    return out


def cluster(units: dict[Unit, set[str]], held: Counter[tuple[str, str]]) -> dict[Unit, Unit]:
    """Each unit (with the dates it is cited with) → the unit that stands for its document."""
    families: dict[tuple[str, str], list[Unit]] = defaultdict(list)
    for u in units:
        families[u[:2]].append(u)
    head: dict[Unit, Unit] = {}
    for fam, us in families.items():
        for u in us:
            head[u] = u
        if not fam[1]:
            continue
        printed = {u[3]: u for u in us if u[2] is not None}
        known = sum(1 for u in us if u[3] is not None) + held[fam]
        for u in us:
            y = printed.get(u[3]) if u[2] is None and u[3] is not None else None
            if y is not None and (units[u] & units[y] or (not units[y] and known == 2)):
                head[u] = y
        heads = {head[u] for u in us if u[3] is not None}
        if len(heads) == 1 and not held[fam]:
            only = heads.pop()
            for u in us:
                if u[3] is None:
                    head[u] = only
    return head


def family_keys(conn: sqlite3.Connection, number: str, code: str) -> list[str]:
    """The symbol keys references spell a (number, code) family with: the distinct keys
    that begin with the number, read one index seek each (not every reference)."""
    out = []
    for low, high in key_prefixes(number):
        key = low
        while (row := conn.execute("SELECT min(symbol_key) FROM refs WHERE symbol_key > ? "
                                   "AND symbol_key < ?", (key, high)).fetchone())[0]:
            key = row[0]
            if (p := symbol_parts(key)) and p[0] == number and p[2] == code:
                out.append(key)
    return out


def family_units(conn: sqlite3.Connection, families: Iterable[tuple[str, str]]
                 ) -> dict[Unit, set[str]]:
    """Every unit of these families among unresolved references, with its cited dates."""
    units: dict[Unit, set[str]] = {}
    for number, code in set(families):
        keys = family_keys(conn, number, code)
        marks = ",".join("?" * len(keys))
        for key, date_eff in conn.execute(
                f"SELECT DISTINCT symbol_key, date_eff FROM refs WHERE symbol_key IN ({marks}) "
                "AND +target_id IS NULL", keys) if keys else ():
            units.setdefault(unit_of(key, date_eff), set()).update([date_eff] if date_eff else [])
    return units


def best_spelling(spellings: Counter[str]) -> str | None:
    """The spelling to show: one that prints the year first, then the most used."""
    if not spellings:
        return None

    def rank(s: str) -> tuple:
        parts = symbol_parts(symbol_key(s))
        return (parts is not None and parts[1] is not None, spellings[s])

    top = max(rank(s) for s in spellings)
    return min((s for s in spellings if rank(s) == top), key=vi_key)


# ------------------------------------------------------------------- names people read

@lru_cache(maxsize=1)
def _issuer_codes() -> dict[str, str]:
    """Symbol code → issuer: ``pipeline/data/symbol_issuers.tsv`` (kinds of bodies, UBND)
    over ``extractors/data/issuer_codes.tsv`` (one body each, TTg)."""
    out: dict[str, str] = {}
    for pkg, name in (("extractors.data", "issuer_codes.tsv"),
                      ("pipeline.data", "symbol_issuers.tsv")):
        raw = resources.files(pkg).joinpath(name).read_text("utf-8")
        for line in raw.splitlines():
            if line.strip() and not line.startswith("#"):
                code, issuer = line.split("\t")[:2]
                out[fold(code).upper()] = issuer.strip()
    return out


def issuer_from_symbol(symbol: str | None) -> str | None:
    """What the code of a symbol says of its issuer: ``116/2021/NĐ-CP`` → Chính phủ,
    ``42/QĐ-TTg`` → Thủ tướng Chính phủ, ``12/KH-UBND`` → Ủy ban nhân dân, ``73/2021/QH14``
    → Quốc hội. The first segment after the type that the tables know; ``None`` if none."""
    key = symbol_key(symbol)
    parts = symbol_parts(key)
    if not key or not parts:
        return None
    code = key.split("/", 2 if parts[1] else 1)[-1]
    segments = [s for s in code.replace("/", "-").split("-") if s]
    if len(segments) > 1 and lookup_abbr(segments[0]):
        segments = segments[1:]
    table = _issuer_codes()
    for seg in segments:
        name = table.get(seg) or table.get(seg.rstrip("0123456789"))
        if name:
            return name
    return None


@lru_cache(maxsize=1)
def _ref_type_words() -> dict[str, str]:
    """Type codes of ``extractors/data/ref_types.tsv`` words (``KL`` → kết luận)."""
    raw = resources.files("extractors.data").joinpath("ref_types.tsv").read_text("utf-8")
    out: dict[str, str] = {}
    for line in raw.splitlines():
        row = line.split("\t")
        if len(row) > 2 and row[0] == "word" and " " in row[1]:
            out.setdefault(row[2], row[1])
    return out


def type_name(abbr: str | None, symbol: str | None = None) -> str:
    """``NĐ`` → Nghị định, ``KL`` → Kết luận; with no type, the one the symbol's code
    starts with (``116/NĐ-CP``); an unknown code as it is."""
    if not abbr and symbol:
        parts = symbol_parts(symbol_key(symbol))
        first = (symbol.split("/")[-1].split("-")[0] if "/" in symbol else "") if parts else ""
        abbr = lookup_abbr(first).abbr if first and lookup_abbr(first) else None
    name = type_label(abbr)
    if name == (abbr or "") and abbr in _ref_type_words():
        return _ref_type_words()[abbr].capitalize()
    return name


# --------------------------------------------------------------------------- not held

_FACTS = ("min(symbol), min(doc_type), max(title), min(issuer), max(issuer), count(date), "
          "count(*), count(DISTINCT doc_id) FROM refs WHERE target_id IS NULL AND ")
_BY_KEY = (f"SELECT symbol_key, date_eff, {_FACTS} symbol_key IS NOT NULL "
           "GROUP BY symbol_key, date_eff")
_BY_TITLE = (f"SELECT title_key, date_eff, {_FACTS} symbol_key IS NULL AND title_key IS NOT NULL "
             "GROUP BY title_key, date_eff")
_CITING = ("SELECT {0}, count(DISTINCT doc_id) FROM refs WHERE +target_id IS NULL AND "
           "{0} IS NOT NULL {1} GROUP BY {0}")  # symbol_key: in a covering index's order


class _Row:
    """One cited document not held: its (key, date_eff) pairs, or a law's title key, and
    what the references say of it (spellings, types, titles, issuers, dates: mentions)."""

    def __init__(self, title_key: str | None = None) -> None:
        self.title_key = title_key
        self.pairs: set[tuple[str, str | None]] = set()
        self.spellings: Counter[str] = Counter()
        self.types: Counter[str] = Counter()
        self.titles: Counter[str] = Counter()
        self.dates: Counter[str] = Counter()
        self.issuers: set[str] = set()
        self.mentions = 0
        self.citing = 0  # an upper bound until ``exact``
        self.exact = True

    def add(self, key: str, date_eff: str | None, facts: tuple) -> None:
        symbol, doc_type, title, issuer_lo, issuer_hi, dated, mentions, citing = facts
        self.exact = not self.pairs
        self.pairs.add((key, date_eff))
        self.mentions += mentions
        self.citing += citing
        for counter, value in ((self.spellings, symbol), (self.types, doc_type),
                               (self.titles, title)):
            if value:
                counter[value] += mentions
        if date_eff and dated:
            self.dates[date_eff] += dated
        self.issuers.update(name for name in (issuer_lo, issuer_hi) if name)

    def symbol(self) -> str | None:
        return best_spelling(self.spellings) if self.title_key is None else None

    def label(self) -> str:
        """Type name and symbol (or a law's title): the order of ties."""
        symbol, title = self.symbol(), _most(self.titles)
        doc_type = _most(self.types)
        return f"{type_name(doc_type, symbol)} {symbol or title or ''}"

    def where(self) -> tuple[str, list]:
        """SQL for the unresolved references this row counts."""
        column = "symbol_key" if self.title_key is None else "title_key"
        dates: dict[str, set[str | None]] = defaultdict(set)
        for key, date_eff in self.pairs:
            dates[key].add(date_eff)
        terms, params = [], []
        for key, ds in sorted(dates.items()):
            known = sorted(d for d in ds if d)
            alts = ([f"date_eff IN ({','.join('?' * len(known))})"] if known else []) + \
                (["date_eff IS NULL"] if None in ds else [])
            terms.append(f"({column} = ? AND ({' OR '.join(alts)}))")
            params += [key, *known]
        extra = "" if self.title_key is None else "symbol_key IS NULL AND "
        return f"{extra}+target_id IS NULL AND ({' OR '.join(terms)})", params


def _rows(conn: sqlite3.Connection) -> list[_Row]:
    groups = conn.execute(_BY_KEY).fetchall()
    units: dict[Unit, set[str]] = {}
    for key, date_eff, *_ in groups:
        units.setdefault(unit_of(key, date_eff), set()).update([date_eff] if date_eff else [])
    held: Counter[tuple[str, str]] = Counter()
    for (key,) in conn.execute("SELECT symbol_key FROM documents WHERE symbol_key IS NOT NULL"):
        parts = symbol_parts(key)
        if parts:
            held[(parts[0], parts[2])] += 1
    head = cluster(units, held)
    rows: dict[object, _Row] = {}
    for key, date_eff, *facts in groups:
        rows.setdefault(head[unit_of(key, date_eff)], _Row()).add(key, date_eff, tuple(facts))
    titled = conn.execute(_BY_TITLE).fetchall()
    for title_key, date_eff, *facts in titled:
        rows.setdefault(title_key, _Row(title_key)).add(title_key, date_eff, tuple(facts))
    counted: dict[str, int] = {}  # a key or title with all its dates in one row
    if len(rows) < len(groups) + len(titled):
        counted.update(conn.execute(_CITING.format("symbol_key", "")).fetchall())
        counted.update(conn.execute(_CITING.format("title_key", "AND symbol_key IS NULL"))
                       .fetchall())
    every = Counter(k for k, *_ in groups) + Counter(k for k, *_ in titled)
    for row in rows.values():
        keys = {k for k, _ in row.pairs}
        if not row.exact and len(keys) == 1 and every[min(keys)] == len(row.pairs):
            row.citing, row.exact = counted.get(min(keys), row.citing), min(keys) in counted
    return list(rows.values())


def _count(conn: sqlite3.Connection, row: _Row) -> int:
    """How many documents cite a row."""
    where, params = row.where()
    return conn.execute(f"SELECT count(DISTINCT doc_id) FROM refs WHERE {where}",
                        params).fetchone()[0]


def _most(counts: Counter[str]) -> str | None:
    """The value counted most (ties: the first in Vietnamese order)."""
    if not counts:
        return None
    top = max(counts.values())
    return min((v for v, n in counts.items() if n == top), key=vi_key)


def _describe(row: _Row) -> dict:
    symbol = row.symbol()
    doc_type, title = _most(row.types), _most(row.titles)
    issuer = issuer_from_symbol(symbol)
    cited = {name_key(i): i for i in row.issuers}
    if issuer is None and len(cited) == 1:
        issuer = next(iter(cited.values()))
    return {"symbol": symbol or f"{doc_type or ''} {title or ''}".strip(), "number": symbol,
            "doc_type": doc_type, "type_name": type_name(doc_type, symbol), "issuer": issuer,
            "title": title, "date": _most(row.dates), "mentions": row.mentions,
            "cited_by": row.citing, "dates_cited": sorted(row.dates),
            "spellings": sorted(row.spellings, key=vi_key)}


def not_held(conn: sqlite3.Connection, limit: int = 100) -> list[dict]:
    """Cited documents the index does not hold, one row per document (its spellings
    merged), most citing documents first, ties in Vietnamese order of type and symbol:
    ``symbol`` (the spelling shown, or a law's type and title), ``number`` (the symbol
    alone, ``None`` for a law cited by name), ``doc_type``, ``type_name``, ``issuer``
    (what the symbol's code says, else the one issuer the citations name), ``title``
    and ``date`` (as cited, the most cited), ``mentions``, ``cited_by`` (citing
    documents), ``dates_cited`` and ``spellings``."""
    rows = sorted(_rows(conn), key=lambda r: -r.citing)
    best: list[int] = []  # a heap of the ``limit`` largest exact counts so far
    taken: list[_Row] = []
    for row in rows:
        if len(best) >= limit and row.citing < best[0]:
            break  # upper bounds only fall from here
        if not row.exact:
            row.citing, row.exact = _count(conn, row), True
        taken.append(row)
        heapq.heappush(best, row.citing)
        if len(best) > limit:
            heapq.heappop(best)
    taken.sort(key=lambda r: (-r.citing, vi_key(r.label())))
    return [_describe(r) for r in taken[:limit]]
