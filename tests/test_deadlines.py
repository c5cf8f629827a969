"""Deadlines as plans give them (issue 19): dates, periods, ranges, recurrences, times of
day, a task table's deadline column, and a parent item's deadline for its sub-items.

Each case is (text, issue date) → (deadline, deadline_source, period, recurrence,
deadline_time). The sentences and cells are copied from real plans: KH 552/KH-UBND
(Đồng Tháp, 2025), TB 11 and TB 565 (UBND Quảng Ngãi), QĐ 773/QĐ-TTg, and the examples of
tests/gold/CONVENTIONS.md.
"""
from __future__ import annotations

import pytest

from conftest import plan_tasks

from extractors.dates import find_dates
from extractors.dates_temporal import field_temporal, temporal_facts


def _y(start: str, end: str) -> dict:
    return {"start": start, "end": end}


Y2026 = _y("2026-01-01", "2026-12-31")

# --- a task table's deadline cell ("Thời hạn", "Thời gian thực hiện", "Tiến độ") -----------
CELL_CASES = [
    # KH 552/KH-UBND Đồng Tháp, issued 19/11/2025: its "THỜI GIAN" column
    ("2026", "2025-11-19", ("2026-12-31", "period_end", Y2026, None, None)),
    ("2025 - 2035", "2025-11-19",
     ("2035-12-31", "period_end", _y("2025-01-01", "2035-12-31"), None, None)),
    ("2025 - 2030", "2025-11-19",
     ("2030-12-31", "period_end", _y("2025-01-01", "2030-12-31"), None, None)),
    ("Thường xuyên", "2025-11-19", (None, None, None, None, None)),
    # the periods of issue 19
    ("Trong năm 2026", "2026-01-05", ("2026-12-31", "period_end", Y2026, None, None)),
    ("Năm 2026", "2026-01-05", ("2026-12-31", "period_end", Y2026, None, None)),
    ("Quý I/2026", "2026-01-05",
     ("2026-03-31", "period_end", _y("2026-01-01", "2026-03-31"), None, None)),
    ("Tháng 4/2026", "2026-01-05",
     ("2026-04-30", "period_end", _y("2026-04-01", "2026-04-30"), None, None)),
    ("6 tháng đầu năm 2026", "2026-01-05",
     ("2026-06-30", "period_end", _y("2026-01-01", "2026-06-30"), None, None)),
    ("6 tháng cuối năm 2026", "2026-01-05",
     ("2026-12-31", "period_end", _y("2026-07-01", "2026-12-31"), None, None)),
    ("Năm 2026 - 2030", "2026-01-05",
     ("2030-12-31", "period_end", _y("2026-01-01", "2030-12-31"), None, None)),
    ("Giai đoạn 2026-2030", "2026-01-05",
     ("2030-12-31", "period_end", _y("2026-01-01", "2030-12-31"), None, None)),
    ("Từ tháng 3 đến tháng 6/2026", "2026-01-05",
     ("2026-06-30", "period_end", _y("2026-03-01", "2026-06-30"), None, None)),
    # dates written in the cell: stated; a partial date takes the plan's year, or the next
    ("trước 30/4", "2026-01-05", ("2026-04-30", "stated", None, None, None)),
    ("30/4", "2026-01-05", ("2026-04-30", "stated", None, None, None)),
    ("trước 30/4", "2025-11-19", ("2026-04-30", "stated", None, None, None)),
    ("Trước ngày 15/12/2025", "2025-11-19", ("2025-12-15", "stated", None, None, None)),
    ("Chậm nhất ngày 15/5/2026", "2026-01-05", ("2026-05-15", "stated", None, None, None)),
    # recurrences are no deadlines
    ("Hằng năm", "2026-01-05", (None, None, None, "annual", None)),
    ("Định kỳ hằng quý", "2026-01-05", (None, None, None, "quarterly", None)),
    ("", "2026-01-05", (None, None, None, None, None)),
]


