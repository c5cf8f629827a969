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


@lru_cache(maxsize=1)
def time_tail_re() -> re.Pattern[str]:
    """A time of day ending a window, before the date it belongs to ("14 giờ", "16h00",
    "14 giờ 30 phút,", "14:00"): groups ``h`` and ``mi``."""
    hour, minute = words("time_hour"), words("time_minute")
    return re.compile(r"(?<![\d/.:])(?P<h>[01]?\d|2[0-3])\s*(?:(?:" + hour + r")\s*(?P<mi>[0-5]\d)?"
                      r"|:(?P<mi2>[0-5]\d))(?:\s*(?:" + minute + r"))?" + NOT_LETTER_AFTER
                      + r"\s*,?\s*$", re.IGNORECASE)


_YEAR = r"(?:19|20)\d\d"


@lru_cache(maxsize=1)
def period_re() -> re.Pattern[str]:
    """The periods that are no date mentions, one alternative per kind (the group that
    matched names it): ``range`` (groups y1, y2), ``half1``/``half2`` (y1, optional),
    ``year`` (y1). At one position a range wins over a year ("Năm 2026 - 2030")."""
    rng = (r"(?:(?:" + words("period.range") + r")\s+)?(?P<y1>" + _YEAR + r")\s*(?:[-–—]|\s(?:"
           + words("period.range_join") + r")\s)\s*(?P<y2>" + _YEAR + r")(?![\d/])")
    half = r"(?:\s+(?P<{}>" + _YEAR + r")(?![\d/]))?"
    year = "(?:" + words("period.year") + r")\s+(?P<y5>" + _YEAR + r")(?![\d/])"
    return re.compile(NOT_LETTER_BEFORE + "(?:" + "|".join((
        f"(?P<range>{rng})",
        "(?P<half1>(?:" + words("period.half_first") + ")" + half.format("y3") + ")",
        "(?P<half2>(?:" + words("period.half_last") + ")" + half.format("y4") + ")",
        f"(?P<year>{year})")) + ")", re.IGNORECASE)


@lru_cache(maxsize=1)
def bare_years_re() -> re.Pattern[str]:
    """A deadline cell that holds only a year or a range of years ("2026", "2025 - 2035")."""
    return re.compile(r"\W*(?P<y1>" + _YEAR + r")(?:\s*[-–—]\s*(?P<y2>" + _YEAR + r"))?\W*")


@lru_cache(maxsize=1)
def label_years_re() -> re.Pattern[str]:
    """A deadline label with a bare year or range after its colon ("Thời gian thực hiện:
    2026 - 2030"): groups y1, y2."""
    return re.compile(NOT_LETTER_BEFORE + "(?:" + words("deadline_hint") + ")" + NOT_LETTER_AFTER
                      + r"[^.;:\n\d]{0,30}:\s*(?P<y1>" + _YEAR + r")(?:\s*[-–—]\s*(?P<y2>"
                      + _YEAR + r"))?(?![\d/.,]|\s*[-–—]?\s*\d)", re.IGNORECASE)


@lru_cache(maxsize=1)
def period_cue_tail_re() -> re.Pattern[str]:
    """A word that governs a period in running text, at the end of a window."""
    return re.compile(NOT_LETTER_BEFORE + "(?:" + words("period.cue") + r")\s*,?\s*$",
                      re.IGNORECASE)


@lru_cache(maxsize=1)
def label_tail_re() -> re.Pattern[str]:
    """A deadline label earlier in the same clause ("Thời gian thực hiện: ", "Tiến độ
    hoàn thành: ", "Thời hạn"), ending a window."""
    return re.compile(NOT_LETTER_BEFORE + "(?:" + words("deadline_hint") + ")" + NOT_LETTER_AFTER
                      + r"[^.;\n\d]{0,30}$", re.IGNORECASE)


@lru_cache(maxsize=1)
def not_period_tail_re() -> re.Pattern[str]:
    return re.compile(NOT_LETTER_BEFORE + "(?:" + words("period.not") + r")\s*$", re.IGNORECASE)
