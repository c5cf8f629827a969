import pytest

from extractors.casing import agency_case, sentence_case


@pytest.mark.parametrize("caps,want", [
    ("ỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG", "UBND tỉnh Hải Dương"),
    ("UBND TỈNH LÂM ĐỒNG", "UBND tỉnh Lâm Đồng"),
    ("SỞ NỘI VỤ", "Sở Nội vụ"),
    ("BỘ TÀI CHÍNH", "Bộ Tài chính"),
    ("BỘ CÔNG AN", "Bộ Công an"),
    ("THỦ TƯỚNG CHÍNH PHỦ", "Thủ tướng Chính phủ"),
    ("VĂN PHÒNG CHÍNH PHỦ", "Văn phòng Chính phủ"),
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI", "UBND thành phố Hà Nội"),
    ("TỔ CÔNG TÁC LIÊN NGÀNH TW", "Tổ Công tác liên ngành TW"),
    ("ỦY BAN NHÂN DÂN XÃ ĐỨC TRỌNG", "UBND xã Đức Trọng"),
])
def test_agency_case(caps, want):
    assert agency_case(caps) == want


def test_sentence_case_keeps_abbreviations_and_places():
    assert sentence_case("KẾT QUẢ TRIỂN KHAI ĐỀ ÁN 06 TRÊN ĐỊA BÀN TỈNH LÂM ĐỒNG THÁNG 8/2025") == \
        "Kết quả triển khai đề án 06 trên địa bàn tỉnh Lâm Đồng tháng 8/2025"
    assert sentence_case("PHÒNG, CHỐNG MA TÚY") == "Phòng, chống ma túy"
    assert sentence_case("Đã viết thường") == "Đã viết thường"
