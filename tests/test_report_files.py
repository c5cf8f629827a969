"""The files a person signs or files: the DOCX gap report (Decree 30/2020 layout), the XLSX
workbook and the reminder letter. Built from a real check of KH 580 against the report
fixtures, opened again with python-docx and openpyxl."""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from pipeline.document import labels
from pipeline.document.collation import vi_key
from pipeline.reports.decree30 import due_of, in_order

ROOT = Path(__file__).resolve().parent.parent
KH580 = ROOT / "corpus" / "kh_580_ubnd-haiduong_2020.txt"
REPORTS = ROOT / "tests" / "fixtures" / "reports"
AS_OF = "2020-12-31"

ENGLISH = {"done", "pending", "overdue", "none", "null", "report", "reports", "deadline",
           "status", "annual", "bm25", "true", "false", "missing", "late", "on_time",
           "done_on_time", "done_late", "done_undated", "no_deadline", "no_report",
           "addressed", "partial", "not_addressed", "stated", "period_end", "symbol", "title"}
"""Words (and codes) of the JSON that must never reach a Vietnamese reader."""


@cache
def gaps580() -> dict:
    from pipeline.crosscheck.check import check

    return check(str(KH580), [str(p) for p in sorted(REPORTS.glob("*.txt"))], AS_OF)


def english(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if w in ENGLISH}


def safe(text: str) -> str:
    """A string as the writers store it (control characters dropped)."""
    return "".join(c for c in text if c >= " " or c in "\t\n")


# --- DOCX ----------------------------------------------------------------------------------

@cache
def docx_file(tmp: Path) -> Path:
    from pipeline.reports.registry import writer

    path = tmp / "g580.docx"
    writer("docx").write(gaps580(), path)
    return path


@pytest.fixture(scope="module")
def docx_doc(tmp_path_factory):
    from docx import Document

    return Document(docx_file(tmp_path_factory.mktemp("docx")))


def all_paragraphs(doc) -> list[str]:
    """Every paragraph of the body, its tables (nested too) and its headers."""
    out = [p.text for p in doc.paragraphs]

    def cells(tables):
        for t in tables:
            for row in t.rows:
                for c in row.cells:
                    out.extend(p.text for p in c.paragraphs)
                    cells(c.tables)

    cells(doc.tables)
    for s in doc.sections:
        out.extend(p.text for p in s.header.paragraphs)
    return out


def duty_table(doc):
    return next(t for t in doc.tables if t.rows[0].cells[0].text == "STT")


def test_docx_page_is_a4_with_decree_margins(docx_doc):
    from docx.shared import Cm

    s = docx_doc.sections[0]
    assert abs(s.page_width - Cm(21)) < 2000 and abs(s.page_height - Cm(29.7)) < 2000
    assert abs(s.top_margin - Cm(2)) < 2000 and abs(s.bottom_margin - Cm(2)) < 2000
    assert abs(s.left_margin - Cm(3)) < 2000
    assert Cm(1.5) - 2000 <= s.right_margin <= Cm(2) + 2000


def test_docx_font_is_times_new_roman_in_every_slot(docx_doc):
    from docx.oxml.ns import qn

    normal = docx_doc.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert 13 <= normal.font.size.pt <= 14
    rfonts = normal.element.rPr.rFonts
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        assert rfonts.get(qn(slot)) == "Times New Roman"
    defaults = docx_doc.styles.element.find(qn("w:docDefaults")).find(
        qn("w:rPrDefault") + "/" + qn("w:rPr") + "/" + qn("w:rFonts"))
    assert defaults.get(qn("w:eastAsia")) == "Times New Roman"
    assert not [a for a in defaults.attrib if a.endswith("Theme")]
    runs = [r for p in docx_doc.paragraphs for r in p.runs]
    assert all(r.font.name in (None, "Times New Roman") for r in runs)


