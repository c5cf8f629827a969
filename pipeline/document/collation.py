"""Vietnamese alphabetical order for every list of names a person reads.

Python's ``sorted`` orders by code point: "Khoa" before "Kế", "UBND" before "các", and
"Đài", "Ủy ban" last. Vietnamese dictionaries order letter by letter over the alphabet
``a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y``, case-blind, and break ties
by tone (none, huyền, hỏi, ngã, sắc, nặng). :func:`vi_key` is that order as a sort key.
The alphabet and the tone order are data (``pipeline/data/collation.tsv``).
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "collation.tsv"

_TONES = {"\u0300": "huyen", "\u0309": "hoi", "\u0303": "nga", "\u0301": "sac", "\u0323": "nang"}


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, int], dict[str, int]]:
    letters: dict[str, int] = {}
    tones: dict[str, int] = {"": 0}
    for line in DATA.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, _, value = line.partition("\t")
        if kind == "alphabet":
            for i, ch in enumerate(value.split()):
                letters[ch] = i + 1
        elif kind == "tones":
            for i, name in enumerate(value.split()):
                tones[name] = i
    return letters, tones


@lru_cache(maxsize=50_000)
def vi_key(text: str | None) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    """A sort key putting ``text`` in Vietnamese dictionary order: letters first (base
    letter with its hat or horn, case-blind), then tones, then the text itself (so
    the order is total). Digits and other signs sort before letters, by code point."""
    letters, tones = _table()
    primary: list[int] = []
    secondary: list[int] = []
    for ch in unicodedata.normalize("NFD", (text or "").lower()):
        if ch in _TONES:
            if secondary:
                secondary[-1] = tones.get(_TONES[ch], 0)
            continue
        if unicodedata.combining(ch):  # a hat or horn: part of the letter
            if primary and primary[-1] > 0:
                base = _letter_of(primary[-1], letters)
                composed = unicodedata.normalize("NFC", base + ch)
                primary[-1] = letters.get(composed, primary[-1])
            continue
        if ch in letters:
            primary.append(letters[ch])
        elif ch.isspace():
            primary.append(0)
        else:
            primary.append(-1_000_000 + ord(ch) if not ch.isalpha() else 1000 + ord(ch))
        secondary.append(0)
    return tuple(primary), tuple(secondary), text or ""


def _letter_of(rank: int, letters: dict[str, int]) -> str:
    for ch, r in letters.items():
        if r == rank:
            return ch
    return ""


def vi_sorted(items, key=lambda x: x):
    """``items`` in Vietnamese order of ``key(item)``."""
    return sorted(items, key=lambda x: vi_key(key(x)))
