"""Cross-check reports against the duties a plan assigned (``vanban.gaps/1``).

Which reports answer the plan, and whose they are, is :mod:`pipeline.crosscheck.link`. A
report issued by the plan's own issuer is a consolidated report and speaks for every
owner. Coverage per (duty, owner) is in :mod:`pipeline.crosscheck.coverage`, dates and
submissions in :mod:`pipeline.crosscheck.status`; the rows are
:mod:`pipeline.crosscheck.model`'s.
"""
from __future__ import annotations

import datetime as _dt
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

from pipeline.crosscheck.coverage import Passage, decide, passages
from pipeline.crosscheck.link import expand, link, owner_of
from pipeline.crosscheck.model import (
    Coverage,
    DutyRow,
    Evidence,
    GapReport,
    ReportRow,
    Loaded,
    PlanRef,
    SubmissionRow,
    load,
)
from pipeline.crosscheck.status import (
    addressee,
    done_date,
    due_of,
    is_reporting,
    status,
    submissions,
)
from pipeline.document.facts import Task
from pipeline.document.normalize import fold

# A process keeps the passages of the reports it read last, up to this many passages
# (about 4.4 KB each, measured: 70 MB at most): one report often answers many plans (a
# yearly report, every copy of a plan), and splitting it costs ~20 ms of Python per check
# (measured: a plan against 100 reports, 4.7 s → 0.9–1.7 s).
PASSAGE_CACHE = 16_000


def check(plan_path: str | Path, report_paths: Iterable[str | Path],
          as_of: str | None = None) -> dict:
    """The ``vanban.gaps/1`` gap report for a plan and candidate reports."""
    return check_loaded(load(plan_path), [load(p) for p in report_paths], as_of)


def check_loaded(plan: Loaded, reports: list[Loaded], as_of: str | None = None) -> dict:
    """:func:`gap_report` as ``vanban.gaps/1`` JSON."""
    return gap_report(plan, reports, as_of).to_json()


def gap_report(plan: Loaded, reports: list[Loaded], as_of: str | None = None) -> GapReport:
    """The gap report of ``plan`` against candidate ``reports``, as of a date (today)."""
    from extractors.owners import canonical_agency  # lazy: it loads spaCy (see link.owner_of)

    as_of = as_of or _dt.date.today().isoformat()
    meta = plan.meta
    home = meta.place
    plan_owner = canonical_agency(meta.issuer or "", home=home)
    linked: list[tuple[Loaded, str, str]] = []
    unmatched: list[str] = []
    for r in reports:
        how = link(plan, r)
        if how:
            linked.append((r, how, owner_of(r, home)))
        else:
            unmatched.append(r.label)
    tasks = plan.extraction.tasks
    named = [canonical_agency(x, home=home) for t in tasks for x in t.lead]
    known = list(dict.fromkeys([n for n in named if not re.match(r"(?i)các\s", n)]
                               + [o for _, _, o in linked]))
    by_owner: dict[str, list[Loaded]] = {}
    consolidated: list[Loaded] = []
    for r, _how, owner in linked:
        (consolidated if owner == plan_owner else by_owner.setdefault(owner, [])).append(r)
    task_owners = [(t, list(dict.fromkeys(o for lead in t.lead for o in expand(lead, known))))
                   for t in tasks]
    used_owners = {o for _, os_ in task_owners for o in os_}
    for r, _how, owner in linked:
        if owner not in used_owners and owner != plan_owner:
            unmatched.append(r.label)
    reporting = [(t, os_) for t, os_ in task_owners if is_reporting(t)]
    subs = submissions(reporting, by_owner)
    report_due: dict[str, str] = {}
    for t, os_ in reporting:
        for o in os_:
            if due_of(t) and due_of(t) > report_due.get(o, ""):
                report_due[o] = due_of(t)
    sections = {n.id: n.title for n in plan.doc.flat_outline()}
    duties = [_duty(plan, t, owner, by_owner.get(owner, []), consolidated, subs, report_due,
                    sections, as_of)
              for t, owners in task_owners for owner in owners]
    return GapReport(
        plan=PlanRef(meta.symbol, meta.issuer, meta.date, meta.title, plan.path),
        as_of=as_of, duties=duties, submissions=subs,
        unmatched_reports=list(dict.fromkeys(unmatched)),
        reports=[ReportRow(r.label, r.meta.date, r.meta.issuer, how[0], r in consolidated,
                           owner, how[1], r.path) for r, how, owner in linked])


class PassageCache:
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


_kept = PassageCache()


def pool(r: Loaded, plan: Loaded) -> list[Passage]:
    """The report's passages as seen from ``plan`` (its opening citing the plan left out),
    from this process's cache when the report's content is known (``r.key``)."""
    sym = plan.meta.symbol
    got = r.passages_for(sym)
    if got is None:
        key = None if r.key is None else (r.key, sym)
        got = None if key is None else _kept.get(key)
        if got is None:
            got = passages(r.label, r.doc, sym, r.meta.date)
            if key is not None:
                _kept.put(key, got)
        r.keep_passages(sym, got)
    return got


def _title_evidence(r: Loaded) -> list[Evidence]:
    span = r.meta.spans.get("title") or (0, 0)
    return [Evidence(r.label, r.meta.title, span[0], span[1], "tiêu đề")]


def _duty(plan: Loaded, t: Task, owner: str, own: list[Loaded], consolidated: list[Loaded],
          subs: list[SubmissionRow], report_due: dict[str, str], sections: dict[str, str],
          as_of: str) -> DutyRow:
    due = due_of(t) or report_due.get(owner)
    row = DutyRow(t.id, owner, t.text, t.deadline, due, t.start, t.end)
    sources = own + consolidated
    sub = next((s for s in subs if s.task_id == t.id and s.owner == owner), None)
    if sub and sub.report:
        rep = next(r for r in own if r.label == sub.report)
        row.coverage, row.reason = Coverage.ADDRESSED, f"đã nhận {sub.report} ({sub.status})"
        row.evidence = _title_evidence(rep)
        row.status = status(Coverage.ADDRESSED, due, sub.received, as_of)
        return row
    to = addressee(t) if is_reporting(t) else None
    via = next((r for r in consolidated if to and any(
        to in fold(x) for x in list(r.meta.recipients) + [r.doc.text[-1500:]])), None)
    if via is not None:
        row.coverage, row.reason = Coverage.ADDRESSED, f"báo cáo tổng hợp {via.label} gửi {to}"
        row.evidence = _title_evidence(via)
        row.status = status(Coverage.ADDRESSED, due, via.meta.date, as_of)
        return row
    if sub and own and due_of(t):
        row.coverage, row.reason = Coverage.NOT_ADDRESSED, f"chưa nhận {sub.what} của đơn vị"
        row.status = status(Coverage.NOT_ADDRESSED, due, None, as_of)
        return row
    if not sources:
        row.coverage, row.reason = Coverage.NO_REPORT, "không có báo cáo của đơn vị"
        row.status = status(Coverage.NO_REPORT, due, None, as_of)
        return row
    found = [p for r in sources for p in pool(r, plan)]
    cov = decide(t.text or "", plan.meta.title, sections.get(t.section or ""), found)
    row.coverage = cov.coverage
    row.reason = cov.reason + (" (báo cáo tổng hợp)" if not own else "")
    row.evidence = [Evidence(p.report, p.text[:800], p.start, p.end, p.section)
                    for p in cov.evidence]
    row.status = status(cov.coverage, due, done_date(cov.evidence), as_of)
    return row
