"""Keys the index matches on: document symbols in any spelling, agency names, titles.

``1696/QĐ-TTg``, ``1696/qd-ttg`` and ``1696 / QĐ – TTg`` share the key ``1696/QD-TTG``;
``06/QĐ-TTg`` and ``6/QĐ-TTg`` share ``6/QD-TTG``. A query such as ``QĐ 1696``,
``quyet dinh so 1696`` or ``1696`` is a :class:`SymbolSpec` (type and/or number) rather
than a key.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

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
    """What a symbol-like query asks for: a full key, or a type and/or a number."""

    text: str
    key: str | None = None
    doc_type: str | None = None
    number: str | None = None

    def describe(self) -> str:
        if self.key:
            return self.key
        return " ".join(x for x in (self.doc_type, self.number) if x)


_FULL = re.compile(r"^\s*(?:(?:số|so)\s*:?\s*)?(\d+[A-Za-z]?\s*(?:/\s*(?:19|20)\d\d\s*)?"
                   r"[/-]\s*[^\s/][^\s]*(?:\s*[/-]\s*[^\s]+)*)\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"^\d{1,6}[A-Za-z]?$")


def parse_symbol_spec(query: str) -> SymbolSpec | None:
    """``1696/QĐ-TTg`` → key; ``QĐ 1696``, ``quyết định số 1696`` → type + number; ``1696``
    → number; anything else → ``None``. Optional words ``số``/``so`` are ignored."""
    q = query.translate(_DASHES).strip().strip('"').strip()
    if not q or len(q) > 80:
        return None
    m = _FULL.match(q)
    if m and re.search(r"[A-Za-zÀ-ỹĐđ]", m.group(1).split("/", 1)[-1]) and (
            "/" in m.group(1) or re.match(r"^\d+-[^\d]", m.group(1))):
        return SymbolSpec(q, key=symbol_key(m.group(1)))
    words = [w for w in _SPACE.split(q) if w]
    words = [w for w in words if fold(w).rstrip(":.") not in ("so",)]
    nums = [w for w in words if _NUMBER.match(w)]
    if len(nums) != 1:
        return None
    rest = [w for w in words if w is not nums[0]]
    number = number_key(nums[0])
    if not rest:
        return SymbolSpec(q, number=number)
    abbr = type_abbr(" ".join(rest))
    return SymbolSpec(q, doc_type=abbr, number=number) if abbr else None
