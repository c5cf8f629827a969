"""Dates, deadlines, periods, recurrences and date findings (extractors/dates*.py)."""
from __future__ import annotations

import json
import re
import time
from collections import Counter
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest

from extractors.dates import complete, find_dates
from extractors.dates_temporal import date_findings, temporal_facts
from pipeline.document.facts import DateMention
from pipeline.document.normalize import fold

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold"
GOLDEN = ROOT / "tests" / "golden"
KH580 = "kh_580_ubnd-haiduong_2020.txt"


# --- find_dates: (text, year) → [(text, value, kind, cue)] ---------------------------------
FIND_CASES = [
    ("Hải Dương, ngày 02 tháng 03 năm 2020", 2020,
     [("ngày 02 tháng 03 năm 2020", "2020-03-02", "full", None)]),
    ("Hà Nội, ngày 26 tháng 0 6 năm 2018", 2018,
     [("ngày 26 tháng 0 6 năm 2018", "2018-06-26", "full", None)]),
    ("NGÀY 19 THÁNG 7 NĂM 2017 CỦA BAN BÍ THƯ", None,
     [("NGÀY 19 THÁNG 7 NĂM 2017", "2017-07-19", "full", None)]),
    ("Quyết định số 1696/QĐ-TTg ngày 02/7/2015 của Thủ tướng", None,
     [("ngày 02/7/2015", "2015-07-02", "full", None)]),
    ("ký ngày 2-3-2020 và 02.3.2020", None,
     [("ngày 2-3-2020", "2020-03-02", "full", None), ("02.3.2020", "2020-03-02", "full", None)]),
    ("số liệu rừ ngày 15⁄12/2024 đến ngày 14/12/2025", None,
     [("ngày 15⁄12/2024", "2024-12-15", "full", None),
      ("ngày 14/12/2025", "2025-12-14", "full", "to")]),
    ("trước ngày 25/3/2020; Báo cáo 6 tháng gửi trước ngày 10/6", 2020,
     [("ngày 25/3/2020", "2020-03-25", "full", "before"), ("ngày 10/6", "2020-06-10", "partial", "before")]),
    ("Báo cáo 6 tháng gửi trước ngày 10/6", None, [("ngày 10/6", None, "partial", "before")]),
    ("tổ chức từ 15/11 đến 15/12.", 2020,
     [("15/11", "2020-11-15", "partial", "from"), ("15/12", "2020-12-15", "partial", "to")]),
    ("từ ngày 15/11 đến ngày 15/1/2021", 2020,
     [("ngày 15/11", "2020-11-15", "partial", "from"), ("ngày 15/1/2021", "2021-01-15", "full", "to")]),
    ("kỷ niệm ngày Quốc tế phụ nữ 8/3 và Ngày phụ nữ Việt Nam 20/10 năm 2019.", 2020,
     [("8/3", "2019-03-08", "partial", None), ("20/10 năm 2019", "2019-10-20", "full", None)]),
    ("chào mừng Ngày Giải phóng Thủ đô 10/10, đồng thời", 2026,
     [("10/10", "2026-10-10", "partial", None)]),
    ("“Ngày toàn dân phòng, chống ma túy” (26/6) và ngày thế giới phòng, chống AIDS |(01/12)…", 2026,
     [("26/6", "2026-06-26", "partial", None), ("01/12", "2026-12-01", "partial", None)]),
    ("Cách mạng Tháng Tám và Quốc khánh 2/9; đặc xá dịp 2/9.", 2025,
     [("2/9", "2025-09-02", "partial", None), ("2/9", "2025-09-02", "partial", None)]),
    ("thực hiện tháng 11/2020, tháng 11 năm 2020 và (tháng 6 hằng năm)", 2026,
     [("tháng 11/2020", "2020-11", "month", None), ("tháng 11 năm 2020", "2020-11", "month", None),
      ("tháng 6 hằng năm", "2026-06", "month", None)]),
    ("Lâm Đồng, ngày tháng 12 năm 2025", None, [("tháng 12 năm 2025", "2025-12", "month", None)]),
    ("hoàn thành trong tháng 11/2020", None, [("tháng 11/2020", "2020-11", "month", "in")]),
    ("trình Thủ tướng trong quý 1/2019; quý I/2020; từ quý II/2026; Quý IV năm 2025", None,
     [("quý 1/2019", "2019-Q1", "quarter", "in"), ("quý I/2020", "2020-Q1", "quarter", None),
      ("quý II/2026", "2026-Q2", "quarter", "from"), ("Quý IV năm 2025", "2025-Q4", "quarter", None)]),
    ("từ tháng 4 đến tháng 6/2026", 2025,
     [("tháng 4", "2026-04", "month", "from"), ("tháng 6/2026", "2026-06", "month", "to")]),
    ("trong tháng 11 và trong quý III", 2020,
     [("tháng 11", "2020-11", "month", "in"), ("quý III", "2020-Q3", "quarter", "in")]),
    ("Thời gian dự kiến: từ ngày 11/9 đến hết năm 2026.", 2026,
     [("ngày 11/9", "2026-09-11", "partial", "from"), ("hết năm 2026", "2026-12-31", "year_end", "to")]),
    ("hồ sơ trình chậm nhất vào ngày 30 tháng 10 hằng năm;", 2025,
     [("ngày 30 tháng 10 hằng năm", "2025-10-30", "partial", "before")]),
    ("được tính từ ngày 01 tháng 7 của năm đó", 2023,
     [("ngày 01 tháng 7 của năm đó", None, "partial", "from")]),
    ("Kế hoạch hành động số 3002/KH-UBND ngày 24/15/2015 của", 2020,
     [("ngày 24/15/2015", None, "invalid", None)]),
    ("Quyết định số 1464/QĐ-TTg ngày 22/72016 của", 2020,
     [("ngày 22/72016", "2016-07-22", "typo", None)]),
    ("Kế hoạch số 42/KH-UBND ngày 06/5/20216 của", 2026,  # 2016? 2021? 2026?
     [("ngày 06/5/20216", None, "typo", None)]),
    ("Nghị quyết ngày 06/5/20199 của", 2020, [("ngày 06/5/20199", "2019-05-06", "typo", None)]),
    ("hạn chót: 30/6/2021, kể từ ngày 01/7/2021, tính đến ngày 15/8/2025, không quá ngày 5/9/2025", None,
     [("30/6/2021", "2021-06-30", "full", "before"), ("ngày 01/7/2021", "2021-07-01", "full", "from"),
      ("ngày 15/8/2025", "2025-08-15", "full", "to"), ("ngày 5/9/2025", "2025-09-05", "full", "before")]),
]


