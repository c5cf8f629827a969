"""DOCX and .doc readers: numbering labels, layout parts, corpus files, bad input.

Fixtures are built by tests/fixtures/docx/make_fixtures.py; LibreOffice is run for
real (label cross-check, .doc conversion).
"""
from __future__ import annotations

import shutil
import subprocess
import time
import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pipeline.document.limits import Limits
from pipeline.document.model import RawBlock, VanbanError
from pipeline.readers.doc import convert_to_docx, find_soffice, read_doc, sniff
from pipeline.readers.docx import format_number, read_docx

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "docx"
CORPUS = ROOT / "corpus"
DOC = CORPUS / "kh_dt-tongket-clqg-pcmt_ubnd-lamdong_2025.doc"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def body(blocks: list[RawBlock]) -> list[RawBlock]:
    return [b for b in blocks if b.part == "body"]


# ---------------------------------------------------------------- numbering.docx

# (label, text) of every body paragraph, as Word shows them. All labels come from
# numbering.xml; the paragraph text never contains them.
PLAN_LABELS: list[tuple[str | None, str]] = [
    (None, "KẾ HOẠCH"),
    (None, "Thực hiện công tác bình đẳng giới năm 2025"),
    ("I.", "MỤC ĐÍCH, YÊU CẦU"),            # from the paragraph style, level via w:pStyle
    ("1.", "Mục đích"),
    ("a)", "Nâng cao nhận thức về bình đẳng giới"),
    ("b)", "Tăng cường sự tham gia của phụ nữ"),
    ("-", "Tuyên truyền trên báo, đài"),     # Symbol private-use bullet
    ("-", "Tổ chức hội nghị"),
    ("+", "Hội nghị cấp tỉnh"),              # literal "+" bullet
    ("2.", "Yêu cầu"),
    ("a)", "Bám sát nội dung Chương trình quốc gia"),  # restarts under the new "2."
    ("II.", "NỘI DUNG"),
    ("1.", "Công tác tuyên truyền"),         # restarts after "2." of section I
    ("2.", "Công tác đào tạo"),
    ("3.", "Công tác kiểm tra"),
    (None, "Các việc cụ thể:"),
    ("a)", "Xây dựng kế hoạch"),
    ("b)", "Tổ chức thực hiện"),
    ("c)", "Báo cáo kết quả"),
    (None, "Kinh phí thực hiện:"),
    ("a)", "Ngân sách tỉnh"),                # new w:num, same abstractNum, startOverride
    ("b)", "Nguồn xã hội hóa"),
    ("III.", "TỔ CHỨC THỰC HIỆN"),
    ("1.", "Sở Nội vụ"),
    ("1.1.", "Chủ trì tham mưu"),
    ("1.2.", "Tổng hợp báo cáo"),
    ("2.", "Sở Tài chính"),
    ("2.1.", "Bố trí kinh phí"),
    ("2.1.1.", "Hướng dẫn thanh quyết toán"),
    ("4.", "Ủy ban nhân dân các xã"),        # an empty numbered paragraph took "3."
    (None, "Phụ lục không đánh số"),         # numId 0 cancels the style's numbering
    ("-", "Gửi báo cáo trước ngày 10/12"),
    ("-", "Gửi kế hoạch trước ngày 25/3"),
    ("Điều 3.", "Phạm vi áp dụng"),          # w:start 3, text around %1
    ("1)", "Cơ quan nhà nước"),
    ("2)", "Tổ chức chính trị - xã hội"),
    ("Điều 4.", "Hiệu lực thi hành"),
    ("3)", "Quyết định có hiệu lực từ ngày ký"),  # w:lvlRestart 0: never restarts
]
# Where LibreOffice 7.4 differs from Word on purpose: it ignores w:lvlRestart
# (Word honours it; ECMA-376 17.9.11 and MS-OI29500 agree).
LIBREOFFICE_DIFFERS = {"Quyết định có hiệu lực từ ngày ký": "1)"}


@pytest.fixture(scope="module")
def plan() -> list[RawBlock]:
    return read_docx(FIXTURES / "numbering.docx")


def test_plan_labels_come_from_numbering(plan: list[RawBlock]) -> None:
    paragraphs = [b for b in body(plan) if b.kind != "table_cell"]
    assert [(b.label, b.text) for b in paragraphs] == PLAN_LABELS


def test_plan_kinds(plan: list[RawBlock]) -> None:
    kinds = {b.text: b.kind for b in plan}
    assert kinds["KẾ HOẠCH"] == "heading"                   # Title style
    assert kinds["MỤC ĐÍCH, YÊU CẦU"] == "heading"          # style based on Heading 1
    assert kinds["Mục đích"] == "list_item"
    assert kinds["Thực hiện công tác bình đẳng giới năm 2025"] == "paragraph"


