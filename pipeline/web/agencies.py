"""The agency views, "who is behind?" across every plan checked: ``/agencies`` (each
agency's duties counted by status; ``?sort=overdue`` puts the most overdue first) and
``/agency/{name}`` (one agency's duties, overdue first, each with its plan and the place
of the duty in it, the plan opening at its page in the archive and each passage of a
report quoted as evidence at its span there, ``/doc/{id}?start=&end=#doan-trich``). Read
from the gaps folder by :mod:`pipeline.reports.agencies`."""
from __future__ import annotations

import unicodedata
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from pipeline.document import labels
from pipeline.index import Index
from pipeline.reports.agencies import (
    AgencyDuty,
    duties_by_agency,
    plan_entries,
    status_counts,
)
from pipeline.reports.decree30 import report_label
from pipeline.reports.html import highlight
from pipeline.web.doc import FOUND
from pipeline.web.gaps import doc_ids, gap_file
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


def _key(plan_path: str, owner: str, task_id: str, text: str) -> tuple[str, str, str, str]:
    return plan_path, owner, task_id, text


def evidence_of(folder: Path, name: str) -> dict[tuple, list[dict]]:
    """The passages quoted for agency ``name``'s duties in every gap report, keyed by
    (plan path, owner, task id, duty text)."""
    out: dict[tuple, list[dict]] = {}
    for path, _entry, gaps in plan_entries(folder):
        for d in gaps.get("duties") or []:
            if isinstance(d, dict) and d.get("owner") == name and d.get("evidence"):
                out[_key(path, name, d.get("task_id") or "", d.get("text") or "")] = [
                    e for e in d["evidence"] if isinstance(e, dict)]
    return out


def quote_row(ev: dict) -> dict:
    """One quoted passage: its HTML (escaped, the duty's words in ``<mark>``), where it is
    (report and place) and its span in the report's text."""
    span = {k: ev[k] for k in ("start", "end") if isinstance(ev.get(k), int) and ev[k] >= 0}
    where = ", ".join(x for x in (report_label(ev.get("report")),
                                  ev.get("place") or ev.get("section")) if x)
    return {"html": Markup(highlight(str(ev.get("text") or ""), ev.get("marks"))),
            "where": where, "path": ev.get("path") or "", "span": span, "href": None}


def duty_row(folder: Path, d: AgencyDuty, evidence: list[dict] | None = None) -> dict:
    """What the agency page shows of one duty, every code turned into its words."""
    html = d.plan_html or f"{d.plan_stem}.html"
    due = d.due or d.deadline
    return {"plan": plan_label(d), "plan_title": d.plan_title or "",
            "plan_href": f"/gaps/{quote(html)}" if gap_file(folder, html) else None,
            "plan_path": d.plan_path, "plan_doc": None,
            "quotes": [quote_row(e) for e in evidence or [] if e.get("text")],
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
    evidence = evidence_of(folder, duties[0].agency)
    return {"name": duties[0].agency, "counts": status_counts(duties),
            "plans": len({d.plan_path or d.plan_stem for d in duties}),
            "rows": [duty_row(folder, d, evidence.get(_key(d.plan_path, d.agency, d.task_id,
                                                             d.text)))
                     for d in duties]}


def archive_links(index: Index, rows: list[dict]) -> None:
    """Each row's plan and quoted passages linked to their pages in the archive (the
    passages at their span), where the index holds the file."""
    paths = [r["plan_path"] for r in rows] + [q["path"] for r in rows for q in r["quotes"]]
    ids = doc_ids(index, paths)
    for r in rows:
        r["plan_doc"] = ids.get(r["plan_path"])
        for q in r["quotes"]:
            doc = ids.get(q["path"])
            if doc is None:
                continue
            q["href"] = f"/doc/{doc}"
            if "start" in q["span"]:  # the document page marks the span and scrolls to it
                q["href"] += "?" + "&".join(f"{k}={v}" for k, v in q["span"].items())
                q["href"] += f"#{FOUND}"


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
        await self.site.index.run(archive_links, data["rows"])
        return self.site.render("agency.html", a=data)