@pytest.mark.parametrize("cell,issued,want", CELL_CASES)
def test_deadline_cell(cell, issued, want):
    t = field_temporal(cell, issued)
    assert (t.deadline, t.source, t.period, t.recurrence, t.time) == want


# --- a duty's own text ------------------------------------------------------------------
TEXT_CASES = [
    # TB 11/TB-UBND Quảng Ngãi, 2025: a conclusion's deadline; "trong năm 2025" earlier in
    # the item is the plan's period, the written date wins
    (("Trường hợp đảm bảo điều kiện cổ phần hóa thì đề xuất kế hoạch thực hiện cổ phần hóa "
      "trong năm 2025 đảm bảo khả thi. Hoàn thành và báo cáo UBND tỉnh (thông qua Sở Tài "
      "chính, Sở Kế hoạch và Đầu tư) trước ngày 08/02/2025."), "2025-01-08",
     ("2025-02-08", "stated", None, None, None)),
    # TB 565/TB-UBND Quảng Ngãi, 2024
    (("kịp thời báo cáo Sở Lao động - Thương binh và Xã hội trước 30/11/2024 để tổng hợp "
      "tiếp tục báo cáo Thanh tra Bộ Lao động - Thương binh và Xã hội."), "2024-11-15",
     ("2024-11-30", "stated", None, None, None)),
    # the day of the meeting is no deadline, though "tiến độ" comes after it
    (("Ngày 12/11/2024, tại trụ sở UBND tỉnh, Phó Chủ tịch UBND tỉnh Võ Phiên chủ trì cuộc họp "
      "nghe báo cáo tiến độ triển khai thực hiện 02 Chương trình MTQG."), "2024-11-15",
     (None, None, None, None, None)),
    # KH 552/KH-UBND Đồng Tháp, 2025: a stated date that recurs
    (("Sở Khoa học và Công nghệ tổng hợp, báo cáo Ủy ban nhân dân Tỉnh và Bộ Khoa học và "
      "Công nghệ trước ngày 30/11 hằng năm."), "2025-11-19",
     ("2025-11-30", "stated", None, "annual", None)),
    # QĐ 773/QĐ-TTg, 2018: a quarter
    (("Chủ trì xây dựng Đề án phát triển các cơ sở nuôi dưỡng, điều dưỡng người có công với "
      "cách mạng, trình Thủ tướng Chính phủ trong quý 1/2019."), "2018-06-26",
     ("2019-03-31", "period_end", _y("2019-01-01", "2019-03-31"), None, None)),
    # ... and a range of years that is history, not a period of the plan
    (("Phối hợp với các cơ quan liên quan nghiên cứu, ban hành chính sách đối với người tham "
      "gia kháng chiến trong giai đoạn 1974 - 1975 nhưng chưa đủ thời gian được cấp Huy "
      "chương."), "2018-06-26", (None, None, None, None, None)),
    # CONVENTIONS.md: a letter's ask with its time of day
    ("Các bộ gửi báo cáo về Văn phòng Chính phủ trước 14 giờ ngày 08 tháng 10 năm 2025.",
     "2025-10-06", ("2025-10-08", "stated", None, None, "14:00")),
    # CĐ 2003 (Văn phòng Chính phủ, 2025): the time before a comma
    (("Các Bộ, cơ quan, địa phương dự Hội nghị đúng thành phần được mời; cử 01 cán bộ đi cùng "
      "Lãnh đạo dự Hội nghị; xác nhận đại biểu tham dự Hội nghị qua hộp thư điện tử "
      "dangkyhop@chinhphu.vn trước 14 giờ, ngày 08 tháng 10 năm 2025 để tổng hợp, báo cáo Thủ "
      "tướng Chính phủ./."), "2025-10-06", ("2025-10-08", "stated", None, None, "14:00")),
    ("Báo cáo kết quả về Bộ Nội vụ trước 16h00 ngày 10/10/2025.", "2025-10-06",
     ("2025-10-10", "stated", None, None, "16:00")),
    ("Gửi Sở Tài chính chậm nhất 17 giờ 30 phút, ngày 20/10/2025.", "2025-10-06",
     ("2025-10-20", "stated", None, None, "17:30")),
    ("Rà soát, hoàn thành xong trước 30/6.", "2026-01-05",
     ("2026-06-30", "stated", None, None, None)),
    ("Các sở gửi báo cáo về Sở Nội vụ chậm nhất ngày 15/5.", "2026-01-05",
     ("2026-05-15", "stated", None, None, None)),
    # periods in running text, governed by a cue or a deadline label
    ("Trong năm 2026, hoàn thành việc rà soát, sắp xếp các đơn vị sự nghiệp.", "2026-01-05",
     ("2026-12-31", "period_end", Y2026, None, None)),
    ("Xây dựng cơ sở dữ liệu dân cư, hoàn thành trong 6 tháng đầu năm 2026.", "2026-01-05",
     ("2026-06-30", "period_end", _y("2026-01-01", "2026-06-30"), None, None)),
    ("Triển khai Đề án chuyển đổi số.\n- Thời gian thực hiện: giai đoạn 2026 - 2030.",
     "2026-01-05", ("2030-12-31", "period_end", _y("2026-01-01", "2030-12-31"), None, None)),
    ("Tổ chức tập huấn nghiệp vụ.\n- Tiến độ: Tháng 4/2026.", "2026-01-05",
     ("2026-04-30", "period_end", _y("2026-04-01", "2026-04-30"), None, None)),
    ("Tổ chức Hội nghị sơ kết 6 tháng vào tháng 6/2026.", "2026-01-05",
     ("2026-06-30", "period_end", _y("2026-06-01", "2026-06-30"), None, None)),
    ("Xây dựng Đề án.\n- Thời gian thực hiện: 2026 - 2030.", "2026-01-05",
     ("2030-12-31", "period_end", _y("2026-01-01", "2030-12-31"), None, None)),
    ("Duy trì hoạt động của Tổ công tác đến hết năm 2026.", "2026-01-05",
     ("2026-12-31", "period_end", Y2026, None, None)),
    ("Rà soát, hoàn thành ngày 30/6/2026.", "2026-01-05", ("2026-06-30", "stated", None, None, None)),
    # years that are no period of the duty: a report's year, a plan's horizon
    ("Báo cáo đánh giá kết quả công tác Bình đẳng giới năm 2020 gửi trước ngày 10/12/2020.",
     "2020-03-02", ("2020-12-10", "stated", None, None, None)),
    (("Tổ chức sơ kết, tổng kết các chương trình, kế hoạch, đề án về thực hiện công tác dân "
      "số và phát triển giai đoạn đến năm 2030."), "2025-11-21", (None, None, None, None, None)),
    ("Thực hiện Nghị quyết số 57-NQ/TW.\n- Thời gian: theo Quyết định số 20/2025/QĐ-UBND.",
     "2025-11-21", (None, None, None, None, None)),
    ("Đánh giá kết quả thực hiện trong thời gian qua, năm 2024 và đề xuất giải pháp.",
     "2025-11-21", (None, None, None, None, None)),
    ("Triển khai Kế hoạch thực hiện Chiến lược giai đoạn 2021 - 2030 tại địa phương.",
     "2025-11-21", (None, None, None, None, None)),
    ("Tổ chức thi tốt nghiệp trong năm học 2025 - 2026 theo hướng dẫn.", "2025-09-01",
     (None, None, None, None, None)),
    # recurrences: no deadline
    ("Thường xuyên kiểm tra, đôn đốc việc thực hiện.", "2026-01-05",
     (None, None, None, None, None)),
    ("Định kỳ hằng quý báo cáo kết quả về Sở Nội vụ.", "2026-01-05",
     (None, None, None, "quarterly", None)),
    # a window of days keeps no deadline (tests/gold: KH 173 III.3.1)
    ("Tổ chức Tháng hành động từ ngày 15/11 đến ngày 15/12 đạt kết quả.", "2020-03-02",
     (None, None, _y("2020-11-15", "2020-12-15"), None, None)),
]