def test_restarts(plan: list[RawBlock]) -> None:
    labels = [(b.label, b.text) for b in plan]
    # "1." of section II follows "2." of section I
    i = labels.index(("2.", "Yêu cầu"))
    j = labels.index(("1.", "Công tác tuyên truyền"))
    assert i < j and ("II.", "NỘI DUNG") in labels[i:j]
    # the second lettered list starts again at a), the first one had reached c)
    assert labels.index(("c)", "Báo cáo kết quả")) < labels.index(("a)", "Ngân sách tỉnh"))


def test_numbered_table_cells_show_their_label(plan: list[RawBlock]) -> None:
    cells = [(b.row, b.col, b.text) for b in plan if b.kind == "table_cell"]
    assert cells == [(0, 0, "1."), (0, 1, "Sở Nội vụ"), (1, 0, "2."), (1, 1, "Sở Tư pháp"),
                     (2, 0, "3."), (2, 1, "Công an tỉnh")]


def libreoffice_text(path: Path, tmp: Path) -> list[str]:
    soffice = find_soffice()
    assert soffice, "LibreOffice (soffice) is needed for this test"
    subprocess.run([soffice, "--headless", "--norestore",
                    f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
                    "--convert-to", "txt:Text", "--outdir", str(tmp), str(path)],
                   check=True, capture_output=True, timeout=120)
    text = (tmp / f"{path.stem}.txt").read_text(encoding="utf-8-sig")
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_labels_match_libreoffice(plan: list[RawBlock], tmp_path: Path) -> None:
    lines = libreoffice_text(FIXTURES / "numbering.docx", tmp_path)
    pos = 0
    compared = 0
    for block in body(plan):
        if block.kind == "table_cell":
            continue
        while not lines[pos].endswith(block.text):
            pos += 1  # raises IndexError if LibreOffice lost the paragraph
        shown = lines[pos][: -len(block.text)].strip()
        pos += 1
        if block.label in ("-", "+"):
            assert shown and not shown[0].isalnum(), (block.text, shown)
        else:
            expected = LIBREOFFICE_DIFFERS.get(block.text, block.label or "")
            assert shown == expected, (block.text, shown, block.label)
        compared += 1
    assert compared == len(PLAN_LABELS)


@pytest.mark.parametrize("n, fmt, shown", [
    (4, "upperRoman", "IV"), (9, "lowerRoman", "ix"), (1999, "upperRoman", "MCMXCIX"),
    (1, "lowerLetter", "a"), (26, "lowerLetter", "z"), (27, "lowerLetter", "aa"),
    (28, "upperLetter", "BB"), (7, "decimalZero", "07"), (12, "decimal", "12"),
    (5, "somethingNew", "5"),
])
def test_format_number(n: int, fmt: str, shown: str) -> None:
    assert format_number(n, fmt) == shown


# ---------------------------------------------------------------- layout.docx

@pytest.fixture(scope="module")
def layout() -> list[RawBlock]:
    return read_docx(FIXTURES / "layout.docx")


def test_header_table(layout: list[RawBlock]) -> None:
    cells = {(b.row, b.col): b.text for b in layout if b.table == 0}
    assert cells == {
        (0, 0): "ỦY BAN NHÂN DÂN\nTỈNH X",
        (0, 1): "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
        (1, 0): "Số: 12/KH-UBND",
        (1, 1): "Tỉnh X, ngày 02 tháng 3 năm 2025",
    }
    assert all(b.kind == "table_cell" and b.part == "body" for b in layout if b.table == 0)


def test_textbox_header_footer_once(layout: list[RawBlock]) -> None:
    texts = [(b.part, b.text) for b in layout]
    assert texts.count(("textbox", "Hộp văn bản: MẬT")) == 1
    assert not any("MẬT" in t for p, t in texts if p != "textbox")
    # two sections reference the same default header: it appears once
    assert texts.count(("header", "Dự thảo lần 2")) == 1
    assert texts.count(("header", "Trang đầu")) == 1
    assert texts.count(("footer", "Trang 7")) == 1
    parts = [b.part for b in layout]
    assert parts[:2] == ["header", "header"] and parts[-1] == "footer"
    assert "footer" not in parts[:-1] and "header" not in parts[2:]


def test_textbox_follows_its_anchor(layout: list[RawBlock]) -> None:
    texts = [b.text for b in layout]
    assert texts.index("Hộp văn bản: MẬT") == texts.index("Đoạn neo hộp văn bản.") + 1


