"""The files a person signs or files: the DOCX gap report (Decree 30/2020 layout), the XLSX
workbook and the reminder letter. Built from a real check of KH 580 against the report
fixtures, opened again with python-docx and openpyxl."""
from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path

import pytest

from pipeline.document import labels
from pipeline.document.collation import vi_key
from pipeline.reports.decree30 import due_of, in_order, report_label

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
            assert any(safe(ev["text"]) in r[5] and report_label(ev["report"]) in r[5]
                       for r in rows)


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
    # a report without a number is not named by its file
    assert not [t for t in all_paragraphs(docx_doc) if re.search(r"\.(txt|docx?|pdf)\b", t)]
    props = docx_doc.core_properties
    assert not english(" ".join(filter(None, (props.title, props.author, props.comments))))


# --- XLSX ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    from openpyxl import load_workbook

    from pipeline.reports.registry import writer

    path = tmp_path_factory.mktemp("xlsx") / "g580.xlsx"
    writer("xlsx").write(gaps580(), path)
    return load_workbook(path)


def values(ws) -> list[object]:
    return [c.value for row in ws.iter_rows() for c in row if c.value is not None]


def test_xlsx_sheets_and_print_settings(workbook):
    assert workbook.sheetnames == ["Tổng hợp", "Nhiệm vụ", "Báo cáo định kỳ", "Báo cáo đã gắn"]
    for ws in workbook.worksheets:
        assert str(ws.page_setup.paperSize) == "9"  # A4
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.print_title_rows and ws.oddHeader.center.text
    for name in workbook.sheetnames[1:]:
        ws = workbook[name]
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref
        assert ws.print_title_rows == "$1:$1"
    fonts = {c.font.name for ws in workbook.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None}
    assert fonts == {"Times New Roman"}


def test_xlsx_summary_names_the_plan_and_the_day(workbook):
    ws = workbook["Tổng hợp"]
    facts = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r[0]}
    assert facts["Kế hoạch"] == "580/KH-UBND"
    assert facts["Cơ quan ban hành"] == "UBND tỉnh Hải Dương"
    assert facts["Trích yếu"].startswith("Thực hiện chương trình quốc gia bình đẳng giới")
    assert facts["Tính đến ngày"].date() == dt.date(2020, 12, 31)
    assert facts["Ngày ban hành"].date() == dt.date(2020, 3, 2)
    day = next(c for row in ws.iter_rows() for c in row if c.value == facts["Tính đến ngày"])
    assert day.number_format == "dd/mm/yyyy"
    g = gaps580()
    for k, label in labels.STATUS.items():
        assert facts[label] == sum(1 for d in g["duties"] if d["status"] == k)
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "Đơn vị chủ trì")
    owners = [r[0] for r in rows[head + 1:] if r[0]]
    assert set(owners) == {d["owner"] for d in g["duties"]}
    assert owners == sorted(owners, key=vi_key)
    for r in rows[head + 1:]:
        assert r[-1] == sum(1 for d in g["duties"] if d["owner"] == r[0])


def test_xlsx_duties_sheet(workbook):
    ws = workbook["Nhiệm vụ"]
    head = [c.value for c in ws[1]]
    assert head == ["Mục", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Nguồn thời hạn",
                    "Tình trạng", "Mức độ báo cáo", "Minh chứng", "Lý do"]
    duties = in_order(gaps580()["duties"])
    assert ws.max_row == len(duties) + 1
    for i, d in enumerate(duties, 2):
        assert ws.cell(i, 2).value == safe(d["text"])  # in full
        assert ws.cell(i, 3).value == d["owner"]
        assert ws.cell(i, 2).alignment.wrap_text
        due, source = due_of(d)
        cell = ws.cell(i, 4)
        if due:
            assert isinstance(cell.value, dt.datetime) and cell.value.date().isoformat() == due
            assert cell.number_format == "dd/mm/yyyy"
        if source == "plan_reporting_deadline":
            assert ws.cell(i, 5).value == "suy ra từ hạn gửi báo cáo"
        for ev in d["evidence"]:
            assert safe(ev["text"]) in ws.cell(i, 8).value
    assert ws.column_dimensions["B"].width >= 50


