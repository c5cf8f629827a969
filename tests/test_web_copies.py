"""Markdown web copies (vbpl / thuvienphapluat style): read with markdown-it into the same
blocks and table cells as HTML; the header, task tables, footnotes and the signer."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.extraction import extract
from pipeline.readers.markdown import looks_like_markdown, markdown_to_blocks
from pipeline.readers.registry import read_document

ROOT = Path(__file__).resolve().parent
MORE = ROOT / "fixtures" / "more"


def _bars(rows: list[list[str]]) -> str:
    """A table written one ``|`` per line, as the web copies do."""
    return "".join("|\n" + "\n|\n".join(r) + "\n|\n" for r in rows)


HEADER = _bars([["**ỦY BAN NHÂN DÂN**\n**TỈNH QUẢNG TRỊ**\n-------",
                 "**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**\n**Độc lập - Tự do - Hạnh phúc**\n"
                 "---------------"],
                ["Số: 45/KH-UBND", "*Quảng Trị, ngày 10 tháng 3\nnăm 2025*"]])
SIGN = _bars([["**Nơi nhận:**\n- Bộ Công an;\n- Lưu: VT.",
               "**KT. CHỦ TỊCH**\n**PHÓ CHỦ TỊCH**\n*(Đã ký)*\n**Nguyễn Văn An**"]])
TASK_ROWS = [
    ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian"],
    ["1", "Tổ chức tuyên truyền, phổ biến **Luật Phòng, chống ma túy**",
     "Sở Văn hóa, Thể thao và Du lịch", "Công an tỉnh", "Quý II/2025"],
    ["2", "Rà soát, thống kê người sử dụng trái phép chất ma túy trên địa bàn",
     "Công an tỉnh", "UBND các xã, phường", "Trước ngày 30/6/2025"],
    ["3", "Bố trí kinh phí thực hiện Kế hoạch", "Sở Tài chính", "", "Trước ngày 31/12/2025"],
]
BODY = """
* *

**KẾ HOẠCH**

**TRIỂN KHAI THỰC HIỆN LUẬT PHÒNG, CHỐNG MA TÚY
NĂM 2025**

Căn cứ Luật Phòng, chống ma túy ngày 30 tháng 3 năm 2021[^1]; Luật Tổ chức chính quyền
địa phương năm 2025;

Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:

**I. MỤC ĐÍCH, YÊU CẦU**

Bảo đảm sự phối hợp chặt chẽ giữa các cơ quan, đơn vị.

**II. NHIỆM VỤ CỤ THỂ**

{table}
**III. TỔ CHỨC THỰC HIỆN**

Các sở, ngành, địa phương báo cáo kết quả về Công an tỉnh trước ngày 15/12/2025./.

