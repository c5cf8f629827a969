"""pipeline.readers.encoding: decoding text files, legacy TCVN3/VNI repair, table round-trips."""
from __future__ import annotations

import html
import importlib.util
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest

from pipeline.readers.encoding import (
    convert_legacy,
    convert_legacy_words,
    decode_bytes,
    encode_legacy,
    is_vietnamese_syllable,
    legacy_table,
    looks_legacy,
    repair_legacy,
)

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "encodings"
CORPUS = ROOT / "corpus"
ORIGINAL = (FIX / "passage.utf8.txt").read_text("utf-8")

_spec = importlib.util.spec_from_file_location("make_fixtures", FIX / "make_fixtures.py")
make_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_fixtures)

# ------------------------------------------------------------------ the 134 letter forms

VOWELS = "a ă â e ê i o ô ơ u ư y".split()
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
FORMS = sorted({unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES} - set("aeiouy")
               | {"đ"})
ALL_FORMS = FORMS + [f.upper() for f in FORMS]


def syllables(upper: bool = False) -> list[str]:
    """One valid syllable per vowel form ("hà", "hằn", "hy", ...) plus "đi"."""
    words = []
    for v in VOWELS:
        for t in TONES:
            form = unicodedata.normalize("NFC", v + t)
            words.append("h" + form + ("n" if v in "ăâ" else ""))
    words.append("đi")
    return [w.upper() for w in words] if upper else words


LOWER = " ".join(syllables())
UPPER = " ".join(syllables(upper=True))
TITLE = " ".join(w[0].upper() + w[1:] for w in syllables())


def test_forms_are_all_134_and_the_sentences_hold_them():
    assert len(ALL_FORMS) == 134
    for form in ALL_FORMS:
        assert form in LOWER + " " + UPPER


# ------------------------------------------------------------------ tables


def test_tcvn3_table_is_single_bytes_to_distinct_letters():
    table = legacy_table("tcvn3")
    assert len(table) == 74  # 67 lowercase forms with đ + 7 toneless capitals
    assert all(len(k) == 1 and 0xA1 <= ord(k) <= 0xFE for k in table)
    assert len(set(table.values())) == len(table)
    assert set(FORMS) <= set(table.values())
    assert set("ĂÂĐÊÔƠƯ") <= set(table.values())


def test_vni_table_covers_every_form_once():
    table = legacy_table("vni")
    assert sorted(table.values()) == sorted(ALL_FORMS)
    assert all(1 <= len(k) <= 2 for k in table)


@pytest.mark.parametrize("legacy, unicode_", [
    ("Uû ban nh©n d©n", "Uỷ ban nhân dân"),
    ("Quy\u00d5t \u00ae\u00denh c\u00f1a B\u00e9 tr\u00ad\u00ebng", "Quyết định của Bộ trưởng"),
])
def test_tcvn3_known_strings(legacy, unicode_):
    assert convert_legacy(legacy, "tcvn3") == unicode_


@pytest.mark.parametrize("legacy, unicode_", [
    ("Ñieàu 1. Phaïm vi ñieàu chænh", "Điều 1. Phạm vi điều chỉnh"),
    ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
    ("ÑÔN TRÌNH BAÙO", "ĐƠN TRÌNH BÁO"),
    ("Ñaø Naüng, Haø Noäi", "Đà Nẵng, Hà Nội"),
])
def test_vni_known_strings(legacy, unicode_):
    assert convert_legacy(legacy, "vni") == unicode_


# ------------------------------------------------------------------ round-trips


@pytest.mark.parametrize("label", ["tcvn3", "vni"])
@pytest.mark.parametrize("sentence", [LOWER, UPPER], ids=["lower", "upper"])
def test_round_trip_through_table(label, sentence):
    legacy = encode_legacy(sentence, label)
    assert legacy.isascii() is False and all(ord(c) < 256 for c in legacy)
    assert convert_legacy(legacy, label) == sentence


@pytest.mark.parametrize("label", ["tcvn3", "vni"])
@pytest.mark.parametrize("sentence", [LOWER, UPPER, TITLE], ids=["lower", "upper", "title"])
def test_round_trip_through_bytes(label, sentence):
    text, got = decode_bytes(encode_legacy(sentence, label).encode("cp1252"))
    assert (text, got) == (sentence, label)


def test_vni_round_trips_title_case_with_toned_capital_first():
    words = " ".join(f[0].upper() + "n" for f in FORMS if f != "đ")  # "Àn Án Ản ..."
    assert convert_legacy(encode_legacy(words, "vni"), "vni") == words


