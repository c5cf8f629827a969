"""Scans from other offices (issue 18): the header's two columns, the genre's fixed words
OCR misreads, and the stamps beside the title. Tables of cases on the real scans of
tests/fixtures/more and on OCR words taken from them."""
from __future__ import annotations

import shutil
from functools import lru_cache

import pytest

from conftest import ROOT
from pipeline.document.normalize import fold
from pipeline.readers.pdf import read_pdf
from pipeline.readers.pdf.layout import _type_name
from pipeline.readers.pdf.lines import Box, _join_number
from pipeline.readers.pdf.ocr_words import fix_words, motto_start, stamp_words

MORE = ROOT / "tests" / "fixtures" / "more"
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None,
                                     reason="tesseract is not installed")


@pytest.mark.parametrize("words,fixed", [
    ("Só: 999/QĐ-TTg", "Số: 999/QĐ-TTg"),
    ("Sô: 999/QĐ-TTg", "Số: 999/QĐ-TTg"),
    ("S6: 12/KH-UBND", "Số: 12/KH-UBND"),
    ("QUYÉT ĐỊNH", "QUYẾT ĐỊNH"),
    ("Hà Nội, ngàv 18 tháng 9", "Hà Nội, ngày 18 tháng 9"),
    ("ỦY BAN NHÂN DÂN TĨNH QUẢNG NGÃI", "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"),
    ("giao UBND tĩnh chủ trì", "giao UBND tỉnh chủ trì"),
    ("BAN CHÍ ĐẠO 138", "BAN CHỈ ĐẠO 138"),
    ("Ban Chí đạo 138 tỉnh", "Ban Chỉ đạo 138 tỉnh"),
    ("trên địa bàn tỉnh Quảng Nøãi", "trên địa bàn tỉnh Quảng Ngãi"),
    # left alone: real words, and a letter whose fix makes no syllable
    ("trạng thái tĩnh của", "trạng thái tĩnh của"),
    ("ý chí đạt được", "ý chí đạt được"),
    ("Số:52ø/BCA-V01", "Số:52ø/BCA-V01"),
])
def test_fixed_words(words, fixed):
    assert " ".join(fix_words(words.split())) == fixed


@pytest.mark.parametrize("line,start", [
    ("THỦ TƯỚNG CHÍNH PHỦ CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", 4),
    ("UBND TỈNH QUẢNG NGÃI CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 4),
    ("BAN CHỈ ĐẠO 138 Độc lập - Tự do - Hạnh phúc", 4),
    ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 0),
    ("TỈNH ỦY QUẢNG NGÃI ĐẢNG CỘNG SẢN VIỆT NAM", 4),
    ("Quảng Ngãi, ngày 05 tháng 02 năm 2025", None),
    ("chế độ xã hội chủ nghĩa", None),
])
def test_motto_start(line, start):
    assert motto_start(line.split()) == start


@pytest.mark.parametrize("piece,count", [
    ("TRUNG TÂM CÔNG BÁO VÀ TIN HỌC", 7),
    ("ĐẾN qua, 41312024", 1),
    ("ĐEN | Chuyển:", 2),
    ("lpệ h Ngày: 21/3", 1),
    ("Ngày :42⁄4.. 3", 0),  # not a field label: caught as noise, not by its words,
    ("Về việc tăng cường công tác", 0),
    ("ngày 05 tháng 02", 0),
])
def test_stamp_words(piece, count):
    assert stamp_words(piece.split()) == count


def test_number_split_by_ocr_is_joined():
    boxes = [Box("Số:", 0, 0, 15, 10), Box("0", 20, 0, 25, 10), Box("1/2025/QĐ-TTg", 28, 0, 90, 10)]
    assert [b.text for b in _join_number(boxes)] == ["Số:", "01/2025/QĐ-TTg"]
    blank = [Box("Số:", 0, 0, 15, 10), Box("23", 20, 0, 30, 10), Box("/BC-UBND", 60, 0, 90, 10)]
    assert [b.text for b in _join_number(blank)] == ["Số:", "23", "/BC-UBND"]
    # in the body, a one read as "l" (qd_04 of Quảng Ngãi: "Công văn số 2l 05/UBND-NC")
    body = [Box("văn", 0, 0, 20, 10), Box("số", 24, 0, 36, 10), Box("2l", 40, 0, 50, 10),
            Box("05/UBND-NC", 53, 0, 100, 10), Box("ngày", 104, 0, 125, 10)]
    assert [b.text for b in _join_number(body)] == ["văn", "số", "2105/UBND-NC", "ngày"]
    far = [Box("số", 24, 0, 36, 10), Box("2", 40, 0, 45, 10), Box("05/UBND", 70, 0, 99, 10)]
    assert [b.text for b in _join_number(far)] == ["số", "2", "05/UBND"]  # a gap: not one
    words = [Box("số", 24, 0, 36, 10), Box("lần", 40, 0, 50, 10), Box("2/3", 53, 0, 70, 10)]
    assert [b.text for b in _join_number(words)] == ["số", "lần", "2/3"]