"""
NOTE = "\n[^1]: Luật số 73/2021/QH14 ngày 30/3/2021 của Quốc hội.\n"


def _pipe_table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines) + "\n"


def _extract(tmp_path: Path, table: str) -> tuple:
    path = tmp_path / "kh_45.txt"
    path.write_text(HEADER + BODY.format(table=table) + SIGN + NOTE, encoding="utf-8")
    doc = read_document(path)
    return doc, extract(doc)


@pytest.mark.parametrize("table", [_pipe_table(TASK_ROWS), _bars(TASK_ROWS)],
                         ids=["pipe-rows", "one-bar-per-line"])
def test_task_table_gives_duties(tmp_path: Path, table: str) -> None:
    doc, ex = _extract(tmp_path, table)
    cells = [b for b in doc.blocks if b.kind == "table_cell" and b.text == "Cơ quan chủ trì"]
    assert cells and cells[0].row == 0 and cells[0].col == 2
    by_lead = {t.lead[0]: t for t in ex.tasks if t.source == "table"}
    assert set(by_lead) == {"Sở Văn hóa, Thể thao và Du lịch", "Công an tỉnh", "Sở Tài chính"}
    assert "**" not in by_lead["Sở Văn hóa, Thể thao và Du lịch"].text
    assert by_lead["Công an tỉnh"].support == ("UBND các xã, phường",)
    assert by_lead["Công an tỉnh"].deadline == "2025-06-30"
    assert by_lead["Sở Tài chính"].support == ()  # the empty cell kept its column


def test_header_signer_and_footnote(tmp_path: Path) -> None:
    doc, ex = _extract(tmp_path, _pipe_table(TASK_ROWS))
    m = ex.metadata
    assert "*" not in doc.text
    assert (m.doc_type, m.symbol, m.issuer, m.place, m.date) == (
        "KH", "45/KH-UBND", "UBND tỉnh Quảng Trị", "Quảng Trị", "2025-03-10")
    assert m.title.casefold() == "triển khai thực hiện luật phòng, chống ma túy năm 2025"
    assert (m.signer.name, m.signer.position, m.signer.authority) == (
        "Nguyễn Văn An", "Phó Chủ tịch", "KT. Chủ tịch")
    # the header's two columns stay apart: issuer and motto are cells of their own
    cells = [(b.row, b.col, b.text.split("\n")[0]) for b in doc.blocks if b.table == 0]
    assert cells[:2] == [(0, 0, "ỦY BAN NHÂN DÂN"), (0, 1, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")]
    # the note is read at its anchor: right after the paragraph that cites [1]
    texts = [b.text for b in doc.blocks]
    cite = next(i for i, t in enumerate(texts) if t.startswith("Căn cứ Luật"))
    assert texts[cite].endswith("[1]; Luật Tổ chức chính quyền địa phương năm 2025;")
    assert texts[cite + 1] == "[1] Luật số 73/2021/QH14 ngày 30/3/2021 của Quốc hội."
    refs = [r for r in ex.references if r.symbol == "73/2021/QH14"]
    assert refs and refs[0].start > doc.blocks[cite].start


def test_signer_with_da_ky_under_kt_thu_tuong() -> None:
    src = ("Điều 3. Các Bộ trưởng chịu trách nhiệm thi hành Quyết định này./.\n\n"
           + _bars([["**Nơi nhận:**\n- Như Điều 3;\n- Lưu: VT.",
                     "**KT. THỦ TƯỚNG**\n**PHÓ THỦ TƯỚNG**\n\\(Đã ký\\)\n**Trần Hồng Hà**"]]))
    blocks = markdown_to_blocks(src)
    assert blocks[-1].text == "KT. THỦ TƯỚNG\nPHÓ THỦ TƯỚNG\n(Đã ký)\nTrần Hồng Hà"
    assert blocks[-2].text == "Nơi nhận:\n- Như Điều 3;\n- Lưu: VT."


GOLDEN = ROOT / "blind" / "golden"


@pytest.mark.parametrize("stem", ["cd_217_ttg_2025", "kh_1026_ubnd-nghean_2025",
                                  "kh_165_ubnd-cantho_2025"])
def test_blind_web_copies_header(stem: str) -> None:
    gold = json.loads((GOLDEN / f"{stem}.json").read_text("utf-8"))
    doc = read_document(MORE / f"{stem}.txt")
    m = extract(doc).metadata
    assert "**" not in doc.text
    assert (m.doc_type, m.symbol, m.issuer, m.place, m.date) == (
        gold["doc_type"], gold["symbol"], gold["issuer"], gold["place"], gold["date"])
    assert m.title.casefold() == gold["title"].casefold()
    assert (m.signer.name, m.signer.position, m.signer.authority) == (
        gold["signer"]["name"], gold["signer"]["position"], gold["signer"]["authority"])


def test_markdown_footnotes_move_to_their_anchor() -> None:
    blocks = markdown_to_blocks(
        "**Báo cáo** ngắn, *có* **đánh dấu**.\n\nĐã ban hành nhiều kế hoạch[1] để triển khai.\n\n"
        "Đoạn sau.\n\n[1]\nKế hoạch số 53/KH-UBND\nngày 21/3/2018.\n")
    assert [b.text for b in blocks] == [
        "Báo cáo ngắn, có đánh dấu.", "Đã ban hành nhiều kế hoạch[1] để triển khai.",
        "[1] Kế hoạch số 53/KH-UBND ngày 21/3/2018.", "Đoạn sau."]


def test_markdown_lists_headings_keep_their_labels() -> None:
    blocks = markdown_to_blocks("# KẾ HOẠCH\n\n3. Sở Y tế:\n4. Sở Tài chính:\n\n"
                                "- Bộ Công an;\n- Lưu: VT.\n\nb) Tổ chức\ntuyên truyền.\n")
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "KẾ HOẠCH"), ("list_item", "3. Sở Y tế:"), ("list_item", "4. Sở Tài chính:"),
        ("list_item", "- Bộ Công an;"), ("list_item", "- Lưu: VT."),
        ("paragraph", "b) Tổ chức tuyên truyền.")]


@pytest.mark.parametrize(("text", "markdown"), [
    ("ỦY BAN NHÂN DÂN\n|\nCỘNG HÒA XÃ HỘI\n|\nSố: 580/KH-UBND\n|\nKẾ HOẠCH\n", False),
    ("Thực hiện Kế hoạch số 580/KH-UBND (2020), các sở báo cáo * kết quả.\n", False),
    ("|\n**ỦY BAN NHÂN DÂN**\n|\n**CỘNG HÒA XÃ HỘI**\n|\n", True),
    ("| STT | Nhiệm vụ |\n|---|---|\n| 1 | Tuyên truyền |\n", True),
    ("# KẾ HOẠCH\n\n## I. MỤC ĐÍCH\n", True),
    ("Đã ban hành kế hoạch[^1].\n\n[^1]: Kế hoạch số 53/KH-UBND.\n", True),
])
def test_sniffing_markdown(text: str, markdown: bool) -> None:
    assert looks_like_markdown(text) is markdown


def test_plain_web_copy_stays_plain() -> None:
    corpus = ROOT.parent / "corpus" / "kh_580_ubnd-haiduong_2020.txt"
    assert not looks_like_markdown(corpus.read_text("utf-8"))


def test_blank_lines_inside_a_signature_cell() -> None:
    src = ("Kết thúc./.\n\n|\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n|\n**KT. THỦ TƯỚNG**\n"
           "**PHÓ THỦ TƯỚNG**\n\n(Đã ký)\n\nTrần Hồng Hà\n|\n\nĐoạn sau.\n")
    blocks = markdown_to_blocks(src)
    assert [(b.kind, b.row, b.col, b.text) for b in blocks] == [
        ("paragraph", None, None, "Kết thúc./."),
        ("table_cell", 0, 0, "Nơi nhận:\n- Như trên;\n- Lưu: VT."),
        ("table_cell", 0, 1, "KT. THỦ TƯỚNG\nPHÓ THỦ TƯỚNG\n(Đã ký)\nTrần Hồng Hà"),
        ("paragraph", None, None, "Đoạn sau.")]
