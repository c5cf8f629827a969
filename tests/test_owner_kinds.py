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