def test_docx_national_header_title_and_summary(docx_doc):
    head = docx_doc.tables[0]
    left, right = head.cell(0, 0).text, head.cell(0, 1).text
    assert left.startswith("ỦY BAN NHÂN DÂN\nTỈNH HẢI DƯƠNG") and "Số:" in left
    assert "/BC-UBND" in left
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right and "Độc lập - Tự do - Hạnh phúc" in right
    assert re.search(r"Hải Dương, ngày \S+ tháng \S+ năm", right)
    motto = head.cell(0, 1).paragraphs[1].runs[0]
    assert motto.bold and motto.underline
    place = head.cell(0, 1).paragraphs[-1].runs[0]
    assert place.italic
    borders = head._tbl.tblPr.xml
    assert 'w:val="nil"' in borders
    text = [p.text for p in docx_doc.paragraphs]
    assert "BÁO CÁO" in text
    assert any("580/KH-UBND" in t and "02/03/2020" in t for t in text)
    g = gaps580()
    summary = next(t for t in text if t.startswith("Tính đến ngày 31/12/2020"))
    counts = {k: sum(1 for d in g["duties"] if d["status"] == k) for k in labels.STATUS}
    for k, n in counts.items():
        assert (f"{n} {labels.STATUS_COUNTED[k]}" in summary) == bool(n), k


def test_docx_duty_table_columns_and_repeated_header(docx_doc):
    from docx.oxml.ns import qn

    tab = duty_table(docx_doc)
    assert [c.text for c in tab.rows[0].cells] == ["STT", "Nhiệm vụ", "Đơn vị chủ trì",
                                                   "Thời hạn", "Kết quả", "Minh chứng"]
    assert tab.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    widths = [c.width for c in tab.rows[0].cells]
    assert widths[1] == max(widths)
    assert sum(widths) <= 16.5 * 360000
    assert len(tab.rows) == len(gaps580()["duties"]) + 1


def test_docx_every_duty_and_quote_in_full(docx_doc):
    rows = [[c.text for c in r.cells] for r in duty_table(docx_doc).rows[1:]]
    for d in gaps580()["duties"]:
        assert any(safe(d["text"]) in r[1] and r[2] == d["owner"] for r in rows), d["task_id"]
        for ev in d["evidence"]:
            assert any(safe(ev["text"]) in r[5] and ev["report"] in r[5] for r in rows)


def test_docx_rows_by_owner_in_vietnamese_order_then_plan_order(docx_doc):
    rows = duty_table(docx_doc).rows[1:]
    owners = [r.cells[2].text for r in rows]
    assert [vi_key(o) for o in owners] == sorted(vi_key(o) for o in owners)
    assert owners.index("Công an tỉnh") < owners.index("Đài Phát thanh - Truyền hình tỉnh") \
        < owners.index("Sở Y tế") < owners.index("UBND các huyện, thị xã, thành phố")
    ordered = in_order(gaps580()["duties"])
    for owner in set(owners):
        starts = [d["start"] for d in ordered if d["owner"] == owner]
        assert starts == sorted(starts)
    assert [r.cells[0].text for r in rows] == [str(i) for i in range(1, len(rows) + 1)]


def test_docx_deadlines_are_dates_and_inferred_ones_marked(docx_doc):
    rows = duty_table(docx_doc).rows[1:]
    ordered = in_order(gaps580()["duties"])
    assert [r.cells[2].text for r in rows] == [d["owner"] for d in ordered]
    inferred = 0
    for row, d in zip(rows, ordered):
        cell = row.cells[3].text
        due, source = due_of(d)
        if due:
            assert cell.startswith("/".join(reversed(due.split("-"))))
        else:
            assert cell == "Không có"
        if source == "plan_reporting_deadline":
            inferred += 1
            assert "(suy ra từ hạn gửi báo cáo)" in cell
        assert row.cells[4].text.split("\n")[0] == labels.STATUS[d["status"]]
    assert inferred  # KH 580's duties without a date are due at its reporting deadline


def test_docx_closing_blocks(docx_doc):
    closing = docx_doc.tables[-1]
    left, right = closing.cell(0, 0), closing.cell(0, 1)
    label = left.paragraphs[0].runs[0]
    assert label.text == "Nơi nhận:" and label.bold and label.italic
    assert [p.text for p in left.paragraphs[1:]] == ["- Như trên;", "- Lưu: VT."]
    assert all(r.font.size.pt == 11 for p in left.paragraphs[1:] for r in p.runs)
    assert right.text.startswith("TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH")


def test_docx_has_no_english_word(docx_doc):
    bad = {w for t in all_paragraphs(docx_doc) for w in english(t)}
    assert bad == set()
    props = docx_doc.core_properties
    assert not english(" ".join(filter(None, (props.title, props.author, props.comments))))