@pytest.mark.parametrize("sentence", [LOWER, UPPER, TITLE], ids=["lower", "upper", "title"])
def test_cp1258_as_windows_writes_it(sentence):
    data = make_fixtures.cp1258_windows(sentence)
    assert any(b in data for b in (0xCC, 0xD2, 0xDE, 0xEC, 0xF2))  # combining tone bytes
    assert decode_bytes(data) == (sentence, "cp1258")


# TCVN3 has no codes for toned capitals: these are restored only from context.
@pytest.mark.parametrize("unicode_, decoded", [
    ("TỈNH HẢI DƯƠNG", "TỈNH HẢI DƯƠNG"),        # other letters are capitals
    ("ỦY BAN NHÂN DÂN", "ỦY BAN NHÂN DÂN"),      # toned letter first, then capitals
    ("CỘNG HÒA XÃ HỘI", "CỘNG HÒA XÃ HỘI"),      # an all-capital line
    ("THỦ TƯỚNG | CỘNG HÒA XÃ HỘI Độc lập", "THỦ TƯỚNG | CỘNG HÒA XÃ HỘI Độc lập"),
    ("Số: 580/KH-UBND", "Số: 580/KH-UBND"),
    ("của Ủy ban nhân dân", "của ủy ban nhân dân"),  # lossy: title case, toned first
    ("Ở đây", "ở đây"),                              # lossy: lone toned capital
])
def test_tcvn3_capitals(unicode_, decoded):
    assert convert_legacy(encode_legacy(unicode_, "tcvn3"), "tcvn3") == decoded


def test_tcvn3_capital_font_flag():
    assert convert_legacy("uû ban nh©n d©n", "tcvn3", capitals=True) == "UỶ BAN NHÂN DÂN"


# ------------------------------------------------------------------ decode_bytes on fixtures


@pytest.mark.parametrize("name, label", [
    ("passage.utf8.txt", "utf-8"),
    ("passage.utf8-bom.txt", "utf-8"),
    ("passage.nfd.utf8.txt", "utf-8"),
    ("passage.utf16le-bom.txt", "utf-16"),
    ("passage.utf16le.txt", "utf-16"),
    ("passage.utf16be.txt", "utf-16"),
    ("passage.cp1258.txt", "cp1258"),
    ("passage.tcvn3.txt", "tcvn3"),
    ("passage.vni.txt", "vni"),
])
def test_decode_fixture(name, label):
    text, got = decode_bytes((FIX / name).read_bytes())
    assert got == label
    assert text == ORIGINAL
    assert unicodedata.is_normalized("NFC", text)


def test_fixtures_are_current():
    """The committed files are what make_fixtures.py writes (rerun it if this fails)."""
    for name, data in make_fixtures.fixtures().items():
        assert (FIX / name).read_bytes() == data, name


def test_fixture_passage_holds_the_header_lines():
    for line in ("ỦY BAN NHÂN DÂN", "Số: 580/KH-UBND", "Hải Dương, ngày 02 tháng 03 năm 2020"):
        assert line in ORIGINAL.splitlines()


@pytest.mark.parametrize("data", [
    (FIX / "garbage.bin").read_bytes(),
    b"\x00" * 1000,
    bytes(range(32)) * 20,
    b"PK\x03\x04" + (FIX / "garbage.bin").read_bytes()[:1000],
], ids=["random", "nuls", "controls", "zip-like"])
def test_binary_data_raises(data):
    with pytest.raises(ValueError, match=r"dữ liệu nhị phân, không phải chữ: \d+ trong \d+ ký tự"):
        decode_bytes(data)


def test_decode_edge_cases():
    assert decode_bytes(b"") == ("", "utf-8")
    assert decode_bytes(b"Plain ASCII text.\n") == ("Plain ASCII text.\n", "utf-8")
    # one stray byte in a UTF-8 file does not turn it into mojibake
    broken = ORIGINAL.encode("utf-8") + b"\xff" + ORIGINAL.encode("utf-8")
    text, label = decode_bytes(broken)
    assert label == "utf-8" and text.startswith(ORIGINAL)
    # 8-bit text that is not Vietnamese
    french = "Le café est très élégant; naïve façade — « déjà vu ».\n".encode("cp1252")
    assert decode_bytes(french) == (french.decode("cp1252"), "latin-1")


