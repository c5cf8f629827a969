"""Duties from small documents: structure, sentences, tables and closing requests."""
from __future__ import annotations

import pytest

from conftest import plan_tasks

HEAD = ["Số: 1/KH-UBND", "Hải Dương, ngày 02 tháng 3 năm 2020", "KẾ HOẠCH",
        "Triển khai công tác năm 2020"]


def tasks(*paras: str, cells: list[tuple[int, int, str]] = ()) -> list[dict]:
    return plan_tasks(HEAD, paras, cells)


def test_agency_heading_gives_its_lettered_items():
    out = tasks("IV. TỔ CHỨC THỰC HIỆN", "1. Sở Tư pháp:",
                "a) Chủ trì, phối hợp với Sở Nội vụ rà soát văn bản.",
                "b) Tổ chức tập huấn trước ngày 30/6/2020.",
                "2. Công an tỉnh: Kiểm tra, xử lý vi phạm hằng quý.")
    got = [(t["id"], t["lead"], t["support"], t["deadline"], t["recurrence"]) for t in out]
    assert got == [
        ("IV.1.a", ["Sở Tư pháp"], ["Sở Nội vụ"], None, None),
        ("IV.1.b", ["Sở Tư pháp"], [], "2020-06-30", None),
        ("IV.2", ["Công an tỉnh"], [], None, "quarterly"),
    ]
    doc_text = "\n".join(HEAD + ["IV. TỔ CHỨC THỰC HIỆN", "1. Sở Tư pháp:",
                                 "a) Chủ trì, phối hợp với Sở Nội vụ rà soát văn bản."])
    first = out[0]
    assert doc_text[first["start"]:first["end"]] == first["text"]


def test_content_items_without_owner_are_not_duties():
    assert tasks("II. NỘI DUNG", "1. Tuyên truyền về bình đẳng giới.", "- Tổ chức hội thảo.") == []


def test_owner_sentence_and_official():
    out = tasks("1. Giao Sở Y tế chủ trì, phối hợp với Sở Tài chính xây dựng đề án.",
                "2. Bộ trưởng Bộ Tài chính ban hành đơn giá tối đa.")
    assert [(t["lead"], t["support"]) for t in out] == [
        (["Sở Y tế"], ["Sở Tài chính"]), (["Bộ Tài chính"], [])]


def test_closing_request_gives_one_duty_per_deadline():
    out = tasks("I. MỤC ĐÍCH", "1. Nâng cao nhận thức.",
                "Trên đây là Kế hoạch; yêu cầu các sở, ban, ngành và UBND các huyện, thị xã, thành phố "
                "xây dựng kế hoạch trước ngày 25/3/2020; định kỳ gửi báo cáo về Sở Lao động - "
                "Thương binh và Xã hội.",
                "(Báo cáo 6 tháng gửi trước ngày 10/6 và báo cáo năm gửi trước ngày 10/12/2020.)")
    assert [t["deadline"] for t in out] == ["2020-03-25", "2020-06-10", "2020-12-10"]
    assert all("UBND các huyện, thị xã, thành phố" in t["lead"] for t in out)


def test_task_table_rows():
    out = tasks(cells=[(0, 0, "STT"), (0, 1, "Nội dung"), (0, 2, "Đơn vị chủ trì"),
                       (0, 3, "Đơn vị phối hợp"), (0, 4, "Thời gian"),
                       (1, 0, "1"), (1, 1, "Tổ chức hội nghị tổng kết"), (1, 2, "Sở Nội vụ"),
                       (1, 3, "Sở Tài chính"), (1, 4, "trước ngày 15/12/2020")])
    assert [(t["text"], t["lead"], t["support"], t["deadline"]) for t in out] == [
        ("Tổ chức hội nghị tổng kết", ["Sở Nội vụ"], ["Sở Tài chính"], "2020-12-15")]


def test_request_items_give_the_duty_its_deadline():
    """A duty that announces its items takes the deadline they give, and no more."""
    letter = ["Kính gửi:", "- Sở Tài chính.",
              "Thực hiện chỉ đạo của UBND tỉnh, Sở Nội vụ đề nghị các sở báo cáo tổng kết "
              "công tác năm 2025, như sau:"]
    items = ["1. Nội dung: kết quả thực hiện các nhiệm vụ.",
             "2. Về mốc thời gian: số liệu từ ngày 15/12/2024 đến ngày 14/12/2025.",
             "3. Báo cáo gửi về Sở Nội vụ trước ngày 20/12/2025 để tổng hợp.",
             "Nơi nhận:", "- Như trên;"]
    out = tasks(*letter, *items)
    assert [(t["lead"], t["deadline"]) for t in out] == [(["Sở Tài chính"], "2025-12-20")]
    assert out[0]["text"].endswith("như sau:")  # the span stays the duty's own text
    # items that give no deadline (only a period of figures) leave the duty without one
    out = tasks(*letter, *items[:2], *items[3:])
    assert [t["deadline"] for t in out] == [None]


_ASK = ("Thực hiện chỉ đạo của UBND tỉnh, Sở Nội vụ đề nghị {who} báo cáo tổng kết công tác "
        "năm 2025, gửi về Sở Nội vụ trước ngày 20/12/2025.")
_TO = ["Sở Tài chính", "Sở Kế hoạch và Đầu tư", "UBND các huyện, thị xã, thành phố"]


@pytest.mark.parametrize("head, who, lead", [
    # the addressees as a bullet list: every one of them leads, none is a duty itself
    (["Kính gửi:", "- Sở Tài chính;", "- Sở Kế hoạch và Đầu tư;",
      "- UBND các huyện, thị xã, thành phố."], "các cơ quan, đơn vị", _TO),
    # inline, on the "Kính gửi" line
    (["Kính gửi: Sở Tài chính; Sở Kế hoạch và Đầu tư; UBND các huyện, thị xã, thành phố."],
     "các cơ quan, đơn vị", _TO),
    # a request naming one of the addressees is that addressee's
    (["Kính gửi:", "- Sở Tài chính;", "- UBND các huyện, thị xã, thành phố."],
     "UBND các huyện, thị xã, thành phố", ["UBND các huyện, thị xã, thành phố"]),
    # no addressees (a plan's closing paragraph): the group named stays the owner
    ([], "các cơ quan, đơn vị", ["các cơ quan, đơn vị"]),
], ids=["bullet-list", "inline", "one-addressee-named", "no-letter"])
def test_a_letters_request_goes_to_its_addressees(head, who, lead):
    ask = _ASK.format(who=who)
    thanks = "Sở Nội vụ đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực hiện./."  # no duty
    out = tasks(*head, ask, thanks, "Nơi nhận:", "- Như trên;")
    assert [(t["lead"], t["deadline"]) for t in out] == [(lead, "2025-12-20")]
    assert ask.endswith(out[0]["text"] + ".")  # the duty's span is the request alone


def test_ocr_damaged_deadline_cue_on_the_real_scan():
    from conftest import extracted

    out = extracted("cv_5240_bca-v01_2025.pdf")
    assert [t["deadline"] for t in out["tasks"]] == ["2025-12-20"]
    assert any(d["value"] == "2025-12-20" and d["cue"] == "before" for d in out["dates"])
