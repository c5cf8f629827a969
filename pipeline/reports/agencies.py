"""Per agency, across plans: "who is behind?". Reads the gap reports the flow wrote
(``<out>/gaps/index.json`` and each plan's ``<plan>.json``) and regroups their duty rows by
owner. Used by the web app's ``/agencies`` and ``/agency/<name>`` and by ``vanban remind``.

:func:`agency_duties` and :func:`agency_counts` take the flow's output folder;
:func:`duties_by_agency` and :func:`counts_by_agency` the gaps folder itself (the web app
may be given one anywhere). Fields a gap report lacks are read as empty, a row without an
owner is left out, and a file the index names outside the folder is never read.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipeline.crosscheck.model import BUCKETS
from pipeline.document.collation import vi_key

INDEX = "index.json"
"""The gaps folder's index, as :mod:`pipeline.reports.archive` writes it (not imported
from there: reading gap reports needs none of the cross-check)."""

ORDER = {"overdue": 0, "pending": 1, "no_deadline": 2, "done_late": 3, "done_undated": 4,
         "done_on_time": 5}
"""An agency's duties are listed overdue first, then still due, then the rest."""


@dataclass(frozen=True)
class AgencyDuty:
    """One duty row of one gap report, with the plan it comes from."""

    agency: str
    plan_symbol: str | None
    plan_title: str | None
    plan_date: str | None
    plan_issuer: str | None
    plan_stem: str  # the plan's gap report is <out>/gaps/<plan_stem>.html
    as_of: str
    task_id: str
    place: str  # "Mục IV.12"
    text: str
    deadline: str | None
    due: str | None
    due_source: str | None
    status: str
    coverage: str
    reason: str
    plan_html: str = ""  # the plan's HTML gap report, as the index names it
    plan_path: str = ""  # the plan's source path (the key of gaps/index.json)


def own_file(folder: Path, name: object) -> Path | None:
    """``folder/name`` when ``name`` is a plain file name (no folder part, not hidden)."""
    if not isinstance(name, str) or not name or name.startswith(".") \
            or Path(name).name != name or "\\" in name:
        return None
    return folder / name


def _json(path: Path | None) -> dict | None:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_index(folder: Path) -> dict:
    """The gaps ``folder``'s ``index.json`` (source path → entry), empty when unreadable."""
    return _json(folder / INDEX) or {}


def plan_entries(folder: Path) -> list[tuple[str, dict, dict]]:
    """(source path, index entry, gap report) of every plan under ``folder`` (a gaps
    folder) whose gap report can be read; in the index's order."""
    index = read_index(folder)
    out = []
    for path, entry in index.items():
        if not isinstance(entry, dict):
            continue
        gaps = _json(own_file(folder, entry.get("json")))
        if gaps is not None:
            out.append((path, entry, gaps))
    return out


def _rows(folder: Path) -> list[AgencyDuty]:
    rows: list[AgencyDuty] = []
    for path, entry, gaps in plan_entries(folder):
        plan = gaps.get("plan") or {}
        stem = entry.get("stem") or Path(entry["json"]).stem
        for d in gaps.get("duties") or []:
            if not isinstance(d, dict) or not d.get("owner"):
                continue
            rows.append(AgencyDuty(
                d["owner"], plan.get("symbol"), plan.get("title"), plan.get("date"),
                plan.get("issuer"), stem, gaps.get("as_of") or "", d.get("task_id") or "",
                d.get("place") or "", d.get("text") or "", d.get("deadline"), d.get("due"),
                d.get("due_source"), d.get("status") or "", d.get("coverage") or "",
                d.get("reason") or "", entry.get("html") or "", path))
    return rows


def duties_by_agency(folder: Path) -> dict[str, list[AgencyDuty]]:
    """Each owner's duties over every plan checked in the gaps folder ``folder``: owners in
    Vietnamese order; each owner's duties overdue first, then by due date (none last)."""
    by: dict[str, list[AgencyDuty]] = {}
    for r in _rows(folder):
        by.setdefault(r.agency, []).append(r)
    return {a: sorted(ds, key=lambda d: (ORDER.get(d.status, 9), d.due or d.deadline or "9999",
                                          vi_key(d.plan_symbol or d.plan_title or ""),
                                          d.task_id))
            for a, ds in sorted(by.items(), key=lambda kv: vi_key(kv[0]))}


def status_counts(duties: list[AgencyDuty]) -> dict[str, int]:
    """How many of ``duties`` fall in each status bucket (every bucket, zeros included)."""
    c = Counter(d.status for d in duties)
    return {b: c.get(b, 0) for b in BUCKETS}


def counts_by_agency(folder: Path) -> list[tuple[str, dict[str, int]]]:
    """(owner, count per status bucket) over every plan in the gaps folder ``folder``,
    owners in Vietnamese order."""
    return [(a, status_counts(ds)) for a, ds in duties_by_agency(folder).items()]


def agency_duties(out: Path) -> dict[str, list[AgencyDuty]]:
    """:func:`duties_by_agency` of the flow's output folder ``out``."""
    return duties_by_agency(out / "gaps")


def agency_counts(out: Path) -> list[tuple[str, dict[str, int]]]:
    """:func:`counts_by_agency` of the flow's output folder ``out``."""
    return counts_by_agency(out / "gaps")
