"""The agency views, "who is behind?" across every plan checked: ``/agencies`` (each
agency's duties counted by status; ``?sort=overdue`` puts the most overdue first) and
``/agency/{name}`` (one agency's duties, overdue first, each with its plan and the place
of the duty in it). Read from the gaps folder by :mod:`pipeline.reports.agencies`."""
from __future__ import annotations

import unicodedata
from pathlib import Path
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from pipeline.document import labels
from pipeline.reports.agencies import AgencyDuty, duties_by_agency, status_counts
from pipeline.web.gaps import gap_file
from pipeline.web.site import BadParam, Site

SORTS = ("name", "overdue")
NO_AGENCY = "Không có cơ quan, đơn vị này trong các báo cáo rà soát."


def agency_href(name: str) -> str:
    """The page of agency ``name``: every character but ASCII letters, digits and
    ``_.-~`` percent-encoded, so a ``/``, a space or a Vietnamese letter comes back as
    it was."""
    return "/agency/" + quote(name, safe="")


def agency_rows(folder: Path | None, sort: str = "name") -> list[dict]:
    """One row per agency: its counts by status, total and number of plans; agencies in
    Vietnamese order, or (``sort="overdue"``) most overdue first, ties in that order."""
    if folder is None or not folder.is_dir():
        return []
    rows = [{"name": a, "href": agency_href(a), "counts": status_counts(ds), "total": len(ds),
             "plans": len({d.plan_path or d.plan_stem for d in ds})}
            for a, ds in duties_by_agency(folder).items()]
    if sort == "overdue":  # sorted() is stable: ties keep the Vietnamese order
        rows = sorted(rows, key=lambda r: -r["counts"]["overdue"])
    return rows


def plan_label(d: AgencyDuty) -> str:
    return d.plan_symbol or "(chưa có số)"


def duty_row(folder: Path, d: AgencyDuty) -> dict:
    """What the agency page shows of one duty, every code turned into its words."""
    html = d.plan_html or f"{d.plan_stem}.html"
    due = d.due or d.deadline
    return {"plan": plan_label(d), "plan_title": d.plan_title or "",
            "plan_href": f"/gaps/{quote(html)}" if gap_file(folder, html) else None,
            "as_of": d.as_of, "place": d.place, "text": d.text, "due": due,
            "due_note": labels.DUE_SOURCE.get(d.due_source or "")
            if due and d.due_source and d.due_source != "stated" else "",
            "status": d.status, "status_label": labels.STATUS.get(d.status, "Chưa rõ"),
            "coverage": labels.COVERAGE.get(d.coverage, "")}


def agency_page_data(folder: Path | None, name: str) -> dict | None:
    """The page of agency ``name`` (its counts and duty rows), ``None`` for an unknown one."""
    if folder is None or not folder.is_dir():
        return None
    by = duties_by_agency(folder)
    duties = by.get(name) or by.get(unicodedata.normalize("NFC", name))
    if not duties:
        return None
    return {"name": duties[0].agency, "counts": status_counts(duties),
            "plans": len({d.plan_path or d.plan_stem for d in duties}),
            "rows": [duty_row(folder, d) for d in duties]}


class AgenciesView:
    def __init__(self, site: Site) -> None:
        self.site = site

    async def list_page(self, request: Request) -> Response:
        sort = request.query_params.get("sort") or "name"
        if sort not in SORTS:
            raise BadParam("sort")
        rows = await run_in_threadpool(agency_rows, self.site.s.gaps, sort)
        return self.site.render("agencies.html", rows=rows, sort=sort)

    async def page(self, request: Request) -> Response:
        data = await run_in_threadpool(agency_page_data, self.site.s.gaps,
                                       request.path_params["name"])
        if data is None:
            return self.site.error(404, NO_AGENCY)
        return self.site.render("agency.html", a=data)