@pytest.mark.parametrize("text,year,want", FIND_CASES)
def test_find_dates(text, year, want):
    got = find_dates(text, year)
    assert [(m.text, m.value, m.kind, m.cue) for m in got] == want
    for m in got:
        assert text[m.start:m.end] == m.text


NOT_DATES = [
    "Nghị định số 30/2020/NĐ-CP của Chính phủ",
    "Quyết định 1696/QĐ-TTg và Nghị quyết số 11-NQ/TW, Kế hoạch 08-CTr/TU",
    "đã triển khai 13/19 nhiệm vụ, có 29/35 đơn vị đạt",
    "đạt 100% (12/12), giảm 22 vụ (10/32)",
    "chiếm 1/3 số hộ, trong 10/12 huyện",
    "giai đoạn 2016-2020, 6 tháng đầu năm, tầm nhìn đến năm 2030",
    "mức 1,1 lần, 1.000.000 đồng, tỷ lệ 73,56%",
    "Số: 15/3/KH-UBND",
]


@pytest.mark.parametrize("text", NOT_DATES)
def test_not_dates(text):
    assert find_dates(text, 2020) == []


def test_complete_fills_year_later():
    [m] = find_dates("trước ngày 10/6", None)
    assert complete(m, 2020) == "2020-06-10"
    [q] = find_dates("trong quý III", None)
    assert complete(q, 2021) == "2021-Q3"


