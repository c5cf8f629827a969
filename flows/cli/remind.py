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
              help="Tệp công văn (mặc định: 'Đôn đốc - ĐƠN VỊ - NGÀY.docx' ở thư mục hiện tại).")
@click.option("--all", "every", is_flag=True,
              help="Mỗi đơn vị có nhiệm vụ quá hạn một công văn, ghi vào --dir.")
@click.option("--dir", "folder", type=click.Path(file_okay=False), default=None,
              help="Nơi --all ghi các công văn.")
@click.option("--out", default="outputs", show_default=True, type=click.Path(file_okay=False),
              help="Thư mục kết quả của `vanban run` (gaps/ chứa các báo cáo tình hình).")
@click.option("--as-of", "as_of", type=DATE, default=None,
              help="Ngày của công văn: dd/mm/yyyy hoặc yyyy-mm-dd (mặc định: ngày của các "
                   "báo cáo tình hình).")
@click.option("--within", type=click.IntRange(min=0), default=15, show_default=True,
              help="Kể cả nhiệm vụ đến hạn trong chừng này ngày.")
@click.option("--sender", default=None,
              help="Cơ quan gửi công văn (mặc định: cơ quan ban hành kế hoạch).")
def remind(agency: str | None, docx_out: str | None, every: bool, folder: str | None,
           out: str, as_of: str | None, within: int, sender: str | None) -> None:
    """Viết công văn đôn đốc (DOCX) gửi AGENCY, kê các nhiệm vụ quá hạn và sắp đến hạn;
    với --all, mỗi đơn vị có nhiệm vụ quá hạn một công văn."""
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
