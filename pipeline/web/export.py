"""The search results as a file: ``/export.csv`` and ``/export.xlsx``, with the search
page's parameters (:func:`pipeline.web.search.read_search`), every matching document up
to :data:`~pipeline.web.search.EXPORT_MAX` in the order chosen.

Columns in Vietnamese: Số, ký hiệu; Loại; Cơ quan ban hành; Ngày ban hành; Trích yếu;
Người ký; Đường dẫn. The CSV is UTF-8 with a byte-order mark (Excel then reads the
Vietnamese letters right), dates ``dd/mm/yyyy``; a cell that a spreadsheet would take for
a formula is written with a leading apostrophe. The workbook has the results (dates as
date cells, a frozen and filtered header) and a sheet saying what was searched and how
many documents matched, whether all are in the file or not.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response

from pipeline.document import labels
from pipeline.index import Index
from pipeline.reports.xlsx import DATE_FORMAT, as_date
from pipeline.web.gaps import CONTENT_TYPES, attachment
from pipeline.web.search import (
    EXPORT_MAX,
    SORT_LABELS,
    SearchRequest,
    active_filters,
    read_search,
)
from pipeline.web.site import Site

COLUMNS = (("Số, ký hiệu", 22), ("Loại", 16), ("Cơ quan ban hành", 36),
           ("Ngày ban hành", 14), ("Trích yếu", 70), ("Người ký", 24), ("Đường dẫn", 50))
NAME = "ket-qua-tim-kiem"
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def export_rows(index: Index, s: SearchRequest) -> tuple[list[dict], int]:
    """The results to export (at most EXPORT_MAX, in the order asked) and how many match;
    each result carries its signer (``signer_name``), so no document is read again."""
    data = index.search(s.q, s.filters, limit=EXPORT_MAX, offset=0, facets=False,
                        sort=s.sort)
    rows = data["results"]
    return rows, int(data["total"])


def values(r: dict) -> list:
    """One result's cells, in the order of :data:`COLUMNS` (the date as ISO)."""
    return [r.get("symbol") or "", labels.doc_type(r.get("doc_type")), r.get("issuer") or "",
            r.get("date"), r.get("title") or "", r.get("signer_name") or "", r.get("path") or ""]


def safe_cell(v: object) -> str:
    """A text cell a spreadsheet shows as written, never runs as a formula."""
    text = "" if v is None else str(v)
    return "'" + text if text.startswith(FORMULA) else text


def to_csv(rows: list[dict]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([h for h, _ in COLUMNS])
    for r in rows:
        cells = values(r)
        cells[3] = labels.vn_date(cells[3], "")
        w.writerow([safe_cell(c) for c in cells])
    return buf.getvalue().encode("utf-8-sig")


def _clean(v: object) -> object:
    """A cell's value without control characters (XML cannot hold them)."""
    if isinstance(v, str):
        return "".join(c for c in v if c >= " " or c in "\t\n")
    return v


def conditions(s: SearchRequest, total: int, n: int) -> list[tuple[str, object]]:
    """What was searched and how much of it is in the file, as (label, value) rows."""
    out: list[tuple[str, object]] = [("Từ khóa", s.q or "(không có: mọi văn bản)"),
                                     ("Sắp xếp", SORT_LABELS[s.sort])]
    out += [tuple(label.split(": ", 1)) if ": " in label else (label, "có")
            for _, label in active_filters(s)]
    out += [("Số văn bản khớp", total), ("Số văn bản trong tệp", n)]
    if total > n:
        out.append(("Ghi chú", f"Chỉ xuất {n:,} văn bản đầu tiên theo thứ tự đã chọn; "
                               "hãy thu hẹp điều kiện tìm để có đủ.".replace(",", ".")))
    return out


def to_xlsx(rows: list[dict], s: SearchRequest, total: int) -> bytes:
    # openpyxl is imported when a workbook is made (≈0.4 s), not with the app
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Kết quả tìm kiếm"
    ws.append([h for h, _ in COLUMNS])
    top = Alignment(wrap_text=True, vertical="top")
    for r in rows:
        cells = values(r)
        cells[3] = as_date(cells[3])
        ws.append([_clean(c) for c in cells])
        for c in ws[ws.max_row]:
            c.alignment = top
            if isinstance(c.value, str) and c.value.startswith("="):
                c.data_type, c.quotePrefix = "s", True
            elif c.column == 4 and c.value is not None and not isinstance(c.value, str):
                c.number_format = DATE_FORMAT
    for i, (_, width) in enumerate(COLUMNS, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for c in ws[1]:
        c.font = Font(bold=True)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    info = wb.create_sheet("Điều kiện tìm kiếm")
    for label, value in conditions(s, total, len(rows)):
        info.append([label, _clean(value)])
        info.cell(info.max_row, 1).font = Font(bold=True)
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 80
    wb.properties.title = "Kết quả tìm kiếm văn bản"
    wb.properties.language = "vi-VN"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class ExportView:
    def __init__(self, site: Site) -> None:
        self.site = site

    async def _file(self, request: Request, kind: str,
                    make: Callable[[list[dict], SearchRequest, int], bytes]) -> Response:
        s = read_search(request)
        rows, total = await self.site.index.run(export_rows, s)
        data = await self.site.index.run(lambda _i: make(rows, s, total))
        media = "text/csv; charset=utf-8" if kind == "csv" else CONTENT_TYPES["xlsx"]
        return Response(data, media_type=media,
                        headers={"Content-Disposition": attachment(f"{NAME}.{kind}")})

    async def csv(self, request: Request) -> Response:
        return await self._file(request, "csv", lambda rows, _s, _t: to_csv(rows))

    async def xlsx(self, request: Request) -> Response:
        return await self._file(request, "xlsx", to_xlsx)
