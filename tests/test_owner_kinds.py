"""Owners outside the gazetteer (issue 19 kind 2): the subject's noun phrase at the head of
an item is its owner, up to the verb of the duty; the gazetteer only canonicalises."""
import pytest

from extractors.duties_owners import subject_phrase


@pytest.mark.parametrize("text, owners", [
    # kh_310 (blind) V.1: a heading of owners, then its items
    ("Ban Quản lý các khu công nghệ cao và khu công nghiệp\n- Chủ trì, phối hợp …",
     ("Ban Quản lý các khu công nghệ cao và khu công nghiệp",)),
    # kh_144 (blind) VI.18.a: the sentence stops at the duty's verb
    ("Doanh nghiệp viễn thông, bưu chính ưu tiên đầu tư nâng cấp hạ tầng số",
     ("Doanh nghiệp viễn thông, bưu chính",)),
    # kh_144 VI.15: mass organisations, one owner per capitalised name
    ("Liên đoàn Lao động, Hội Nông dân, Liên minh Hợp tác xã\na) Xây dựng kế hoạch",
     ("Liên đoàn Lao động", "Hội Nông dân", "Liên minh Hợp tác xã")),
    # kh_144 VI.12: a name the gazetteer would cut short ("Ngân hàng Nhà nước")
    ("Ngân hàng nhà nước khu vực XII\n- Chủ động triển khai",
     ("Ngân hàng nhà nước khu vực XII",)),
    ("Các chủ đầu tư dự án có trách nhiệm bố trí kinh phí", ("các chủ đầu tư dự án",)),
    ("Công ty TNHH MTV Đầu tư, Xây dựng và Kinh doanh dịch vụ Quảng Ngãi chủ trì, phối hợp",
     ("Công ty TNHH MTV Đầu tư, Xây dựng và Kinh doanh dịch vụ Quảng Ngãi",)),
])
def test_subject_phrase(text, owners):
    got = subject_phrase(text, 0, len(text))
    assert got is not None and got[1] == owners


@pytest.mark.parametrize("text", [
    "Doanh nghiệp số\nPhát triển các doanh nghiệp số là lực đẩy chủ đạo",  # a topic heading
    "Doanh nghiệp công nghệ số là lực lượng tiên phong trong kiến tạo hạ tầng",  # a statement
    "Nhà cung cấp dịch vụ giám định ADN: là các đơn vị sự nghiệp công lập",  # a definition
    "Hội nghị đã thống nhất",  # "Hội" only before a name
])
def test_not_a_subject(text):
    assert subject_phrase(text, 0, len(text)) is None


# --- whole items, from the real sentences of the blind set ----------------------------

from pipeline.document.assemble import assemble  # noqa: E402
from extractors import extract_json  # noqa: E402
from pipeline.document.model import RawBlock, Source  # noqa: E402

_SRC = Source(path="x.txt", sha256="0", format="txt")


def _tasks(head: list[str], *paras: str) -> list[dict]:
    return extract_json(assemble([RawBlock(p) for p in head + list(paras)], _SRC))["tasks"]


_QD = ["Số: 1009/QĐ-TTg", "Hà Nội, ngày 23 tháng 9 năm 2024", "QUYẾT ĐỊNH",
       "Phê duyệt nhiệm vụ điều chỉnh quy hoạch"]
_CV = ["Số: 299/UBND-KTN", "Quảng Ngãi, ngày 20 tháng 01 năm 2025"]
_KH = ["Số: 310/KH-UBND", "Hà Nội, ngày 10 tháng 10 năm 2025", "KẾ HOẠCH",
       "Phát triển hạ tầng viễn thông"]


@pytest.mark.parametrize("line, lead", [
    # qd_1009_ttg_2024 (blind) Điều 1 mục 8: the role lines, OCR accents and all
    ("- Cơ quan thẩm định: Bộ Xây dựng.", ["Bộ Xây dựng"]),
    ("- Cơ quan thâm định: Bộ Xây dựng.", ["Bộ Xây dựng"]),
    ("- Cơ quan trình duyệt: Ủy ban nhân dân tỉnh Lạng Sơn.", ["UBND tỉnh Lạng Sơn"]),
    ("- Cơ quan tô chức lập quy hoạch: Ban quản lý Khu kinh tế cửa khâu Đồng Đăng - Lạng Sơn",
     ["Ban quản lý Khu kinh tế cửa khâu Đồng Đăng - Lạng Sơn"]),
    # the approving level is the issuer itself, not a duty
    ("- Cấp phê duyệt: Thủ tướng Chính phủ.", None),
])
def test_role_line_of_a_decision(line, lead):
    out = _tasks(_QD, "Điều 1. Phê duyệt nhiệm vụ", "8. Tổ chức thực hiện", line)
    got = [t["lead"] for t in out if t["kind"] == "duty"]
    assert got == ([] if lead is None else [lead])


