"""Agency gazetteer, agency mentions and canonical owner names (extractors.owners)."""
from __future__ import annotations

import itertools
import json
import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest

from extractors.nlp import get_nlp
from extractors.duties_owners import split_owners
from extractors.owners import (canonical_agency, expand_group, find_agencies, group_members,
                               home_locality, successor)
from extractors.owners_data import agencies, agency_index, by_canonical, groups, key
from pipeline.document.normalize import fold

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold"

LDTBXH = "Sở Lao động - Thương binh và Xã hội"
VHTTDL = "Sở Văn hóa, Thể thao và Du lịch"


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


@cache
def corpus_text(name: str) -> str:
    from pipeline.readers import read_document

    return read_document(ROOT / "corpus" / name).text


def mentions(text: str):
    return find_agencies(get_nlp().make_doc(text))


# --- canonical names ----------------------------------------------------------------------

@pytest.mark.parametrize("spelling, canonical", [
    ("Sở LĐTBXH", LDTBXH),
    ("Sở LĐ-TB&XH", LDTBXH),
    ("Sở Lao động, Thương binh và Xã hội", LDTBXH),
    ("Sở Lao động -Thương binh và Xã hội", LDTBXH),
    ("Sở Lao động – Thương binh và Xã hội", LDTBXH),
    ("SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", LDTBXH),
    ("Sở Lao động Thương binh Xã hội", LDTBXH),          # near miss (rapidfuzz)
    (nfd(LDTBXH), LDTBXH),
    ("Bộ Lao động - TB&XH", "Bộ Lao động - Thương binh và Xã hội"),
    ("Bộ Lao động TB và XH", "Bộ Lao động - Thương binh và Xã hội"),
    ("Sở Văn hoá, Thể thao và Du lịch", VHTTDL),
    ("Sở VH,TT&DL", VHTTDL),
    (nfd("Sở Văn hoá - Thể thao và Du lịch"), VHTTDL),
    ("Sở GD&ĐT", "Sở Giáo dục và Đào tạo"),
    ("Sở Giáo dục và Đào tao", "Sở Giáo dục và Đào tạo"),  # near miss
    ("Sở KH&CN", "Sở Khoa học và Công nghệ"),
    ("Sở TN&MT", "Sở Tài nguyên và Môi trường"),
    ("Uỷ ban nhân dân tỉnh", "UBND tỉnh"),
    ("Ủy ban nhân dân tỉnh Lâm Đồng", "UBND tỉnh Lâm Đồng"),
    ("Hội đồng nhân dân tỉnh", "HĐND tỉnh"),
    ("Uỷ ban MTTQ Việt Nam tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"),
    ("Hội LHPN tỉnh", "Hội Liên hiệp Phụ nữ tỉnh"),
    ("BHXH tỉnh", "Bảo hiểm xã hội tỉnh"),
    ("Đài PT-TH tỉnh", "Đài Phát thanh - Truyền hình tỉnh"),
    ("Đài Phát thanh và Truyền hình tỉnh", "Đài Phát thanh - Truyền hình tỉnh"),
    ("Hội LHPN thành phố", "Hội Liên hiệp Phụ nữ thành phố"),
    ("Ban Tổ chức Thành ủy", "Ban Tổ chức Thành ủy"),
    ("Sở Y tế tỉnh Lâm Đồng", "Sở Y tế tỉnh Lâm Đồng"),
    ("Công an TP Hồ Chí Minh", "Công an thành phố Hồ Chí Minh"),
    ("Bộ NN&MT", "Bộ Nông nghiệp và Môi trường"),
    ("Cục C04", "Cục Cảnh sát điều tra tội phạm về ma túy"),
    ("Ban Bí thư", "Ban Bí thư Trung ương Đảng"),
    ("Trung tâm Bảo tồn di sản Thăng Long – Hà Nội",
     "Trung tâm Bảo tồn di sản Thăng Long - Hà Nội"),           # not in the gazetteer: tidied
    ("Các sở, ban, ngành liên quan", "các sở, ban, ngành liên quan"),  # a group: as written
    ("Ủy ban nhân dân các huyện, thị xã, thành phố", "UBND các huyện, thị xã, thành phố"),
])
def test_canonical_agency(spelling: str, canonical: str) -> None:
    assert canonical_agency(spelling) == canonical


