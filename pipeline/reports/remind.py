"""Reminder letters (công văn đôn đốc): for one agency, a DOCX letter in the layout of
Decree 30/2020 (:mod:`pipeline.reports.decree30`) listing its duties that are overdue or
due within a few days, across every plan checked, and asking it to report by a date.

Its input is the agency's rows of :func:`pipeline.reports.agencies.agency_duties`; whether a
duty is overdue or soon due is read from its due date against the letter's day, so a
letter written on another day than the gap reports still says what is late that day.
:func:`match_agency` finds the agency a person typed (case and accents ignored).
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable

from pipeline.document import labels
from pipeline.document.collation import vi_key, vi_sorted
from pipeline.document.labels import vn_date
from pipeline.document.normalize import fold
from pipeline.outputs import write_with
from pipeline.reports import decree30 as d30
from pipeline.reports.agencies import AgencyDuty

WITHIN_DAYS = 15
"""A duty due within this many days of the letter's day is "soon due"."""
REPLY_DAYS = 10
"""The agency is asked to report back within this many days."""
NOT_DONE = {"pending", "overdue", "no_deadline"}
HEADERS = ["STT", "Mục", "Nhiệm vụ", "Thời hạn", "Tình trạng"]
WIDTHS_CM = [1.2, 2.3, 7.7, 2.5, 2.3]  # 16 cm
SUBJECT = "V/v đôn đốc thực hiện nhiệm vụ được giao"


class AgencyNotFound(LookupError):
    """No agency, or more than one, matches what was typed; the message says which
    names come close (one line, in Vietnamese)."""


def _norm(name: str) -> str:
    return " ".join(fold(unicodedata.normalize("NFC", name or "")).split())


def match_agency(query: str, names: Iterable[str]) -> str:
    """The one name of ``names`` that ``query`` means: equal once case and accents are
    ignored, else the only name containing it. Raises :class:`AgencyNotFound`."""
    names = list(dict.fromkeys(names))
    q = _norm(query)
    if q:
        exact = [n for n in names if _norm(n) == q]
        if len(exact) == 1:
            return exact[0]
        found = exact or [n for n in names if q in _norm(n)]
        if len(found) == 1:
            return found[0]
        if found:
            shown = vi_sorted(found)
            more = f" và {len(shown) - 8} đơn vị khác" if len(shown) > 8 else ""
            raise AgencyNotFound(f"'{query}' khớp nhiều đơn vị: {'; '.join(shown[:8])}{more}")
    folded = {_norm(n): n for n in names}
    close = [folded[f] for f in difflib.get_close_matches(q, list(folded), n=5, cutoff=0.5)]
    hint = f"; gần giống: {'; '.join(close)}" if close else (
        f"; các đơn vị có: {'; '.join(vi_sorted(names)[:8])}" if names else "")
    raise AgencyNotFound(f"không có đơn vị nào tên '{query}'{hint}")


@dataclass(frozen=True)
class Reminder:
    """A duty of the letter: ``late`` (overdue) or soon due, and by how many days."""

    duty: AgencyDuty
    late: bool
    days: int | None  # days overdue, or days left; None when the date is unknown