@pytest.mark.parametrize("item, lead", [
    # cv_299_ubnd-quangngai_2025 (blind) item 2
    ("2. Căn cứ quy định tại khoản 4 Điều 14 và Điều 27 Nghị định số 161/2024/NĐ-CP ngày "
     "18/12/2024 của Chính phủ; giao Sở Nông nghiệp và Phát triển nông thôn rà soát Danh mục "
     "TTHC thay thế, phối hợp với Sở Giao thông vận tải tham mưu công bố đúng thời hạn.",
     ["Sở Nông nghiệp và Phát triển nông thôn"]),
    ("2. Căn cứ Nghị định số 161/2024/NĐ-CP, giao Sở Nông nghiệp và Phát triển nông thôn chủ "
     "trì, phối hợp với Sở Giao thông vận tải tham mưu công bố.",
     ["Sở Nông nghiệp và Phát triển nông thôn"]),
    # what was handed over before is no duty
    ("2. Căn cứ hồ sơ được giao Sở Tài chính lưu trữ theo quy định.", None),
    ("2. Việc bàn giao Sở Tài chính quản lý tài sản đã hoàn thành.", None),
])
def test_giao_inside_an_item(item, lead):
    out = _tasks(_CV, "1. Sở Tư pháp rà soát văn bản.", item)
    got = [t["lead"] for t in out if t["id"] == "2"]
    assert got == ([] if lead is None else [lead])


@pytest.mark.parametrize("item, lead", [
    # kh_310_ubnd-hanoi_2025 (blind) section IV
    ("- Đối với hạng mục đầu tư hạ tầng kỹ thuật viễn thông thụ động (bao gồm nhà, trạm, cột "
     "ăng ten), thiết bị/mạng viễn thông: Do các doanh nghiệp đầu tư, triển khai bằng nguồn vốn "
     "của doanh nghiệp.", ["các doanh nghiệp"]),
    ("- Đối với các ứng dụng IoT trong quản lý, sản xuất của các nhà máy trong khu công nghệ cao, "
     "khu công nghiệp, cụm công nghiệp: Do các nhà đầu tư chủ động tự đảm bảo kinh phí.",
     ["các nhà đầu tư"]),
    # no one named: a rule of funding, not a duty
    ("- Đối với công trình, hạng mục đầu tư xây dựng công trình ngầm hạ tầng kỹ thuật sử dụng "
     "chung: Ưu tiên sử dụng Ngân sách Thành phố hoặc theo hình thức Hợp tác công tư (PPP).", None),
])
def test_doi_voi_items_name_who_bears_them(item, lead):
    out = _tasks(_KH, "IV. KINH PHÍ THỰC HIỆN", item)
    assert [t["lead"] for t in out] == ([] if lead is None else [lead])


def test_heading_group_owns_its_items_and_keeps_phuong_xa():
    out = _tasks(_KH, "V. TỔ CHỨC THỰC HIỆN",
                 "4. Các Sở, ban, ngành của Thành phố, UBND phường, xã",
                 "- Phối hợp với Sở Xây dựng tổ chức thực hiện kế hoạch theo đúng quy định.",
                 "- Phối hợp, hướng dẫn các doanh nghiệp viễn thông thực hiện việc xây dựng.")
    assert [t["lead"] for t in out] == [["các Sở, ban, ngành của Thành phố", "UBND phường, xã"]] * 2


@pytest.mark.parametrize("text, group", [
    ("UBND phường, xã", "UBND phường, xã"),
    ("UBND xã, phường thực hiện", "UBND xã, phường"),
])
def test_council_before_bare_levels_is_a_group(text, group):
    from extractors.nlp import get_nlp
    from extractors.owners import find_agencies
    got = [(text[m.start:m.end], m.kind) for m in find_agencies(get_nlp().make_doc(text))]
    assert got == [(group, "group")]


def test_council_with_a_place_is_one_agency():
    from extractors.nlp import get_nlp
    from extractors.owners import find_agencies
    text = "UBND phường Ba Đình, xã Sóc Sơn"
    assert [m.canonical for m in find_agencies(get_nlp().make_doc(text))][0] == "UBND phường Ba Đình"
