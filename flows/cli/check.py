"""``vanban check``: cross-check reports against a plan's duties (``vanban.gaps/1``).

The lead registers it with ``main.add_command(check)`` in :mod:`flows.cli`.
"""
from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

import click

from flows.cli.errors import Command
from flows.cli.types import DATE
from pipeline.document import labels
from pipeline.document.model import VanbanError

FORMATS = ("html", "xlsx", "docx")


@click.command(cls=Command)
@click.option("--plan", "plan", required=True, type=click.Path(dir_okay=False),
              help="Kế hoạch (KH, QĐ, CV …) có các nhiệm vụ cần đối chiếu.")
@click.argument("reports", nargs=-1, type=click.Path())
@click.option("--as-of", "as_of", type=DATE, default=None,
              help="Ngày đối chiếu: dd/mm/yyyy hoặc yyyy-mm-dd (mặc định hôm nay).")
@click.option("--json", "as_json", is_flag=True, help="In JSON vanban.gaps/1.")
@click.option("--html", "html_out", type=click.Path(dir_okay=False), default=None,
              help="Ghi báo cáo tình hình thực hiện dạng HTML (để in).")
@click.option("--xlsx", "xlsx_out", type=click.Path(dir_okay=False), default=None,
              help="Ghi bảng XLSX (lọc được).")
@click.option("--docx", "docx_out", type=click.Path(dir_okay=False), default=None,
              help="Ghi dự thảo báo cáo DOCX.")
def check(plan: str, reports: tuple[str, ...], as_of: str | None, as_json: bool,
          html_out: str | None, xlsx_out: str | None, docx_out: str | None) -> None:
    """Các đơn vị đã báo cáo đủ, đúng hạn mọi nhiệm vụ của kế hoạch chưa?
    REPORTS là tệp hoặc thư mục."""
    # imported here, not at the top: the other commands (and --help) do not load them
    from pipeline.crosscheck.check import check_loaded
    from pipeline.crosscheck.model import load
    from pipeline.outputs import iter_inputs

    files = [p for p in iter_inputs([Path(r) for r in reports]) if str(p) != plan]
    try:
        _progress(f"đọc kế hoạch {plan}…")
        loaded_plan = load(plan)
        loaded = []
        for i, f in enumerate(files, 1):
            _progress(f"đọc báo cáo {i}/{len(files)}: {f}…")
            loaded.append(load(f))
        _progress(f"đối chiếu {len(files)} báo cáo với kế hoạch…")
        gaps = check_loaded(loaded_plan, loaded, as_of)
    except VanbanError as err:
        click.echo(f"vanban: {err}", err=True)
        sys.exit(2)
    except Exception as exc:  # still one line, still non-zero
        if os.environ.get("VANBAN_DEBUG"):
            raise
        click.echo(f"vanban: lỗi nội bộ: {type(exc).__name__}: {exc}", err=True)
        sys.exit(2)
    targets = dict(zip(FORMATS, (html_out, xlsx_out, docx_out), strict=True))
    written: list[str] = []
    if any(targets.values()):
        from pipeline.reports.registry import writer  # lazy, as above

        for name, target in targets.items():
            if target:
                _progress(f"ghi {name.upper()}: {target}…")
                writer(name).write(gaps, Path(target))
                written.append(target)
    if as_json:
        click.echo(json.dumps(gaps, ensure_ascii=False, indent=2))
        for w in gaps.get("warnings") or []:
            click.echo(f"vanban: lưu ý: {w}", err=True)
    else:
        click.echo(summary(gaps))
    for target in written:  # last, where the eye lands
        click.echo(f"vanban: đã ghi: {target}", err=True)


def _progress(what: str) -> None:
    """What the check is doing, on stderr (a check with many reports takes a while)."""
    click.echo(f"vanban: {what}", err=True)


def summary(gaps: dict) -> str:
    """A few lines for the terminal: how each report was linked, counts by status,
    missing submissions, and the warnings."""
    # lazy like the check itself (loaded by it already): not at the CLI's start-up
    from pipeline.crosscheck.model import Submission

    p = gaps["plan"]
    name = p.get("symbol") or p.get("title") or "?"
    lines = [f"{name} — {len(gaps['duties'])} nhiệm vụ (tính đến {labels.vn_date(gaps['as_of'])})"]
    for r in gaps.get("reports") or []:
        lines.append("  " + linked_line(r, name))
    c = Counter(d["status"] for d in gaps["duties"])
    lines += [f"  {v.lower()}: {c.get(k, 0)}" for k, v in labels.STATUS.items()]
    miss = [s for s in gaps["submissions"] if s["status"] == Submission.MISSING]
    lines.append(f"  báo cáo chưa nhận: {len(miss)}")
    for w in gaps.get("warnings") or []:
        lines.append(f"  lưu ý: {w}")
    return "\n".join(lines)


def linked_line(r: dict, plan: str) -> str:
    """One line saying how a report was linked to the plan."""
    date = f" ngày {labels.vn_date(r['date'])}" if r.get("date") else " (không ghi ngày)"
    if r["linked_by"] == "title":
        how = (f"dẫn {r['cites']}, trùng loại, cơ quan ban hành và tên với dự thảo {plan}"
               if r.get("cites") else "trùng tên với kế hoạch chưa có số")
    else:
        how = f"dẫn {r.get('cites') or plan}"
    kind = "báo cáo tổng hợp, trả lời cho mọi đơn vị" if r.get("consolidated") \
        else f"báo cáo của {r['owner']}"
    return f"{r['report']}{date}: {how}; {kind}"


COMMANDS = (check,)
