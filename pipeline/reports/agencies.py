"""Per agency, across plans: "who is behind?". Reads the gap reports the flow wrote
(``<out>/gaps/index.json`` and each plan's ``<plan>.json``) and regroups their duty rows by
owner. Used by the web app's ``/agencies`` and ``/agency/<name>`` and by ``vanban remind``.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipeline.crosscheck.model import BUCKETS
from pipeline.document.collation import vi_key

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


def _rows(out: Path) -> list[AgencyDuty]:
    folder = out / "gaps"
    try:
        index = json.loads((folder / "index.json").read_text("utf-8"))
    except (OSError, ValueError):
        return []
    rows: list[AgencyDuty] = []
    for entry in index.values():
        try:
            gaps = json.loads((folder / entry["json"]).read_text("utf-8"))
        except (OSError, ValueError, KeyError):
            continue
        plan = gaps.get("plan") or {}
        for d in gaps.get("duties") or []:
            rows.append(AgencyDuty(
                d["owner"], plan.get("symbol"), plan.get("title"), plan.get("date"),
                plan.get("issuer"), entry["stem"], gaps.get("as_of") or "", d["task_id"],
                d.get("place") or "", d.get("text") or "", d.get("deadline"), d.get("due"),
                d.get("due_source"), d.get("status") or "", d.get("coverage") or "",
                d.get("reason") or ""))
    return rows


def agency_duties(out: Path) -> dict[str, list[AgencyDuty]]:
    """Each owner's duties over every plan checked under ``out``: owners in Vietnamese
    order; each owner's duties overdue first, then by due date (none last)."""
    by: dict[str, list[AgencyDuty]] = {}
    for r in _rows(out):
        by.setdefault(r.agency, []).append(r)
    return {a: sorted(ds, key=lambda d: (ORDER.get(d.status, 9), d.due or "9999",
                                          vi_key(d.plan_symbol or ""), d.task_id))
            for a, ds in sorted(by.items(), key=lambda kv: vi_key(kv[0]))}


def agency_counts(out: Path) -> list[tuple[str, dict[str, int]]]:
    """(owner, count per status bucket) over every plan, owners in Vietnamese order."""
    return [(a, {b: c.get(b, 0) for b in BUCKETS})
            for a, ds in agency_duties(out).items()
            for c in [Counter(d.status for d in ds)]]
