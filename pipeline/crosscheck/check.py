"""Cross-check reports against the duties a plan assigned (``vanban.gaps/1``).

Which reports answer the plan, whose they are and which are consolidated (by the plan's
issuer, or by the body the plan names to compile) is :mod:`pipeline.crosscheck.link`;
which duties are listed, their text, place and owners :mod:`pipeline.crosscheck.duties`.
Coverage per (duty, owner) is in :mod:`pipeline.crosscheck.coverage`, the quoted evidence
in :mod:`pipeline.crosscheck.evidence`, dates and submissions in
:mod:`pipeline.crosscheck.status`; the rows are :mod:`pipeline.crosscheck.model`'s.
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
from pipeline.crosscheck.duties import current_cycle, full_text, listed, owners_of, place
from pipeline.crosscheck.evidence import quote
from pipeline.crosscheck.link import (
    CitedReport,
    cited_reports,
    compilers,
    is_consolidated,
    link,
    owner_of,
    same_body,
    short_name,
)
from pipeline.crosscheck.model import (
    Coverage,
    DueSource,
    DutyRow,
    Evidence,
    GapReport,
    Loaded,
    PlanRef,
    ReportRow,
    Status,
    Submission,
    SubmissionRow,
    load,
)
from pipeline.crosscheck.status import (
    addressee,
    cutoff,
    done_date,
    due_of,
    is_reporting,
    status,
    submissions,
    told,
)
from pipeline.document.facts import Task
from pipeline.document.labels import vn_date
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

    def canon(name: str) -> str:
        return canonical_agency(name or "", home=home)

    plan_owner = canon(meta.issuer or "")
    linked: list[tuple[Loaded, tuple, str]] = []
    unmatched: list[str] = []
    for r in reports:
        how = link(plan, r)
        if how:
            linked.append((r, how, owner_of(r, home)))
        else:
            unmatched.append(r.label)
    tasks = [current_cycle(t, as_of, meta.date) for t in listed(plan.extraction.tasks)]
    named = [canon(x) for t in tasks for x in t.lead]
    known = same_names([n for n in named if not re.match(r"(?i)các\s", n)]
                       + [o for _, _, o in linked])
    linked = [(r, how, known.get(fold(o), o)) for r, how, o in linked]
    names = list(dict.fromkeys(known.values()))
    task_owners = [(t, [known.get(fold(o), o) for o in owners_of(t, names, canon)])
                   for t in tasks]
    used_owners = {o for _, os_ in task_owners for o in os_}
    compiling = compilers(plan)
    by_owner: dict[str, list[Loaded]] = {}
    consolidated: list[Loaded] = []
    for r, _how, owner in linked:
        if is_consolidated(r, owner, plan_owner, compiling, sorted(used_owners)):
            consolidated.append(r)
        if owner != plan_owner and not same_body(owner, plan_owner):
            by_owner.setdefault(owner, []).append(r)
    answering = {r.label for r in consolidated}
    for r, _how, owner in linked:
        if owner not in used_owners and r.label not in answering:
            unmatched.append(r.label)
    reporting = [(t, os_) for t, os_ in task_owners if is_reporting(t)]
    received = {o: rs + [c for r in rs for c in cited_reports(r)] for o, rs in by_owner.items()}
    subs = submissions(reporting, received)
    said: dict[str, tuple] = {}  # what a consolidated report says of an owner's report
    for r in consolidated:
        for o, (kind, when, span) in told(r, sorted(used_owners), short_name).items():
            said.setdefault(o, (r, kind, when, span))
    for sub in subs:
        if sub.report is None and sub.owner in said and sub.owner not in by_owner:
            sub.status, sub.received = said[sub.owner][1], said[sub.owner][2]
    report_due: dict[str, str] = {}
    for t, os_ in reporting:
        for o in os_:
            if due_of(t) and due_of(t) > report_due.get(o, ""):
                report_due[o] = due_of(t)
    ctx = _Context(plan, by_owner, received, consolidated, subs, report_due,
                   {n.id: n.title for n in plan.doc.flat_outline()}, as_of,
                   sum(1 for t in tasks if t.id.startswith("end.")),
                   {r.label: how for r, how, _ in linked}, said,
                   {r.label: c for r, _, _ in linked if (c := cutoff(r))},
                   owners=tuple(sorted(used_owners)))
    duties = [_duty(ctx, t, owner) for t, owners in task_owners for owner in owners]
    rows = [ReportRow(r.label, r.meta.date, r.meta.issuer, how[0], r in consolidated,
                      owner, how[1], r.path) for r, how, owner in linked]
    return GapReport(
        plan=PlanRef(meta.symbol, meta.issuer, meta.date, meta.title, plan.path),
        as_of=as_of, duties=duties, submissions=subs,
        unmatched_reports=list(dict.fromkeys(unmatched)), reports=rows,
        warnings=warnings(plan, tasks, rows, unmatched, used_owners))


def same_names(names: list[str]) -> dict[str, str]:
    """One spelling per agency: names equal but for case or accents ("Sở Giáo dục và đào
    tạo", "Sở Giáo dục và Đào tạo") → the one with more capitals (the gazetteer's)."""
    out: dict[str, str] = {}
    for n in names:
        k = fold(n)
        if k not in out or sum(c.isupper() for c in n) > sum(c.isupper() for c in out[k]):
            out[k] = n
    return out


def warnings(plan: Loaded, tasks: list[Task], rows: list[ReportRow], unmatched: list[str],
             owners: set[str]) -> list[str]:
    """What the reviewer should know before trusting the report, in Vietnamese."""
    label = plan.meta.symbol or Path(plan.path).name
    out = []
    kind = plan.meta.doc_type
    if plan.is_report:
        out.append(f"{label} là một báo cáo, không phải kế hoạch: không có nhiệm vụ để đối chiếu.")
    elif not tasks:
        out.append(f"{label} không giao nhiệm vụ nào cho cơ quan, đơn vị: không có gì để đối chiếu.")
    elif kind in ("Luật", "Bộ luật", "Pháp lệnh", "NĐ", "TT", "TTLT"):
        out.append(f"{label} là văn bản quy phạm pháp luật, không phải kế hoạch; các nhiệm vụ "
                   "được liệt kê để tham khảo.")
    for u in dict.fromkeys(unmatched):
        row = next((r for r in rows if r.report == u), None)
        if row is None:
            out.append(f"{u} không dẫn {label} nên không được đối chiếu.")
        elif row.owner not in owners:
            out.append(f"{u} của {row.owner}, đơn vị không được giao nhiệm vụ nào trong {label}.")
    return out


@dataclass
class _Context:
    plan: Loaded
    by_owner: dict[str, list[Loaded]]
    received: dict[str, list[Loaded]]  # by_owner, and the earlier reports they cite
    consolidated: list[Loaded]
    subs: list[SubmissionRow]
    report_due: dict[str, str]
    sections: dict[str, str]
    as_of: str
    closing: int
    how: dict[str, tuple]
    said: dict[str, tuple]  # owner → (consolidated report, status, date, span) it states
    done_by: dict[str, str]  # report → the day its figures stop ("tính đến ngày …")
    decided: dict[tuple, object] = field(default_factory=dict)
    owners: tuple[str, ...] = ()  # every owner of the plan's duties, for about_owner
    _folded: dict[int, str] = field(default_factory=dict)

    def about_owner(self, p: Passage, owner: str) -> bool:
        """A consolidated report's passage speaks for ``owner`` unless it, or the heading
        it sits under, names other owners of the plan and not this one ("Sở Công Thương đã
        hỗ trợ …", "2. Sở Khoa học và Công nghệ" above a list)."""
        text = self._folded.get(id(p))
        if text is None:
            text = self._folded[id(p)] = fold(p.section + " \n " + p.text)
        if short_name(owner) in text:
            return True
        return not any(short_name(o) in text for o in self.owners if o != owner)


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


def _opening(r: Loaded, cites: str | None) -> list[Evidence]:
    """A received report's evidence: the sentence that says what it answers (its opening
    citing the plan), or its title."""
    doc = r.doc
    if doc is not None:
        key = re.sub(r"\s+", "", cites or "")
        for b in doc.blocks[:60]:
            flat = re.sub(r"\s+", "", b.text)
            if key and key in flat or re.match(r"(?i)(thực hiện|căn cứ|theo)\b", b.text):
                p = Passage(r.label, b.text.strip(), b.start, b.end, "mở đầu", False,
                            place="Phần mở đầu")
                ev = quote(p, {cites.lower()} if cites else set(), r.path)
                return [ev]
    span = r.meta.spans.get("title") or (0, 0)
    return [Evidence(r.label, r.meta.title, span[0], span[1], "tiêu đề", "Tiêu đề", [],
                     r.path)]


def _citing(c: CitedReport) -> list[Evidence]:
    """Evidence for a report known from a later one: the sentence that cites it."""
    doc = c.via.doc
    b = next((b for b in doc.blocks if b.start <= c.span[0] < b.end), None)
    if b is None:
        return []
    p = Passage(c.via.label, b.text.strip(), b.start, b.end, "", False)
    return [quote(p, {c.label.lower()}, c.via.path)]


def _due(t: Task, owner: str, report_due: dict[str, str]) -> tuple[str | None, DueSource | None]:
    if t.deadline:
        return t.deadline, DueSource(t.deadline_source or "stated")
    if (t.period or {}).get("end"):
        return t.period["end"], DueSource.PERIOD_END
    if report_due.get(owner):
        return report_due[owner], DueSource.PLAN_REPORTING_DEADLINE
    return None, None


def _duty(ctx: _Context, t: Task, owner: str) -> DutyRow:
    plan = ctx.plan
    due, source = _due(t, owner, ctx.report_due)
    row = DutyRow(t.id, owner, full_text(t, plan.doc), t.deadline, due, t.start, t.end,
                  place(t.id, ctx.closing), source)
    own = ctx.by_owner.get(owner, [])
    sub = next((s for s in ctx.subs if s.task_id == t.id and s.owner == owner), None)
    if sub and sub.report:
        rep = next(r for r in ctx.received.get(owner, []) if r.label == sub.report)
        row.coverage = Coverage.ADDRESSED
        if isinstance(rep, CitedReport):
            row.evidence = _citing(rep)
            row.reason = f"{rep.via.label} cho biết đã gửi {rep.label} ngày " \
                         f"{vn_date(sub.received)}"
        else:
            row.evidence = _opening(rep, ctx.how.get(rep.label, (None, None))[1])
            row.reason = f"đã nhận {rep.label}" + (
                f" ngày {vn_date(sub.received)}" if sub.received else ", văn bản không ghi ngày")
        row.status = status(Coverage.ADDRESSED, due, sub.received, ctx.as_of)
        return row
    if sub and not sub.report and owner in ctx.said:
        return _said(ctx, row, sub, due)
    to = addressee(t) if is_reporting(t) else None
    via = next((r for r in ctx.consolidated if to and any(
        to in fold(x) for x in list(r.meta.recipients) + [r.doc.text[-1500:]])), None)
    if via is not None:
        row.coverage = Coverage.ADDRESSED
        row.reason = f"báo cáo tổng hợp {via.label} đã gửi {_title_case(to)}"
        row.evidence = _opening(via, ctx.how.get(via.label, (None, None))[1])
        row.status = status(Coverage.ADDRESSED, due, via.meta.date, ctx.as_of)
        return row
    if sub and own and due_of(t):
        row.coverage, row.reason = Coverage.NOT_ADDRESSED, f"chưa nhận {sub.what} của đơn vị"
        row.status = status(Coverage.NOT_ADDRESSED, due, None, ctx.as_of)
        return row
    sources = own + [r for r in ctx.consolidated if r not in own]
    if not sources:
        row.coverage = Coverage.NO_REPORT
        row.reason = "không có báo cáo nào của đơn vị gắn với kế hoạch"
        row.status = status(Coverage.NO_REPORT, due, None, ctx.as_of)
        return row
    key = (t.id, tuple(sorted(r.label for r in sources)))
    if not own:  # a consolidated report's passages about other owners do not answer
        key += (owner,)
    cov = ctx.decided.get(key)
    if cov is None:  # co-owners answered by the same reports get the same verdict
        found = [p for r in sources for p in pool(r, plan)
                 if r in own or ctx.about_owner(p, owner)]
        cov = ctx.decided[key] = decide(t.text or "", plan.meta.title,
                                        ctx.sections.get(t.section or ""), found,
                                        (*t.lead, *t.support))
    row.coverage = cov.coverage
    row.reason = cov.reason + ("; theo báo cáo tổng hợp" if not own else "")
    paths = {r.label: r.path for r in sources}
    row.evidence = [quote(p, cov.terms, paths.get(p.report, "")) for p in cov.evidence]
    done = done_date(cov.evidence, lambda p: ctx.done_by.get(p.report, p.date))
    if cov.coverage == Coverage.ADDRESSED and begun_only(t, due, source, done, row.evidence):
        row.coverage = Coverage.PARTIAL
        row.reason += f"; nhiệm vụ kéo dài đến {vn_date(due)}, báo cáo nêu kết quả bước đầu"
    row.status = status(row.coverage, due, done, ctx.as_of)
    return row


LONG_TERM_DAYS = 365
_FINISHED = re.compile(r"(?i)\b(?:đã hoàn thành|hoàn thành 100|đã ban hành|đã phê duyệt|"
                       r"ban hành (?:tại|theo) (?:Quyết định|Kế hoạch))")


def begun_only(t: Task, due: str | None, source, done: str | None,
               evidence: list[Evidence]) -> bool:
    """A duty over a term of years ("2025 - 2035") that a report speaks of a year in is
    begun, not done, unless the report says it was finished (or its product issued)."""
    if source != DueSource.PERIOD_END or not due or not done:
        return False
    if (_dt.date.fromisoformat(due) - _dt.date.fromisoformat(done)).days < LONG_TERM_DAYS:
        return False
    return not any(_FINISHED.search(e.text or "") for e in evidence)


def _said(ctx: _Context, row: DutyRow, sub: SubmissionRow, due: str | None) -> DutyRow:
    """A reporting duty the consolidated report speaks of: "nhận được báo cáo đúng thời hạn
    của Sở X", "Sở Y gửi báo cáo ngày …, chậm", "Z chưa gửi báo cáo"."""
    rep, kind, when, span = ctx.said[row.owner]
    b = next((b for b in rep.doc.blocks if b.start <= span[0] < b.end), None)
    if b is not None:
        p = Passage(rep.label, b.text.strip(), b.start, b.end, "", False)
        row.evidence = [quote(p, {short_name(row.owner)} | {"báo cáo"}, rep.path)]
    if kind == Submission.MISSING:
        row.coverage = Coverage.NOT_ADDRESSED
        row.reason = f"báo cáo tổng hợp {rep.label} ghi đơn vị chưa gửi báo cáo"
        row.status = status(Coverage.NOT_ADDRESSED, due, None, ctx.as_of)
        return row
    row.coverage = Coverage.ADDRESSED
    row.reason = f"báo cáo tổng hợp {rep.label} ghi đơn vị đã gửi báo cáo " + \
        ("đúng hạn" if kind == Submission.ON_TIME else "chậm") + \
        (f" (ngày {vn_date(when)})" if when else "")
    if kind == Submission.LATE and not when:
        row.status = Status.DONE_LATE
    else:
        row.status = status(Coverage.ADDRESSED, due, when or due, ctx.as_of)
    return row


def _title_case(folded: str) -> str:
    return folded[:1].upper() + folded[1:]