def test_canonical_keeps_the_era_name_and_drops_the_home_locality() -> None:
    # a body that ended keeps its own name: documents speak of their own time
    assert canonical_agency("Bộ KH&ĐT", on="2026-01-01") == "Bộ Kế hoạch và Đầu tư"
    assert canonical_agency("Sở Văn hóa và Thể thao Hà Nội") == "Sở Văn hóa và Thể thao Hà Nội"
    assert canonical_agency("Sở Văn hóa và Thể thao Hà Nội", home="Hà Nội") == \
        "Sở Văn hóa và Thể thao"
    assert canonical_agency("Công an tỉnh Lâm Đồng", home="Lâm Đồng") == "Công an tỉnh"
    assert canonical_agency("Công an tỉnh Lâm Đồng") == "Công an tỉnh Lâm Đồng"
    assert canonical_agency("UBND tỉnh", home="Lâm Đồng") == "UBND tỉnh Lâm Đồng"
    assert canonical_agency("UBND tỉnh", home="Hà Nội") == "UBND tỉnh"  # a city has no tỉnh


@pytest.mark.parametrize("name, on, expected", [
    (LDTBXH, "2025-06-01", "Sở Nội vụ"),
    (LDTBXH, "2025-02-28", None),
    ("Bộ Kế hoạch và Đầu tư", "2025-03-01", "Bộ Tài chính"),
    ("Bộ Thông tin và Truyền thông", "2026-01-01", "Bộ Khoa học và Công nghệ"),
    ("Bộ Bưu chính, Viễn thông", "2026-01-01", "Bộ Khoa học và Công nghệ"),  # a chain
    ("Bộ Bưu chính, Viễn thông", "2010-01-01", "Bộ Thông tin và Truyền thông"),
    ("Ủy ban Dân tộc", "2025-03-01", "Bộ Dân tộc và Tôn giáo"),
    ("Sở Tài nguyên và Môi trường", "2025-12-31", "Sở Nông nghiệp và Môi trường"),
    ("Hội Liên hiệp Phụ nữ thành phố", "2026-01-01", None),
    ("Bộ Y tế", "2026-01-01", None),
])
def test_successor(name: str, on: str, expected: str | None) -> None:
    assert successor(name, on) == expected


# --- owner phrases ------------------------------------------------------------------------

@pytest.mark.parametrize("phrase, owners", [
    ("Đài Phát thanh –Truyền hình tỉnh, Báo Hải Dương và các cơ quan thông tấn báo chí của tỉnh",
     ["Đài Phát thanh - Truyền hình tỉnh", "Báo Hải Dương",
      "các cơ quan thông tấn báo chí của tỉnh"]),
    ("Sở Văn hóa và Thể thao, Công an thành phố, UBND các phường",
     ["Sở Văn hóa và Thể thao", "Công an thành phố", "UBND các phường"]),
    ("Sở Lao động - Thương binh và Xã hội, Bộ Văn hóa, Thể thao và Du lịch",
     [LDTBXH, "Bộ Văn hóa, Thể thao và Du lịch"]),
    ("Sở LĐTBXH và Sở VH,TT&DL", [LDTBXH, VHTTDL]),
    (("Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh, Hội Liên hiệp Phụ nữ tỉnh, các tổ chức "
      "thành viên khác"), ["Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "Hội Liên hiệp Phụ nữ tỉnh",
                         "các tổ chức thành viên khác"]),
    ("UBND các phường: Ba Đình, Hoàn Kiếm, Cửa Nam và UBND xã Bát Tràng",
     ["UBND phường Ba Đình", "UBND phường Hoàn Kiếm", "UBND phường Cửa Nam",
      "UBND xã Bát Tràng"]),
    ("Sở Nội vụ (Ban Thi đua Khen thưởng Thành phố)", ["Sở Nội vụ"]),
    ("Sở Y tế; Sở Tư pháp và các đơn vị liên quan",
     ["Sở Y tế", "Sở Tư pháp", "các đơn vị liên quan"]),
    ("Đài Truyền hình Việt Nam, Đài Tiếng nói Việt Nam, Thông tấn xã Việt Nam",
     ["Đài Truyền hình Việt Nam", "Đài Tiếng nói Việt Nam", "Thông tấn xã Việt Nam"]),
    ("Công ty Cổ phần Sông Đà, Trung tâm Y tế huyện",
     ["Công ty Cổ phần Sông Đà", "Trung tâm Y tế huyện"]),
    ("", []),
])
def test_split_owners(phrase: str, owners: list[str]) -> None:
    assert split_owners(phrase) == owners