def _day(iso: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(iso) if iso else None
    except ValueError:
        return None


def _as_row(d: AgencyDuty) -> dict:
    return {"task_id": d.task_id, "place": d.place, "due": d.due, "deadline": d.deadline,
            "due_source": d.due_source}


def reminders(rows: list[AgencyDuty], as_of: dt.date,
              within: int = WITHIN_DAYS) -> list[Reminder]:
    """The duties not done by ``as_of`` that are overdue, or due within ``within`` days;
    overdue first, then by due date, plan and place."""
    out = []
    for d in rows:
        if d.status not in NOT_DONE:
            continue
        due = _day(d30.due_of(_as_row(d))[0])
        if due is None:
            if d.status == "overdue":
                out.append(Reminder(d, True, None))
        elif due < as_of:
            out.append(Reminder(d, True, (as_of - due).days))
        elif (due - as_of).days <= within:
            out.append(Reminder(d, False, (due - as_of).days))
    return sorted(out, key=lambda r: (not r.late, r.duty.due or r.duty.deadline or "9999",
                                      vi_key(r.duty.plan_symbol or ""), r.duty.task_id))


def default_day(rows: Iterable[AgencyDuty]) -> dt.date:
    """The day the gap reports were made for (the latest), else today."""
    days = [x for r in rows if (x := _day(r.as_of))]
    return max(days) if days else dt.date.today()


def sender_of(rows: list[AgencyDuty]) -> str | None:
    """The body that issued most of the plans the rows come from."""
    c = Counter(r.plan_issuer for r in rows if r.plan_issuer)
    return c.most_common(1)[0][0] if c else None


def file_name(agency: str, as_of: dt.date) -> str:
    """``Đôn đốc - Sở Y tế - 31.12.2020.docx``: the agency's name as it reads, without the
    signs a file system refuses."""
    name = unicodedata.normalize("NFC", agency)
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', " ", name)
    name = " ".join(name.split()).strip(" .")[:120] or "đơn vị"
    return f"Đôn đốc - {name} - {as_of:%d.%m.%Y}.docx"


def _plan_of(d: AgencyDuty) -> str:
    return d30.plan_name({"symbol": d.plan_symbol, "date": d.plan_date, "issuer": d.plan_issuer})


def _plans(items: list[Reminder]) -> dict[str, list[Reminder]]:
    """The letter's duties by plan (``Kế hoạch số … về …``), plans in the order their
    first duty comes."""
    out: dict[str, list[Reminder]] = {}
    for r in items:
        d = r.duty
        name = _plan_of(d) + (f" về {d30.about(d.plan_title)}" if d.plan_title else "")
        out.setdefault(name, []).append(r)
    return out


def _cells(i: int, r: Reminder) -> list:
    d = r.duty
    row = _as_row(d)
    due, source = d30.due_of(row)
    note = d30.due_note(source)
    deadline = [vn_date(due, "Không có")] + ([[(f"({note})", "i")]] if note else [])
    if r.late:
        state = [[(labels.STATUS["overdue"], "b")]]
        if r.days is not None:
            state.append(f"({r.days} ngày)")
    else:
        state = [[(labels.STATUS["pending"], "")],
                 "(đến hạn hôm nay)" if r.days == 0 else f"(còn {r.days} ngày)"]
    return [str(i), d30.place_label(row), d.text, deadline, state]


def _rows(plans: dict[str, list[Reminder]]) -> list[list]:
    """The table: each plan's heading row, then its duties, numbered through."""
    rows: list[list] = []
    n = 0
    for name, items in plans.items():
        rows.append([[[(name[:1].upper() + name[1:], "bi")]]])
        for r in items:
            n += 1
            rows.append(_cells(n, r))
    return rows


def save_letter(agency: str, rows: list[AgencyDuty], as_of: dt.date,
                target: Path | IO[bytes], sender: str | None = None,
                within: int = WITHIN_DAYS) -> list[Reminder]:
    """Write the letter to ``agency`` and return the duties it lists (none: no letter
    is written)."""
    items = reminders(rows, as_of, within)
    if not items:
        return items
    sender = sender or sender_of(rows)
    code = "UBND" if d30.full_name(sender).startswith("Ủy ban nhân dân") else next(
        (d30.symbol_code(r.plan_symbol) for r in rows if r.plan_issuer == sender), d30.BLANK)
    doc = d30.new_document(SUBJECT, sender or "")
    d30.national_header(doc, d30.body_name(sender), f"Số:        /{code}-{d30.BLANK}",
                        d30.place_of(sender), about_line=SUBJECT)
    to = d30.full_name(agency)
    d30.paragraph(doc, [("Kính gửi: ", ""), (to[:1].upper() + to[1:] + ".", "")],
                  align="center", indent=False, size=14, after=12)
    late = sum(1 for r in items if r.late)
    counted = [f"{late} nhiệm vụ đã quá hạn nhưng chưa hoàn thành" if late else "",
               f"{len(items) - late} nhiệm vụ sẽ đến hạn trong {within} ngày tới"
               if len(items) > late else ""]
    plans = _plans(items)
    d30.paragraph(doc, f"Thực hiện {'; '.join(plans)}; căn cứ tình hình thực hiện nhiệm vụ "
                       f"đến ngày {vn_date(as_of.isoformat())}, {to} còn "
                       f"{'; '.join(x for x in counted if x)}, cụ thể như sau:")
    d30.table(doc, HEADERS, WIDTHS_CM, _rows(plans))
    d30.paragraph(doc, "", after=0)
    by = d30.full_name(sender) if sender else "cơ quan ban hành kế hoạch"
    reply = vn_date((as_of + dt.timedelta(days=REPLY_DAYS)).isoformat())
    what = "các kế hoạch" if len(plans) > 1 else "kế hoạch"
    d30.paragraph(doc, f"Để bảo đảm tiến độ thực hiện {what}, {by} đề nghị {to} khẩn trương "
                       f"triển khai thực hiện các nhiệm vụ nêu trên; báo cáo kết quả thực hiện, "
                       f"khó khăn, vướng mắc (nếu có) về {by} trước ngày {reply} để tổng hợp, "
                       f"theo dõi./.")
    d30.closing(doc, ["- Như trên;", "- Lưu: VT."], d30.authority(sender))
    doc.save(target)
    return items


def write_letter(agency: str, rows: list[AgencyDuty], as_of: dt.date, path: Path,
                 sender: str | None = None, within: int = WITHIN_DAYS) -> list[Reminder]:
    """:func:`save_letter` to ``path``, atomically; nothing is written when no duty is
    overdue or soon due."""
    items = reminders(rows, as_of, within)
    if items:
        write_with(Path(path), lambda tmp: save_letter(agency, rows, as_of, tmp, sender, within))
    return items


def write_letters(by_agency: dict[str, list[AgencyDuty]], as_of: dt.date, folder: Path,
                  within: int = WITHIN_DAYS,
                  sender: str | None = None) -> list[tuple[str, Path, list[Reminder]]]:
    """One letter per agency with an overdue duty, in Vietnamese order, into ``folder``."""
    done = []
    for agency in vi_sorted(by_agency):
        if not any(r.late for r in reminders(by_agency[agency], as_of, within)):
            continue
        path = Path(folder) / file_name(agency, as_of)
        done.append((agency, path, write_letter(agency, by_agency[agency], as_of, path,
                                                sender, within)))
    return done
