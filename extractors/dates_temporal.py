"""Deadlines, periods and recurrences of one duty, and the findings on dates."""
from __future__ import annotations

import calendar
import re
from bisect import bisect_left
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache

from extractors.dates import complete, find_dates
from extractors.dates_periods import find_periods, governed, time_of_day
from extractors.dates_vocab import (
    citation_tail_re,
    near_tail_re,
    not_recurrence_re,
    past_re,
    recurrence_res,
    time_tail_re,
)
from pipeline.document.facts import DateMention, Finding, Temporal

__all__ = ["bounds", "date_findings", "field_temporal", "recurrence", "temporal_facts"]

_CLAUSE_BREAK = re.compile(r"[.;:\n]")
_DASH = re.compile(r"\s*[-–]\s*")  # "ngày 15/11 - 15/12/2020": a window
_DM = re.compile(r"(\d(?: ?\d)?)\s*(?:/|\.|-|\s+tháng\s+)\s*(\d(?: ?\d)?)", re.IGNORECASE)


def bounds(value: str) -> tuple[str, str] | None:
    """First and last day of a mention's value: a day, ``YYYY-MM``, ``YYYY-Qn``."""
    try:
        if len(value) == 10:
            return value, value
        y = int(value[:4])
        if value[5] == "Q":
            q = int(value[6])
            first, last = q * 3 - 2, q * 3
        else:
            first = last = int(value[5:7])
        end_day = calendar.monthrange(y, last)[1]
        return f"{y}-{first:02d}-01", f"{y}-{last:02d}-{end_day:02d}"
    except (ValueError, IndexError):
        return None


_YEARLESS = ("partial", "month", "quarter")


def _next_year(b: tuple[str, str]) -> tuple[str, str]:
    def shift(iso: str) -> str:
        y = int(iso[:4]) + 1
        day = min(int(iso[8:]), calendar.monthrange(y, int(iso[5:7]))[1])
        return f"{y}{iso[4:8]}{day:02d}"
    return shift(b[0]), shift(b[1])


def _value(m: DateMention, year: int | None) -> str | None:
    if m.value is not None or year is None:
        return m.value
    return complete(m, year)


def _not_a_deadline(text: str, m: DateMention, lo: int) -> bool:
    """A cited document's date, an issue/signing/effective date, a cut-off ("tính đến")
    or a past event ("đã tổ chức ngày …")."""
    before = text[max(lo, m.start - 160):m.start]
    tm = time_tail_re().search(before, max(0, len(before) - 20))
    if tm:  # "Báo cáo … trước 16h00 ngày …": a time of day, not a document's number
        before = before[:tm.start()]
    if citation_tail_re().search(before[-140:]):
        return True
    if near_tail_re("as_of").search(before):
        return True
    if m.cue in (None, "from") and near_tail_re("issued_on").search(before):
        return True
    if m.cue in ("before", "in"):  # "trước ngày …" looks ahead even after "đã"
        return False
    clause = _CLAUSE_BREAK.split(before)[-1]
    return bool(past_re().search(clause))


def recurrence(text: str) -> str | None:
    """The shortest rhythm a recurrence phrase in ``text`` gives ("hằng quý" beats
    "hằng năm"), skipping payment rhythms ("trợ cấp hằng tháng")."""
    for name, rx in recurrence_res():
        for m in rx.finditer(text):
            if not not_recurrence_re().search(text[max(0, m.start() - 50):m.start()]):
                return name
    return None


ADVERBIAL_REACH = 1000
"""Characters a duty looks back, inside its sentence, for a fronted adverbial ("Hằng năm,
các bộ …"); the corpus needs 430. Bounded so that the duties of one long sentence (a
paragraph without a full stop) do not each read it from its start."""


@lru_cache(maxsize=2)
def _sentence_breaks(text: str) -> tuple[int, ...]:
    """Where the sentences of ``text`` break ("." and line ends), in order: found once
    per document, not searched backwards from every duty."""
    return tuple(m.start() for m in re.finditer(r"[.\n]", text))