def test_split_owners_with_the_documents_own_city() -> None:
    phrase = "Công an thành phố Hà Nội, Sở Văn hóa và Thể thao Hà Nội và UBND Thành phố"
    assert split_owners(phrase, home="Hà Nội") == \
        ["Công an thành phố", "Sở Văn hóa và Thể thao", "UBND thành phố Hà Nội"]
    assert split_owners(phrase) == \
        ["Công an thành phố Hà Nội", "Sở Văn hóa và Thể thao Hà Nội", "UBND thành phố"]


# --- mentions -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Giao Sở Y tế chủ trì, phối hợp với Sở LĐ-TB&XH và UBND các huyện, thị xã, thành phố.",
     [("Sở Y tế", "Sở Y tế", "agency"), ("Sở LĐ-TB&XH", LDTBXH, "agency"),
      ("UBND các huyện, thị xã, thành phố", "UBND các huyện, thị xã, thành phố", "group")]),
    ("Trung tâm Bảo tồn di sản Thăng Long - Hà Nội chủ trì xây dựng kịch bản",
     [("Trung tâm Bảo tồn di sản Thăng Long - Hà Nội",
       "Trung tâm Bảo tồn di sản Thăng Long - Hà Nội", "agency")]),
    ("Đề nghị các Đại sứ quán các nước: Trung Quốc, Ấn Độ, Cộng hòa Liên bang Nga lựa chọn",
     [("Đại sứ quán các nước: Trung Quốc", "Đại sứ quán Trung Quốc", "agency"),
      ("Ấn Độ", "Đại sứ quán Ấn Độ", "agency"),
      ("Cộng hòa Liên bang Nga", "Đại sứ quán Cộng hòa Liên bang Nga", "agency")]),
    ("Thủ tướng, các Phó Thủ tướng Chính phủ",  # "Phó Thủ tướng" is a person
     [("Thủ tướng", "Thủ tướng Chính phủ", "agency")]),
    ("Các Bộ trưởng, Thủ trưởng cơ quan ngang Bộ, Thủ trưởng cơ quan thuộc Chính phủ",
     [("Các Bộ trưởng", "các bộ", "group"), ("Thủ trưởng cơ quan ngang Bộ", "cơ quan ngang bộ",
                                            "group"),
      ("Thủ trưởng cơ quan thuộc Chính phủ", "cơ quan thuộc Chính phủ", "group")]),
    ("gửi Công an TP Hồ Chí Minh có biện pháp",
     [("Công an TP Hồ Chí Minh", "Công an thành phố Hồ Chí Minh", "agency")]),
    ("chỉ đạo Phòng Cảnh sát điều tra tội phạm về ma túy và file Word",
     [("Phòng Cảnh sát điều tra tội phạm về ma túy",
       "Phòng Cảnh sát điều tra tội phạm về ma túy", "agency")]),
    ("Sở Nội vụ tại Tờ trình số 303/TTr-SNV", [("Sở Nội vụ", "Sở Nội vụ", "agency")]),
    ("Chi cục Hải quan Lâm Đồng đóng trên địa bàn",
     [("Chi cục Hải quan Lâm Đồng", "Chi cục Hải quan Lâm Đồng", "agency")]),
    ("Hãng phim Tài liệu và khoa học Trung ương, UBND các phường, xã và các đơn vị liên quan",
     [("Hãng phim Tài liệu và khoa học Trung ương", "Hãng phim Tài liệu và khoa học Trung ương",
       "agency"), ("UBND các phường, xã", "UBND các phường, xã", "group"),
      ("các đơn vị liên quan", "các đơn vị liên quan", "group")]),
    ("Văn phòng Bộ Công an (V01)", [("Văn phòng Bộ Công an", "Văn phòng Bộ Công an", "agency"),
                                    ("V01", "Văn phòng Bộ Công an", "agency")]),
    ("Chỉ đạo Công an các huyện, thị xã, thành phố và Trung tâm Y tế các huyện",
     [("Công an các huyện, thị xã, thành phố", "Công an các huyện, thị xã, thành phố", "group"),
      ("Trung tâm Y tế các huyện", "Trung tâm Y tế các huyện", "group")]),
    ("Cục Hải quan tỉnh, Cục Thuế tỉnh Quảng Nam, Phòng Văn hóa và Thông tin huyện Gia Lộc",
     [("Cục Hải quan tỉnh", "Cục Hải quan tỉnh", "agency"),
      ("Cục Thuế tỉnh Quảng Nam", "Cục Thuế tỉnh Quảng Nam", "agency"),
      ("Phòng Văn hóa và Thông tin huyện Gia Lộc", "Phòng Văn hóa và Thông tin huyện Gia Lộc",
       "agency")]),
    ("Ban Chỉ đạo 138 tỉnh, Sở Y tế tỉnh tham mưu",
     [("Ban Chỉ đạo 138 tỉnh", "Ban Chỉ đạo 138 tỉnh", "agency"),
      ("Sở Y tế tỉnh", "Sở Y tế", "agency")]),
    ("sở y tế và công tác tổ chức thực hiện; Báo cáo kết quả; Hội nghị tổng kết", []),
    ("IV- TỔ CHỨC THỰC HIỆN", []),
    ("CÔNG TÁC BÌNH ĐẲNG GIỚI VÀ VÌ SỰ TIẾN BỘ PHỤ NỮ TỈNH HẢI DƯƠNG", []),  # a title's capitals
    ("UBND TỈNH LÂM ĐỒNG\nSỞ NỘI VỤ",  # header lines: the document's own place is kept on UBND
     [("UBND TỈNH LÂM ĐỒNG", "UBND tỉnh Lâm Đồng", "agency"),
      ("SỞ NỘI VỤ", "Sở Nội vụ", "agency")]),
])
def test_find_agencies(text: str, expected: list[tuple[str, str, str]]) -> None:
    got = [(m.text, m.canonical, m.kind) for m in mentions(text)]
    assert got == expected