def test_decode_html_by_content_not_name():
    page = ("<html><head><meta charset='windows-1252'></head><body><p>"
            + ORIGINAL.replace("\n", "</p><p>") + "</p></body></html>")
    data = encode_legacy(page, "vni").encode("cp1252")
    assert decode_bytes(data) == (page, "vni")


# ------------------------------------------------------------------ repair_legacy


def _docx_paragraphs(path: Path) -> str:
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    paras = re.findall(r"<w:p[\s>].*?</w:p>", xml, flags=re.S)
    return "\n".join(html.unescape("".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", p)))
                     for p in paras)


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")) + sorted(CORPUS.glob("*.docx")),
                         ids=lambda p: p.name)
def test_repair_leaves_unicode_corpus_alone(path):
    text = path.read_text("utf-8") if path.suffix == ".txt" else _docx_paragraphs(path)
    assert len(text) > 1000
    assert looks_legacy(text) is None
    out, label = repair_legacy(text)
    assert label is None and out == text
    for para in text.splitlines():  # also when applied per paragraph
        assert repair_legacy(para) == (para, None)


@pytest.mark.parametrize("name, label", [
    ("passage.tcvn3.txt", "tcvn3"),
    ("passage.vni.txt", "vni"),
    ("passage.cp1258.txt", "cp1258"),  # windows-1258 bytes misread as windows-1252
])
def test_repair_passage_read_as_cp1252(name, label):
    misread = (FIX / name).read_bytes().decode("cp1252")
    assert looks_legacy(misread) == label
    assert repair_legacy(misread) == (ORIGINAL, label)


@pytest.mark.parametrize("text, expected, label", [
    ("Uû ban nh©n d©n", "Uỷ ban nhân dân", "tcvn3"),
    ("B¸o c¸o tµi chÝnh quý II n¨m 2008", "Báo cáo tài chính quý II năm 2008", "tcvn3"),
    ("Ñieàu 1. Phaïm vi ñieàu chænh", "Điều 1. Phạm vi điều chỉnh", "vni"),
    ("ViÖt Nam", "Việt Nam", "tcvn3"),
    ("Vieät Nam", "Việt Nam", "vni"),
])
def test_repair_short_legacy_text(text, expected, label):
    assert repair_legacy(text) == (expected, label)


@pytest.mark.parametrize("text", [
    "và là có", "Tài chính", "café résumé", "1ª edición", "Nam Dinh", "", "Kích thước 5 µm",
])
def test_not_legacy(text):
    assert looks_legacy(text) is None
    assert repair_legacy(text) == (text, None)


def test_repair_converts_only_the_legacy_lines():
    unicode_line = "Căn cứ Luật Tổ chức chính quyền địa phương;"
    legacy_line = encode_legacy("Quyết định của Bộ trưởng Bộ Tài chính", "tcvn3")
    text = f"{unicode_line}\n{legacy_line}\nTài chính\n"
    assert repair_legacy(text) == (
        f"{unicode_line}\nQuyết định của Bộ trưởng Bộ Tài chính\nTài chính\n", "tcvn3")


def test_repair_with_known_label_converts_short_lines():
    # "Sè" alone is ambiguous (sè is a syllable too); a font-given label settles it
    assert repair_legacy("Sè: 580/KH-UBND") == ("Sè: 580/KH-UBND", None)
    assert repair_legacy("Sè: 580/KH-UBND", label="tcvn3") == ("Số: 580/KH-UBND", "tcvn3")


@pytest.mark.parametrize("word, ok", [
    ("việt", True), ("nghiêng", True), ("quyết", True), ("giữa", True), ("khuya", True),
    ("thuở", True), ("xoong", True), ("uỷ", True), ("ủy", True), ("Ủy", True),
    ("cỏc", False), ("nh©n", False), ("vieät", False), ("hello", False), ("ab", False),
])
def test_syllable_check(word, ok):
    assert is_vietnamese_syllable(word) is ok
    assert is_vietnamese_syllable(unicodedata.normalize("NFD", word)) is ok


# ------------------------------------------------------------------ a PDF text layer in TCVN3