def test_document_order(layout: list[RawBlock]) -> None:
    """Tables and paragraphs interleave as in the file; the nested table T2 sits
    right after the cell holding it, inside T1."""
    seq = [f"T{b.table}" if b.kind == "table_cell" else b.text for b in body(layout)]
    collapsed = [x for i, x in enumerate(seq) if i == 0 or seq[i - 1] != x]
    assert collapsed == [
        "T0", "KẾ HOẠCH", "Đoạn neo hộp văn bản.", "Cơ quan:\tSở Nội vụ\nDòng thứ hai đã chèn",
        "Ngày ký: 25/10/2025", "T1", "T2", "T1", "Đoạn giữa hai bảng.", "Nội dung trong điều khiển",
        "T3", "Đoạn cuối.", "Phần hai.",
    ]


def test_merged_and_nested_cells(layout: list[RawBlock]) -> None:
    grid = [(b.row, b.col, b.text) for b in layout if b.table == 1]
    assert grid == [
        (0, 0, "Bảng phân công"),            # spans 3 columns, appears once
        (1, 0, "Sở Tư pháp"),                # merged down, not repeated in row 2
        (1, 1, "Chủ trì"), (1, 2, "Quý I"),
        (2, 1, "Phối hợp"), (2, 2, "Thời hạn"),
        (3, 0, "Tổng"), (3, 2, "3 nhiệm vụ"),  # grid column after a 2-column span
    ]
    nested = [(b.row, b.col, b.text) for b in layout if b.table == 2]
    assert nested == [(0, 0, "Lần 1"), (0, 1, "Lần 2")]
    texts = [b.text for b in layout]
    assert texts.index("Lần 1") == texts.index("Thời hạn") + 1


def test_inline_content(layout: list[RawBlock]) -> None:
    texts = [b.text for b in layout]
    # tab and soft break kept, deletion dropped, insertion kept
    assert "Cơ quan:\tSở Nội vụ\nDòng thứ hai đã chèn" in texts
    # the field keeps its displayed result (not today's date), the instruction and
    # hidden text are not shown
    assert "Ngày ký: 25/10/2025" in texts
    assert not any("DATE" in t or "đã xóa" in t or "ẩn" in t for t in texts)
    assert "Nội dung trong điều khiển" in texts  # content control


# ---------------------------------------------------------------- the real corpus

CORPUS_KEYS = {
    "bc_dt-da06-t08_bcd-lamdong_2025.docx": ["UBND TỈNH LÂM ĐỒNG", "tháng 8/2025"],
    "bc_dt-da06-t09_bcd-lamdong_2025.docx": ["UBND TỈNH LÂM ĐỒNG", "tháng 9/2025"],
    "bc_dt-pcmt2025_ubnd-lamdong_2025.docx": ["ỦY BAN NHÂN DÂN", "/BC-UBND", "5240/BCA-V01"],
    "bc_dt-tongket-clqg-pcmt_ubnd-lamdong_2026.docx": ["ỦY BAN NHÂN DÂN", "/BC-UBND",
                                                       "tháng 3 năm 2026"],
    "qd_dt-bvstbpn_ubnd-lamdong_2025.docx": ["ỦY BAN NHÂN DÂN", "/QĐ-UBND", "1855/QĐ-TTg"],
}
NFD_FILES = {"bc_dt-pcmt2025_ubnd-lamdong_2025.docx",
             "bc_dt-tongket-clqg-pcmt_ubnd-lamdong_2026.docx"}


def test_corpus_table_lists_every_docx() -> None:
    assert set(CORPUS_KEYS) == {p.name for p in CORPUS.glob("*.docx")}


@pytest.mark.parametrize("name", sorted(CORPUS_KEYS))
def test_corpus_docx(name: str) -> None:
    blocks = read_docx(CORPUS / name)
    text = nfc("\n".join(b.text for b in blocks))
    for key in CORPUS_KEYS[name]:
        assert key in text, key
    first = body(blocks)[:2]
    assert [(b.kind, b.table, b.row, b.col) for b in first] == [
        ("table_cell", 0, 0, 0), ("table_cell", 0, 0, 1)]
    assert nfc(first[1].text).startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    # text comes back as found: decomposed files stay decomposed
    decomposed = any(b.text != nfc(b.text) for b in blocks)
    assert decomposed == (name in NFD_FILES)


