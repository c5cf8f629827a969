"""Dates → the Government Office's four buckets, and report submissions per owner."""
from __future__ import annotations

import re
from datetime import date as _date

from extractors.dates import find_dates
from extractors.dates_vocab import citation_tail_re, near_tail_re
from pipeline.crosscheck.model import Coverage, Loaded, Status, Submission, SubmissionRow
from pipeline.document.facts import Task
from pipeline.document.normalize import fold

_REPORTING = re.compile(r"\bbao cao\b")


def is_reporting(task: Task) -> bool:
    """A duty that asks for a report by a date (or on a cycle)."""
    t = fold(task.text or "")
    return bool(_REPORTING.search(t)) and bool(
        task.deadline or task.recurrence or (task.period or {}).get("end")
        or re.search(r"bao cao (tong ket|so ket|ket qua)", t))


def addressee(task: Task) -> str | None:
    """Folded name of the body a reporting duty sends its report to (``gửi … về X``)."""
    t = fold(task.text or "")
    m = re.search(r"gui(?: bao cao| ve| toi)*\s+((?:bo|so|cong an|ubnd|uy ban|van phong)[^,;(.]{2,40})", t)
    if not m:
        return None
    return " ".join(m.group(1).split()[:3])


def due_of(task: Task) -> str | None:
    return task.deadline or (task.period or {}).get("end")


def status(coverage: str, due: str | None, done: str | None, as_of: str) -> Status:
    """The duty's status from its coverage, when it was due and when the reports show it
    done (``done``: an event date or the report's own date). Addressed without any date
    is ``done_undated`` (nobody can say on time or late); not done with no date it is due
    by is ``no_deadline`` (nobody can say still due or overdue)."""
    if coverage == Coverage.ADDRESSED:
        if done is None:
            return Status.DONE_UNDATED
        if due and done > due:
            return Status.DONE_LATE
        return Status.DONE_ON_TIME
    if due is None:
        return Status.NO_DEADLINE
    return Status.PENDING if as_of <= due else Status.OVERDUE


def event_date(text: str, report_date: str | None) -> str | None:
    """When a report passage says the work happened: the latest full date it gives for an
    event ("Ngày 15/6/2020, Sở đã tổ chức …", "đến ngày 30/6/2020 đã hoàn thành …"), not
    after the report itself; ``None`` when it gives none. A cited document's date, a
    cut-off ("tính đến ngày"), an issue date and the start of a period do not count."""
    year = int(report_date[:4]) if report_date and report_date[:4].isdigit() else None
    found = []
    for m in find_dates(text, year):
        if m.kind != "full" or not m.value or m.cue in ("from", "in"):
            continue
        before = text[max(0, m.start - 160):m.start]
        if citation_tail_re().search(before[-140:]) or near_tail_re("as_of").search(before) \
                or near_tail_re("issued_on").search(before):
            continue
        if report_date and m.value > report_date:
            continue  # a plan for later, or a misread year
        found.append(m.value)
    return max(found, default=None)


def done_date(passages: list, report_date_of=lambda p: p.date) -> str | None:
    """When the evidence shows a duty done: per passage, the event date it gives or else its
    report's date; the earliest of those."""
    dates = [event_date(p.text, report_date_of(p)) or report_date_of(p) for p in passages]
    return min((d for d in dates if d), default=None)


def what_of(task: Task) -> str:
    """A short name for a reporting duty: ``báo cáo 6 tháng``, ``báo cáo năm`` …"""
    t = fold(task.text or "")
    if re.search(r"6 thang|sau thang|giua nam", t):
        return "báo cáo 6 tháng"
    if re.search(r"(?<!\w)(?:quý|hằng quý|hàng quý)(?!\w)", (task.text or "").lower()):
        return "báo cáo quý"
    if re.search(r"hang thang|thang \d", t) and task.recurrence == "monthly":
        return "báo cáo tháng"
    if re.search(r"nam \d{4}|hang nam|tong ket|ca nam", t):
        return "báo cáo năm"
    return "báo cáo"


def _kind_of_report(title: str) -> str:
    t = fold(title or "")
    if re.search(r"6 thang|sau thang", t):
        return "báo cáo 6 tháng"
    if re.search(r"(?<!\w)quý(?!\w)", (title or "").lower()):
        return "báo cáo quý"
    return "báo cáo năm"


