"""Duties: who is asked to do what, by when.

Owners are given mostly by structure, not by sentences, so the outline comes first:

1. **Agency headings** — an item whose head names an agency (``1- Sở Tư pháp:``,
   ``Đề nghị Ủy ban MTTQ tỉnh, Hội LHPN tỉnh ...``): its smallest sub-items are that
   agency's duties; without sub-items the item itself is one duty.
2. **Owner sentences** — any other smallest item that names its owner in its first
   clause (``Sở Y tế chủ trì, phối hợp với ...``, ``Giao Công an tỉnh ...``).
3. **Task tables** — a table with a *chủ trì* column: one duty per row.
4. **The closing paragraph** — reporting requests (``yêu cầu các sở ... trước ngày
   25/3/2020``): one duty per deadline.

Inside a duty, *chủ trì* names the lead and *phối hợp (với)* the coordinating
agencies. Deadlines, periods and recurrences come from :mod:`extractors.dates_temporal`.

The finders live beside this module: :mod:`extractors.duties_outline` (1, 2),
:mod:`extractors.duties_tables` (3), :mod:`extractors.duties_closing` (4); who owns an item
in :mod:`extractors.duties_owners`, what they share in :mod:`extractors.duties_context`.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import replace

from spacy.tokens import Doc

from extractors.dates_periods import may_hold_period
from extractors.dates_temporal import temporal_facts
from extractors.duties_closing import from_closing
from extractors.duties_context import RECIPIENTS, DutyContext, addressee_blocks
from extractors.duties_outline import from_outline
from extractors.duties_tables import from_tables
from pipeline.document.facts import Task, Temporal
from pipeline.document.model import Document, OutlineNode

__all__ = ["deadline_sources", "deadlines_from_items", "deadlines_from_parents", "extract_duties"]


def extract_duties(doc: Document, nlp_doc: Doc, issued: str | None = None,
                   doc_type: str | None = None) -> list[Task]:
    """The duties of ``doc`` in text order, from the agency and date spans of ``nlp_doc``
    (:func:`extractors.nlp.analyse` of its text)."""
    agencies = tuple(sorted((s._.agency for s in nlp_doc.spans.get("agencies", [])),
                            key=lambda a: a.start))
    ctx = DutyContext(doc=doc, agencies=agencies,
                      dates=tuple(sorted((s._.date for s in nlp_doc.spans.get("dates", [])),
                                         key=lambda d: d.start)),
                      issued=issued, doc_type=doc_type,
                      agency_starts=tuple(a.start for a in agencies),
                      block_starts=tuple(b.start for b in doc.blocks))
    ctx = replace(ctx, letters=addressee_blocks(ctx))
    tasks = from_outline(ctx) + from_tables(ctx)
    taken = [(t.start, t.end) for t in tasks]
    tasks += from_closing(ctx, taken)
    tasks.sort(key=lambda t: t.start)
    return deadlines_from_parents(ctx, deadline_sources(ctx, deadlines_from_items(ctx, tasks)))


def deadline_sources(ctx: DutyContext, tasks: list[Task]) -> list[Task]:
    """Where each duty's deadline comes from (``stated`` or ``period_end``) and its time
    of day, for the duties whose finder gave the date alone."""
    out = []
    for t in tasks:
        if t.deadline and t.deadline_source is None and "deadline_from" not in t.extra:
            found = temporal_facts(ctx.doc.text, t.start, t.end, ctx.dates, ctx.issued)
            if found.deadline == t.deadline:
                t = replace(t, deadline_source=found.source, deadline_time=found.time)
        out.append(t)
    return out


def _ancestry(doc: Document) -> dict[str, tuple[OutlineNode, ...]]:
    """Each outline id → its ancestors, nearest first."""
    out: dict[str, tuple[OutlineNode, ...]] = {}

    def walk(node: OutlineNode, above: tuple[OutlineNode, ...]) -> None:
        out[node.id] = above
        for c in node.children:
            walk(c, (node,) + above)
    for root in doc.outline:
        walk(root, ())
    return out


def deadlines_from_parents(ctx: DutyContext, tasks: list[Task]) -> list[Task]:
    """An item without a deadline of its own takes the nearest parent item's ("2. Sở Y
    tế … hoàn thành trong quý I/2026:" over its a), b)), with the parent's source; an
    item's own deadline overrides its parent's."""
    if not any(t.deadline is None and t.source in ("structure", "sentence") for t in tasks):
        return tasks
    ancestry = _ancestry(ctx.doc)
    heads: dict[str, Temporal] = {}
    out = []
    for t in tasks:
        if t.deadline is None and t.period is None and t.kind == "duty" \
                and t.source in ("structure", "sentence"):
            for a in ancestry.get(t.id, ()):
                if a.id not in heads:
                    end = a.children[0].start if a.children else a.head_end
                    k = bisect_left(ctx.dates, a.start, key=lambda d: d.start)
                    dated = k < len(ctx.dates) and ctx.dates[k].start < end
                    heads[a.id] = temporal_facts(ctx.doc.text, a.start, end, ctx.dates,
                                                 ctx.issued, rhythm=False) \
                        if dated or may_hold_period(ctx.doc.text, a.start, end) else Temporal()
                got = heads[a.id]
                if got.deadline:
                    t = replace(t, deadline=got.deadline, deadline_source=got.source,
                                deadline_time=got.time,
                                period=got.period if got.source == "period_end" else None,
                                extra={**t.extra, "deadline_from": a.id})
                    break
        out.append(t)
    return out


def deadlines_from_items(ctx: DutyContext, tasks: list[Task]) -> list[Task]:
    """A duty that ends by announcing items ("… báo cáo tổng kết …, như sau:") and has no
    date of its own takes the deadline its items give ("3. Báo cáo … gửi về Bộ Công an
    trước ngày 20/12/2025"), up to the next duty or the recipients block."""
    stop = next((b.start for b in ctx.doc.blocks if RECIPIENTS.match(b.text)), len(ctx.doc.text))
    out: list[Task] = []
    for i, t in enumerate(tasks):
        if t.deadline or t.period or not t.text.rstrip().endswith(":"):
            out.append(t)
            continue
        end = min([stop] + [u.start for u in tasks[i + 1:] if u.start >= t.end])
        found = temporal_facts(ctx.doc.text, t.end, end, ctx.dates, ctx.issued) \
            if end > t.end else None
        if found and found.deadline:
            t = replace(t, deadline=found.deadline, deadline_source=found.source,
                        deadline_time=found.time, extra={**t.extra, "deadline_from": "items"})
        out.append(t)
    return out