def test_corpus_doc_through_libreoffice() -> None:
    start = time.monotonic()
    blocks = read_doc(DOC)
    took = time.monotonic() - start
    text = "\n".join(b.text for b in blocks)
    assert "25/10/2025" in text
    assert "1001/QĐ-TTg" in text
    cells = [b for b in blocks if b.kind == "table_cell" and b.table == 0]
    assert cells and nfc(cells[0].text).startswith("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG")
    assert took < 60, f"conversion took {took:.1f} s"


def test_two_conversions_at_once() -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(read_doc, [DOC, DOC]))
    assert results[0] == results[1] and results[0]


# ---------------------------------------------------------------- .doc variants

@pytest.mark.parametrize("content, what", [
    (b"PK\x03\x04rest", "docx"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"{\\rtf1\\ansi", "rtf"), (b"\xef\xbb\xbf  <!DOCTYPE html><html>", "html"),
    (b"<?xml version='1.0'?><?mso-application progid=\"Word.Document\"?>", "wordml"),
    (b"%PDF-1.7", None), (b"plain words", None),
])
def test_sniff(content: bytes, what: str | None) -> None:
    assert sniff(content) == what


def test_doc_that_is_docx_rtf_or_html(tmp_path: Path) -> None:
    as_docx = tmp_path / "a.doc"
    shutil.copyfile(FIXTURES / "layout.docx", as_docx)
    assert read_doc(as_docx) == read_docx(FIXTURES / "layout.docx")
    rtf = tmp_path / "b.doc"
    rtf.write_bytes(rb"{\rtf1\ansi\deff0{\fonttbl{\f0 Times;}}\f0 K\u7870?"
                    rb" HO\u7840?CH 25/10/2025\par}")
    assert any("KẾ HOẠCH 25/10/2025" in b.text for b in read_doc(rtf))
    html = tmp_path / "c.doc"
    html.write_text("<html><body><p>KẾ HOẠCH số 12/KH-UBND</p><table><tr><td>ỦY BAN</td>"
                    "<td>CỘNG HÒA</td></tr></table></body></html>", encoding="utf-8")
    blocks = read_doc(html)
    assert ("paragraph", "KẾ HOẠCH số 12/KH-UBND") in [(b.kind, b.text) for b in blocks]
    assert [b.text for b in blocks if b.kind == "table_cell"] == ["ỦY BAN", "CỘNG HÒA"]


def test_corrupt_doc_gives_no_output(tmp_path: Path) -> None:
    data = DOC.read_bytes()
    broken = tmp_path / "broken.doc"
    broken.write_bytes(data[:512] + bytes(40000) + data[40512:])  # directory kept, body zeroed
    with pytest.raises(VanbanError, match="LibreOffice không tạo ra tệp nào"):
        read_doc(broken)


def test_ole_without_word_stream_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.doc"
    junk.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 40)
    with pytest.raises(VanbanError, match="tệp OLE không có luồng WordDocument") as err:
        read_doc(junk)
    assert err.value.kind == "unsupported"


def test_conversion_timeout_kills_libreoffice(tmp_path: Path) -> None:
    with pytest.raises(VanbanError, match=r"LibreOffice chuyển đổi quá 0\.2 giây, giới hạn "
                       "VANBAN_CONVERT_SECONDS") as err:
        convert_to_docx(DOC, tmp_path, Limits(convert_seconds=0.2))
    assert err.value.kind == "timeout"
    time.sleep(0.5)
    left = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if str(tmp_path).encode() in cmdline:
            left.append(cmdline)
    assert left == []


def test_soffice_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a real environment without LibreOffice
    with pytest.raises(VanbanError, match=r"chưa cài LibreOffice \(soffice\)") as err:
        read_doc(DOC)
    assert err.value.kind == "unsupported"


# ---------------------------------------------------------------- bad DOCX input

def test_not_a_zip(tmp_path: Path) -> None:
    fake = tmp_path / "fake.docx"
    fake.write_text("KẾ HOẠCH số 12", encoding="utf-8")
    with pytest.raises(VanbanError, match=r"không phải tệp DOCX \(không phải tệp nén zip\)") as err:
        read_docx(fake)
    assert err.value.kind == "unsupported"


def test_ole_named_docx(tmp_path: Path) -> None:
    ole = tmp_path / "protected.docx"
    shutil.copyfile(DOC, ole)
    with pytest.raises(VanbanError,
                       match="tài liệu OLE có mật khẩu hoặc định dạng cũ, không phải DOCX"):
        read_docx(ole)


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.docx"
    empty.write_bytes(b"")
    with pytest.raises(VanbanError, match="tệp rỗng"):
        read_docx(empty)
    with pytest.raises(VanbanError, match="tệp rỗng"):
        read_doc(tmp_path / "empty.docx")


