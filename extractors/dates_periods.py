"""Periods a plan gives for a duty that are not date mentions, and the time of day of a
deadline.

:func:`find_periods` reads years ("Trong năm 2026", "Năm 2026"), half-years ("6 tháng đầu
năm 2026") and ranges of years ("Năm 2026 - 2030", "Giai đoạn 2026-2030", "từ năm 2026 đến
năm 2030"). In running text a period counts only when a cue governs it ("trong",
"hoàn thành trong") or a deadline label precedes it in its clause ("Thời gian thực hiện:");
in a deadline cell of a task table every period counts, and a bare year ("2026",
"2025 - 2035") is one. Months and quarters are date mentions
(:func:`extractors.dates.find_dates`); their bounds come from
:func:`extractors.dates_temporal.bounds`. The words are data (``data/date_cues.tsv``).
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from extractors.dates_vocab import (
    NOT_LETTER_BEFORE,
    bare_years_re,
    label_tail_re,
    label_years_re,
    not_period_tail_re,
    period_cue_tail_re,
    period_re,
    time_tail_re,
    words,
)
from pipeline.document.facts import DateMention

__all__ = ["Period", "annex_period", "find_periods", "governed", "may_hold_period", "time_of_day"]

_CLAUSE = re.compile(r"[.;\n]")
_MAX_SPAN = 30  # years: "2025 - 2035" is a plan's horizon, "1945 - 2025" an anniversary


@dataclass(frozen=True)
class Period:
    start: int
    end: int
    first: str  # ISO first day
    last: str  # ISO last day
    kind: str  # year | half1 | half2 | range


def governed(text: str, s: int, lo: int) -> bool:
    """Whether a cue ("trong năm 2026") or a deadline label of the same clause ("Thời gian
    thực hiện: năm 2026") governs the expression starting at ``s`` (not before ``lo``)."""
    window = text[max(lo, s - 60):s]
    if period_cue_tail_re().search(window):
        return True
    clause = _CLAUSE.split(window)[-1]
    return bool(label_tail_re().search(clause))


def _make(kind: str, m: re.Match[str], year: int | None) -> tuple[str, str] | None:
    if kind == "range":
        y1, y2 = int(m.group("y1")), int(m.group("y2"))
        if not 0 < y2 - y1 <= _MAX_SPAN:
            return None
        return f"{y1}-01-01", f"{y2}-12-31"
    printed = m.group("y3") or m.group("y4") or m.group("y5")
    y = int(printed) if printed else year
    if y is None:
        return None
    if kind == "half1":
        return f"{y}-01-01", f"{y}-06-30"
    if kind == "half2":
        return f"{y}-07-01", f"{y}-12-31"
    return f"{y}-01-01", f"{y}-12-31"


_MAYBE = re.compile(r"(?:19|20)\d\d|tháng đầu|tháng cuối|nửa", re.IGNORECASE)


def may_hold_period(text: str, start: int, end: int) -> bool:
    """A quick test: could ``text[start:end]`` hold a period at all (a year, a half)?"""
    return _MAYBE.search(text, start, end) is not None


def find_periods(text: str, start: int, end: int, mentions: Sequence[DateMention],
                 year: int | None, field: bool = False) -> list[Period]:
    """The periods in ``text[start:end]`` that no date mention covers ("tháng 6 năm 2026"
    is a month), in order. ``field``: the span is a deadline cell, where no cue is needed
    and a bare year counts. ``year`` completes a half-year printed without its year."""
    if field:
        bare = bare_years_re().fullmatch(text, start, end)
        if bare:
            y1, y2 = int(bare.group("y1")), int(bare.group("y2") or bare.group("y1"))
            if 0 <= y2 - y1 <= _MAX_SPAN:
                return [Period(bare.start("y1"), bare.end(), f"{y1}-01-01", f"{y2}-12-31",
                               "range" if y2 > y1 else "year")]
    if not may_hold_period(text, start, end):
        return []
    lo = bisect_left(mentions, start, key=lambda d: d.start)
    taken = [(d.start, d.end) for d in mentions[lo:bisect_left(mentions, end, key=lambda d: d.start)]]
    out: list[Period] = []
    for m in period_re().finditer(text, start, end):
        s, e = m.span()
        kind = m.lastgroup or "year"
        if any(a < e and s < b for a, b in taken):
            continue
        if kind == "range" and not_period_tail_re().search(text, max(start, s - 12), s):
            continue
        if not field and not governed(text, s, start):
            continue
        made = _make(kind, m, year)
        if made is not None:
            out.append(Period(s, e, made[0], made[1], kind))
            taken.append((s, e))
    if not field:  # "Thời gian thực hiện: 2026 - 2030"
        for m in label_years_re().finditer(text, start, end):
            s, e = m.start("y1"), m.end()
            y1, y2 = int(m.group("y1")), int(m.group("y2") or m.group("y1"))
            if 0 <= y2 - y1 <= _MAX_SPAN and not any(a < e and s < b for a, b in taken):
                out.append(Period(s, e, f"{y1}-01-01", f"{y2}-12-31", "range" if y2 > y1 else "year"))
        out.sort(key=lambda p: p.start)
    return out


_ANNEX_LOOKBACK = 800  # characters: an annex's heading sits right above its table


@cache
def _annex_re() -> re.Pattern[str]:
    return re.compile(NOT_LETTER_BEFORE + "(?:" + words("annex") + ")", re.IGNORECASE)


@cache
def _until_re() -> re.Pattern[str]:
    """"đến năm 2030": the span's end, at the very end of a window."""
    return re.compile("(?:" + words("period.until") + r")\s*$", re.IGNORECASE)


def annex_period(text: str, table_start: int, lo: int, mentions: Sequence[DateMention],
                 issued: str | None) -> dict | None:
    """The period the heading of an annex gives the task table starting at ``table_start``
    ("PHỤ LỤC PHÂN CÔNG … ĐẾN NĂM 2030", "… GIAI ĐOẠN 2026 - 2030", "… NĂM 2026"), read
    from the last "Phụ lục" after ``lo`` to the table or to the heading's aside ("(Ban hành
    kèm theo …)"). "Đến năm 2030" starts where the plan's own range ending in 2030 starts
    ("giai đoạn 2026 - 2030" in its title), else it has no start."""
    lo = max(lo, table_start - _ANNEX_LOOKBACK)
    heads = list(_annex_re().finditer(text, lo, table_start))
    if not heads:
        return None
    s = heads[-1].end()
    aside = text.find("(", s, table_start)
    end = aside if aside >= 0 else table_start
    year = int(issued[:4]) if issued else None
    found = [p for p in find_periods(text, s, end, mentions, year, field=True)
             if not (issued and p.last < issued)]
    if not found:
        return None
    p = found[-1]
    first: str | None = p.first
    if p.kind == "year" and _until_re().search(text, max(s, p.start - 12), p.start):
        first = None
        for m in period_re().finditer(text, 0, s):
            if m.lastgroup == "range" and f"{m.group('y2')}-12-31" == p.last:
                first = f"{m.group('y1')}-01-01"
                break
    return {"start": first, "end": p.last}


def time_of_day(text: str, s: int, lo: int) -> str | None:
    """The time of day written right before the date starting at ``s``: "14:00" for
    "trước 14 giờ ngày …", "16:00" for "16h00 ngày …"."""
    window = text[max(lo, s - 24):s]
    low = window.lower()
    if low.rstrip().endswith("ngày"):  # "16h00 ngày" when the mention starts after "ngày"
        window = window[:len(window.rstrip()) - 4]
    m = time_tail_re().search(window)
    if not m:
        return None
    return f"{int(m.group('h')):02d}:{m.group('mi') or m.group('mi2') or '00'}"