# --- temporal_facts: duty text → (deadline, period, recurrence) -------------------------
TEMPORAL_CASES = [
    (("yêu cầu các sở xây dựng Kế hoạch tại đơn vị, địa phương trước ngày 25/3/2020; định kỳ gửi "
      "báo cáo về Sở Lao động - Thương binh và Xã hội"), "2020-03-02", "2020-03-25", None, None),
    ("(Báo cáo 6 tháng gửi trước ngày 10/6", "2020-03-02", "2020-06-10", None, None),
    ("Báo cáo đánh giá kết quả công tác Bình đẳng giới năm 2020 gửi trước ngày 10/12/2020.)",
     "2020-03-02", "2020-12-10", None, None),
    # a month or quarter gives its last day, and is kept as the period (CONVENTIONS.md)
    ("Xây dựng đề án, hoàn thành trong tháng 11/2020.", "2020-03-02", "2020-11-30",
     {"start": "2020-11-01", "end": "2020-11-30"}, None),
    ("Xây dựng đề án, trình Thủ tướng Chính phủ quý I/2020.", "2019-10-01", "2020-03-31",
     {"start": "2020-01-01", "end": "2020-03-31"}, None),
    ("trình Thủ tướng Chính phủ trong quý 1/2019.", "2018-06-26", "2019-03-31",
     {"start": "2019-01-01", "end": "2019-03-31"}, None),
    ("Tổ chức Tháng hành động từ ngày 15/11 đến ngày 15/12 đạt kết quả.", "2020-03-02", None,
     {"start": "2020-11-15", "end": "2020-12-15"}, None),
    ("Hoạt động triển lãm\n- Thời gian dự kiến: từ ngày 11/9 đến hết năm 2026.", "2026-04-28", None,
     {"start": "2026-09-11", "end": "2026-12-31"}, None),
    ("Tổ chức các hoạt động truyền thông ngày 15/11 - 15/12/2020.", "2020-03-02", None,
     {"start": "2020-11-15", "end": "2020-12-15"}, None),
    ("Các đơn vị đã xây dựng kế hoạch thì rà soát, gửi trước ngày 30/6/2020.", "2020-03-02",
     "2020-06-30", None, None),
    ("Gửi báo cáo năm trước ngày 15/01.", "2020-11-20", "2021-01-15", None, None),
    ("Xây dựng cơ sở dữ liệu, hoàn thành trước tháng 6/2021.", "2021-01-04", "2021-05-31", None, None),
    ("Thời hạn hoàn thành: Quý III/2021.", "2021-01-04", "2021-09-30",
     {"start": "2021-07-01", "end": "2021-09-30"}, None),
    ("Chậm nhất ngày 15/12/2020 gửi Sở Nội vụ.", "2020-03-02", "2020-12-15", None, None),
    ("Tuyên truyền từ tháng 4 đến tháng 6/2026.", "2026-01-05", None,
     {"start": "2026-04-01", "end": "2026-06-30"}, None),
    ("Xây dựng phương án truyền thông\n- Thời gian thực hiện: từ quý II/2026.", "2026-04-28", None,
     {"start": "2026-04-01", "end": None}, None),
    ("Chương trình nghệ thuật nhạc trẻ\n- Thời gian dự kiến: ngày 12/9/2026 (thứ Bảy).", "2026-04-28",
     "2026-09-12", None, None),
    (("Triển lãm\n- Kinh phí: nguồn thu theo Quyết định số 53/2016/QĐ-UBND ngày 28/12/2016 và nguồn "
      "xã hội hóa."), "2026-04-28", None, None, None),
    ("Thời gian: hoàn thành theo Chỉ thị 21 ngày 20/01/2018 của Ban Bí thư", "2020-03-02", None, None, None),
    ("Sở Tư pháp đã tổ chức hội nghị ngày 12/3/2020, tiếp tục triển khai.", "2020-03-02", None, None, None),
    ("Hoàn thành Kế hoạch, tính đến ngày 15/8/2025 toàn tỉnh đạt 90%.", "2025-08-20", None, None, None),
    ("Tham mưu lồng ghép chỉ tiêu vào kế hoạch phát triển kinh tế - xã hội hàng năm của tỉnh.",
     "2020-03-02", None, None, "annual"),
    ("Báo cáo định kỳ 6 tháng và hằng năm về Bộ Tài chính.", None, None, None, "semiannual"),
    ("Báo cáo 6 tháng và năm về kết quả thực hiện.", None, None, None, "semiannual"),
    ("gửi báo cáo hằng quý về Sở Nội vụ", None, None, None, "quarterly"),
    ("định kỳ quý báo cáo kết quả", None, None, None, "quarterly"),
    ("Giao ban hàng tháng, báo cáo kết quả", None, None, None, "monthly"),
    ("Chi trả lương hưu, trợ cấp bảo hiểm xã hội hàng tháng qua tài khoản.", None, None, None, None),
    ("Tổng hợp hồ sơ khen thưởng, gửi chậm nhất vào ngày 31 tháng 01 hàng năm.", "2025-12-15",
     "2026-01-31", None, "annual"),
]