@pytest.mark.parametrize("duty,issued,want", TEXT_CASES)
def test_duty_text_deadline(duty, issued, want):
    text = "Mở đầu.\n" + duty + "\nNơi nhận:"
    start = text.index(duty)
    t = temporal_facts(text, start, start + len(duty), find_dates(text, int(issued[:4])), issued)
    assert (t.deadline, t.source, t.period, t.recurrence, t.time) == want


# --- whole documents: parents' deadlines and task tables --------------------------------------
HEAD = ["Số: 12/KH-UBND", "Cần Thơ, ngày 05 tháng 01 năm 2026", "KẾ HOẠCH",
        "Triển khai công tác năm 2026"]


def _tasks(*paras: str, cells: list[tuple[int, int, str]] = ()) -> list[dict]:
    return plan_tasks(HEAD, paras, cells)


def _facts(t: dict) -> tuple:
    return t["id"], t["deadline"], t["deadline_source"], t["period"]


def test_sub_items_take_their_parents_deadline_unless_they_give_their_own():
    out = _tasks("III. TỔ CHỨC THỰC HIỆN",
                 "1. Sở Y tế: hoàn thành trước ngày 30/6/2026 các nhiệm vụ sau:",
                 "a) Xây dựng kế hoạch truyền thông về dân số.",
                 "b) Tổ chức tập huấn cho cán bộ y tế cơ sở, hoàn thành trong quý III/2026.",
                 "2. Sở Tài chính: trong năm 2026 thực hiện:",
                 "a) Bố trí kinh phí thực hiện Kế hoạch.",
                 "b) Hướng dẫn thanh quyết toán kinh phí trước ngày 31/3/2026.",
                 "3. Sở Nội vụ:",
                 "a) Rà soát tổ chức bộ máy thường xuyên.")
    got = [_facts(t) for t in out if t["id"].count(".") == 2]
    assert got == [
        ("III.1.a", "2026-06-30", "stated", None),
        ("III.1.b", "2026-09-30", "period_end", _y("2026-07-01", "2026-09-30")),
        ("III.2.a", "2026-12-31", "period_end", Y2026),
        ("III.2.b", "2026-03-31", "stated", None),
        ("III.3.a", None, None, None),
    ]


