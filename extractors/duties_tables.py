"""Duties from task tables: a table with a *chủ trì* column gives one duty per row."""
from __future__ import annotations

from dataclasses import replace

from extractors.dates_periods import annex_period
from extractors.dates_temporal import field_temporal, temporal_facts
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


def _aligned(row: dict[int, Block], last_col: int) -> dict[int, Block]:
    """A row with more cells than the header holds a group's heading before its first
    item ("I | NHÓM GIẢI PHÁP … | 1 | Rà soát … | Sở Tài chính | … | Thường xuyên", as a
    web copy's one-bar-per-line table runs them together): its last cells are the
    header's columns."""
    top = max(row)
    if top <= last_col:
        return row
    shift = top - last_col
    return {k - shift: c for k, c in row.items() if k >= shift}


def from_tables(ctx: DutyContext) -> list[Task]:
    tasks: list[Task] = []
    by_table: dict[int, list[Block]] = {}
    for b in ctx.doc.blocks:
        if b.kind == "table_cell" and b.table is not None:
            by_table.setdefault(b.table, []).append(b)
    done = 0  # where the previous table ends: an annex heading is read after it
    for tno, cells in by_table.items():
        first_cell = min(c.start for c in cells)
        given = annex_period(ctx.doc.text, first_cell, done, ctx.dates, ctx.issued)
        done = max(done, max(c.end for c in cells))
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
        width = max(c.col or 0 for c in rows[header_row])
        content_col = next((k for k, v in roles.items() if v == "content"), None)
        for r in sorted(rows):
            if r <= header_row:
                continue
            row = _aligned({c.col or 0: c for c in rows[r]}, width)
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
            t = field_temporal(time_cell.text, ctx.issued) if time_cell else None
            if t is None or not time_cell.text.strip():
                t = temporal_facts(ctx.doc.text, content.start, content.end, ctx.dates, ctx.issued)
            own = time_cell is not None and time_cell.text.strip()  # "Thường xuyên" too
            if t.deadline is None and given is not None and not own:  # the annex heading's period
                t = replace(t, deadline=given["end"], period=given, source="period_end")
            if lead:
                tasks.append(Task(id=f"T{tno + 1}.{r}", section=f"T{tno + 1}", text=content.text,
                                  lead=lead, support=support, deadline=t.deadline, period=t.period,
                                  recurrence=t.recurrence, start=content.start, end=content.end,
                                  source="table", deadline_source=t.source, deadline_time=t.time))
    return tasks
