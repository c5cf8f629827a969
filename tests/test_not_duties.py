"""What is a duty and who owns it (issue 19, kinds 2–6), on real sentences from plans,
letters and telegrams of other offices (cd_2003, cd_217, qd_773, qd_93, kh_173, kh_580):
is it a duty, its lead and support, its kind and its receiver. See tests/gold/CONVENTIONS.md."""
from __future__ import annotations

import pytest

from extractors import extract_json
from pipeline.document.assemble import assemble
from pipeline.document.model import RawBlock, Source

SRC = Source(path="x.txt", sha256="0", format="txt")
PLAN = ["Số: 1/KH-UBND", "Hà Nội, ngày 02 tháng 3 năm 2025", "KẾ HOẠCH", "Triển khai năm 2025"]
TELEGRAM = ["Số: 2003/CĐ-VPCP", "Hà Nội, ngày 07 tháng 10 năm 2025", "CÔNG ĐIỆN",
            "mời dự Hội nghị triển khai Chương trình",
            "VĂN PHÒNG CHÍNH PHỦ điện:",
            "- Các Bộ: Công an, Quốc phòng, Ngoại giao, Tư pháp, Nội vụ, Công Thương, Tài chính, "
            "Nông nghiệp và Môi trường, Xây dựng, Khoa học và Công nghệ, Y tế, Văn hóa, Thể thao "
            "và Du lịch, Giáo dục và Đào tạo, Dân tộc và Tôn giáo;",
            "- Tòa án nhân dân tối cao;",
            "- Viện kiểm sát nhân dân tối cao;",
            "- Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương."]


def tasks(head: list[str], *paras: str) -> list[dict]:
    return extract_json(assemble([RawBlock(p) for p in head + list(paras)], SRC))["tasks"]


def row(t: dict) -> tuple:
    return (t["lead"], t["support"], t["kind"], t.get("receiver"))


def test_a_telegrams_addressee_list_is_not_duties():
    assert tasks(TELEGRAM) == []


def test_an_attendee_list_is_not_duties_but_the_ask_in_it_is():
    out = tasks(TELEGRAM,
                "II. Địa điểm: Trực tiếp tại Trụ sở Chính phủ.",
                "1. Dự tại điểm cầu Trụ sở Chính phủ (Phòng Hội đàm, Tầng 2, Nhà 9 tầng):",
                "- Thủ tướng Chính phủ Phạm Minh Chính.",
                "- Ủy ban Trung ương Mặt trận tổ Quốc Việt Nam.",
                "- Tòa án nhân dân tối cao.",
                "- Các cơ quan thuộc Chính phủ: Đài Truyền hình Việt Nam, Đài Tiếng nói Việt Nam, "
                "Thông tấn xã Việt Nam.",
                "- Ủy ban nhân dân các tỉnh, thành phố chịu trách nhiệm kết nối đường truyền trực "
                "tuyến đến Trụ sở Ủy ban nhân dân cấp xã.")
    assert [(t["id"], t["lead"]) for t in out] == [
        ("II.1.-5", ["UBND các tỉnh, thành phố"])]


def test_a_telegrams_real_ask_is_the_addressees_duty_with_its_receiver():
    out = tasks(TELEGRAM,
                "III. Văn phòng Chính phủ trân trọng đề nghị:",
                "1. Bộ Y tế: Mời đại diện lãnh đạo một số đơn vị thuộc Bộ Y tế cùng dự Hội nghị; "
                "Tổng hợp danh sách các thành phần do Bộ Y tế mời gửi Văn phòng Chính phủ trước "
                "14 giờ ngày 08 tháng 10 năm 2025 để tổng hợp báo cáo Thủ tướng Chính phủ.",
                "2. Các Bộ, cơ quan, địa phương dự Hội nghị đúng thành phần được mời; xác nhận "
                "đại biểu tham dự Hội nghị trước 14 giờ, ngày 08 tháng 10 năm 2025 để tổng hợp, "
                "báo cáo Thủ tướng Chính phủ./.")
    assert [row(t) for t in out] == [
        (["Bộ Y tế"], [], "duty", "Văn phòng Chính phủ"),
        (["các Bộ", "Tòa án nhân dân tối cao", "Viện kiểm sát nhân dân tối cao",
          "UBND các tỉnh, thành phố trực thuộc Trung ương"], [], "duty", None)]
    assert [t["deadline"] for t in out] == ["2025-10-08", "2025-10-08"]


@pytest.mark.parametrize("sentence, lead, receiver", [
    # kh_580: the sở owe the report, Sở LĐTBXH receives it
    ("Trên đây là Kế hoạch; yêu cầu các sở, ban, ngành và UBND các huyện, thị xã, thành phố "
     "định kỳ gửi báo cáo về Sở Lao động - Thương binh và Xã hội trước ngày 10/12/2025.",
     ["các sở, ban, ngành", "UBND các huyện, thị xã, thành phố"],
     "Sở Lao động - Thương binh và Xã hội"),
    # an agency never owes a report to itself
    ("Trên đây là Kế hoạch; yêu cầu Sở Y tế, Sở Tư pháp gửi báo cáo về Sở Tư pháp "
     "trước ngày 10/12/2025.", ["Sở Y tế"], "Sở Tư pháp"),
    # "để tổng hợp, báo cáo X": what the receiver does next, not the receiver
    ("Trên đây là Kế hoạch; yêu cầu Sở Y tế xác nhận đại biểu trước ngày 10/12/2025 "
     "để tổng hợp, báo cáo Thủ tướng Chính phủ.", ["Sở Y tế"], None),
])
def test_the_body_a_report_is_sent_to_is_the_receiver(sentence, lead, receiver):
    out = tasks(PLAN, "I. MỤC ĐÍCH", "1. Nâng cao nhận thức.", sentence)
    assert [(t["lead"], t.get("receiver")) for t in out] == [(lead, receiver)]


