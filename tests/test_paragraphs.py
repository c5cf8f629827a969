from pipeline.document.doctypes import type_line_re
from pipeline.document.paragraphs import join_lines


def test_web_copy_title_and_body_are_joined():
    lines = ["KẾ HOẠCH", "THỰC", "HIỆN CHƯƠNG TRÌNH QUỐC GIA", "HẢI DƯƠNG NĂM 2020",
             "Thực hiện sự chỉ đạo của Bộ Lao động Thương binh và", "Xã hội tại văn bản số 458,",
             "UBND tỉnh ban hành kế hoạch như sau:", "I. MỤC ĐÍCH, YÊU CẦU",
             "1. Tăng cường sự lãnh đạo, chỉ đạo của các cấp ủy Đảng,",
             "chính quyền các cấp.", "2. Đẩy mạnh công tác tuyên truyền."]
    assert join_lines(lines, heading_types=type_line_re()) == [
        "KẾ HOẠCH",
        "THỰC HIỆN CHƯƠNG TRÌNH QUỐC GIA HẢI DƯƠNG NĂM 2020",
        "Thực hiện sự chỉ đạo của Bộ Lao động Thương binh và Xã hội tại văn bản số 458, "
        "UBND tỉnh ban hành kế hoạch như sau:",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Tăng cường sự lãnh đạo, chỉ đạo của các cấp ủy Đảng, chính quyền các cấp.",
        "2. Đẩy mạnh công tác tuyên truyền.",
    ]


def test_header_capitals_stay_apart_before_the_type_line():
    lines = ["UBND TỈNH LÂM ĐỒNG", "SỞ NỘI VỤ", "Số: 12/KH-SNV"]
    assert join_lines(lines, heading_types=type_line_re()) == lines


def test_article_heading_and_appendix_break():
    lines = ["Điều 1. Phạm vi điều chỉnh", "Luật này quy định về phòng, chống ma túy.",
             "(Đã ký)", "Nguyễn Đức Chi", "Phụ lục I."]
    out = join_lines(lines, heading_types=type_line_re())
    assert out[0] == "Điều 1. Phạm vi điều chỉnh"
    assert out[-1] == "Phụ lục I."


def test_date_line_is_not_glued_to_the_number_line():
    out = join_lines(["Số: 118/2025/TT-BTC", "Hà Nội, ngày 15 tháng 12 năm 2025"])
    assert out == ["Số: 118/2025/TT-BTC", "Hà Nội, ngày 15 tháng 12 năm 2025"]
