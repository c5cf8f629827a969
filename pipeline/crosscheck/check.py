"""Cross-check reports against the duties a plan assigned (``vanban.gaps/1``).

Linking: a report answers a plan when it cites one of the plan's symbols (the plan's
own number, or a self-citation such as an attachment's "Gửi kèm Công văn số …"); a
draft plan with no number is matched by title. A report's owner is its issuer
(canonical); a report issued by the plan's own issuer is a consolidated report and
speaks for every owner. Coverage per (duty, owner) is in :mod:`crosscheck_coverage`,
dates and submissions in :mod:`crosscheck_status`.
"""
from __future__ import annotations

import datetime as _dt
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.crosscheck.coverage import Passage, decide, passages
from pipeline.crosscheck.status import (
    addressee,
    done_date,
    due_of,
    is_reporting,
    status,
    submissions,
)
from pipeline.document.normalize import fold

TITLE_MATCH = 90  # rapidfuzz token_sort_ratio on folded titles, for unnumbered plans
# A process keeps the passages of the reports it read last, up to this many passages
# (about 4.4 KB each, measured: 70 MB at most): one report often answers many plans (a
# yearly report, every copy of a plan), and splitting it costs ~20 ms of Python per check
# (measured: a plan against 100 reports, 4.7 s → 0.9–1.7 s).
PASSAGE_CACHE = 16_000


@dataclass
class Loaded:
    """A read and extracted document."""

    path: str
    doc: object  # pipeline.document.model.Document
    data: dict  # vanban.document/1
    # what identifies its content (e.g. output dir, stem, sha256), set by a caller
    # that knows it: the report's passages are then kept for the next plan checked
    key: tuple | None = None
    _passages: dict[str | None, list[Passage]] = field(default_factory=dict, repr=False)

    @property
    def meta(self) -> dict:
        return self.data["metadata"]

    @property
    def label(self) -> str:
        return self.meta.get("symbol") or Path(self.path).name

    @property
    def is_report(self) -> bool:
        return self.meta.get("doc_type") == "BC" or \
            fold(self.meta.get("title") or "").startswith("bao cao")


def load(path: str | Path) -> Loaded:
    """Read and extract one file."""
    from extractors import extract_json
    from pipeline.readers.registry import read_document

    doc = read_document(path)
    return Loaded(str(path), doc, extract_json(doc))


def _sym(s: str | None) -> str:
    return re.sub(r"\s+", "", fold(s or ""))


def plan_symbols(plan: Loaded) -> set[str]:
    """The plan's own symbol, plus self-citations (same date, same issuer or type)."""
    out = {_sym(plan.meta.get("symbol"))} - {""}
    date, issuer = plan.meta.get("date"), fold(plan.meta.get("issuer") or "")
    for r in plan.data.get("references", []):
        if r.get("symbol") and date and r.get("date") == date and (
                (issuer and issuer in fold(r.get("text") or ""))
                or r.get("doc_type") == plan.meta.get("doc_type")):
            out.add(_sym(r["symbol"]))
    return out


def link(plan: Loaded, report: Loaded) -> str | None:
    """How ``report`` answers ``plan`` (``"cites 580/KH-UBND"``, ``"title"``), or None."""
    if plan.path == report.path:
        return None
    syms = plan_symbols(plan)
    for r in report.data.get("references", []):
        if r.get("symbol") and _sym(r["symbol"]) in syms:
            return f"cites {r['symbol']}"
    if not plan.meta.get("symbol"):
        from rapidfuzz import fuzz

        a, b = fold(plan.meta.get("title") or ""), fold(report.meta.get("title") or "")
        if a and b and fuzz.token_sort_ratio(a, b) >= TITLE_MATCH:
            return "title"
    return None


def link_folder(paths: Iterable[str | Path], skipped: list[str] | None = None) -> list[dict]:
    """Every plan → report link among the files under ``paths`` (no pairs named); files
    that cannot be read are left out (and named in ``skipped`` when given)."""
    from pipeline.outputs import iter_inputs

    docs = []
    for p in iter_inputs([Path(x) for x in paths]):
        try:
            docs.append(load(p))
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the scan
            if skipped is not None:
                skipped.append(f"{p}: {exc}")
    out = []
    for plan in docs:
        if plan.is_report:
            continue
        for rep in docs:
            if rep.is_report and (how := link(plan, rep)):
                out.append({"plan": plan.path, "plan_symbol": plan.meta.get("symbol"),
                            "report": rep.path, "report_symbol": rep.meta.get("symbol"),
                            "how": how})
    return out


