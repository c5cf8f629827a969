"""Duties from task tables: a table with a *chủ trì* column gives one duty per row."""
from __future__ import annotations

from extractors.dates_temporal import temporal_facts
from extractors.duties_context import DutyContext, cues
from extractors.duties_owners import split_owners
from pipeline.document.facts import Task
from pipeline.document.model import Block
from pipeline.document.normalize import fold

__all__ = ["from_tables"]


def _column_roles(cells: list[Block]) -> dict[int, str]:
    roles: dict[int, str] = {}
    for c in cells:
        f = fold(c.text)
        for role in ("lead", "support", "time", "content"):
            if any(fold(w) in f for w in cues(f"col_{role}")):
                roles.setdefault(c.col or 0, role)
                break
    return roles


def from_tables(ctx: DutyContext) -> list[Task]:
    tasks: list[Task] = []
    by_table: dict[int, list[Block]] = {}
    for b in ctx.doc.blocks:
        if b.kind == "table_cell" and b.table is not None:
            by_table.setdefault(b.table, []).append(b)
    for tno, cells in by_table.items():
        rows: dict[int, list[Block]] = {}
        for c in cells:
            rows.setdefault(c.row or 0, []).append(c)
        header_row = roles = None
        for r in sorted(rows)[:3]:
            cand = _column_roles(rows[r])
            if "lead" in cand.values():
                header_row, roles = r, cand
                break
        if roles is None:
            continue
        content_col = next((k for k, v in roles.items() if v == "content"), None)
        for r in sorted(rows):
            if r <= header_row:
                continue
            row = {c.col or 0: c for c in rows[r]}
            lead_cell = next((row[k] for k, v in roles.items() if v == "lead" and k in row), None)
            if lead_cell is None:
                continue
            content = row.get(content_col) if content_col is not None else None
            if content is None:
                others = [c for k, c in sorted(row.items()) if roles.get(k) is None and len(c.text) > 10]
                content = others[0] if others else None
            if content is None:
                continue
            lead = tuple(split_owners(lead_cell.text))
            sup_cell = next((row[k] for k, v in roles.items() if v == "support" and k in row), None)
            support = tuple(s for s in split_owners(sup_cell.text) if s not in lead) if sup_cell else ()
            time_cell = next((row[k] for k, v in roles.items() if v == "time" and k in row), None)
            t = temporal_facts(ctx.doc.text, time_cell.start, time_cell.end, ctx.dates,
                               ctx.issued) if time_cell else temporal_facts(
                ctx.doc.text, content.start, content.end, ctx.dates, ctx.issued)
            if lead:
                tasks.append(Task(id=f"T{tno + 1}.{r}", section=f"T{tno + 1}", text=content.text,
                                  lead=lead, support=support, deadline=t.deadline, period=t.period,
                                  recurrence=t.recurrence, start=content.start, end=content.end,
                                  source="table"))
    return tasks