@pytest.mark.parametrize("text,name", [
    ("QUYẾT ĐỊNH", "QUYẾT ĐỊNH"),
    (",OQUYẾT ĐỊNH", "QUYẾT ĐỊNH"),
    ("KÉ HOẠCH", "KẾ HOẠCH"),
    ("ĐÃ QUYẾT ĐỊNH", "ĐÃ QUYẾT ĐỊNH"),
])
def test_type_name_with_specks(text, name):
    assert _type_name(text) == name


@lru_cache(maxsize=None)
def _blocks(name: str):
    return read_pdf(MORE / name).blocks


def _header(name: str) -> tuple[str, str]:
    cells = [b for b in _blocks(name) if b.kind == "table_cell" and b.table == 0]
    return (next(b.text for b in cells if b.col == 0), next(b.text for b in cells if b.col == 1))


# The header's two columns on scans where OCR reads them as one line: the left cell
# holds the issuer and "Số:", the right cell the motto and the date line.
@needs_tesseract
@pytest.mark.parametrize("name,left,right", [
    ("qd_999_ttg_2024.pdf", ["THỦ TƯỚNG CHÍNH PHỦ", "Số: 999/QĐ-TTg"],
     ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Hà Nội, ngày 18 tháng 9 năm 2024"]),
    ("qd_01-2025_ttg_2025.pdf", ["THỦ TƯỚNG CHÍNH PHỦ", "Số: 01/2025/QĐ-TTg"],
     ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Hà Nội, ngày 03 tháng 01 năm 2025"]),
    ("qd_04_bcd138-quangngai_2025.pdf", ["UBND TỈNH QUẢNG NGÃI", "BAN CHỈ ĐẠO 138"],
     ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]),
    ("ct_01_ubnd-quangngai_2021.pdf", ["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI"],
     ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]),
])
def test_header_columns_of_scans(name, left, right):
    lcell, rcell = (fold(c) for c in _header(name))  # raw OCR text: "HOÀ" or "HÒA"
    for want in map(fold, left):
        assert want in lcell.splitlines()
        assert want not in rcell
    for want in map(fold, right):
        assert want in rcell.splitlines()
        assert want not in lcell


# Stamp text beside the title is kept, in a paragraph of its own, out of the title lines.
@needs_tesseract
@pytest.mark.parametrize("name,title_line,stamp_bits", [
    ("ct_07_ubnd-quangngai_2018.pdf",
     "Về việc tăng cường công tác thi hành án hành chính trên địa bàn tỉnh Quảng Ngãi",
     ["Chuyển:", "Ngày"]),
    ("qd_999_ttg_2024.pdf",
     "Về việc thành lập Tổ công tác triển khai đầu tư các tuyến đường sắt kết nối với "
     "Trung Quốc và Lào", ["ĐẾN"]),
])
def test_stamps_kept_out_of_the_title(name, title_line, stamp_bits):
    texts = [b.text for b in _blocks(name)]
    assert title_line in texts
    stamp = next(t for t in texts if all(s in t for s in stamp_bits))
    assert title_line not in stamp


@pytest.mark.parametrize("line,clean", [
    ("-. CHỦ TỊCH h", "CHỦ TỊCH"),          # ct_01: specks around the position
    ("—niauL—— Trần Hoàng Tuấn", "Trần Hoàng Tuấn"),  # bc_23: signature strokes
    ("KT. CHỦ TỊCH", "KT. CHỦ TỊCH"),
    ("Nguyễn Hoàng Giang", "Nguyễn Hoàng Giang"),
    ("PHÓ CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
])
def test_signature_line_despecked(line, clean):
    from extractors.metadata_signature import _despeck

    assert _despeck(line) == clean
