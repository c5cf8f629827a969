"""Text quality of a PDF page's text layer: the score that decides when to OCR.

* :func:`vietnamese_score` rates a page's text layer: the share of its words that are
  well-formed Vietnamese syllables in a sane case, damped when almost no word carries a
  Vietnamese diacritic. A wrong font mapping (``9Ă13+Ñ1*&+Ë1``, ``uY BAN NgAN nAN``) or
  legacy 8-bit codes (``Uû ban nh©n d©n``) score low; real pages score above 0.8.
* :func:`readable_share` tells OCR noise from words (Vietnamese or plain Latin).
* :func:`letter_count` counts letters (an empty text layer has few).

The bottom of :mod:`pipeline.readers.pdf`: it imports only
:mod:`pipeline.readers.encoding`.
"""
from __future__ import annotations

import re
import unicodedata

from pipeline.readers.encoding import is_vietnamese_syllable

SCORE_SAMPLE = 200  # words scored per text (spread over it)

_TOKEN = re.compile(r"\S+")
_EDGE_PUNCT = "\"'“”‘’()[]{}<>.,;:!?…«»-–—/*•"
# letters only Vietnamese uses (with tones, ă â đ ê ô ơ ư); ASCII-only text is suspect
_VI_MARKED = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợ"
                        "ùúủũụưừứửữựỳýỷỹỵ]")
_ODD_CHARS = re.compile("[\ue000-\uf8ff\ufffd\x00-\x08\x0e-\x1f\x7f-\x9f©®¬¸¹²³µ¶¼½¾×÷"
                        "\u0400-\u052f\u0370-\u03ff\u0590-\u06ff]")
_CODE = re.compile(r"^[\dA-ZĐ][\dA-ZĐa-z./\-&]*$")  # 173/KH-UBND, 02-NQ/TW, CTr/TU
_HAS_LETTER = re.compile(r"[^\W\d_]")
_VOWEL_RE = re.compile("[aăâeêioôơuưyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")


def _sane_case(word: str) -> bool:
    """lower, UPPER or Title case; ``uY`` / ``NgAN`` are not."""
    return word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())


_PLAIN_WORD = re.compile(r"[A-Za-z]{1,15}")
_VOWEL = re.compile(r"[aeiouyAEIOUY]")


def readable_share(text: str) -> float:
    """0..1: the share of words that are a Vietnamese syllable or a plain Latin word
    (English, codes in letters): low only for noise, unlike :func:`vietnamese_score`,
    which an English page fails too."""
    words = [w.strip(_EDGE_PUNCT) for w in _TOKEN.findall(unicodedata.normalize("NFC", text))]
    words = [w for w in words if w and _HAS_LETTER.search(w)]
    if not words:
        return 0.0
    ok = sum(1 for w in words if is_vietnamese_syllable(w)
             or (_PLAIN_WORD.fullmatch(w) and _VOWEL.search(w)))
    return ok / len(words)


def vietnamese_score(text: str) -> float:
    """0..1: how much ``text`` looks like Unicode Vietnamese (1.0 = every word fits).

    Words are whitespace-separated tokens with edge punctuation stripped. Neutral (not
    counted): words without letters (``2026``, ``17/3``), codes (``173/KH-UBND``,
    ``02-NQ/TW``) and capital abbreviations with at most one vowel (``UBND``, ``HĐND``).
    Bad: words holding odd characters (private-use glyphs, symbols, Cyrillic...). Good:
    a valid syllable in a sane case. The share of good words is multiplied by
    ``min(1, marked / 0.25)``, ``marked`` being the share of words carrying a letter only
    Vietnamese has (real pages: 0.4-0.7), so diacritic-free garble scores low too.
    Long texts are sampled (every k-th word, about ``SCORE_SAMPLE`` words). An empty
    text scores 0.
    """
    text = unicodedata.normalize("NFC", text)
    good = total = marked = 0
    tokens = _TOKEN.findall(text)
    step = max(1, len(tokens) // SCORE_SAMPLE)
    for raw in tokens[::step]:
        word = raw.strip(_EDGE_PUNCT)
        if not word:
            continue
        if _ODD_CHARS.search(word):
            total += 1
            continue
        if not _HAS_LETTER.search(word):
            continue
        if not word.isalpha():
            if not _CODE.match(word):
                total += 1
            continue
        if word.isupper() and len(_VOWEL_RE.findall(word.lower())) <= 1 \
                and not is_vietnamese_syllable(word):
            continue
        total += 1
        if _VI_MARKED.search(word.lower()):
            marked += 1
        if _sane_case(word) and is_vietnamese_syllable(word):
            good += 1
    if total == 0:
        return 0.0
    return good / total * min(1.0, (marked / total) / 0.25)


def letter_count(text: str) -> int:
    """Number of letters in ``text``."""
    return sum(map(str.isalpha, text))