def test_home_locality_from_the_header() -> None:
    assert home_locality("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\nSố: 12/KH-UBND") == "Lâm Đồng"
    assert home_locality("UBND TỈNH HẢI DƯƠNG\nSỞ TƯ PHÁP") == "Hải Dương"
    assert home_locality("BỘ CÔNG AN\nSố: 5240/BCA-V01\nHà Nội, ngày 23 tháng 11 năm 2025") is None


def test_own_locality_dropped_other_kept() -> None:
    text = ("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HÀ NỘI\n"
            "5. Công an thành phố Hà Nội\n- Phối hợp Sở Văn hóa và Thể thao Hà Nội và UBND "
            "tỉnh Điện Biên; báo cáo UBND Thành phố.")
    got = {m.text: m.canonical for m in mentions(text)}
    assert got["Công an thành phố Hà Nội"] == "Công an thành phố"
    assert got["Sở Văn hóa và Thể thao Hà Nội"] == "Sở Văn hóa và Thể thao"
    assert got["UBND tỉnh Điện Biên"] == "UBND tỉnh Điện Biên"
    assert got["UBND Thành phố"] == "UBND thành phố Hà Nội"


def test_kh580_section_iv_heading() -> None:
    text = corpus_text("kh_580_ubnd-haiduong_2020.txt")
    iv = text.index("TỔ CHỨC THỰC HIỆN")
    head = re.compile(r"^1- (Sở Lao động\s*-\s*Thương binh và Xã hội):", re.MULTILINE).search(
        text, iv)
    assert head is not None
    found = [m for m in mentions(text) if m.start == head.start(1)]
    assert [(m.end, m.canonical, m.kind) for m in found] == [(head.end(1), LDTBXH, "agency")]


