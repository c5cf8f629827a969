"""A ``vanban.gaps/1`` report as a filterable, printable XLSX workbook (openpyxl).

Sheets: "Tổng hợp" (the plan, the day, counts by status overall and per agency),
"Nhiệm vụ" (one row per duty and owner: dates are date cells, the inferred ones named in
"Nguồn thời hạn"), "Báo cáo định kỳ" (the reports the plan asks for) and "Báo cáo đã gắn"
(the reports linked to the plan). Every sheet prints on A4 landscape, fitted to the width,
its header row repeated.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path, PurePath
from typing import IO

from pipeline.crosscheck.model import BUCKETS
from pipeline.document import labels
from pipeline.document.collation import vi_key
from pipeline.reports import decree30 as d30
from pipeline.reports.base import SavingWriter
from pipeline.reports.html import COLOURS

DATE_FORMAT = "dd/mm/yyyy"
SUBMISSION_COLOURS = {"on_time": COLOURS.get("done_on_time"), "late": COLOURS.get("done_late"),
                      "missing": COLOURS.get("overdue")}

DUTY_COLUMNS = [("Mục", 11), ("Nhiệm vụ", 60), ("Đơn vị chủ trì", 26), ("Thời hạn", 12),
                ("Nguồn thời hạn", 18), ("Tình trạng", 20), ("Mức độ báo cáo", 18),
                ("Minh chứng", 60), ("Lý do", 34)]
SUBMISSION_COLUMNS = [("Đơn vị", 30), ("Báo cáo", 22), ("Mục", 10), ("Hạn", 12),
                      ("Văn bản", 20), ("Ngày nhận", 12), ("Tình trạng", 14)]
REPORT_COLUMNS = [("Văn bản", 20), ("Ngày", 12), ("Cơ quan ban hành", 36),
                  ("Đơn vị được tính", 30), ("Gắn theo", 32), ("Báo cáo tổng hợp", 12),
                  ("Dẫn kế hoạch", 16), ("Tệp", 36)]


def _clean(x: object) -> object:
    """A cell's value: control characters dropped (XML cannot hold them)."""
    if isinstance(x, str):
        return "".join(c for c in x if c >= " " or c in "\t\n")
    return x


def _append(ws, values: list) -> None:
    """One row; a text that starts with ``=`` stays text (a document string is data, not a
    formula), shown as written."""
    ws.append([_clean(v) for v in values])
    for c in ws[ws.max_row]:
        if isinstance(c.value, str) and c.value.startswith("="):
            c.data_type, c.quotePrefix = "s", True


def _fonts(wb) -> None:
    """Times New Roman in every cell, keeping bold and size."""
    from openpyxl.styles import Font

    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                f = c.font
                c.font = Font(name=d30.FONT, size=f.sz if f.sz and f.sz != 11 else 12,
                              bold=f.b, italic=f.i)


def as_date(iso: str | None) -> dt.date | str | None:
    """An ISO day as a date cell's value; a partial date (``2020-03``) stays text."""
    if not iso:
        return None
    try:
        return dt.date.fromisoformat(iso)
    except ValueError:
        return labels.vn_date(iso)


def _fill(colour: str | None):
    from openpyxl.styles import PatternFill

    return PatternFill("solid", fgColor=colour.lstrip("#").upper()) if colour else None