def temporal_facts(text: str, start: int, end: int, mentions: Sequence[DateMention],
                   issued: str | None, field: bool = False, rhythm: bool = True) -> Temporal:
    """Deadline, period, recurrence, the deadline's source and time of day of the duty
    ``text[start:end]`` from the date ``mentions`` of the document, sorted by start as
    :func:`extractors.dates.find_dates` gives them (those inside the span are used, found
    by bisection: a duty costs its own length, not the document's). ``issued`` (ISO) gives
    year-less mentions their year. ``field``: the span is a deadline cell of a task table
    ("Thời gian thực hiện"), where every date or period is the deadline, a window's end
    too. ``rhythm=False`` skips the recurrence (a parent item read for its deadline only).

    A date written for the duty is a ``stated`` deadline and wins over a period; else the
    latest period's last day is the deadline (``period_end``), with the period kept."""
    year = int(issued[:4]) if issued else None
    items: list[tuple[DateMention, str, str]] = []
    first = bisect_left(mentions, start, key=lambda m: m.start)
    last = bisect_left(mentions, end, key=lambda m: m.start)
    for m in mentions[first:last]:
        if m.start < start or m.end > end or m.kind in ("invalid",):
            continue
        value = _value(m, year)
        b = bounds(value) if value else None
        if b is None or _not_a_deadline(text, m, start):
            continue
        if issued and m.kind in _YEARLESS and b[1] < issued and value[:4] == issued[:4]:
            b = _next_year(b)  # "trước ngày 15/01" in a plan of December: next January
        items.append((m, b[0], b[1]))
    period, used = _window(text, items)
    stated: list[tuple[str, DateMention]] = []
    periods: list[tuple[str, dict | None]] = []
    for i, (m, lo, hi) in enumerate(items):
        if i in used:
            continue
        if m.kind in ("month", "quarter") and near_tail_re("strictly_before", 2).search(
                text, max(0, m.start - 12), m.start):
            # "trước tháng 6/2021" is before June begins; "thời hạn: tháng 6/2021" is by its end
            periods.append(((date.fromisoformat(lo) - timedelta(days=1)).isoformat(), None))
        elif field or m.cue in ("before", "in", "to") or m.kind == "quarter" \
                or (m.cue is None and governed(text, m.start, start)):
            if m.kind in ("month", "quarter"):
                periods.append((hi, {"start": lo, "end": hi}))
            elif m.kind == "year_end":  # "đến hết năm 2026": the year's last day
                periods.append((hi, {"start": hi[:4] + "-01-01", "end": hi}))
            else:
                stated.append((hi, m))
    for p in find_periods(text, start, end, mentions, year, field):
        if not (issued and p.last < issued):  # "trong giai đoạn 1974 - 1975": history
            periods.append((p.last, {"start": p.first, "end": p.last}))
    if field and period and period["end"]:  # "Từ tháng 3 đến tháng 6/2026" in a deadline cell
        periods.append((period["end"], period))
    deadline = source = time = None
    if stated:
        deadline, m = max(stated, key=lambda c: c[0])
        source, time = "stated", time_of_day(text, m.start, start)
    elif periods:
        deadline, window = max(periods, key=lambda c: c[0])
        source, period = "period_end", period or window
    rhythm_of = recurrence(text[start if field else _sentence_head(text, start):end]) \
        if rhythm else None
    return Temporal(deadline=deadline, period=period, recurrence=rhythm_of, source=source,
                    time=time)


def _window(text: str, items: list[tuple[DateMention, str, str]]) -> tuple[dict | None, set[int]]:
    """The first window ("từ 15/11 đến 15/12", "15/11 - 15/12/2020", "từ quý II/2026") and
    the items it uses."""
    for i, (m, lo, _hi) in enumerate(items):
        nxt = items[i + 1][0] if i + 1 < len(items) else None
        dash = nxt is not None and _DASH.fullmatch(text[m.end:nxt.start]) is not None
        if m.cue != "from" and not dash:
            continue
        if nxt is not None and (dash or nxt.cue == "to"
                                and not _CLAUSE_BREAK.search(text[m.end:nxt.start])):
            return {"start": lo, "end": items[i + 1][2]}, {i, i + 1}
        return {"start": lo, "end": None}, {i}
    return None, set()


def _sentence_head(text: str, start: int) -> int:
    """Where the sentence holding ``start`` begins: a duty cut from the middle of a
    sentence keeps the sentence's fronted adverbial ("Hằng năm, các bộ báo cáo …; Bộ X
    tổng hợp, báo cáo Thủ tướng")."""
    breaks = _sentence_breaks(text)
    k = bisect_left(breaks, start)
    head = breaks[k - 1] + 1 if k else 0
    if start - head > ADVERBIAL_REACH:  # a paragraph with no full stop: look back so far
        space = text.find(" ", start - ADVERBIAL_REACH, start)
        head = space + 1 if space >= 0 else start
    return head


_FIELD_LABEL = "Thời hạn: "


def field_temporal(cell: str, issued: str | None) -> Temporal:
    """The deadline a task table's deadline cell gives ("Quý I/2026", "30/4", "2025 -
    2035", "Thường xuyên"): its dates are read as if labelled, so a bare "30/4" counts."""
    text = _FIELD_LABEL + cell
    mentions = find_dates(text, int(issued[:4]) if issued else None)
    return temporal_facts(text, len(_FIELD_LABEL), len(text), mentions, issued, field=True)


def _bare(m: DateMention) -> tuple[str, int]:
    """The mention without its leading "ngày" (what a reader calls the date)."""
    low = m.text.lower()
    if low.startswith("ngày"):
        cut = len(m.text) - len(m.text[4:].lstrip())
        return m.text[cut:], m.start + cut
    return m.text, m.start


def date_findings(mentions: list[DateMention], issued: str | None,
                  deadlines: list[tuple[str, int, int]] | tuple = ()) -> list[Finding]:
    """``invalid_date`` and ``date_typo`` per mention, ``deadline_before_issue`` per
    (deadline ISO, start, end) earlier than ``issued``."""
    out: list[Finding] = []
    for m in mentions:
        shown, s = _bare(m)
        if m.kind == "invalid":
            dm = _DM.search(shown)
            why = ""
            if dm:
                d, mo = int(dm.group(1).replace(" ", "")), int(dm.group(2).replace(" ", ""))
                why = f" (month {mo})" if not 1 <= mo <= 12 else f" (day {d} of month {mo})"
            out.append(Finding("invalid_date", f"impossible date '{shown}'{why}", shown, s, m.end))
        elif m.kind == "typo":
            read = f"read as {m.value}" if m.value else "year unreadable"
            out.append(Finding("date_typo", f"malformed date '{shown}', {read}", shown, s, m.end))
    if issued:
        for iso, s, e in deadlines:
            if iso and iso < issued:
                hit = next((m for m in mentions if s <= m.start and m.end <= e
                            and m.value and (bounds(m.value) or ("", ""))[1] == iso), None)
                shown, ms, me = (_bare(hit)[0], _bare(hit)[1], hit.end) if hit else (iso, s, e)
                out.append(Finding("deadline_before_issue",
                                   f"deadline '{shown}' ({iso}) is before the issue date {issued}",
                                   shown, ms, me))
    return out
