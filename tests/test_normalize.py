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


@pytest.mark.parametrize("raw,want", [
    ("Quyết định số 1696/QÐ-TTg", "Quyết định số 1696/QĐ-TTg"),  # Latin eth U+00D0
    ("ðồng chí", "đồng chí"),
    ("Đồng Tháp", "Đồng Tháp"),  # the real Đ untouched
])
def test_lookalike_letters_become_vietnamese(raw, want):
    out = normalize_text(raw)
    assert out == want and len(out) == len(raw)


def test_a_symbol_typed_with_a_latin_eth_is_read_and_keyed_as_with_d_stroke():
    from extractors.references import find_references
    from pipeline.index.keys import symbol_key

    text = normalize_text("Căn cứ Quyết định số 1696/QÐ-TTg ngày 23/12/2015 của Thủ tướng "
                          "Chính phủ;")
    refs = find_references(text)
    assert [r.symbol for r in refs] == ["1696/QĐ-TTg"]
    assert symbol_key("1696/QÐ-TTg") == symbol_key("1696/QĐ-TTg") == "1696/QD-TTG"
    assert fold("QÐ") == fold("QĐ") == "qd"
