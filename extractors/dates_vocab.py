"""The word lists of ``data/date_cues.tsv`` compiled into regexes (once per process)."""
from __future__ import annotations

import re
from functools import cache, lru_cache

from extractors.vocab import table
from pipeline.document.normalize import fix_tone_placement, nfc

CUE_FILE = "date_cues.tsv"
CUE_KINDS = ("before", "from", "to", "in")
RECURRENCES = ("monthly", "quarterly", "semiannual", "annual")  # shortest period first
NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
NOT_LETTER_AFTER = r"(?![^\W\d_])"


def _pattern(text: str) -> str:
    """One data row → regex source: NFC, our tone placement, spaces match runs of spaces."""
    return re.sub(r" +", r"\\s+", fix_tone_placement(nfc(text.strip())))


def _alternation(patterns: tuple[str, ...]) -> str:
    return "|".join(sorted((_pattern(p) for p in patterns), key=len, reverse=True))


def _group(name: str) -> tuple[str, ...]:
    return table(CUE_FILE).get(name, ())


def words(group: str) -> str:
    """The group's patterns as one alternation (longest first), for use inside a regex."""
    return _alternation(_group(group))


@lru_cache(maxsize=1)
def cue_tail_re() -> re.Pattern[str]:
    """Matches a governing cue (or a context word) at the very end of a window of text;
    the named group that matched says which (``c_before`` … ``c_in``, ``c_context``)."""
    parts = [f"(?P<c_{k}>{_alternation(_group('cue.' + k))})" for k in CUE_KINDS]
    parts.append(f"(?P<c_context>{_alternation(_group('context'))})")
    return re.compile(NOT_LETTER_BEFORE + "(?:" + "|".join(parts) + r")\s*:?\s*$", re.IGNORECASE)


def cue_of(window: str) -> tuple[str | None, bool]:
    """(governing cue kind or None, whether any cue/context word ends ``window``)."""
    m = cue_tail_re().search(window)
    if not m:
        return None, False
    for k in CUE_KINDS:
        if m.group("c_" + k):
            return k, True
    return None, True


@lru_cache(maxsize=1)
def recurrence_res() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple(
        (r, re.compile(NOT_LETTER_BEFORE + f"(?:{_alternation(_group('recurrence.' + r))})"
                       + NOT_LETTER_AFTER, re.IGNORECASE))
        for r in RECURRENCES)


@lru_cache(maxsize=1)
def not_recurrence_re() -> re.Pattern[str]:
    """A payment noun shortly before a recurrence phrase (searched in a window's tail)."""
    return re.compile(NOT_LETTER_BEFORE + f"(?:{_alternation(_group('not_recurrence'))})"
                      + r"(?:[^.;:\n]{0,40})$", re.IGNORECASE)


@lru_cache(maxsize=1)
def deadline_hint_re() -> re.Pattern[str]:
    return re.compile(NOT_LETTER_BEFORE + f"(?:{_alternation(_group('deadline_hint'))})"
                      + NOT_LETTER_AFTER, re.IGNORECASE)


@lru_cache(maxsize=1)
def citation_tail_re() -> re.Pattern[str]:
    """A document reference ending right before a date: type word (+ số) + number or
    symbol, or a bare symbol (``1696/QĐ-TTg``), optionally followed by a comma."""
    types = _alternation(_group("citation_type"))
    symbol = r"\d+[\wĐđ]*(?:[/-][\wĐđ.&]+)+"
    numbered = (NOT_LETTER_BEFORE + f"(?:{types})" + r"(?:[^.;:\n\d]{0,80}?)"
                + r"(?:số|s\u1ed1)?\s*:?\s*\d+[\wĐđ]*(?:[/-][\wĐđ.&]+)*")
    return re.compile(rf"(?:{numbered}|{NOT_LETTER_BEFORE}{symbol})\s*,?\s*$", re.IGNORECASE)


@lru_cache(maxsize=1)
def past_re() -> re.Pattern[str]:
    return re.compile(NOT_LETTER_BEFORE + f"(?:{_alternation(_group('past'))})"
                      + NOT_LETTER_AFTER, re.IGNORECASE)


@cache
def near_tail_re(group: str, slack: int = 15) -> re.Pattern[str]:
    """A word of ``group`` ending at most ``slack`` letters (no digits, no clause break)
    before the end of a window ("ban hành ngày", "có hiệu lực kể từ ngày")."""
    return re.compile(NOT_LETTER_BEFORE + f"(?:{_alternation(_group(group))})"
                      + NOT_LETTER_AFTER + rf"[^.;:\n\d]{{0,{slack}}}$", re.IGNORECASE)
