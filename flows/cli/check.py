"""``vanban check``: cross-check reports against a plan's duties (``vanban.gaps/1``).

The lead registers it with ``main.add_command(check)`` in :mod:`flows.cli`.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from pipeline.document.model import VanbanError

BUCKETS_VI = {"done_on_time": "hoàn thành đúng hạn", "done_late": "hoàn thành quá hạn",
              "pending": "chưa hoàn thành, còn hạn", "overdue": "chưa hoàn thành, quá hạn"}


@click.command()
@click.option("--plan", "plan", required=True, type=click.Path(dir_okay=False),
              help="The plan (KH, QĐ, CV …) whose duties are checked.")
@click.argument("reports", nargs=-1, type=click.Path())
@click.option("--as-of", "as_of", default=None, help="Reference date YYYY-MM-DD (default today).")
@click.option("--json", "as_json", is_flag=True, help="Print vanban.gaps/1 JSON.")
@click.option("--html", "html_out", type=click.Path(dir_okay=False), default=None,
              help="Write a printable HTML gap report.")
@click.option("--xlsx", "xlsx_out", type=click.Path(dir_okay=False), default=None,
              help="Write a filterable XLSX gap table.")
@click.option("--docx", "docx_out", type=click.Path(dir_okay=False), default=None,
              help="Write a DOCX draft report.")
def check(plan: str, reports: tuple[str, ...], as_of: str | None, as_json: bool,
          html_out: str | None, xlsx_out: str | None, docx_out: str | None) -> None:
    """Did every owner report on every duty of PLAN, on time? REPORT may be files or folders."""
    from pipeline.outputs import iter_inputs
    from pipeline.crosscheck.check import check as run_check

    if as_of:
        import datetime as _dt

        try:
            _dt.date.fromisoformat(as_of)
        except ValueError:
            raise click.BadParameter(f"'{as_of}' is not a date YYYY-MM-DD", param_hint="--as-of")
    files = [p for p in iter_inputs([Path(r) for r in reports]) if str(p) != plan]
    try:
        gaps = run_check(plan, files, as_of)
    except VanbanError as err:
        click.echo(f"vanban: {err}", err=True)
        sys.exit(2)
    except Exception as exc:  # still one line, still non-zero
        if os.environ.get("VANBAN_DEBUG"):
            raise
        click.echo(f"vanban: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(2)
    if html_out:
        from pipeline.reports.html import render_html

        Path(html_out).write_text(render_html(gaps), "utf-8")
    if xlsx_out:
        from pipeline.reports.xlsx import write_xlsx

        write_xlsx(gaps, Path(xlsx_out))
    if docx_out:
        from pipeline.reports.docx import write_docx

        write_docx(gaps, Path(docx_out))
    if as_json:
        click.echo(json.dumps(gaps, ensure_ascii=False, indent=2))
    elif not (html_out or xlsx_out or docx_out):
        click.echo(summary(gaps))


def summary(gaps: dict) -> str:
    """A few lines for the terminal: counts by bucket, missing submissions."""
    from collections import Counter

    p = gaps["plan"]
    name = p.get("symbol") or p.get("title") or "?"
    lines = [f"{name} — {len(gaps['duties'])} nhiệm vụ (tính đến {gaps['as_of']})"]
    c = Counter(d["status"] for d in gaps["duties"])
    lines += [f"  {BUCKETS_VI[k]}: {c.get(k, 0)}" for k in BUCKETS_VI]
    miss = [s for s in gaps["submissions"] if s["status"] == "missing"]
    lines.append(f"  báo cáo chưa nhận: {len(miss)}")
    if gaps["unmatched_reports"]:
        lines.append("  báo cáo không gắn với kế hoạch: " + ", ".join(gaps["unmatched_reports"]))
    return "\n".join(lines)