def test_xlsx_submissions_and_linked_reports(workbook):
    g = gaps580()
    ws = workbook["Báo cáo định kỳ"]
    assert [c.value for c in ws[1]] == ["Đơn vị", "Báo cáo", "Mục", "Hạn", "Văn bản",
                                        "Ngày nhận", "Tình trạng"]
    assert ws.max_row == len(g["submissions"]) + 1
    dues = [ws.cell(i, 4) for i in range(2, ws.max_row + 1)]
    assert all(isinstance(c.value, dt.datetime) and c.number_format == "dd/mm/yyyy"
               for c in dues if c.value)
    received = [ws.cell(i, 6) for i in range(2, ws.max_row + 1) if ws.cell(i, 6).value]
    assert received and all(c.number_format == "dd/mm/yyyy" for c in received)
    ws = workbook["Báo cáo đã gắn"]
    assert {ws.cell(i, 1).value for i in range(2, ws.max_row + 1)} == \
        {report_label(r["report"]) for r in g["reports"]}
    assert {ws.cell(i, 8).value for i in range(2, ws.max_row + 1)} == \
        {Path(r["path"]).name for r in g["reports"]}
    days = [ws.cell(i, 2) for i in range(2, ws.max_row + 1)]
    assert [isinstance(c.value, dt.datetime) for c in days] == [bool(r["date"]) for r in g["reports"]]
    assert all(c.number_format == "dd/mm/yyyy" for c in days if c.value)


def test_xlsx_status_fills_and_no_english(workbook):
    from pipeline.reports.html import COLOURS

    ws = workbook["Nhiệm vụ"]
    for i in range(2, ws.max_row + 1):
        code = next(k for k, v in labels.STATUS.items() if v == ws.cell(i, 6).value)
        assert ws.cell(i, 6).fill.fgColor.rgb.endswith(COLOURS[code].lstrip("#").upper())
    bad = {w for sheet in workbook.worksheets for v in values(sheet)
           if isinstance(v, str) for w in english(v)}
    assert bad == set()


def test_xlsx_text_starting_with_a_formula_sign_stays_text(tmp_path):
    from openpyxl import load_workbook

    from pipeline.reports.registry import writer

    g = json.loads(json.dumps(gaps580()))
    g["duties"][0]["text"] = "=HYPERLINK(\"x\")"
    writer("xlsx").write(g, tmp_path / "f.xlsx")
    ws = load_workbook(tmp_path / "f.xlsx")["Nhiệm vụ"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "=HYPERLINK(\"x\")")
    assert cell.data_type == "s"


def test_a_sparse_gap_report_still_makes_both_files(tmp_path):
    """Fields the JSON may lack (plan, as_of, submissions, reports, evidence, due_source):
    no error, no 'None', the generic signature."""
    from docx import Document
    from openpyxl import load_workbook

    from pipeline.reports.registry import writer

    g = {"schema": "vanban.gaps/1", "duties": [
        {"owner": "Sở X", "text": "Làm việc A", "status": "overdue", "task_id": "end.1"},
        {"owner": "Phòng Y", "text": "Làm việc B", "status": "no_deadline", "task_id": "2"}]}
    writer("docx").write(g, tmp_path / "g.docx")
    writer("xlsx").write(g, tmp_path / "g.xlsx")
    doc = Document(tmp_path / "g.docx")
    assert {w for t in all_paragraphs(doc) for w in english(t)} == set()
    assert "NGƯỜI LẬP BÁO CÁO" in doc.tables[-1].cell(0, 1).text
    rows = [[c.text for c in r.cells] for r in duty_table(doc).rows[1:]]
    assert [(r[1], r[2]) for r in rows] == [("Mục 2\nLàm việc B", "Phòng Y"),
                                            ("Làm việc A", "Sở X")]
    wb = load_workbook(tmp_path / "g.xlsx")
    assert {w for ws in wb.worksheets for v in values(ws) if isinstance(v, str)
            for w in english(v)} == set()
    assert wb["Nhiệm vụ"]["E2"].value == "Không có thời hạn"


# --- reminder letters ----------------------------------------------------------------------

REMIND_DAY = "2020-12-01"  # the reporting deadline of 10/12 is then within 15 days


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """An output folder as `vanban run` leaves it: gaps/index.json and the plan's
    gaps/<plan>.json, from a real check of KH 580 as of 01/12/2020."""
    from pipeline.crosscheck.check import check
    from pipeline.outputs import write_json_atomic
    from pipeline.reports.archive import GAPS, INDEX, bucket_counts

    out = tmp_path_factory.mktemp("outputs")
    g = check(str(KH580), [str(p) for p in sorted(REPORTS.glob("*.txt"))], REMIND_DAY)
    stem = KH580.stem
    write_json_atomic(out / GAPS / f"{stem}.json", g)
    write_json_atomic(out / GAPS / INDEX, {str(KH580.relative_to(ROOT)): {
        "stem": stem, "symbol": g["plan"]["symbol"], "title": g["plan"]["title"],
        "html": f"{stem}.html", "json": f"{stem}.json", "xlsx": f"{stem}.xlsx",
        "duties": len(g["duties"]), "counts": bucket_counts(g)}})
    return out, g


