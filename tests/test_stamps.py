"""Digital-signature stamps (``metadata.signature``), certified copies (``metadata.copy_of``)
and the header of e-signed PDFs, on real documents and on small fixtures made from them.

The stamp cases are the stamp lines as the readers land them (text layer or OCR) in the
documents named; the e-signed PDFs are from ``tests/fixtures/more`` (their gold in
``tests/blind/golden``); the copies are ``kh_580`` with a copy block put before or after it
(``tests/fixtures/copies``).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.evaluate import METADATA_FIELDS, field_matches, get_field
from extractors.metadata import extract_metadata
from extractors.metadata_lines import Line
from extractors.metadata_stamp import choose_signature, find_stamps, parse_time
from pipeline.document.assemble import assemble
from pipeline.document.contract import from_json, plain, to_json
from pipeline.document.facts import CopyOf, Extraction, Metadata, Signature
from pipeline.document.model import RawBlock, Source
from pipeline.readers import read_document

ROOT = Path(__file__).resolve().parent
MORE = ROOT / "fixtures" / "more"
COPIES = ROOT / "fixtures" / "copies"
BLIND = ROOT / "blind" / "golden"
GOLDEN = ROOT / "golden"


@pytest.mark.parametrize("text,seconds,want", [
    ("09.01.2025 10:21:11 +07:00", True, "2025-01-09T10:21:11+07:00"),   # tb_11 (publisher)
    ("24/01/2025 14:23:43", False, "2025-01-24T14:23:43+07:00"),         # bc_23: no offset
    ("2025-11-25T17:01:58+07:00", False, "2025-11-25T17:01:58+07:00"),   # cv_5240: ISO
    ("05/01/2021\n08:15:24", False, "2021-01-05T08:15:24+07:00"),        # ct_01: wrapped
    ("18.11.2024 07:25:14\n+07:00", True, "2024-11-18T07:25:14+07:00"),  # tb_565: offset below
    ("97.01.2025 16:02:32 +07:00", True, "2025-01-07T16:02:32+07:00"),   # qd_01 OCR: 0 read 9
    ("ngày 03/01/2025", True, None),                                     # a date is no stamp
    ("31/02/2025 10:00:00", False, None),                                # impossible
])
def test_parse_time(text, seconds, want):
    assert parse_time(text, seconds=seconds)[0] == want


def _lines(*texts: str) -> list[Line]:
    out, pos = [], 0
    for i, t in enumerate(texts):
        out.append(Line(t, pos, i))
        pos += len(t) + 1
    return out


# (document, stamp lines as read, the issuer, signed_by, signed_at, publisher, copy form)
STAMPS = [
    ("tb_565 text layer", ("TRUNG TÂM CÔNG", "BÁO VÀ TIN HỌC", "ttcbth@quangngai.gov.vn",
                           "18.11.2024 07:25:14", "+07:00", "ỦY BAN NHÂN DÂN"),
     "UBND tỉnh Quảng Ngãi", "TRUNG TÂM CÔNG BÁO VÀ TIN HỌC", "2024-11-18T07:25:14+07:00",
     True, None),
    ("bc_23 two stamps on one row", (
        "Ký bởi: Ủy ban nhân dân tỉnh Quảng Ngãi", "TRUNG TÂM CÔNG BÁO Cơ quan: Tỉnh Quảng Ngãi",
        "VÀ TIN HỌC Thời gian ký: 24/01/2025 14:23:43", "›\\", "ttcbth@quangngai.gov.vn", "`7",
        "24.01.2025 20:06:24 +07:00", "ỦY BAN NHÂN DÂN"),
     "UBND tỉnh Quảng Ngãi", "Ủy ban nhân dân tỉnh Quảng Ngãi", "2025-01-24T14:23:43+07:00",
     False, None),
    ("ct_01 labelled, wrapped", ("Ký bởi: Ủy ban nhân dân", "tỉnh Quảng Ngãi",
                                 "Thời gian ký: 05/01/2021", "08:15:24", "ỦY BAN NHÂN DÂN"),
     "UBND tỉnh Quảng Ngãi", "Ủy ban nhân dân tỉnh Quảng Ngãi", "2021-01-05T08:15:24+07:00",
     False, None),
    ("ct_05 narrow stamp", ("Người ký: Ủy ban", "nhân dân tỉnh Quảng", "Ngãi",
                            "Cơ quan: Tỉnh Quảng", "Ngãi", "Thời gian ký:", "16.04.2020 07:37:07",
                            "+07:00", "ỦY BAN NHÂN DÂN"),
     "UBND tỉnh Quảng Ngãi", "Ủy ban nhân dân tỉnh Quảng Ngãi", "2020-04-16T07:37:07+07:00",
     False, None),
    ("ct_07 OCR", ("Trung tâm Công báo và Tìn học", "ttcbth@)quangngaI.gov.vn",
                   "21.03.2018 16:41:00 +07:00", "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI"),
     "UBND tỉnh Quảng Ngãi", "Trung tâm Công báo và Tin học", "2018-03-21T16:41:00+07:00",
     True, None),
    ("qd_999 OCR", ("Người ký: CÔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ",
                    "Email: thongtinchinhphu@)chinhphu.vn", "Cơ quan: VĂN PHÒNG CHÍNH PHỦ", "3m",
                    "CHINHPHU.VNThời gian ký: 19.09.2024 10:54:26 +07:00", "rịf⁄",
                    "THỦ TƯỚNG CHÍNH PHỦ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
     "Thủ tướng Chính phủ", "CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ", "2024-09-19T10:54:26+07:00",
     True, None),
    ("cv_5240 electronic copy", ("SAO Y", "Bộ Công an", "Thời gian ký: 2025-11-25T17:01:58+07:00",
                                 "BỘ CÔNG AN", "Số:52ø/BCA-V01"),
     "Bộ Công an", "Bộ Công an", "2025-11-25T17:01:58+07:00", False, "SAO Y"),
    ("kh_173: no stamp text", ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ HÀ NỘI", "Số: 173 /KH-UBND",
                               "Hà Nội, ngày 28 tháng 4 năm 2026"),
     "UBND thành phố Hà Nội", None, None, None, None),
    ("a meeting time in the body", ("Thời gian: 08 giờ 00, ngày 09/10/2025",
                                    "Hạn gửi trước 14:00:00 ngày 08/10/2025"),
     None, None, None, None, None),
]


@pytest.mark.parametrize("name,texts,issuer,by,at,publisher,copy", STAMPS,
                         ids=[s[0] for s in STAMPS])
def test_stamp(name, texts, issuer, by, at, publisher, copy):
    lines = _lines(*texts)
    stamp = choose_signature(find_stamps(lines), issuer)
    if by is None:
        assert stamp is None
        return
    assert (stamp.signed_by, stamp.signed_at, stamp.publisher, stamp.copy) == \
        (by, at, publisher, copy)
    # every line of the stamp is known, so the header can leave it out
    assert all(any(a <= ln.start < b for a, b in stamp.lines) for ln in lines
               if ln.text in texts[:2] and "ỦY BAN" not in ln.text)


HEADER = ("doc_type", "number", "symbol", "issuer", "issuer_parent", "place", "date", "title",
          "signer.name", "signature.signed_by", "signature.signed_at")


@pytest.mark.parametrize("stem", ["tb_11_ubnd-quangngai_2025", "tb_565_ubnd-quangngai_2024",
                                  "cv_507_ubnd-quangngai_2025"])
def test_e_signed_pdf(stem):
    """The publishing centre's stamp is the signature, not the issuer; the place line
    holds no 'Số:'; number and day typed into signature boxes are read."""
    meta = plain(extract_metadata(read_document(MORE / f"{stem}.pdf")))
    gold = json.loads((BLIND / f"{stem}.json").read_text("utf-8"))
    wrong = {f: (get_field(meta, f), get_field(gold, f)) for f in HEADER
             if not field_matches(meta, gold, f)}
    assert not wrong


def _doc(*blocks: str):
    return assemble([RawBlock(b) for b in blocks], Source("x.pdf", "", "pdf"))


# tb_11's header as an e-signed PDF may land when the boxes' text is not put in place
BOXES = [
    ("number and day apart", ("ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\n11\nSố: /TB-UBND",
                              "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n08\n"
                              "Quảng Ngãi, ngày tháng 01 năm 2025"),
     "11", "11/TB-UBND", "2025-01-08", "Quảng Ngãi"),
    ("in place, one row", ("ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                           "TỈNH QUẢNG NGÃI Độc lập - Tự do - Hạnh phúc",
                           "Số: 11 /TB-UBND Quảng Ngãi, ngày 08 tháng 01 năm 2025"),
     "11", "11/TB-UBND", "2025-01-08", "Quảng Ngãi"),
]


@pytest.mark.parametrize("name,blocks,number,symbol,date,place", BOXES, ids=[b[0] for b in BOXES])
def test_signature_boxes(name, blocks, number, symbol, date, place):
    doc = _doc(*blocks, "THÔNG BÁO", "Kết luận của Phó Chủ tịch UBND tỉnh Võ Phiên tại cuộc họp",
               "Ngày 03/01/2025, Phó Chủ tịch UBND tỉnh Võ Phiên chủ trì họp nghe báo cáo về "
               "tình hình thực hiện công tác cổ phần hóa Công ty trong thời gian qua.")
    meta = extract_metadata(doc)
    assert (meta.number, meta.symbol, meta.date, meta.place, meta.issuer) == \
        (number, symbol, date, place, "UBND tỉnh Quảng Ngãi")


def test_signing_day_is_the_last_resort():
    """No day in the date line: the issuer's own stamp gives it (a born-digital PDF); a
    publisher's stamp (published later) never does."""
    head = ("ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 23 /BC-UBND",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nQuảng Ngãi, ngày tháng 01 năm 2025",
            "BÁO CÁO", "Tình hình thực hiện công tác cải cách thủ tục hành chính tháng 01/2025")
    own = _doc("Ký bởi: Ủy ban nhân dân tỉnh Quảng Ngãi\nThời gian ký: 24/01/2025 14:23:43", *head)
    assert extract_metadata(own).date == "2025-01-24"
    pub = _doc("TRUNG TÂM CÔNG BÁO\nVÀ TIN HỌC\nttcbth@quangngai.gov.vn\n24.01.2025 20:06:24 +07:00",
               *head)
    meta = extract_metadata(pub)
    assert meta.date is None and meta.signature.signed_by == "TRUNG TÂM CÔNG BÁO VÀ TIN HỌC"
    assert meta.issuer == "UBND tỉnh Quảng Ngãi" and meta.issuer_parent is None


