"""A ``vanban.gaps/1`` report as a filterable XLSX workbook (openpyxl): duties, submissions."""
from __future__ import annotations

from pathlib import Path
from typing import IO

from pipeline.document import labels
from pipeline.reports.base import SavingWriter
from pipeline.reports.html import COLOURS


def _clean(x: object) -> object:
    """Cells never start with a formula sign (a document string is data, not a formula)."""
    if isinstance(x, str):
        x = "".join(c for c in x if c >= " " or c in "\t\n")
        if x[:1] in ("=", "+", "-", "@"):
            return "'" + x
    return x


def save_xlsx(gaps: dict, out: Path | IO[bytes]) -> None:
    """The workbook (sheets "Nhiệm vụ" and "Báo cáo") saved to a path or a stream."""
    # openpyxl is imported when a workbook is made (≈0.4 s), not with the archive
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "Nhiệm vụ"
    head = ["Cơ quan, đơn vị", "Mục", "Nhiệm vụ", "Thời hạn", "Tình trạng", "Mức độ báo cáo",
            "Căn cứ (trích)", "Văn bản", "Vị trí", "Lý do"]
    ws.append(head)
    for d in gaps["duties"]:
        ev = (d.get("evidence") or [{}])[0]
        ws.append([_clean(v) for v in (
            d["owner"], d.get("task_id"), d.get("text"), d.get("deadline") or d.get("due"),
            labels.STATUS.get(d["status"], d["status"]), labels.COVERAGE.get(d["coverage"], d["coverage"]),
            ev.get("text"), ev.get("report"),
            f"{ev.get('start')}–{ev.get('end')}" if ev else None, d.get("reason"))])
        fill = COLOURS.get(d["status"])
        if fill:
            ws.cell(ws.max_row, 5).fill = PatternFill("solid", fgColor=fill.lstrip("#"))
    for col, width in zip("ABCDEFGHIJ", (30, 10, 60, 12, 24, 20, 60, 20, 12, 40)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    for c in ws[1]:
        c.font = Font(bold=True)
    ws.auto_filter.ref = ws.dimensions
    ws.freeze_panes = "A2"
    sub = wb.create_sheet("Báo cáo")
    sub.append(["Cơ quan, đơn vị", "Báo cáo", "Hạn", "Văn bản", "Ngày nhận", "Tình trạng"])
    for s in gaps.get("submissions") or []:
        sub.append([_clean(v) for v in (s["owner"], s["what"], s["due"], s.get("report"),
                                         s.get("received"), labels.SUBMISSION.get(s["status"], s["status"]))])
    sub.auto_filter.ref = sub.dimensions
    wb.save(out)


class XlsxWriter(SavingWriter):
    name, suffix = "xlsx", ".xlsx"

    def save(self, gaps: dict, target: Path | IO[bytes]) -> None:
        save_xlsx(gaps, target)