def test_task_table_deadline_column():
    header = [(0, 0, "STT"), (0, 1, "Nhiệm vụ"), (0, 2, "Cơ quan chủ trì"),
              (0, 3, "Cơ quan phối hợp"), (0, 4, "Thời gian hoàn thành")]
    rows = [("Rà soát cơ chế, chính sách khuyến khích đổi mới công nghệ", "Sở Tài chính", "2026"),
            ("Phát triển hệ sinh thái đổi mới sáng tạo", "Sở Khoa học và Công nghệ", "2026 - 2030"),
            ("Tổ chức hội nghị sơ kết thực hiện Kế hoạch", "Sở Nội vụ", "Quý I/2026"),
            ("Báo cáo kết quả thực hiện Kế hoạch", "Sở Y tế", "trước 30/4"),
            ("Nghiên cứu, tư vấn, phản biện chính sách", "Sở Công Thương", "Thường xuyên")]
    cells = list(header)
    for r, (what, lead, when) in enumerate(rows, 1):
        cells += [(r, 0, str(r)), (r, 1, what), (r, 2, lead), (r, 3, "Các sở, ngành"), (r, 4, when)]
    out = _tasks(cells=cells)
    assert [(t["lead"], t["deadline"], t["deadline_source"], t["period"]) for t in out] == [
        (["Sở Tài chính"], "2026-12-31", "period_end", Y2026),
        (["Sở Khoa học và Công nghệ"], "2030-12-31", "period_end", _y("2026-01-01", "2030-12-31")),
        (["Sở Nội vụ"], "2026-03-31", "period_end", _y("2026-01-01", "2026-03-31")),
        (["Sở Y tế"], "2026-04-30", "stated", None),
        (["Sở Công Thương"], None, None, None),
    ]