COPY_CASES = [
    ("kh_580_sao-y-ban-chinh_first.txt",
     CopyOf("SAO Y BẢN CHÍNH", "Văn phòng UBND tỉnh Hải Dương", "12/SY-VP", "2020-03-05")),
    ("kh_580_sao-luc_last.txt",
     CopyOf("SAO LỤC", "Văn phòng UBND tỉnh Hải Dương", "07/SL-VP", "2020-03-10")),
]


@pytest.mark.parametrize("name,copy", COPY_CASES, ids=[c[0] for c in COPY_CASES])
def test_certified_copy(name, copy):
    """The copy's own block is copy_of; every other field is the original's (kh_580)."""
    meta = extract_metadata(read_document(COPIES / name))
    assert meta.copy_of == copy
    pred = plain(meta)
    gold = json.loads((GOLDEN / "kh_580_ubnd-haiduong_2020.json").read_text("utf-8"))
    wrong = {f: (get_field(pred, f), get_field(gold, f)) for f in METADATA_FIELDS
             if not field_matches(pred, gold, f)}
    assert not wrong


def test_contract_round_trip():
    meta = Metadata(symbol="5240/BCA-V01",
                    signature=Signature("Bộ Công an", "2025-11-25T17:01:58+07:00"),
                    copy_of=CopyOf("SAO Y", "Bộ Công an", None, "2025-11-25"))
    ex = Extraction(Source("x.pdf", "", "pdf"), meta)
    data = to_json(ex)
    assert data["metadata"]["signature"] == {"signed_by": "Bộ Công an",
                                             "signed_at": "2025-11-25T17:01:58+07:00"}
    assert data["metadata"]["copy_of"] == {"kind": "SAO Y", "issuer": "Bộ Công an",
                                           "number": None, "date": "2025-11-25"}
    assert from_json(data).metadata == meta
    bare = to_json(Extraction(Source("x.txt", "", "txt"), Metadata()))
    assert bare["metadata"]["signature"] is None and bare["metadata"]["copy_of"] is None
    assert from_json(bare).metadata == Metadata()
