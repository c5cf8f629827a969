"""``vanban remind``: reminder letters (công văn đôn đốc) to the agencies behind on their
duties, from the gap reports the flow wrote under ``<out>/gaps/``
(:mod:`pipeline.reports.remind`). Registered in :mod:`flows.cli`.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from flows.cli.errors import Command
from flows.cli.types import DATE


def _fail(message: str) -> None:
    click.echo(f"vanban: {message}", err=True)
    sys.exit(2)


def _line(agency: str, path: Path, items: list) -> str:
    late = sum(1 for r in items if r.late)
    soon = len(items) - late
    parts = [f"{late} quá hạn" if late else "", f"{soon} sắp đến hạn" if soon else ""]
    return (f"Đã viết công văn đôn đốc {agency} ({', '.join(p for p in parts if p)}): "
            f"{path}")


@click.command("remind", cls=Command)
@click.argument("agency", required=False)
@click.option("--docx", "docx_out", type=click.Path(dir_okay=False), default=None,
              help="The letter to write (default: 'Đôn đốc - AGENCY - DATE.docx' here).")
@click.option("--all", "every", is_flag=True,
              help="One letter per agency with an overdue duty, into --dir.")
@click.option("--dir", "folder", type=click.Path(file_okay=False), default=None,
              help="Where --all writes its letters.")
@click.option("--out", default="outputs", show_default=True, type=click.Path(file_okay=False),
              help="The output folder of `vanban run` (its gaps/ holds the gap reports).")
@click.option("--as-of", "as_of", type=DATE, default=None,
              help="Ngày của công văn: dd/mm/yyyy hoặc yyyy-mm-dd (mặc định: ngày của các "
                   "báo cáo tình hình).")
@click.option("--within", type=click.IntRange(min=0), default=15, show_default=True,
              help="Also list duties due within this many days.")
@click.option("--sender", default=None,
              help="The body that sends the letter (default: the plans' issuer).")
def remind(agency: str | None, docx_out: str | None, every: bool, folder: str | None,
           out: str, as_of: str | None, within: int, sender: str | None) -> None:
    """Write a reminder letter (DOCX) to AGENCY listing its overdue and soon-due duties,
    or with --all one letter per agency that has overdue duties."""
    # imported here: the other commands (and --help) do not load python-docx
    from pipeline.reports.agencies import agency_duties
    from pipeline.reports.remind import (AgencyNotFound, default_day, file_name, match_agency,
                                         write_letter, write_letters)

    if every == bool(agency):
        _fail("cần tên một đơn vị, hoặc --all --dir THƯ_MỤC (không dùng cả hai)")
    if every and not folder:
        _fail("--all cần --dir THƯ_MỤC để ghi các công văn")
    day = None
    if as_of:  # already checked and made ISO by DATE
        day = dt.date.fromisoformat(as_of)
    by = agency_duties(Path(out))
    if not by:
        _fail(f"chưa có báo cáo tình hình thực hiện nào trong {Path(out) / 'gaps'} "
              f"(chạy `vanban run` trước)")
    day = day or default_day(r for rows in by.values() for r in rows)
    if every:
        written = write_letters(by, day, Path(folder), within, sender)
        for name, path, items in written:
            click.echo(_line(name, path, items))
        if not written:
            click.echo(f"Không đơn vị nào có nhiệm vụ quá hạn đến ngày {day:%d/%m/%Y}.")
        return
    try:
        name = match_agency(agency, by)
    except AgencyNotFound as err:
        _fail(str(err))
    path = Path(docx_out) if docx_out else Path(file_name(name, day))
    items = write_letter(name, by[name], day, path, sender, within)
    if items:
        click.echo(_line(name, path, items))
    else:
        click.echo(f"{name} không có nhiệm vụ quá hạn hay sắp đến hạn đến ngày "
                   f"{day:%d/%m/%Y}; không viết công văn.")


COMMANDS = (remind,)