def _table(ws, columns: list[tuple[str, int]], rows: list[list], title: str,
           date_cols: tuple[int, ...] = ()) -> None:
    """Header in row 1 (bold, frozen, filtered), ``rows`` below it, widths, wrapped text,
    dates as dates, and the page set for print."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws.append([h for h, _ in columns])
    for row in rows:
        _append(ws, row)
    for i, (_, width) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    top = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = top
            if c.column in date_cols and isinstance(c.value, dt.date):
                c.number_format = DATE_FORMAT
    for c in ws[1]:
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    _print(ws, title, "1:1")


def _print(ws, title: str, repeat: str | None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.6
    ws.page_margins.top = ws.page_margins.bottom = 0.8
    if repeat:
        ws.print_title_rows = repeat
    ws.oddHeader.center.text = title.replace("&", "&&")
    ws.oddHeader.center.font = "Times New Roman,Bold"
    ws.oddFooter.center.text = "Trang &P/&N"


def _duty_rows(duties: list[dict]) -> list[list]:
    rows = []
    for d in duties:
        due, source = d30.due_of(d)
        rows.append([d30.place_label(d), d.get("text"), d.get("owner"), as_date(due),
                     labels.DUE_SOURCE.get(source, "") if due else "Không có thời hạn",
                     labels.STATUS.get(d.get("status"), d.get("status")),
                     labels.COVERAGE.get(d.get("coverage"), d.get("coverage")),
                     "\n".join(f"“{q}” ({w})" if w else f"“{q}”"
                               for q, w in d30.evidence_parts(d)),
                     d30.vn_reason(d.get("reason"))])
    return rows


def _summary(wb, gaps: dict) -> None:
    """Sheet "Tổng hợp": the plan, the day, counts by status overall and per agency."""
    from openpyxl.styles import Alignment, Font

    ws = wb.active
    ws.title = "Tổng hợp"
    plan, duties = gaps.get("plan") or {}, gaps.get("duties") or []
    ws.append(["TÌNH HÌNH THỰC HIỆN NHIỆM VỤ"])
    ws["A1"].font = Font(bold=True, size=14)
    facts = [("Kế hoạch", plan.get("symbol") or "(chưa có số)"),
             ("Ngày ban hành", as_date(plan.get("date"))),
             ("Cơ quan ban hành", plan.get("issuer")), ("Trích yếu", plan.get("title")),
             ("Tính đến ngày", as_date(gaps.get("as_of"))),
             ("Số lượt nhiệm vụ", len(duties)),
             ("Báo cáo đã gắn", len(gaps.get("reports") or [])),
             ("Báo cáo định kỳ chưa nhận", sum(1 for s in gaps.get("submissions") or []
                                                if s.get("status") == "missing"))]
    if gaps.get("unmatched_reports"):
        facts.append(("Văn bản không gắn được", ", ".join(gaps["unmatched_reports"])))
    facts += [("Lưu ý", w) for w in gaps.get("warnings") or []]
    for label, value in facts:
        _append(ws, [label, value])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        if isinstance(value, dt.date):
            ws.cell(ws.max_row, 2).number_format = DATE_FORMAT
    ws.append([])
    ws.append(["Tình trạng", "Số lượt nhiệm vụ"])
    for c in ws[ws.max_row]:
        c.font = Font(bold=True)
    c = Counter(d.get("status") for d in duties)
    for k in BUCKETS:
        ws.append([labels.STATUS[k], c.get(k, 0)])
        if _fill(COLOURS.get(k)):
            ws.cell(ws.max_row, 1).fill = _fill(COLOURS.get(k))
    ws.append(["Tổng", len(duties)])
    ws.cell(ws.max_row, 1).font = Font(bold=True)
    ws.append([])
    ws.append(["Đơn vị chủ trì", *(labels.STATUS_SHORT[k] for k in BUCKETS), "Tổng"])
    head = ws.max_row
    for i, cell in enumerate(ws[head]):
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        if i and i <= len(BUCKETS) and _fill(COLOURS.get(BUCKETS[i - 1])):
            cell.fill = _fill(COLOURS.get(BUCKETS[i - 1]))
    per: dict[str, Counter] = {}
    for d in duties:
        per.setdefault(d.get("owner") or "", Counter())[d.get("status")] += 1
    for owner in sorted(per, key=vi_key):
        _append(ws, [owner, *(per[owner].get(k, 0) for k in BUCKETS),
                     sum(per[owner].values())])
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 16
    for col in "CDEFGH":
        ws.column_dimensions[col].width = 14
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.alignment.horizontal is None:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    _print(ws, f"Tình hình thực hiện {plan.get('symbol') or 'kế hoạch'}", f"{head}:{head}")


def save_xlsx(gaps: dict, out: Path | IO[bytes]) -> None:
    """The workbook saved to a path or a stream."""
    # openpyxl is imported when a workbook is made (≈0.4 s), not with the archive
    from openpyxl import Workbook

    plan = gaps.get("plan") or {}
    name = plan.get("symbol") or "kế hoạch"
    wb = Workbook()
    _summary(wb, gaps)
    duties = d30.in_order(gaps.get("duties") or [])
    ws = wb.create_sheet("Nhiệm vụ")
    _table(ws, DUTY_COLUMNS, _duty_rows(duties), f"Nhiệm vụ của {name}", date_cols=(4,))
    for i, d in enumerate(duties, 2):
        fill = _fill(COLOURS.get(d.get("status")))
        if fill:
            ws.cell(i, 6).fill = fill
    subs = sorted(gaps.get("submissions") or [],
                  key=lambda s: (vi_key(s.get("owner") or ""), s.get("due") or ""))
    ws = wb.create_sheet("Báo cáo định kỳ")
    _table(ws, SUBMISSION_COLUMNS, [
        [s.get("owner"), s.get("what"), d30.place_label(s), as_date(s.get("due")),
         d30.report_label(s.get("report")), as_date(s.get("received")),
         labels.SUBMISSION.get(s.get("status"), s.get("status"))] for s in subs],
        f"Báo cáo định kỳ theo {name}", date_cols=(4, 6))
    for i, s in enumerate(subs, 2):
        fill = _fill(SUBMISSION_COLOURS.get(s.get("status")))
        if fill:
            ws.cell(i, 7).fill = fill
    ws = wb.create_sheet("Báo cáo đã gắn")
    _table(ws, REPORT_COLUMNS, [
        [d30.report_label(r.get("report")), as_date(r.get("date")), r.get("issuer"),
         r.get("owner"),
         labels.LINKED_BY.get(r.get("linked_by"), r.get("linked_by")),
         "Có" if r.get("consolidated") else "Không", r.get("cites"),
         PurePath(r["path"]).name if r.get("path") else None]
        for r in gaps.get("reports") or []], f"Báo cáo gắn với {name}", date_cols=(2,))
    wb.properties.title = f"Tình hình thực hiện {name}"
    wb.properties.creator = plan.get("issuer") or ""
    wb.properties.language = "vi-VN"
    _fonts(wb)
    wb.save(out)


class XlsxWriter(SavingWriter):
    name, suffix = "xlsx", ".xlsx"

    def save(self, gaps: dict, target: Path | IO[bytes]) -> None:
        save_xlsx(gaps, target)