def submissions(duties: list[tuple[Task, list[str]]], reports: dict[str, list[Loaded]]
                ) -> list[SubmissionRow]:
    """One row per (reporting duty, owner): ``duties`` pairs a task with its owners;
    ``reports`` maps an owner to its reports. A report is used once, by the duty of the
    same kind (6-month, annual …) closest in date."""
    rows: list[SubmissionRow] = []
    used: set[tuple[str, str]] = set()
    ordered = sorted(duties, key=lambda d: due_of(d[0]) or "9999")
    for task, owners in ordered:
        what, due = what_of(task), due_of(task)
        for owner in owners:
            cands = [r for r in reports.get(owner, []) if (owner, r.label) not in used]
            same = [r for r in cands if what in ("báo cáo", _kind_of_report(r.meta.title or ""))]
            pick = None
            if same:
                pick = min(same, key=lambda r: abs(_days(r.meta.date, due)))
            if pick is None and due is None:
                continue  # no date asked, nothing received: nothing is missing yet
            row = SubmissionRow(owner, what, task.id, due)
            if pick:
                received = pick.meta.date
                if due:
                    used.add((owner, pick.label))
                row.report, row.received = pick.label, received
                if received is None:
                    row.status = None  # an undated draft: cannot say on time or late
                else:
                    row.status = Submission.LATE if due and received > due \
                        else Submission.ON_TIME
            rows.append(row)
    return rows


def _days(date: str | None, due: str | None) -> int:
    if not date or not due:
        return 10 ** 6
    return abs((_date.fromisoformat(date) - _date.fromisoformat(due)).days)


_CUTOFF = re.compile(r"(?i)tính đến (?:hết )?ngày (\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})")


def cutoff(report: Loaded) -> str | None:
    """The day a report's figures stop ("số liệu tính đến ngày 15/11/2026" in its opening):
    what it reports done was done by then. None when its opening gives none."""
    doc = report.doc
    if doc is None:
        return None
    m = _CUTOFF.search(doc.text[:2500])
    if not m:
        return None
    try:
        day = _date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
    except ValueError:
        return None
    return day if not report.meta.date or day <= report.meta.date else None


_TOLD_LATE = re.compile(r"(?i)\b(?:chậm|muộn|quá hạn)\b")
_TOLD_MISSING = re.compile(r"(?i)\bchưa\s+(?:gửi|có)\s+báo\s+cáo\b")
_TOLD_ON_TIME = re.compile(r"(?i)\bđúng\s+(?:thời\s+)?hạn\b")
_TOLD_SENT = re.compile(r"(?i)\b(?:đã\s+gửi\s+báo\s+cáo|nhận\s+được\s+báo\s+cáo|gửi\s+báo\s+cáo)\b")


def told(report: Loaded, owners: list[str], short) -> dict[str, tuple[Submission, str | None,
                                                                        tuple[int, int]]]:
    """What a consolidated report says of the owners' own reports: "Sở nhận được báo cáo
    đúng thời hạn của Sở X, Sở Y; Sở Z gửi báo cáo ngày 24/11/2026, chậm so với thời hạn;
    … chưa gửi báo cáo." → owner → (status, date received when given, the clause's span).
    ``short`` gives an owner's name as reports write it (folded)."""
    doc = report.doc
    if doc is None:
        return {}
    out: dict[str, tuple[Submission, str | None, tuple[int, int]]] = {}
    text = doc.text
    for m in re.finditer(r"[^.;\n]+", text):
        clause = m.group()
        if "báo cáo" not in clause.lower() or not (
                _TOLD_MISSING.search(clause) or _TOLD_SENT.search(clause)):
            continue
        folded = fold(clause)
        named = [o for o in owners if short(o) and short(o) in folded]
        if not named:
            continue
        if _TOLD_MISSING.search(clause):
            kind = Submission.MISSING
        elif _TOLD_LATE.search(clause):
            kind = Submission.LATE
        elif _TOLD_ON_TIME.search(clause):
            kind = Submission.ON_TIME
        else:
            continue
        year = int(report.meta.date[:4]) if report.meta.date else None
        dates = [d.value for d in find_dates(clause, year) if d.kind == "full" and d.value]
        when = dates[0] if kind != Submission.MISSING and dates and not re.search(
            r"(?i)\bđến ngày\b", clause[:40]) else None
        for o in named:
            out.setdefault(o, (kind, when, (m.start(), m.end())))
    return out