@pytest.mark.parametrize("duty,issued,deadline,period,recurrence", TEMPORAL_CASES)
def test_temporal_facts(duty, issued, deadline, period, recurrence):
    year = int(issued[:4]) if issued else None
    text = "Mở đầu.\n" + duty + "\nNơi nhận:"
    start = text.index(duty)
    t = temporal_facts(text, start, start + len(duty), find_dates(text, year), issued)
    assert (t.deadline, t.period, t.recurrence) == (deadline, period, recurrence)


def test_temporal_year_from_issued_and_span_limits():
    text = "Báo cáo trước ngày 10/6. Báo cáo năm trước ngày 10/12."
    mentions = find_dates(text, None)
    assert temporal_facts(text, 0, 24, mentions, "2020-03-02").deadline == "2020-06-10"
    assert temporal_facts(text, 25, len(text), mentions, "2020-03-02").deadline == "2020-12-10"
    assert temporal_facts(text, 0, 24, mentions, None).deadline is None


def test_recurrence_from_fronted_adverbial():
    text = ("Hàng năm, các bộ, ngành báo cáo kết quả về Bộ Lao động - Thương binh và Xã hội; "
            "Bộ Lao động - Thương binh và Xã hội tổng hợp, báo cáo Thủ tướng Chính phủ./.")
    start = text.index("Bộ Lao động - Thương binh và Xã hội tổng hợp")
    assert temporal_facts(text, start, len(text), [], None).recurrence == "annual"


# --- date_findings ------------------------------------------------------------------
def test_date_findings_table():
    text = "ngày 31/2/2020, ngày 22/72016, trước ngày 10/01/2020"
    mentions = find_dates(text, 2020)
    dl = mentions[2]
    found = date_findings(mentions, "2020-03-02", [("2020-01-10", dl.start, dl.end)])
    assert [(f.kind, f.text) for f in found] == [
        ("invalid_date", "31/2/2020"), ("date_typo", "22/72016"),
        ("deadline_before_issue", "10/01/2020")]
    assert "day 31 of month 2" in found[0].message and "2016-07-22" in found[1].message
    for f in found:
        assert text[f.start:f.end] == f.text and "\n" not in f.message
    assert date_findings(mentions, "2019-12-01", [("2020-01-10", dl.start, dl.end)])[2:] == []
    assert date_findings(mentions, None, [("2020-01-10", 0, 5)])[2:] == []


# --- real documents ------------------------------------------------------------------
@cache
def doc_text(name: str) -> str:
    from pipeline.readers import read_document

    return read_document(ROOT / "corpus" / name).text


def _golds() -> list[dict]:
    return [json.loads(p.read_text("utf-8")) for p in sorted(GOLD.glob("*.json"))]


def _issued(name: str) -> str | None:
    p = GOLDEN / (Path(name).stem + ".json")
    return json.loads(p.read_text("utf-8")).get("date") if p.exists() else None


def _year(name: str) -> int:
    """The document's year: its own date, else the year ending the corpus file name."""
    issued = _issued(name)
    return int(issued[:4]) if issued else int(Path(name).stem[-4:])


def test_kh580_findings():
    text = doc_text(KH580)
    mentions = find_dates(text, 2020)
    found = date_findings(mentions, "2020-03-02")
    assert [(f.kind, f.text) for f in found] == [("date_typo", "22/72016"), ("invalid_date", "24/15/2015")]
    assert "2016-07-22" in found[0].message and "month 15" in found[1].message
    assert all(text[f.start:f.end] == f.text for f in found)