def test_zip_without_document(tmp_path: Path) -> None:
    other = tmp_path / "other.docx"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(VanbanError, match=r"không phải tệp DOCX \(không có word/document\.xml\)"):
        read_docx(other)


BOMB_MB = 400


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A docx-shaped zip with a member of 400 MB of zeros (about 1.8 MB on disk)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zipfile.ZipFile(FIXTURES / "layout.docx") as src:
            for info in src.infolist():
                zf.writestr(info.filename, src.read(info))
        chunk = bytes(1 << 20)
        with zf.open("word/media/zeros.bin", "w", force_zip64=True) as fh:
            for _ in range(BOMB_MB):
                fh.write(chunk)
    return path


def test_zip_bomb_total_size(bomb: Path) -> None:
    start = time.monotonic()
    with pytest.raises(VanbanError, match=r"từ chối: tệp zip giải nén ra 40\d MB, vượt giới hạn "
                       r"300 MB \(VANBAN_MAX_UNZIPPED_MB\)") as err:
        read_docx(bomb)
    assert err.value.kind == "too_large"
    assert time.monotonic() - start < 2  # refused before anything is decompressed


def test_zip_bomb_ratio(bomb: Path) -> None:
    with pytest.raises(VanbanError, match=r"phần word/media/zeros\.bin trong zip giải nén ra "
                       r"gấp \d+ lần, "
                       r"vượt giới hạn 100 \(VANBAN_MAX_ZIP_RATIO\)"):
        read_docx(bomb, Limits(max_unzipped_mb=1000, max_zip_ratio=100))
    # the same limits let an ordinary document through
    assert read_docx(FIXTURES / "layout.docx", Limits(max_unzipped_mb=1000, max_zip_ratio=100))


def test_environment_limits_reach_the_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANBAN_MAX_UNZIPPED_MB", "0.1")
    with pytest.raises(VanbanError, match=r"vượt giới hạn 0\.1 MB \(VANBAN_MAX_UNZIPPED_MB\)"):
        read_docx(FIXTURES / "numbering.docx", Limits.from_env())


# ---------------------------------------------------------------- notes.docx


def test_footnotes_and_endnotes_at_their_anchor() -> None:
    blocks = read_docx(FIXTURES / "notes.docx")
    texts = [b.text for b in blocks]
    cite = texts.index("Thực hiện Nghị quyết của Trung ương[1] và các văn bản của Chính phủ[2], "
                       "Ủy ban nhân dân thành phố báo cáo như sau:")
    assert texts[cite + 1].startswith("[1] Nghị quyết số 21-NQ/TW ngày 25/10/2017")
    # a note of two paragraphs is one block; the separator notes are not notes
    assert texts[cite + 2] == ("[2] Quyết định số 1679/QĐ-TTg ngày 22/11/2019 của Thủ tướng "
                               "Chính phủ phê duyệt Chiến lược dân số Việt Nam đến năm 2030; "
                               "Kế hoạch số 53/KH-UBND ngày 21/3/2018 của UBND thành phố Cần Thơ.")
    # a mark in a table cell: the note follows the cell
    cell = next(i for i, b in enumerate(blocks) if b.kind == "table_cell" and b.col == 1)
    assert blocks[cell].text == "Luật[3]"
    assert texts[cell + 1] == "[3] Luật Phòng, chống ma túy ngày 30 tháng 3 năm 2021."
    # an endnote is marked i, ii, … ; a note referenced again is not written twice
    assert texts[cell + 2] == "2. Các chỉ tiêu chuyên môn đạt kế hoạch[i] theo Nghị quyết nêu trên[1]."
    assert texts[cell + 3] == "[i] Thông tư số 01/2021/TT-BYT ngày 25/01/2021 của Bộ Y tế."
    assert sum(t.startswith("[1] ") for t in texts) == 1
    assert texts[-1] == "Nơi nhận:"


def test_citations_in_footnotes_are_references() -> None:
    from extractors.extraction import extract
    from pipeline.readers.registry import read_document

    doc = read_document(FIXTURES / "notes.docx")
    refs = extract(doc).references
    got = {(r.doc_type, r.symbol or r.title, r.date) for r in refs}
    assert got >= {("NQ", "21-NQ/TW", "2017-10-25"), ("QĐ", "1679/QĐ-TTg", "2019-11-22"),
                   ("KH", "53/KH-UBND", "2018-03-21"), ("Luật", "Phòng, chống ma túy", "2021-03-30"),
                   ("TT", "01/2021/TT-BYT", "2021-01-25")}
    for r in refs:  # every span points at its text
        assert doc.text[r.start:r.end] == r.text
