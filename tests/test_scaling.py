"""Costs that follow the content, not its shape or its declared size.

* Extraction is linear in the length of one paragraph (a .txt of one long line): checked
  by the work done, not by the clock — the number of Python calls of a 4× longer
  paragraph, the points a signature line is split at, how far a duty looks back, how
  far a citation looks for its line's start. ``benchmarks/bench_extract_scaling.py``
  prints the times.
* A PDF page is rendered for OCR within a pixel budget: a 1.5 KB PDF of six pages of
  200 × 200 inches is set aside page by page with its reason, in a few tens of MB.
"""
from __future__ import annotations

import cProfile
import pstats
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from extractors import dates_temporal, extract_json, metadata_signature, references
from extractors.dates import find_dates
from pipeline.document.limits import Limits
from pipeline.readers import read_document
from pipeline.readers.pdf.ocr import render_dpi

sys.path.insert(0, str(Path(__file__).resolve().parent / "bad"))
from make_bad import huge_pages_pdf  # noqa: E402  (the bad-input batch's own PDF)

ROOT = Path(__file__).resolve().parents[1]
KH173 = ROOT / "corpus" / "kh_173_ubnd-hanoi_2026.pdf"

# administrative sentences: duties with deadlines, citations, agencies in capitals
UNIT = (
    "Sở Tư pháp chủ trì, phối hợp với các sở, ban, ngành và UBND các huyện tổ chức tuyên "
    "truyền pháp luật về bình đẳng giới, hoàn thành trước ngày 30/6/2021. "
    "Thực hiện Quyết định số 773/QĐ-TTg ngày 21/6/2018 của Thủ tướng Chính phủ và văn bản "
    "số 458/LĐTBXH-BĐG ngày 12/02/2020 của Bộ Lao động - Thương binh và Xã hội. "
    "ỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG SỞ NỘI VỤ BAN CHỈ ĐẠO KHCN, ĐMST "
    "Tăng cường sự lãnh đạo, chỉ đạo của các cấp ủy Đảng, chính quyền, đoàn thể trong việc "
    "triển khai thực hiện các mục tiêu. ")
# one sentence that never ends: duties and deadlines joined by commas
NO_STOP = ("Sở Tư pháp chủ trì, phối hợp với các sở, ban, ngành và UBND các huyện tổ chức "
           "tuyên truyền pháp luật hằng năm, hoàn thành trước ngày 30/6/2021, ")


