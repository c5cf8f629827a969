"""A ``vanban.gaps/1`` report as a markdown table of the plan's duties (the Prefect UI's
artifact of a checked plan; English headings, as the rest of that UI)."""
from __future__ import annotations

from typing import Any

from pipeline.crosscheck.model import BUCKETS
from pipeline.document.labels import STATUS_EN
from pipeline.reports.base import GapReportWriter

MAX_DUTIES = 200


def cell(text: Any, limit: int = 160) -> str:
    """One table cell: a list joined, whitespace squashed, pipes escaped, cut at ``limit``."""
    s = "" if text is None else (", ".join(text) if isinstance(text, list) else str(text))
    s = " ".join(s.split()).replace("|", "\\|")
    return s if len(s) <= limit else s[: limit - 1] + "…"


def gap_markdown(gaps: dict[str, Any], html: str | None = None) -> str:
    """A plan's duties with owner, deadline and status, as a markdown table; ``html``
    names the plan's HTML gap report (under ``gaps/``) when there is one."""
    plan = gaps.get("plan") or {}
    duties = gaps.get("duties") or []
    counts = {b: sum(1 for d in duties if d["status"] == b) for b in BUCKETS}
    lines = [f"# {plan.get('symbol') or plan.get('path')}: {cell(plan.get('title'), 200)}", "",
             f"{plan.get('issuer') or ''}, {plan.get('date') or 'no date'} — {len(duties)} "
             f"duties as of {gaps.get('as_of')}: "
             + ", ".join(f"{n} {STATUS_EN[b]}" for b, n in counts.items())
             + (f". Gap report: `gaps/{html}`" if html else "."), "",
             "| item | owner | due | status | coverage | duty |", "|---|---|---|---|---|---|"]
    for d in duties[:MAX_DUTIES]:
        lines.append(f"| {cell(d.get('task_id'), 20)} | {cell(d.get('owner'))} | "
                     f"{cell(d.get('due'), 12)} | {STATUS_EN.get(d['status'], d['status'])} | "
                     f"{cell(d.get('coverage'), 20)} | {cell(d.get('text'))} |")
    if len(duties) > MAX_DUTIES:
        lines.append(f"\n… and {len(duties) - MAX_DUTIES} more in the gap report.")
    return "\n".join(lines) + "\n"


class MarkdownWriter(GapReportWriter):
    name, suffix = "markdown", ".md"

    def render(self, gaps: dict) -> str:
        return gap_markdown(gaps)