def expected_reminders(g: dict, owner: str, day: str, within: int = 15) -> list[tuple]:
    """(late, duty text, due) of the owner's duties not done that are overdue on ``day``
    or due within ``within`` days, worked out here from the gap report."""
    today = dt.date.fromisoformat(day)
    out = []
    for d in g["duties"]:
        if d["owner"] != owner or d["status"] not in ("pending", "overdue", "no_deadline"):
            continue
        due = due_of(d)[0]
        if due is None:
            if d["status"] == "overdue":
                out.append((True, d["text"], None))
            continue
        left = (dt.date.fromisoformat(due) - today).days
        if left < 0 or left <= within:
            out.append((left < 0, d["text"], due))
    return out


def letter_rows(path: Path) -> list[list[str]]:
    """The duty rows of a letter's table (plan headings, merged across, left out)."""
    from docx import Document

    tab = next(t for t in Document(path).tables if t.rows[0].cells[0].text == "STT")
    return [[c.text for c in r.cells] for r in tab.rows[1:] if r.cells[0].text.isdigit()]


def run_remind(args: list[str]):
    from click.testing import CliRunner

    from flows.cli.remind import remind

    return CliRunner().invoke(remind, args)


@pytest.mark.parametrize("owner,kinds", [
    ("Sở Nội vụ", {True, False}),  # overdue (the 25/3 and 10/6 asks) and due on 10/12
    ("Sở Lao động - Thương binh và Xã hội", {False}),  # reported in time: only due soon
])
def test_remind_letter_lists_exactly_the_overdue_and_soon_due_duties(outputs, tmp_path, owner,
                                                                     kinds):
    from docx import Document

    out, g = outputs
    path = tmp_path / "letter.docx"
    res = run_remind([owner.upper(), "--docx", str(path), "--out", str(out),
                      "--as-of", REMIND_DAY])
    assert res.exit_code == 0, res.output
    assert res.output.strip() == res.output.strip().splitlines()[0]  # one line
    assert res.output.startswith(f"Đã viết công văn đôn đốc {owner}")
    want = expected_reminders(g, owner, REMIND_DAY)
    assert {late for late, _, _ in want} == kinds
    rows = letter_rows(path)
    assert sorted((r[2], r[3].split("\n")[0]) for r in rows) == sorted(
        (safe(text), "/".join(reversed(due.split("-"))) if due else "Không có")
        for _, text, due in want)
    late = [r[4].startswith(labels.STATUS["overdue"]) for r in rows]
    assert late == sorted(late, reverse=True)  # overdue first
    assert sum(late) == sum(1 for x, _, _ in want if x)
    assert [r[0] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]
    doc = Document(path)
    text = [p.text for p in doc.paragraphs]
    assert f"Kính gửi: {owner}." in text
    head = doc.tables[0].cell(0, 0).text
    assert "Số:" in head and "/UBND-" in head and "V/v đôn đốc thực hiện nhiệm vụ được giao" in head
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in doc.tables[0].cell(0, 1).text
    tab = next(t for t in doc.tables if t.rows[0].cells[0].text == "STT")
    plan_row = tab.rows[1].cells[0].text
    assert "580/KH-UBND" in plan_row and "02/03/2020" in plan_row and "bình đẳng giới" in plan_row
    assert any("trước ngày 11/12/2020" in t for t in text)  # report back within 10 days
    closing = doc.tables[-1]
    assert closing.cell(0, 0).text.startswith("Nơi nhận:\n- Như trên;")
    assert "KT. CHỦ TỊCH" in closing.cell(0, 1).text
    s = doc.sections[0]
    assert round(s.page_width.cm, 1) == 21.0 and round(s.page_height.cm, 1) == 29.7
    assert {w for t in all_paragraphs(doc) for w in english(t)} == set()


def test_remind_all_writes_one_letter_per_agency_with_an_overdue_duty(outputs, tmp_path):
    out, g = outputs
    res = run_remind(["--all", "--dir", str(tmp_path / "letters"), "--out", str(out),
                      "--as-of", REMIND_DAY])
    assert res.exit_code == 0, res.output
    owners = sorted({d["owner"] for d in g["duties"]
                     if any(late for late, _, _ in expected_reminders(g, d["owner"], REMIND_DAY))},
                    key=vi_key)
    lines = res.output.strip().splitlines()
    assert [ln.split(" (")[0].removeprefix("Đã viết công văn đôn đốc ") for ln in lines] == owners
    files = sorted((tmp_path / "letters").iterdir())
    assert len(files) == len(owners)
    for owner in owners:
        path = tmp_path / "letters" / f"Đôn đốc - {owner} - 01.12.2020.docx"
        assert path.is_file() and str(path) in res.output
        assert len(letter_rows(path)) == len(expected_reminders(g, owner, REMIND_DAY))