def paragraph(unit: str, chars: int) -> str:
    return (unit * (chars // len(unit) + 1))[:chars].rsplit(" ", 1)[0] + "\n"


def extract_file(tmp_path: Path, text: str, name: str = "p.txt") -> dict:
    p = tmp_path / name
    p.write_text(text, "utf-8")
    return extract_json(read_document(p))


# ----------------------------------------------------------------------- A: one paragraph


def test_python_calls_grow_linearly_with_a_paragraph(tmp_path: Path) -> None:
    """4× the paragraph, at most ~4× the calls (a scan of every date taken per new date,
    or of every date per duty, made it 15× and more)."""
    extract_file(tmp_path, paragraph(UNIT, 2_000), "warm.txt")  # data files, caches
    calls = []
    for n in (40_000, 160_000):
        p = tmp_path / f"p{n}.txt"
        p.write_text(paragraph(UNIT, n), "utf-8")
        prof = cProfile.Profile()
        prof.enable()
        out = extract_json(read_document(p))
        prof.disable()
        calls.append(pstats.Stats(prof).total_calls)
        assert out["tasks"] and out["references"]
    assert calls[1] / calls[0] < 4.6, calls


def test_date_finding_calls_grow_linearly_with_the_dates() -> None:
    """Each date found is checked against those taken by bisection, not one by one
    (4× the dates made 15× the calls)."""
    unit = "hoàn thành trước ngày 30/6/2021, báo cáo trước ngày 15/7 và tháng 8/2021. "
    calls = []
    for n in (250, 1000):
        prof = cProfile.Profile()
        prof.enable()
        found = find_dates(unit * n, 2021)
        prof.disable()
        assert len(found) == 3 * n
        calls.append(pstats.Stats(prof).total_calls)
    assert calls[1] / calls[0] < 4.6, calls


def test_a_duty_reads_only_the_dates_inside_it() -> None:
    """temporal_facts bisects the document's dates to the duty's span: it touches a
    few of them, not every date of the document per duty."""
    unit = "Sở Y tế báo cáo trước ngày 15/7/2021. "
    text = unit * 5000
    touched = []

    class Watched(list):
        def __iter__(self):
            for m in super().__iter__():
                touched.append(m)
                yield m

        def __getitem__(self, i):
            touched.append(i)
            return super().__getitem__(i)

    dates = Watched(find_dates(text, 2021))
    start = len(unit) * 2500
    t = dates_temporal.temporal_facts(text, start, start + len(unit), dates, "2021-03-01")
    assert t.deadline == "2021-07-15"
    assert len(touched) < 100  # a few bisections (log2 5000 ≈ 13 each), never the 5,000


def test_signature_line_split_at_four_points_at_most(monkeypatch) -> None:
    """The signer's name is the last 2-5 tokens: a line of n tokens tries four splits,
    not n (each of which joined the tokens before it)."""
    tried = []
    real = metadata_signature.is_upper_text

    def counting(text: str) -> bool:
        tried.append(len(text))
        return real(text)

    monkeypatch.setattr(metadata_signature, "is_upper_text", counting)
    split = vars(metadata_signature)["_split_caps_name"]
    assert split("Nguyễn " * 5000 + "Phúc") == ("Nguyễn " * 5000 + "Phúc", "")
    assert len(tried) <= 4
    assert split("THỦ TƯỚNG Nguyễn Xuân Phúc") == ("THỦ TƯỚNG", "Nguyễn Xuân Phúc")
    assert split("KT. BỘ TRƯỞNG THỨ TRƯỞNG Lê Văn Thanh") == \
        ("KT. BỘ TRƯỞNG THỨ TRƯỞNG", "Lê Văn Thanh")


def test_duty_looks_back_a_bounded_distance(tmp_path: Path, monkeypatch) -> None:
    """In a sentence that never ends, each duty looks back for its fronted adverbial at
    most ``ADVERBIAL_REACH`` characters, not to the paragraph's start."""
    seen: list[int] = []
    real = dates_temporal.recurrence

    def recording(text: str) -> str | None:
        seen.append(len(text))
        return real(text)

    monkeypatch.setattr(dates_temporal, "recurrence", recording)
    out = extract_file(tmp_path, paragraph(NO_STOP, 60_000))
    assert len(out["tasks"]) > 100
    assert max(seen) <= dates_temporal.ADVERBIAL_REACH + 2 * len(NO_STOP)
    assert {t["recurrence"] for t in out["tasks"]} == {"annual"}


def test_citation_looks_for_its_line_start_within_its_window() -> None:
    """Each number looks back for the line's start at most the window it scans."""
    spans: list[int] = []

    class Watched(str):
        def rfind(self, sub, start=0, end=sys.maxsize):
            spans.append(min(end, len(self)) - start)
            return str.rfind(self, sub, start, end)

    text = Watched(paragraph("theo Quyết định số 773/QĐ-TTg ngày 21/6/2018, ", 50_000))
    hits = vars(references)["_type_word_hits"](text)
    assert len(hits) > 500
    assert max(spans) <= vars(references)["_WINDOW"]


def test_a_long_run_of_separators_between_owners(tmp_path: Path) -> None:
    """The gap between two owners ("Sở Y tế, ; , ; … Sở Tư pháp:") is matched without
    trying every split of its separators: 2000 of them took 11 s, now milliseconds. (A
    clock, but a bound no machine misses unless the regex backtracks again.)"""
    p = tmp_path / "gap.txt"
    p.write_text("1. Sở Y tế" + ", ; " * 2000 + "Sở Tư pháp: báo cáo trước ngày 5/5/2021.\n",
                 "utf-8")
    doc = read_document(p)
    extract_json(doc)  # warm
    t0 = time.perf_counter()
    out = extract_json(doc)
    assert time.perf_counter() - t0 < 2.0
    assert len(out["tasks"]) == 1


# ------------------------------------------------------------------ B: huge PDF pages


def test_render_dpi_bounded_by_pixels() -> None:
    a4, a3 = (595, 842), (842, 1191)
    assert render_dpi(a4) == 300 and render_dpi(a3) == 300
    assert render_dpi((30 * 72, 30 * 72)) == 210  # 81 Mpx at 300 dpi: 39.7 at 210
    assert render_dpi((14_400, 14_400)) is None  # 900 Mpx even at 150 dpi
    assert render_dpi(a3, Limits(max_page_mpixels=10)) == 227
    assert render_dpi(a3, Limits(max_page_mpixels=2)) is None
    assert render_dpi(a3, Limits(max_page_mpixels=2, ocr_min_dpi=72)) == 101


CHILD_PEAK = textwrap.dedent("""
    import resource, subprocess, sys
    r = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    sys.stderr.write(r.stderr)
    print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
""")


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract")
def test_huge_pages_are_set_aside_in_little_memory(tmp_path: Path) -> None:
    """1.5 KB, six pages of 200 × 200 inches: rendered at 300 dpi that was 2.3 GB. Now
    each page is set aside unrendered, and with nothing else to read the document is
    ``too_large`` with the first page's reason; ``vanban extract`` peaks well under
    400 MB."""
    pdf = tmp_path / "huge.pdf"
    pdf.write_bytes(huge_pages_pdf())
    assert pdf.stat().st_size < 2000
    vanban = Path(sys.executable).parent / "vanban"
    r = subprocess.run([sys.executable, "-c", CHILD_PEAK, str(vanban), "extract", "--json",
                        str(pdf)], capture_output=True, text=True, timeout=300)
    code, peak_kb = map(int, r.stdout.split())
    assert code == 2, r.stderr
    assert "trang 1: không OCR, trang quá lớn: 200 × 200 inch (5080 × 5080 mm)" in r.stderr
    assert "VANBAN_MAX_PAGE_MPIXELS" in r.stderr and "(và 5 trang khác)" in r.stderr
    assert peak_kb < 400 * 1024, f"peak RSS {peak_kb // 1024} MB"


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract")
def test_huge_page_beside_text_pages_is_a_warning(tmp_path: Path) -> None:
    """The rest of the document is read; the huge page is a warning naming it."""
    huge = tmp_path / "huge.pdf"
    huge.write_bytes(huge_pages_pdf(pages=1))
    doc = pdfium.PdfDocument(str(huge))
    doc.import_pages(pdfium.PdfDocument(str(KH173)), [0], index=0)
    mixed = tmp_path / "mixed.pdf"
    doc.save(str(mixed))
    read = read_document(mixed)
    assert "173" in read.text and "KẾ HOẠCH" in read.text
    assert [w for w in read.warnings
            if w.startswith("trang 2: không OCR, trang quá lớn: 200 × 200 inch")]