def test_a_receiver_that_compiles_and_reports_has_its_own_duty():
    # qd_773: the ministries report to Bộ LĐTBXH, which compiles and reports to the PM
    out = tasks(PLAN, "I. MỤC ĐÍCH", "1. Nâng cao nhận thức.",
                "Hàng năm, các bộ, ngành và Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung "
                "ương báo cáo kết quả thực hiện về Bộ Lao động - Thương binh và Xã hội tổng hợp, "
                "báo cáo Thủ tướng Chính phủ./.")
    assert [row(t) for t in out] == [
        (["các bộ, ngành", "UBND các tỉnh, thành phố trực thuộc trung ương"], [], "duty",
         "Bộ Lao động - Thương binh và Xã hội"),
        (["Bộ Lao động - Thương binh và Xã hội"], [], "duty", "Thủ tướng Chính phủ")]


@pytest.mark.parametrize("clause", [
    # qd_773 / qd_93
    "Điều 3. Các Bộ trưởng, Thủ trưởng cơ quan ngang Bộ, Thủ trưởng cơ quan thuộc Chính phủ, "
    "Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương chịu trách nhiệm thi "
    "hành Quyết định này./.",
    "Điều 3. Chánh Văn phòng UBND tỉnh, Giám đốc Sở Tài chính, Giám đốc Sở Y tế chịu trách "
    "nhiệm thi hành Quyết định này kể từ ngày 01/7/2025./.",
])
def test_the_enforcement_clause_is_kept_as_enforcement_without_deadline(clause):
    head = ["Số: 7/QĐ-UBND", "Hà Nội, ngày 02 tháng 3 năm 2025", "QUYẾT ĐỊNH", "Ban hành quy định"]
    out = tasks(head, "Điều 1. Ban hành kèm theo Quyết định này Quy định.",
                "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.", clause)
    assert len(out) == 1
    assert out[0]["kind"] == "enforcement" and out[0]["deadline"] is None
    assert out[0]["lead"]


def test_social_professional_organisations_are_not_communes():
    # qd_773 III.16: the heading names the owners, the paragraph under it is their duty
    out = tasks(PLAN, "III. TỔ CHỨC THỰC HIỆN",
                "16. Các tổ chức chính trị - xã hội, tổ chức xã hội, tổ chức xã hội - nghề nghiệp, "
                "doanh nghiệp và cộng đồng.",
                "Khuyến khích các tổ chức chính trị - xã hội, xã hội - nghề nghiệp, các đoàn thể "
                "quần chúng, doanh nghiệp, cộng đồng trong và ngoài nước tham gia vào các hoạt "
                "động đền ơn đáp nghĩa.")
    assert len(out) == 1
    assert "Khuyến khích" in out[0]["text"]
    assert out[0]["lead"] == ["các tổ chức chính trị - xã hội", "tổ chức xã hội",
                              "tổ chức xã hội - nghề nghiệp", "doanh nghiệp", "cộng đồng"]
    assert "xã" not in out[0]["lead"]


def test_other_groups_are_kept_as_written_with_khac():
    out = tasks(PLAN, "III. TỔ CHỨC THỰC HIỆN",
                "1. Sở Y tế: Chủ trì tổ chức tập huấn.",
                "2. Các sở, ban, ngành khác: Căn cứ vào chức năng nhiệm vụ, phối hợp với các "
                "bộ, ban, ngành liên quan tổ chức, triển khai thực hiện Kế hoạch.")
    assert [t["lead"] for t in out] == [["Sở Y tế"], ["các sở, ban, ngành khác"]]


def test_closing_asks_with_their_asker_and_provinces_as_owners():
    # kh_173: two asks in one sentence; provinces named as owners are their UBND
    out = tasks(PLAN, "I. MỤC ĐÍCH", "1. Nâng cao nhận thức.",
                "Trên đây là Kế hoạch. UBND thành phố Hà Nội đề nghị Đài Truyền hình Việt Nam, "
                "Thành phố Hồ Chí Minh, tỉnh Điện Biên, Ban Tuyên giáo và Dân vận Thành ủy phối "
                "hợp chỉ đạo triển khai; yêu cầu các Sở, ban, ngành Thành phố, UBND các xã, "
                "phường thực hiện nghiêm các nhiệm vụ được giao trong Kế hoạch.")
    assert [t["lead"] for t in out] == [
        ["Đài Truyền hình Việt Nam", "UBND thành phố Hồ Chí Minh", "UBND tỉnh Điện Biên",
         "Ban Tuyên giáo và Dân vận Thành ủy"],
        ["các Sở, ban, ngành Thành phố", "UBND các xã, phường"]]
    assert out[0]["text"].startswith("UBND thành phố Hà Nội đề nghị")