def test_task_table_row_with_its_group_heading_run_in():
    """KH 552 (a web copy's one-bar-per-line table): a group's heading and its first item
    come as one row of more cells than the header; the last cells are the header's."""
    cells = [(0, 0, "STT"), (0, 1, "NHIỆM VỤ VÀ GIẢI PHÁP"), (0, 2, "CHỦ TRÌ"),
             (0, 3, "PHỐI HỢP"), (0, 4, "THỜI GIAN"),
             (1, 0, "II"), (1, 1, "HỖ TRỢ VÀ PHÁT TRIỂN CÔNG NGHỆ"), (1, 2, "1"),
             (1, 3, "Xây dựng chương trình hỗ trợ nghiên cứu, ứng dụng, chuyển giao, đổi mới "
                    "công nghệ cao cho doanh nghiệp, hợp tác xã, hộ sản xuất."),
             (1, 4, "Sở Khoa học và Công nghệ"), (1, 5, "Sở, ban, ngành có liên quan"), (1, 6, "2026")]
    [t] = _tasks(cells=cells)
    assert t["text"].startswith("Xây dựng chương trình hỗ trợ")
    assert (t["lead"], t["deadline"], t["deadline_source"]) == (
        ["Sở Khoa học và Công nghệ"], "2026-12-31", "period_end")


ANNEX = ["PHỤ LỤC",
         "PHÂN CÔNG THỰC HIỆN CÁC CHỈ TIÊU PHÁT TRIỂN KINH TẾ SỐ, XÃ HỘI SỐ ĐẾN NĂM 2030",
         "(Ban hành kèm theo Kế hoạch số 144/KH-UBND ngày 24 tháng 11 năm 2025 của UBND tỉnh "
         "Bắc Ninh)"]


def test_annex_heading_gives_its_period_to_rows_without_their_own():
    """KH 144 Bắc Ninh: the annex "… ĐẾN NĂM 2030" of a plan for giai đoạn 2026-2030 gives
    every row 2030-12-31 (period_end), the period starting with the plan's; a row's own
    Thời hạn cell wins, "Thường xuyên" too."""
    cells = [(0, 0, "TT"), (0, 1, "Chỉ tiêu"), (0, 2, "Chủ trì"), (0, 3, "Thời hạn"),
             (1, 0, "1"), (1, 1, "Kinh tế số chiếm 45% GRDP tỉnh."), (1, 2, "Sở Tài chính"),
             (1, 3, ""),
             (2, 0, "2"), (2, 1, "Tỷ lệ doanh nghiệp có hoạt động đổi mới sáng tạo đạt tối thiểu 40%"),
             (2, 2, "Sở Khoa học và Công nghệ"), (2, 3, "Quý I/2026"),
             (3, 0, "3"), (3, 1, "Rà soát, cập nhật danh mục dữ liệu mở của tỉnh"),
             (3, 2, "Sở Nội vụ"), (3, 3, "Thường xuyên")]
    plan = "UBND tỉnh ban hành Kế hoạch Phát triển kinh tế số, xã hội số giai đoạn 2026-2030."
    out = [t for t in _tasks(plan, *ANNEX, cells=cells) if t["source"] == "table"]
    assert [(t["lead"], t["deadline"], t["deadline_source"], t["period"]) for t in out] == [
        (["Sở Tài chính"], "2030-12-31", "period_end", _y("2026-01-01", "2030-12-31")),
        (["Sở Khoa học và Công nghệ"], "2026-03-31", "period_end", _y("2026-01-01", "2026-03-31")),
        (["Sở Nội vụ"], None, None, None),
    ]
    # without the plan's range, "đến năm 2030" has no start
    [first, *_] = [t for t in _tasks(*ANNEX, cells=cells) if t["source"] == "table"]
    assert (first["deadline"], first["period"]) == ("2030-12-31", {"start": None, "end": "2030-12-31"})