@pytest.mark.parametrize("args,message", [
    (["Bộ Công an"], "không có đơn vị nào tên 'Bộ Công an'; gần giống: Công an tỉnh"),
    (["sở"], "'sở' khớp nhiều đơn vị: Sở Giáo dục và Đào tạo; "),
    ([], "cần tên một đơn vị"),
    (["Sở Y tế", "--all", "--dir", "x"], "cần tên một đơn vị"),
    (["--all"], "--all cần --dir"),
    (["Sở Y tế", "--as-of", "01/13/2020"], "không phải một ngày"),
])
def test_remind_errors_are_one_vietnamese_line_exit_2(outputs, args, message):
    out, _ = outputs
    res = run_remind([*args, "--out", str(out)])
    assert res.exit_code == 2
    assert res.stderr.startswith("vanban: ") and message in res.stderr
    assert res.stderr.count("\n") == 1


def test_remind_without_gap_reports(tmp_path):
    res = run_remind(["Sở Y tế", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "chưa có báo cáo tình hình thực hiện" in res.stderr


NAMES = ["Sở Tư pháp", "Sở Tài chính", "Sở Y tế", "Sở Nội vụ", "Công an tỉnh",
         "UBND các huyện, thị xã, thành phố", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
         "Sở Giáo dục và Đào tạo", "Đài Phát thanh - Truyền hình tỉnh", "Sở Y"]


@pytest.mark.parametrize("query,expected", [
    ("Sở Tư pháp", "Sở Tư pháp"),
    ("sở tư pháp", "Sở Tư pháp"),
    ("SO TU PHAP", "Sở Tư pháp"),
    ("  so   tu phap ", "Sở Tư pháp"),
    ("tư pháp", "Sở Tư pháp"),              # the only name containing it
    ("sở y", "Sở Y"),                        # exact wins over 'Sở Y tế' containing it
    ("so y te", "Sở Y tế"),
    ("cong an", "Công an tỉnh"),
    ("mat tran", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"),
    ("ubnd cac huyen", "UBND các huyện, thị xã, thành phố"),
    ("dai phat thanh", "Đài Phát thanh - Truyền hình tỉnh"),
    ("ĐÀI PHÁT THANH - TRUYỀN HÌNH TỈNH", "Đài Phát thanh - Truyền hình tỉnh"),
])
def test_match_agency(query, expected):
    from pipeline.reports.remind import match_agency

    assert match_agency(query, NAMES) == expected


@pytest.mark.parametrize("query,says", [
    ("sở t", "khớp nhiều đơn vị: Sở Tài chính; Sở Tư pháp"),  # Vietnamese order
    ("Sở Tu phao", "gần giống: Sở Tư pháp"),
    ("Bộ Tài chính", "gần giống: Sở Tài chính"),
    ("", "không có đơn vị nào tên ''"),
    ("xyz", "không có đơn vị nào tên 'xyz'"),
])
def test_match_agency_unknown_or_ambiguous(query, says):
    from pipeline.reports.remind import AgencyNotFound, match_agency

    with pytest.raises(AgencyNotFound) as err:
        match_agency(query, NAMES)
    assert says in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("label,name", [
    ("198/BC-SNV", "198/BC-SNV"), ("11-NQ/TW", "11-NQ/TW"),
    ("bc_dt-bdg2020_stp-haiduong_2020.txt", "báo cáo chưa có số"), (None, ""),
])
def test_report_label(label, name):
    assert report_label(label) == name


@pytest.mark.parametrize("agency,name", [
    ("Sở Y tế", "Đôn đốc - Sở Y tế - 31.12.2020.docx"),
    ("UBND các huyện, thị xã, thành phố",
     "Đôn đốc - UBND các huyện, thị xã, thành phố - 31.12.2020.docx"),
    ("Phòng A/B: \"C\"?", "Đôn đốc - Phòng A B C - 31.12.2020.docx"),
    ("../..", "Đôn đốc - đơn vị - 31.12.2020.docx"),
])
def test_letter_file_names_are_safe_and_readable(agency, name):
    from pipeline.reports.remind import file_name

    assert file_name(agency, dt.date(2020, 12, 31)) == name