def owner_of(report: Loaded, home: str | None) -> str:
    from extractors.owners import canonical_agency

    return canonical_agency(report.meta.get("issuer") or "", on=report.meta.get("date"),
                            home=home)


def _group_match(group: str, name: str) -> bool:
    """``UBND các tỉnh, thành phố …`` holds ``UBND tỉnh Lâm Đồng`` (levels listed)."""
    m = re.match(r"(?i)(UBND|Ủy ban nhân dân|Công an)\s+các\s+(.*)", group)
    if not m:
        return False
    levels = [x.strip() for x in re.split(r",|\bvà\b", m.group(2)) if x.strip()]
    head = "Công an" if m.group(1).lower().startswith("công") else "UBND"
    return any(name.lower().startswith(f"{head} {lv.split()[0]} ".lower())
               for lv in levels if lv)


def expand(lead: str, known: list[str]) -> list[str]:
    """Members of a group owner among ``known`` names; the name itself otherwise."""
    from extractors.owners import expand_group, group_members

    if not (group_members(lead) or re.match(r"(?i)(?:các|UBND các|Công an các)\s", lead)):
        return [lead]
    members = expand_group(lead, known) or [k for k in known if _group_match(lead, k)]
    return members or [lead]


def check(plan_path: str | Path, report_paths: Iterable[str | Path],
          as_of: str | None = None) -> dict:
    """The ``vanban.gaps/1`` gap report for a plan and candidate reports."""
    return check_loaded(load(plan_path), [load(p) for p in report_paths], as_of)


def check_loaded(plan: Loaded, reports: list[Loaded], as_of: str | None = None) -> dict:
    from extractors.owners import canonical_agency

    as_of = as_of or _dt.date.today().isoformat()
    meta = plan.meta
    home = meta.get("place")
    plan_owner = canonical_agency(meta.get("issuer") or "", home=home)
    linked: list[tuple[Loaded, str, str]] = []
    unmatched: list[str] = []
    for r in reports:
        how = link(plan, r)
        if how:
            linked.append((r, how, owner_of(r, home)))
        else:
            unmatched.append(r.label)
    tasks = plan.data.get("tasks", [])
    named = [canonical_agency(x, home=home) for t in tasks for x in t.get("lead", [])]
    known = list(dict.fromkeys([n for n in named if not re.match(r"(?i)các\s", n)]
                               + [o for _, _, o in linked]))
    by_owner: dict[str, list[Loaded]] = {}
    consolidated: list[Loaded] = []
    for r, _how, owner in linked:
        (consolidated if owner == plan_owner else by_owner.setdefault(owner, [])).append(r)
    task_owners = [(t, list(dict.fromkeys(o for lead in t.get("lead", [])
                                          for o in expand(lead, known)))) for t in tasks]
    used_owners = {o for _, os_ in task_owners for o in os_}
    for r, _how, owner in linked:
        if owner not in used_owners and owner != plan_owner:
            unmatched.append(r.label)
    reporting = [(t, os_) for t, os_ in task_owners if is_reporting(t)]
    subs = submissions(reporting, {o: [{"label": r.label, "date": r.meta.get("date"),
                                        "title": r.meta.get("title") or ""} for r in rs]
                                   for o, rs in by_owner.items()})
    report_due: dict[str, str] = {}
    for t, os_ in reporting:
        for o in os_:
            if due_of(t) and due_of(t) > report_due.get(o, ""):
                report_due[o] = due_of(t)
    sections = {n.id: n.title for n in plan.doc.flat_outline()}
    duties = []
    for t, owners in task_owners:
        for owner in owners:
            duties.append(_duty(plan, t, owner, by_owner.get(owner, []), consolidated,
                                subs, report_due, sections, as_of))
    return {
        "schema": "vanban.gaps/1",
        "plan": {"symbol": meta.get("symbol"), "issuer": meta.get("issuer"),
                 "date": meta.get("date"), "title": meta.get("title"), "path": plan.path},
        "as_of": as_of,
        "duties": duties,
        "submissions": subs,
        "unmatched_reports": list(dict.fromkeys(unmatched)),
        "links": [{"report": r.label, "path": r.path, "how": how, "owner": owner,
                   "date": r.meta.get("date"), "consolidated": r in consolidated}
                  for r, how, owner in linked],
    }


