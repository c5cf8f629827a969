"""The words the full-text index holds, as plain text functions (no database here).

Any backend indexes what these give: :func:`index_fold` the accent-folded text (đ/Đ → d/D;
the tokenizer strips the other accents), :func:`term_words` the folded words of a text,
:func:`pair_token` one pair of adjacent words and :func:`doc_terms` a document's distinct
words and word pairs. :mod:`pipeline.index.query` folds what users type the same way.
Changing them changes what is stored: the SQLite backend then needs a migration that
rebuilds its full-text tables (:mod:`pipeline.index.sqlite.schema`).
"""
from __future__ import annotations

import re
import unicodedata


def index_fold(text: str) -> str:
    """What ``fts_fold`` indexes: đ/Đ → d/D (same length); the tokenizer strips the rest."""
    return text.replace("đ", "d").replace("Đ", "D")


_COMBINING = re.compile("[\u0300-\u036f]")
_WORD = re.compile(r"[^\W_]+")


def term_words(text: str) -> list[str]:
    """Words of ``text`` lower-cased, accents stripped, đ → d (as typed queries are folded)."""
    folded = _COMBINING.sub("", unicodedata.normalize("NFD", text.lower()))
    return _WORD.findall(folded.replace("đ", "d"))


def pair_token(a: str, b: str) -> str:
    return f"_{a}_{b}"


def doc_terms(title: str | None, text: str) -> str:
    """What ``fts_terms`` indexes for a document: distinct words, then distinct pairs of
    adjacent words (within the title, within the text)."""
    return " ".join(words_and_pairs([term_words(title or ""), term_words(text)]))


def words_and_pairs(parts: list[list[str]]) -> list[str]:
    """The distinct words of ``parts`` (each a text's words in order), sorted, then the
    distinct pairs of adjacent words within each part, sorted."""
    words: set[str] = set()
    pairs: set[str] = set()
    for ws in parts:
        words.update(ws)
        pairs.update(map(pair_token, ws, ws[1:]))
    return sorted(words) + sorted(pairs)
