import pytest

from pipeline.document.assemble import assemble
from pipeline.document.model import RawBlock, Source
from pipeline.document.outline import label_at

SRC = Source(path="x.txt", sha256="0", format="txt")


@pytest.mark.parametrize("text,style,value", [
    ("I. MỤC ĐÍCH", "roman", "I"),
    ("III- KINH PHÍ", "roman", "III"),
    ("IV - TỔ CHỨC", "roman", "IV"),
    ("1. Sở Tư pháp", "dec", "1"),
    ("12- Đài Phát thanh", "dec", "12"),
    ("1.1. Để chuẩn bị", "dec2", "1.1"),
    ("2.3.1 Nội dung", "dec3", "2.3.1"),
    ("a) Chủ trì", "letter", "a"),
    ("đ) Thực hiện", "letter", "đ"),
    ("- Duy trì", "dash", "-"),
    ("+ Tổ chức", "plus", "+"),
    ("Điều 5. Trách nhiệm", "dieu", "5"),
    ("Chương II", "chuong", "II"),
])
def test_labels(text, style, value):
    lab = label_at(text)
    assert lab is not None and (lab.style, lab.value) == (style, value)


@pytest.mark.parametrize("text", [
    "V/v triển khai", "1.000 người tham gia", "15/11/2020 là ngày", "2020. Năm", "Việt Nam",
    "Ông Nguyễn Văn A", "--------",
])
def test_not_labels(text):
    assert label_at(text) is None


def _outline(*paras):
    doc = assemble([RawBlock(p) for p in paras], SRC)
    return [(n.id, n.level) for n in doc.flat_outline()], doc


def test_ids_and_levels():
    ids, _ = _outline("I. MỤC ĐÍCH", "1. Một", "2. Hai", "a) A", "- gạch", "b) B",
                      "IV. TỔ CHỨC THỰC HIỆN", "1- Sở Tư pháp:", "a) Chủ trì", "b) Phối hợp")
    assert ids == [("I", 1), ("I.1", 2), ("I.2", 2), ("I.2.a", 3), ("I.2.a.-1", 4), ("I.2.b", 3),
                   ("IV", 1), ("IV.1", 2), ("IV.1.a", 3), ("IV.1.b", 3)]


def test_subnumbers_nest_under_their_parent():
    ids, _ = _outline("II. NỘI DUNG", "1. Tuyên truyền", "1.1. Tập huấn", "1.2. Hội thảo", "2. Kiểm tra")
    assert [i for i, _ in ids] == ["II", "II.1", "II.1.1", "II.1.2", "II.2"]


def test_attached_plan_restarts_the_outline():
    ids, _ = _outline("Điều 1. Ban hành", "Điều 2. Hiệu lực", "KẾ HOẠCH", "I. MỤC ĐÍCH", "1. Mục đích")
    assert [i for i, _ in ids] == ["D1", "D2", "I", "I.1"]


def test_spans_cover_sections():
    _, doc = _outline("I. A", "1. x", "II. B")
    first = doc.outline[0]
    assert doc.text[first.start:first.head_end] == "I. A"
    assert doc.text[first.start:first.end].rstrip("\n") == "I. A\n1. x"


def test_docx_numbering_label_becomes_visible_text():
    doc = assemble([RawBlock("Sở Tư pháp:", label="1.")], SRC)
    assert doc.text == "1. Sở Tư pháp:"
    assert doc.blocks[0].kind == "list_item"
    assert doc.outline[0].id == "1"


def test_kh580_outline(corpus_dir):
    from pipeline.readers import read_document

    doc = read_document(corpus_dir / "kh_580_ubnd-haiduong_2020.txt")
    ids = [n.id for n in doc.flat_outline()]
    for want in ["I", "II", "II.1.1", "III", "IV", "IV.1", "IV.1.a", "IV.1.g", "IV.15"]:
        assert want in ids
    node = next(n for n in doc.flat_outline() if n.id == "IV.1")
    assert doc.text[node.start:node.head_end].startswith("1- Sở Lao động - Thương binh và Xã hội")


def test_part_ordinals_become_numbers():
    ids, _ = _outline("Phần thứ nhất", "I. KẾT QUẢ", "Phần thứ hai", "1. Phương hướng")
    assert [i for i, _ in ids] == ["P1", "P1.I", "P2", "P2.1"]


def test_recipients_list_is_not_outline():
    ids, _ = _outline("IV. TỔ CHỨC", "1- Sở Tư pháp: kiểm tra.", "Trên đây là Kế hoạch.", "Nơi nhận:",
                      "- Bộ Tư pháp;", "- Lưu: VT.", "KẾ HOẠCH", "I. MỤC ĐÍCH")
    assert [i for i, _ in ids] == ["IV", "IV.1", "I"]
