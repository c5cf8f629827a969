"""A ``vanban.gaps/1`` report as a DOCX draft official report (python-docx)."""
from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import IO

from pipeline.crosscheck.model import Submission
from pipeline.document import labels
from pipeline.document.labels import vn_date
from pipeline.reports.base import SavingWriter


def _safe(x: object) -> str:
    """XML-safe text (python-docx rejects control characters)."""
    return "".join(c for c in ("" if x is None else str(x)) if c >= " " or c in "\t\n")


def save_docx(gaps: dict, out: Path | IO[bytes]) -> None:
    """The draft report saved to a path or a stream."""
    # python-docx (≈0.07 s) is imported when a report is made, not with the archive
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    plan = gaps.get("plan") or {}
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    head = doc.add_table(rows=1, cols=2)
    head.cell(0, 0).text = "………………………\nSố:      /BC-……"
    head.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n" \
                           "……, ngày … tháng … năm …"
    t = doc.add_paragraph()
    t.alignment = WD_ALIGN_PARAGRAPH.CENTER
    t.add_run("BÁO CÁO\n").bold = True
    t.add_run(_safe(f"Tình hình thực hiện nhiệm vụ tại {plan.get('symbol') or 'Kế hoạch'} "
                    f"ngày {vn_date(plan.get('date'))} của {plan.get('issuer') or '…'}")).bold = True
    doc.add_paragraph(_safe(f"Căn cứ báo cáo của các cơ quan, đơn vị đến ngày "
                            f"{vn_date(gaps.get('as_of'))}, tình hình thực hiện như sau:"))
    doc.add_heading("I. TỔNG HỢP CHUNG", level=2)
    c = Counter(d["status"] for d in gaps["duties"])
    for k, v in labels.STATUS.items():
        doc.add_paragraph(f"{v}: {c.get(k, 0)} nhiệm vụ.", style="List Bullet")
    miss = [s for s in gaps.get("submissions") or [] if s["status"] == Submission.MISSING]
    doc.add_paragraph(f"Số báo cáo chưa nhận được: {len(miss)}.", style="List Bullet")
    doc.add_heading("II. TÌNH HÌNH THEO CƠ QUAN, ĐƠN VỊ", level=2)
    by_owner: dict[str, list[dict]] = defaultdict(list)
    for d in gaps["duties"]:
        by_owner[d["owner"]].append(d)
    for i, (owner, duties) in enumerate(by_owner.items(), 1):
        doc.add_paragraph().add_run(_safe(f"{i}. {owner}")).bold = True
        tab = doc.add_table(rows=1, cols=4)
        tab.style = "Table Grid"
        for cell, h in zip(tab.rows[0].cells, ("Mục", "Nhiệm vụ", "Tình trạng", "Căn cứ")):
            cell.text = h
        for d in duties:
            ev = (d.get("evidence") or [{}])[0]
            row = tab.add_row().cells
            row[0].text = _safe(d.get("task_id"))
            row[1].text = _safe((d.get("text") or "")[:300])
            row[2].text = _safe(f"{labels.STATUS.get(d['status'])} ({labels.COVERAGE.get(d['coverage'])})")
            row[3].text = _safe(f"{ev.get('report')}: “{(ev.get('text') or '')[:200]}”"
                                if ev else d.get("reason"))
    if gaps.get("submissions"):
        doc.add_heading("III. TÌNH HÌNH GỬI BÁO CÁO", level=2)
        for s in gaps["submissions"]:
            if s["status"] != Submission.ON_TIME:
                doc.add_paragraph(_safe(f"{s['owner']}: {s['what']} hạn {vn_date(s['due'])} — "
                                        f"{labels.SUBMISSION.get(s['status'], s['status'])}"
                                        + (f" ({s['report']}, {vn_date(s['received'])})"
                                           if s.get("report") else "")), style="List Bullet")
    doc.add_heading("IV. ĐỀ XUẤT", level=2)
    doc.add_paragraph("Đề nghị các cơ quan, đơn vị có nhiệm vụ chưa hoàn thành, quá hạn khẩn "
                      "trương thực hiện và gửi báo cáo theo quy định.")
    doc.save(out)


class DocxWriter(SavingWriter):
    name, suffix = "docx", ".docx"

    def save(self, gaps: dict, target: Path | IO[bytes]) -> None:
        save_docx(gaps, target)
