"""Character-level normalisation: NFC, one tone-placement convention, clean whitespace.

Every function here maps a string to a string; offsets are defined on the *output*,
which is the document's one normalised text.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def _tone_table() -> dict[str, str]:
    table: dict[str, str] = {}
    raw = resources.files("pipeline.data").joinpath("tone_placement.tsv").read_text("utf-8")
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        src, dst = line.split("\t")
        table[src] = dst
        table[src.upper()] = dst.upper()
        table[src[0].upper() + src[1:]] = dst[0].upper() + dst[1:]
    return table


@lru_cache(maxsize=1)
def _tone_re() -> re.Pattern[str]:
    keys = sorted(_tone_table(), key=len, reverse=True)
    # not after q/Q (quý), and only where the syllable ends (no letter follows)
    return re.compile(r"(?<![qQ])(" + "|".join(map(re.escape, keys)) + r")(?![^\W\d_])")


@lru_cache(maxsize=1)
def _lookalikes() -> dict[int, str]:
    """Letters that stand in for Vietnamese ones (lookalikes.tsv), one for one."""
    out: dict[int, str] = {}
    raw = resources.files("pipeline.data").joinpath("lookalikes.tsv").read_text("utf-8")
    for line in raw.splitlines():
        if line.strip() and not line.startswith("#"):
            src, dst = line.split("\t")
            out[ord(src)] = dst
    return out


_SPACES = re.compile(r"[ \u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_TABS = re.compile(r"[ \u00a0]*\t[\t \u00a0]*")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fix_tone_placement(text: str) -> str:
    """``hoà`` → ``hòa``, ``Uỷ`` → ``Ủy``; ``quý``, ``hoàn``, ``thuyết`` unchanged."""
    table = _tone_table()
    return _tone_re().sub(lambda m: table[m.group(1)], text)


def normalize_text(text: str) -> str:
    """NFC, lookalike letters made Vietnamese (``QÐ`` with a Latin eth → ``QĐ``), tone
    placement, invisible characters dropped, runs of spaces folded, each
    line stripped. Line breaks are kept (the assembler decides what they mean), and so
    is one tab where a run of tabs separated two columns ("Nơi nhận:<TAB>KT. CHỦ TỊCH")."""
    text = nfc(text).translate(_lookalikes())
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = fix_tone_placement(text)
    lines = [_TABS.sub("\t", _SPACES.sub(" ", ln)).strip() for ln in text.split("\n")]
    return "\n".join(lines)


_FOLD = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})  # and their lookalikes


def fold(text: str) -> str:
    """Accent-insensitive form: strip diacritics, đ → d, lower case. Same length only
    for NFC input without combining characters; use for matching, not for offsets."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def is_upper_text(text: str) -> bool:
    """True when the letters of ``text`` are (almost) all capitals."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 2:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper / len(letters) >= 0.9


def is_title_word(word: str) -> bool:
    """``Nguyễn``, ``Đại``: a capital followed by lower-case letters only."""
    return len(word) > 1 and word[0].isupper() and word[1:].isalpha() and word[1:].islower()
