"""Header values of an OCR'd page put right with the document's own words.

A scan's title is OCR'd once, at its size and under its stamps; the same words come back
in the body many times (``trung học phổ thông``, ``Hội đồng nhân dân``, ``lĩnh vực``).
:func:`mend_title` gives a title word the accents the document most often writes it
with: a pair of words of the title is spelled as the pair with the same letters,
accents aside, that the whole text (title included) writes most often, at least twice
and more often than as the title has it. The fixed opener ``Về việc`` (header.tsv ``opener``) is
put back when OCR misread or glued it (``Vêviệc``, ``Và việc``), and a symbol OCR split
at its hyphen (``24/2013/NQ- HĐND``) is joined.
"""
from __future__ import annotations

import re
from collections import Counter

from extractors.vocab import table
from pipeline.document.normalize import fold

__all__ = ["mend_code", "mend_title"]

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SPLIT_SYMBOL = re.compile(r"(/[A-ZĐ][A-Za-zĐđ]*)-\s+(?=[A-ZĐ]{2,}\b)")
MIN_SEEN = 2  # the body's spelling of a pair must be seen at least this often


def _pairs(words: list[str]) -> Counter:
    c: Counter = Counter()
    for a, b in zip(words, words[1:]):
        c[(a.lower(), b.lower())] += 1
    return c


def _edits(a: str, b: str) -> int:
    from rapidfuzz.distance import Levenshtein  # lazy: only an OCR'd header needs it

    return Levenshtein.distance(a, b)


def _opener(title: str) -> str:
    """``,Vêviệc triển khai`` → ``Về việc triển khai``: the first two words (or one
    glued word) within one letter, accents aside, of an opener of header.tsv."""
    stripped = title.lstrip(" ,.;:-_'\"`")
    toks = stripped.split(" ")
    for opener in table("header.tsv").get("opener", ()):
        n = len(opener.split())
        want = fold(opener).replace(" ", "")
        for k in (1, n):
            if len(toks) <= k:
                continue
            got = fold("".join(toks[:k]))
            if got == want and k == n:
                return stripped
            if got == want or _edits(got, want) <= 1:
                return " ".join([opener] + toks[k:])
    return stripped


def mend_title(title: str, body: str) -> str:
    """``title`` (OCR'd) with its words spelled as ``body`` spells them (see the module
    docstring)."""
    title = _SPLIT_SYMBOL.sub(r"\1-", _opener(title))
    body_words = _WORD.findall(body)
    seen = _pairs(body_words)
    by_fold: dict[tuple[str, str], Counter] = {}
    for (a, b), n in seen.items():
        by_fold.setdefault((fold(a), fold(b)), Counter())[(a, b)] += n
    toks = title.split(" ")
    cores = [(_WORD.search(t).group(0) if _WORD.search(t) else "") for t in toks]
    out = list(toks)
    for i in range(len(toks)):
        for j in (i - 1, i + 1):
            if not (0 <= j < len(toks)) or not cores[i] or not cores[j]:
                continue
            pair = (cores[min(i, j)].lower(), cores[max(i, j)].lower())
            forms = by_fold.get((fold(pair[0]), fold(pair[1])))
            if not forms:
                continue
            (best, n), = forms.most_common(1)
            if n < MIN_SEEN or n <= seen.get(pair, 0):
                continue
            right = best[0] if j > i else best[1]
            if right != cores[i].lower() and (j > i and best[1] == pair[1] or
                                              j < i and best[0] == pair[0]):
                word = right[:1].upper() + right[1:] if cores[i][:1].isupper() else right
                out[i] = toks[i].replace(cores[i], word, 1)
                break
    return " ".join(out)


def mend_code(symbol: str, abbr: str) -> str:
    """A symbol whose type code OCR misread (``239/TTIr-UBND`` under ``TỜ TRÌNH``) with the
    code of the type name printed above the title (``TTr``), when the code is one letter
    away from it; the caller checks that the misread code is no type's code."""
    m = re.search(r"(?<=/)([^/\-]+)(?=-)", symbol)
    if not m or m.group(1) == abbr or _edits(m.group(1), abbr) != 1:
        return symbol
    return symbol[:m.start(1)] + abbr + symbol[m.end(1):]