@pytest.mark.parametrize("name", ["kh_580_ubnd-haiduong_2020.txt", "qd_773_ttg_2018.txt",
                                  "kh_173_ubnd-hanoi_2026.pdf"])
def test_mentions_are_ordered_disjoint_and_point_into_the_text(name: str) -> None:
    text = corpus_text(name)
    ms = mentions(text)
    assert len(ms) > 20
    for a, b in itertools.pairwise(ms):
        assert a.end <= b.start
    for m in ms:
        assert text[m.start:m.end] == m.text
        assert m.kind in ("agency", "group") and m.source in ("gazetteer", "pattern")
        assert m.canonical == unicodedata.normalize("NFC", m.canonical)
        assert "Ủy ban nhân dân" not in m.canonical and "\n" not in m.canonical


# --- groups -------------------------------------------------------------------------------

def test_group_members_and_expansion() -> None:
    assert group_members("các sở, ban, ngành khác có liên quan") == ("@level=province",)
    assert "UBND huyện *" in group_members("Ủy ban nhân dân các huyện, thị xã, thành phố")
    assert group_members("một nhóm nghệ sĩ") == ()
    known = ["UBND huyện Gia Lộc", "Sở Y tế", "UBND thành phố Hải Dương", "Công an tỉnh"]
    assert expand_group("UBND các huyện, thị xã, thành phố", known) == \
        ["UBND huyện Gia Lộc", "UBND thành phố Hải Dương"]
    assert expand_group("các sở, ban, ngành", known) == ["Sở Y tế", "Công an tỉnh"]


# --- the data files -----------------------------------------------------------------------

def test_gazetteer_rows_are_sound() -> None:
    rows = agencies()
    assert len(rows) > 150
    names = by_canonical()
    iso = re.compile(r"\d{4}-\d{2}-\d{2}$")
    for a in rows:
        assert a.kind == "agency"
        for d in (a.valid_from, a.valid_to):
            assert d is None or iso.match(d), (a.canonical, d)
        if a.valid_from and a.valid_to:
            assert a.valid_from <= a.valid_to
        if a.successor:
            assert a.successor in names, (a.canonical, a.successor)
            assert a.valid_to, a.canonical
    # one spelling names one body
    assert all(len(v) == 1 for v in agency_index().values())
    for g in groups():
        assert g.canonical and all(m.endswith("*") or m.startswith("@") or m in names
                                   for m in g.members), g.canonical
    assert key("Sở Văn hoá - Thể thao & Du lịch") == key("sở văn hóa thể thao du lịch")


# --- against the hand-written gold --------------------------------------------------------

def _k(s: str) -> str:
    return re.sub(r"[\s\-–—_.,;:()“”\"']+", " ", fold(s)).strip()


def _gold_share() -> dict[str, tuple[int, int]]:
    tally = {"agency": [0, 0], "group": [0, 0]}
    for path in sorted(GOLD.glob("*.json")):
        gold = json.loads(path.read_text("utf-8"))
        names = {n for d in gold.get("duties", []) for n in d["lead"] + d.get("support", [])}
        if not names:
            continue
        found = {_k(m.canonical) for m in mentions(corpus_text(gold["document"]))}
        for n in names:
            kind = "group" if n[0].islower() or re.match(r"(UBND|HĐND) (các|cấp) ", n) else "agency"
            tally[kind][0] += _k(n) in found
            tally[kind][1] += 1
    return {k: (v[0], v[1]) for k, v in tally.items()}


def test_gold_owner_names_are_found() -> None:
    share = _gold_share()
    print({k: f"{a}/{b}" for k, (a, b) in share.items()})
    a, b = share["agency"]
    assert b > 50 and a / b >= 0.85
    g, h = share["group"]
    assert h > 50 and g / h >= 0.7