class _Kept:
    """Passages of the reports read last in this process, up to :data:`PASSAGE_CACHE`
    passages in all (the oldest go first; the newest report always stays)."""

    def __init__(self) -> None:
        self.entries: OrderedDict[tuple, list[Passage]] = OrderedDict()
        self.size = 0  # passages
        self._lock = threading.Lock()

    def get(self, key: tuple) -> list[Passage] | None:
        with self._lock:
            got = self.entries.get(key)
            if got is not None:
                self.entries.move_to_end(key)
            return got

    def put(self, key: tuple, value: list[Passage]) -> None:
        with self._lock:
            if key not in self.entries:
                self.entries[key] = value
                self.size += len(value)
            while self.size > PASSAGE_CACHE and len(self.entries) > 1:
                self.size -= len(self.entries.popitem(last=False)[1])

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()
            self.size = 0


_kept = _Kept()


def _pool(r: Loaded, plan: Loaded) -> list[Passage]:
    """The report's passages as seen from ``plan`` (its opening citing the plan left out),
    from this process's cache when the report's content is known (``r.key``)."""
    sym = plan.meta.get("symbol")
    got = r._passages.get(sym)
    if got is None:
        key = None if r.key is None else (r.key, sym)
        got = None if key is None else _kept.get(key)
        if got is None:
            got = passages(r.label, r.doc, sym, r.meta.get("date"))
            if key is not None:
                _kept.put(key, got)
        r._passages[sym] = got
    return got


def _duty(plan: Loaded, t: dict, owner: str, own: list[Loaded], consolidated: list[Loaded],
          subs: list[dict], report_due: dict[str, str], sections: dict[str, str],
          as_of: str) -> dict:
    due = due_of(t) or report_due.get(owner)
    row = {"task_id": t.get("id"), "owner": owner, "text": t.get("text"),
           "deadline": t.get("deadline"), "due": due, "start": t.get("start"),
           "end": t.get("end")}
    sources = own + consolidated
    sub = next((s for s in subs if s["task_id"] == t.get("id") and s["owner"] == owner), None)
    if sub and sub["report"]:
        rep = next(r for r in own if r.label == sub["report"])
        span = (rep.meta.get("spans") or {}).get("title") or [0, 0]
        row.update(coverage="addressed", reason=f"đã nhận {sub['report']} ({sub['status']})",
                   evidence=[{"report": rep.label, "text": rep.meta.get("title"),
                              "start": span[0], "end": span[1], "section": "tiêu đề"}])
        row["status"] = status("addressed", due, sub["received"], as_of)
        return row
    to = addressee(t) if is_reporting(t) else None
    via = next((r for r in consolidated if to and any(
        to in fold(x) for x in (r.meta.get("recipients") or []) + [r.doc.text[-1500:]])), None)
    if not (sub and sub["report"]) and via is not None:
        span = (via.meta.get("spans") or {}).get("title") or [0, 0]
        row.update(coverage="addressed", reason=f"báo cáo tổng hợp {via.label} gửi {to}",
                   evidence=[{"report": via.label, "text": via.meta.get("title"),
                              "start": span[0], "end": span[1], "section": "tiêu đề"}])
        row["status"] = status("addressed", due, via.meta.get("date"), as_of)
        return row
    if sub and own and due_of(t):
        row.update(coverage="not_addressed", reason=f"chưa nhận {sub['what']} của đơn vị",
                   evidence=[])
        row["status"] = status("not_addressed", due, None, as_of)
        return row
    if not sources:
        row.update(coverage="no_report", reason="không có báo cáo của đơn vị", evidence=[])
        row["status"] = status("no_report", due, None, as_of)
        return row
    pool = [p for r in sources for p in _pool(r, plan)]
    cov = decide(t.get("text") or "", plan.meta.get("title"), sections.get(t.get("section") or ""),
                 pool)
    reason = cov.reason + (" (báo cáo tổng hợp)" if not own else "")
    ev = [{"report": p.report, "text": p.text[:800], "start": p.start, "end": p.end,
           "section": p.section} for p in cov.evidence]
    done = done_date(cov.evidence)
    row.update(coverage=cov.coverage, reason=reason, evidence=ev)
    row["status"] = status(cov.coverage, due, done, as_of)
    return row
