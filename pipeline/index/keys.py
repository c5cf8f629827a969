"""Keys the index matches on: document symbols in any spelling, agency names, titles.

``1696/QĐ-TTg``, ``1696/qd-ttg`` and ``1696 / QĐ – TTg`` share the key ``1696/QD-TTG``;
``06/QĐ-TTg`` and ``6/QĐ-TTg`` share ``6/QD-TTG``. A query such as ``QĐ 1696``,
``quyet dinh so 1696`` or ``1696`` is a :class:`SymbolSpec` (type and/or number, maybe a
year) rather than a key; :func:`parse_symbol_spec` reads the spellings archivists type.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pipeline.document.doctypes import doc_types, lookup_abbr
from pipeline.document.normalize import fold

_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-",
                         "\u2011": "-", "\\": "/"})
_SPACE = re.compile(r"\s+")
_LEAD_ZEROS = re.compile(r"^0+(?=\d)")
_NOT_WORD = re.compile(r"[^\w]+")


def symbol_key(symbol: str | None) -> str | None:
    """Spelling-independent key of a số/ký hiệu: folded, upper case, no spaces, one kind
    of dash, leading zeros of the number dropped. ``None`` for an empty symbol."""
    if not symbol:
        return None
    key = _SPACE.sub("", fold(symbol.translate(_DASHES))).upper()
    key = _LEAD_ZEROS.sub("", key)
    return key or None


def number_key(number: str | None) -> str | None:
    """``06`` → ``6``; ``None`` stays ``None``."""
    if not number:
        return None
    return _LEAD_ZEROS.sub("", number.strip()) or None


def name_key(name: str | None) -> str | None:
    """Folded form of an agency name or title for equality (``UBND tỉnh Hải Dương`` →
    ``ubnd tinh hai duong``): punctuation to single spaces."""
    if not name:
        return None
    key = _NOT_WORD.sub(" ", fold(name)).strip()
    return key or None


def symbol_year(key: str | None) -> int | None:
    """The year printed inside a symbol (``55/2023/ND-CP`` → 2023), else ``None``."""
    if not key:
        return None
    m = re.match(r"^\d+[A-Z]?/((?:19|20)\d\d)/", key)
    return int(m.group(1)) if m else None


def type_abbr(code: str | None) -> str | None:
    """A type as typed by a user (``qd``, ``QĐ``, ``quyet dinh``) → contract abbreviation."""
    if not code:
        return None
    code = code.strip()
    t = lookup_abbr(code)
    if t:
        return t.abbr
    folded = name_key(code)
    for t in doc_types():
        if name_key(t.name) == folded:
            return t.abbr
    return None


@dataclass(frozen=True)
class SymbolSpec:
    """What a symbol-like query asks for: a full key, or a type and/or a number; ``year``
    when the query gives one (``QĐ 1696 năm 2015``, ``… ngày 02/7/2015``, ``NĐ 55/2023``)."""

    text: str
    key: str | None = None
    doc_type: str | None = None
    number: str | None = None
    year: int | None = None

    def describe(self) -> str:
        if self.key:
            return self.key
        return " ".join(x for x in (self.doc_type, self.number, self.year and str(self.year))
                        if x)


_FULL = re.compile(r"^\s*(?:(?:số|so)\s*:?\s*)?(\d+[A-Za-z]?\s*(?:/\s*(?:19|20)\d\d\s*)?"
                   r"[/-]\s*[^\s/][^\s]*(?:\s*[/-]\s*[^\s]+)*)\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"^\d{1,6}[A-Za-z]?$")
_EDGES = "\"'“”‘’«»()[]{}<>.,;:!?"
# "… ngày 02/7/2015", "… năm 2015", "… ngày 02-7-2015": the date of the document asked for
_DATED = re.compile(r"^(.*?\S)\s*,?\s+(?:ngày|ngay|năm|nam)\s+(?:\d{1,2}\s*[/.-]\s*"
                    r"\d{1,2}\s*[/.-]\s*)?((?:19|20)\d\d)\s*$", re.IGNORECASE)
# "QĐ-TTg 1696", "QĐ-TTg số 1696": the symbol's letters first
_LETTERS_FIRST = re.compile(r"^([^\W\d_]+(?:\s*-\s*[^\W_]+)+)\s+(?:(?:số|so)\s*:?\s*)?"
                            r"(\d{1,6}[A-Za-z]?)$", re.IGNORECASE)
# "QĐ1696", "KH.580": an abbreviation stuck to the number
_STUCK = re.compile(r"^([^\W\d_]{1,6})\s*\.?\s*(\d{1,6})$")
# "1696/2015" after a type: number and year
_NUMBER_YEAR = re.compile(r"^(\d{1,6}[A-Za-z]?)\s*/\s*((?:19|20)\d\d)$")


def _full_key(q: str) -> str | None:
    """The key of ``q`` when it is a whole số/ký hiệu (``1696/QĐ-TTg``, ``36-CT/TW``)."""
    m = _FULL.match(q)
    if m and re.search(r"[A-Za-zÀ-ỹĐđ]", m.group(1).split("/", 1)[-1]) and (
            "/" in m.group(1) or re.match(r"^\d+-[^\d]", m.group(1))):
        return symbol_key(m.group(1))
    return None


def parse_symbol_spec(query: str) -> SymbolSpec | None:
    """A query that names a document by its number → what to look for, else ``None``.

    ``1696/QĐ-TTg``, ``1696/qd-ttg``, ``1696 / QĐ - TTg``, ``số 1696/QĐ-TTg``,
    ``Quyết định số 1696/QĐ-TTg``, ``QĐ-TTg 1696`` → the key ``1696/QD-TTG``; ``QĐ 1696``,
    ``quyết định số 1696``, ``QĐ1696``, ``1696/QĐ`` → type + number; ``1696`` → number. A
    trailing ``ngày 02/7/2015`` or ``năm 2015`` (or ``NĐ 55/2023``) adds the year. Words
    ``số``/``so`` are ignored, and so are quotes and punctuation around the query."""
    q = query.translate(_DASHES).strip().strip(_EDGES).strip()
    if not q or len(q) > 80:
        return None
    year = None
    dated = _DATED.match(q)
    if dated:
        q, year = dated.group(1).strip().strip(_EDGES).strip(), int(dated.group(2))
    key = _full_key(q)
    if key:
        tail = key.split("/", 1)[-1]
        if re.fullmatch(r"[^\W\d_]+", tail) and type_abbr(tail) and "-" not in key:
            # "1696/QĐ": the type alone, no issuer part: any QĐ numbered 1696
            return SymbolSpec(q, doc_type=type_abbr(tail), number=number_key(key.split("/")[0]),
                              year=year or symbol_year(key))
        return SymbolSpec(q, key=key, year=year)
    m = _LETTERS_FIRST.match(q)
    if m and "/" not in q:
        letters = _SPACE.sub("", m.group(1))
        if type_abbr(letters.split("-")[0]):
            return SymbolSpec(q, key=symbol_key(f"{m.group(2)}/{letters}"), year=year)
    words = [w for w in _SPACE.split(q) if w]
    words = [w for w in words if fold(w).rstrip(":.") not in ("so",)]
    if len(words) >= 2:  # "Quyết định số 1696/QĐ-TTg": a type's name before the symbol
        for i in range(1, min(4, len(words))):
            if type_abbr(" ".join(words[:i])):
                key = _full_key(" ".join(words[i:]))
                if key:
                    inner = parse_symbol_spec(" ".join(words[i:]))
                    return inner and replace(inner, text=query.strip(),
                                             year=year or inner.year)
    if len(words) == 1 and (m := _STUCK.match(words[0])) and type_abbr(m.group(1)):
        return SymbolSpec(q, doc_type=type_abbr(m.group(1)), number=number_key(m.group(2)),
                          year=year)
    if len(words) >= 2 and (m := _NUMBER_YEAR.match(words[-1])):
        words = words[:-1] + [m.group(1)]
        year = year or int(m.group(2))
    nums = [w for w in words if _NUMBER.match(w)]
    if len(nums) != 1:
        return None
    rest = [w for w in words if w is not nums[0]]
    number = number_key(nums[0])
    if not rest:
        return SymbolSpec(q, number=number, year=year)
    abbr = type_abbr(" ".join(rest))
    return SymbolSpec(q, doc_type=abbr, number=number, year=year) if abbr else None
