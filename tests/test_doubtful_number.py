"""A scan whose own number OCR could not read ("Số:52ø/BCA-V01", handwritten) is found
by what cites it: same code, same date, a number that fits the digits read (issue 18).
On SQLite every case; on PostgreSQL the linked citation and one of another day, in both
orders (each case OCRs the scan again: about 5 s)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CORPUS, index_location

from pipeline.index import open_index
from pipeline.index.ingest import index_paths
from pipeline.index.sqlite.graph import number_pattern

SCAN = "cv_5240_bca-v01_2025.pdf"  # "Số:52ø/BCA-V01", Hà Nội, ngày 23 tháng 11 năm 2025
CITING = """UBND TỈNH LÂM ĐỒNG
Số: 77/KH-UBND                         Lâm Đồng, ngày 01 tháng 12 năm 2025

KẾ HOẠCH
Tổng kết công tác phòng, chống ma túy năm 2025

Thực hiện Công văn số {symbol} ngày {date} của Bộ Công an về tổng kết công tác
phòng, chống ma túy năm 2025, UBND tỉnh ban hành Kế hoạch như sau:
1. Công an tỉnh chủ trì tổng hợp, báo cáo trước ngày 10/12/2025.
"""


@pytest.mark.parametrize("raw, number, fits", [
    ("52ø", "5240", True),     # the handwritten 40 read as one sign
    ("52ø", "524", True),
    ("52ø", "5340", False),    # a digit read must match
    ("52ø", "52", False),      # the unread sign stands for one or two digits
])
def test_number_fits_the_digits_read(raw: str, number: str, fits: bool) -> None:
    assert bool(number_pattern(raw).fullmatch(number)) is fits


def test_too_few_digits_is_no_pattern() -> None:
    assert number_pattern("øø") is None and number_pattern("5ø") is None


CASES = [
    ("5240/BCA-V01", "23/11/2025", True),
    ("5240/BCA-V01", "24/11/2025", False),   # another day: not this document
    ("5240/BCA-X05", "23/11/2025", False),   # another code
    ("6240/BCA-V01", "23/11/2025", False),   # the digits read do not fit
]
ON_POSTGRES = CASES[:2]


@pytest.mark.parametrize("backend, order, symbol, date, linked", [
    (backend, order, *case)
    for backend in ("sqlite", "postgres") for order in ("scan first", "citing first")
    for case in CASES if backend == "sqlite" or case in ON_POSTGRES])
def test_a_citation_resolves_to_the_scan_and_says_so(request, tmp_path: Path, backend: str,
                                                     order: str, symbol: str, date: str,
                                                     linked: bool) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(CORPUS / SCAN, inbox / SCAN)
    (inbox / "kh_77.txt").write_text(CITING.format(symbol=symbol, date=date), "utf-8")
    db = index_location(request, backend, tmp_path)
    files = [inbox / SCAN, inbox / "kh_77.txt"]
    for f in (files if order == "scan first" else files[::-1]):
        assert not index_paths([f], db).failed
    with open_index(db, readonly=True) as index:
        res = index.cited_by(symbol)
        held = res["held"]
        assert (held is not None and held["path"].endswith(SCAN)) is linked, res
        (scan_id,) = [i for p, i in index.ids(index.stamps()).items() if p.endswith(SCAN)]
        kinds = {f["kind"]: f["message"] for f in index.document(scan_id).findings}
    assert "doubtful_number" in kinds
    assert ("number_from_citations" in kinds) is linked
    if linked:
        assert "5240/BCA-V01" in kinds["number_from_citations"]
        assert "52ø/BCA-V01" in kinds["number_from_citations"]
        assert "23/11/2025" in kinds["number_from_citations"]