def _pdf(lines: list[tuple[int, int, int, bytes]]) -> bytes:
    """A one-page PDF drawing ``(x, y, size, bytes)`` lines with the standard Times-Roman
    font (WinAnsi): a .VnTime document printed without its font's Unicode map, so the
    text layer holds the TCVN3 codes as Latin-1 letters."""
    def esc(b: bytes) -> bytes:
        return b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    content = b"".join(b"BT /F1 %d Tf %d %d Td (%s) Tj ET\n" % (size, x, y, esc(t))
                       for x, y, size, t in lines)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /Encoding /WinAnsiEncoding >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream"]
    out, offsets = b"%PDF-1.4\n", []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1, xref)


TCVN3_PAGE = [  # a plan's header in two columns, capitals included, and its body
    (70, 790, 12, "ỦY BAN NHÂN DÂN"), (300, 790, 12, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    (75, 775, 12, "TỈNH BẮC NINH"), (330, 775, 12, "Độc lập - Tự do - Hạnh phúc"),
    (80, 750, 12, "Số: 125/KH-UBND"), (320, 750, 12, "Bắc Ninh, ngày 15 tháng 3 năm 2020"),
    (260, 715, 13, "KẾ HOẠCH"),
    (120, 700, 12, "THỰC HIỆN CÔNG TÁC BÌNH ĐẲNG GIỚI NĂM 2020"),
    (70, 670, 12, "Căn cứ Luật Bình đẳng giới ngày 29 tháng 11 năm 2006;"),
    (70, 655, 12, "Các sở, ban, ngành căn cứ nhiệm vụ được giao xây dựng kế hoạch, báo cáo"),
    (70, 640, 12, "kết quả thực hiện chậm nhất ngày 10 tháng 12 năm 2020 để tổng hợp./."),
    (330, 600, 12, "TM. ỦY BAN NHÂN DÂN"), (350, 585, 12, "KT. CHỦ TỊCH"),
    (345, 570, 12, "PHÓ CHỦ TỊCH"), (345, 530, 12, "Nguyễn Văn Phong"),
]


def test_pdf_text_layer_in_tcvn3_reads_as_unicode(tmp_path: Path) -> None:
    from extractors.extraction import extract
    from pipeline.readers.registry import read_document

    path = tmp_path / "kh_tcvn3.pdf"
    path.write_bytes(_pdf([(x, y, size, encode_legacy(t, "tcvn3").encode("cp1252"))
                           for x, y, size, t in TCVN3_PAGE]))
    doc = read_document(path)
    assert doc.ocr_pages == ()
    assert any("legacy" in w for w in doc.warnings)
    lines = doc.text.split("\n")
    # capitals from the line's context, and "ư" (0xAD, given as "-" by pdfium) restored
    for want in ("ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "KẾ HOẠCH",
                 "THỰC HIỆN CÔNG TÁC BÌNH ĐẲNG GIỚI NĂM 2020", "TM. ỦY BAN NHÂN DÂN"):
        assert want in lines
    assert "nhiệm vụ được giao" in doc.text
    m = extract(doc).metadata
    assert (m.doc_type, m.symbol, m.issuer, m.place, m.date) == (
        "KH", "125/KH-UBND", "UBND tỉnh Bắc Ninh", "Bắc Ninh", "2020-03-15")
    assert m.signer.name == "Nguyễn Văn Phong"
    assert [(r.doc_type, r.title, r.date) for r in extract(doc).references] == [
        ("Luật", "Bình đẳng giới", "2006-11-29")]


@pytest.mark.parametrize("words, unicode_", [
    (["CéNG", "HßA", "X·", "HéI"], ["CỘNG", "HÒA", "XÃ", "HỘI"]),   # capitals from the line
    (["KÕ", "HO¹CH"], ["KẾ", "HOẠCH"]),
    (["nhiÖm", "vô", "®-îc", "giao,"], ["nhiệm", "vụ", "được", "giao,"]),  # "-" was 0xAD
    (["®Çu", "t-", "ng-êi"], ["đầu", "tư", "người"]),
    (["T¦íNG", "CHÝNH", "PHñ"], ["TƯỚNG", "CHÍNH", "PHỦ"]),
    (["Së", "L§-TB&XH"], ["Sở", "LĐ-TB&XH"]),                       # a real hyphen stays
    (["sè", "21-NQ/TW"], ["số", "21-NQ/TW"]),
    (["RÞa-Vòng", "Tµu"], ["Rịa-Vũng", "Tàu"]),
    (["-", "C¸c", "së"], ["-", "Các", "sở"]),
])
def test_convert_legacy_words_of_a_pdf_line(words: list[str], unicode_: list[str]) -> None:
    assert convert_legacy_words(words, "tcvn3") == unicode_
