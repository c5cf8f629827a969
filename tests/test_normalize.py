import unicodedata

import pytest

from pipeline.document.normalize import fix_tone_placement, fold, is_upper_text, normalize_text


@pytest.mark.parametrize("raw,want", [
    ("hoà bình", "hòa bình"),
    ("Uỷ ban nhân dân", "Ủy ban nhân dân"),
    ("UỶ BAN", "ỦY BAN"),
    ("khoẻ mạnh", "khỏe mạnh"),
    ("thuỷ lợi", "thủy lợi"),
    ("quý I", "quý I"),            # qu + y: the tone belongs on y
    ("hoàn thành", "hoàn thành"),  # closed syllable: the same in both styles
    ("thuyết minh", "thuyết minh"),
    ("Hoà", "Hòa"),
    ("hòa", "hòa"),
])
def test_tone_placement(raw, want):
    assert fix_tone_placement(raw) == want


def test_nfd_becomes_nfc_and_same_length_offsets():
    nfd = unicodedata.normalize("NFD", "Ủy ban nhân dân tỉnh Lâm Đồng")
    out = normalize_text(nfd)
    assert out == "Ủy ban nhân dân tỉnh Lâm Đồng"
    assert unicodedata.is_normalized("NFC", out)


@pytest.mark.parametrize("raw,want", [
    ("  a \u00a0 b  ", "a b"),
    ("a\u200bb\ufeff", "ab"),
    ("Nơi nhận:\t\t\tKT. CHỦ TỊCH", "Nơi nhận:\tKT. CHỦ TỊCH"),
    ("x\r\ny", "x\ny"),
])
def test_whitespace(raw, want):
    assert normalize_text(raw) == want


def test_fold_is_accent_insensitive():
    assert fold("Bình đẳng GIỚI") == "binh dang gioi"
    assert fold("ĐẢNG") == "dang"


@pytest.mark.parametrize("text,upper", [
    ("KẾ HOẠCH", True), ("Số: 580/KH-UBND", False), ("Hải Dương", False), ("TỈNH HẢI DƯƠNG", True),
])
def test_is_upper_text(text, upper):
    assert is_upper_text(text) is upper
