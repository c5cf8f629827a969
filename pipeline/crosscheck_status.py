"""Dates → the Government Office's four buckets, and report submissions per owner."""
from __future__ import annotations

import re

from pipeline.normalize import fold

_REPORTING = re.compile(r"\bbao cao\b")


def is_reporting(task: dict) -> bool:
    """A duty that asks for a report by a date (or on a cycle)."""
    t = fold(task.get("text") or "")
    return bool(_REPORTING.search(t)) and bool(
        task.get("deadline") or task.get("recurrence") or (task.get("period") or {}).get("end")
        or re.search(r"bao cao (tong ket|so ket|ket qua)", t))


def addressee(task: dict) -> str | None:
    """Folded name of the body a reporting duty sends its report to (``gửi … về X``)."""
    t = fold(task.get("text") or "")
    m = re.search(r"gui(?: bao cao| ve| toi)*\s+((?:bo|so|cong an|ubnd|uy ban|van phong)[^,;(.]{2,40})", t)
    if not m:
        return None
    return " ".join(m.group(1).split()[:3])


def due_of(task: dict) -> str | None:
    return task.get("deadline") or (task.get("period") or {}).get("end")


def status(coverage: str, due: str | None, done: str | None, as_of: str) -> str:
    """done_on_time | done_late | pending | overdue. ``done`` is the date of the report
    that shows the duty done; an undated report counts as on time (it cannot be shown late)."""
    if coverage == "addressed":
        if due and done and done > due:
            return "done_late"
        return "done_on_time"
    if due is None or as_of <= due:
        return "pending"
    return "overdue"


def what_of(task: dict) -> str:
    """A short name for a reporting duty: ``báo cáo 6 tháng``, ``báo cáo năm`` …"""
    t = fold(task.get("text") or "")
    if re.search(r"6 thang|sau thang|giua nam", t):
        return "báo cáo 6 tháng"
    if re.search(r"(?<!\w)(?:quý|hằng quý|hàng quý)(?!\w)", (task.get("text") or "").lower()):
        return "báo cáo quý"
    if re.search(r"hang thang|thang \d", t) and task.get("recurrence") == "monthly":
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


def submissions(duties: list[tuple[dict, list[str]]], reports: dict[str, list[dict]]) -> list[dict]:
    """One row per (reporting duty, owner): ``duties`` pairs a task with its owners;
    ``reports`` maps an owner to its reports (``label``, ``date``, ``title``). A report is
    used once, by the duty of the same kind (6-month, annual …) closest in date."""
    rows: list[dict] = []
    used: set[tuple[str, str]] = set()
    ordered = sorted(duties, key=lambda d: due_of(d[0]) or "9999")
    for task, owners in ordered:
        what, due = what_of(task), due_of(task)
        for owner in owners:
            cands = [r for r in reports.get(owner, []) if (owner, r["label"]) not in used]
            same = [r for r in cands if what in ("báo cáo", _kind_of_report(r["title"]))]
            pick = None
            if same:
                pick = min(same, key=lambda r: abs(_days(r["date"], due)))
            row = {"owner": owner, "what": what, "task_id": task.get("id"), "due": due,
                   "report": None, "received": None, "status": "missing"}
            if pick:
                if due:
                    used.add((owner, pick["label"]))
                row.update(report=pick["label"], received=pick["date"])
                if pick["date"] is None:
                    row["status"] = None  # an undated draft: cannot say on time or late
                else:
                    row["status"] = "late" if due and pick["date"] > due else "on_time"
            rows.append(row)
    return rows


def _days(date: str | None, due: str | None) -> int:
    from datetime import date as _d

    if not date or not due:
        return 10 ** 6
    return abs((_d.fromisoformat(date) - _d.fromisoformat(due)).days)