def test_kh580_closing_deadlines():
    text = doc_text(KH580)
    mentions = find_dates(text, 2020)
    got = []
    for quote in ("trước ngày 25/3/2020", "Báo cáo 6 tháng gửi trước ngày 10/6",
                  ("Báo cáo đánh giá kết quả công tác Bình đẳng giới, vì sự tiến bộ của phụ nữ năm 2020 "
                   "gửi trước ngày 10/12/2020")):
        s = text.index(quote)
        got.append(temporal_facts(text, s, s + len(quote), mentions, "2020-03-02").deadline)
    assert got == ["2020-03-25", "2020-06-10", "2020-12-10"]


def test_gold_dates_precision_recall():
    """Multiset of values per document, on gold files whose dates are complete."""
    tp = fp = fn = 0
    for gold in _golds():
        if not gold["complete"]["dates"]:
            continue
        name = gold["document"]
        got = Counter(m.value for m in find_dates(doc_text(name), _year(name)))
        want = Counter(d["value"] for d in gold["dates"])
        hit = sum((got & want).values())
        tp, fp, fn = tp + hit, fp + sum(got.values()) - hit, fn + sum(want.values()) - hit
        print(f"{name}: tp={hit} fp={sum(got.values()) - hit} fn={sum(want.values()) - hit}")
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"dates: precision={precision:.3f} recall={recall:.3f} (tp={tp} fp={fp} fn={fn})")
    assert tp > 150
    assert recall >= 0.9 and precision >= 0.85


_ITEM_HEAD = re.compile(r"\n(?=(?:[IVX]+[.-]|\d+(?:\.\d+)*[.-]|[a-zđ]\)|Nơi nhận|Trên đây|Điều \d))")
_BULLET = re.compile(r"\n(?=[-+] )")


def test_gold_duty_temporal_facts():
    """Each gold duty's span runs from its quote to the next duty or outline item (a
    bullet duty stops at the next bullet); deadline, period and recurrence must match."""
    right = total = non_null = non_null_right = 0
    misses = []
    for gold in _golds():
        name = gold["document"]
        text = doc_text(name)
        folded = fold(text)
        mentions = find_dates(text, _year(name))
        starts = []
        for duty in gold["duties"]:
            rx = r"\s+".join(map(re.escape, fold(duty["quote"]).split()))
            m = re.search(rx, folded)
            starts.append(m.start() if m else None)
        for duty, s in zip(gold["duties"], starts):
            if s is None:
                continue
            e = min([x for x in starts if x is not None and x > s] + [len(text)])
            for rx in (_ITEM_HEAD,) + ((_BULLET,) if "-" in duty["id"] else ()):
                h = rx.search(text, s)
                if h and h.start() < e:
                    e = h.start()
            t = temporal_facts(text, s, e, mentions, _issued(name))
            for key in ("deadline", "period", "recurrence"):
                ok = getattr(t, key) == duty[key]
                total, right = total + 1, right + ok
                if duty[key] is not None:
                    non_null, non_null_right = non_null + 1, non_null_right + ok
                if not ok:
                    misses.append((name, duty["id"], key, getattr(t, key), duty[key]))
    print(f"duty temporal fields: {right}/{total} right; non-null gold {non_null_right}/{non_null}")
    assert total > 300 and non_null >= 15
    assert right / total >= 0.95 and non_null_right / non_null >= 0.9, misses[:10]


def test_speed():
    texts = [doc_text(g["document"]) for g in _golds() if g["complete"]["dates"]]
    blob = "\n".join(texts)
    blob = blob * max(1, 1_000_000 // len(blob))
    find_dates(blob[:1000], 2020)
    t0 = time.perf_counter()
    find_dates(blob, 2020)
    assert time.perf_counter() - t0 < 1.0


def test_mentions_are_ordered_and_disjoint():
    text = doc_text(KH580)
    ms = find_dates(text, 2020)
    assert all(isinstance(m, DateMention) for m in ms)
    assert all(a.end <= b.start for a, b in pairwise(ms))
