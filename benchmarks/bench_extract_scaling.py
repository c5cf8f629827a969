"""Extraction time against the length of one paragraph: a .txt holding a single line of
Vietnamese administrative sentences (duties, references, agency names in capitals,
repeated) of 0.1 … 2 MB. Reading and extraction must grow linearly with the text: the
"s per MB" column should stay flat.

    .venv/bin/python benchmarks/bench_extract_scaling.py [--sizes 0.1,0.25,0.5,1,2]

A benchmark, not a test: it prints a table and judges nothing.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractors import extract_json  # noqa: E402
from pipeline.readers import read_document  # noqa: E402

UNIT = (
    "Sở Tư pháp chủ trì, phối hợp với các sở, ban, ngành và UBND các huyện tổ chức tuyên "
    "truyền pháp luật về bình đẳng giới, hoàn thành trước ngày 30/6/2021. "
    "Thực hiện Quyết định số 773/QĐ-TTg ngày 21/6/2018 của Thủ tướng Chính phủ và văn bản "
    "số 458/LĐTBXH-BĐG ngày 12/02/2020 của Bộ Lao động - Thương binh và Xã hội. "
    "ỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG SỞ NỘI VỤ BAN CHỈ ĐẠO KHCN, ĐMST "
    "Tăng cường sự lãnh đạo, chỉ đạo của các cấp ủy Đảng, chính quyền, đoàn thể trong việc "
    "triển khai thực hiện các mục tiêu. ")


def one_paragraph(mb: float) -> str:
    """About ``mb`` MB (UTF-8) of administrative text on one line, no line breaks."""
    unit = UNIT
    target = int(mb * 1_000_000)
    size = len(unit.encode("utf-8"))
    text = unit * (target // size + 1)
    return text.encode("utf-8")[:target].decode("utf-8", "ignore").rsplit(" ", 1)[0] + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="0.1,0.25,0.5,1,2", help="MB, comma-separated")
    args = ap.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm.txt"
        warm.write_text(one_paragraph(0.01), "utf-8")
        extract_json(read_document(warm))  # libraries, models, data files
        print(f"{'MB':>5} {'read s':>8} {'extract s':>10} {'s per MB':>9}")
        for mb in sizes:
            p = Path(tmp) / f"para_{mb}.txt"
            p.write_text(one_paragraph(mb), "utf-8")
            t0 = time.perf_counter()
            doc = read_document(p)
            t1 = time.perf_counter()
            extract_json(doc)
            t2 = time.perf_counter()
            print(f"{mb:>5g} {t1 - t0:>8.2f} {t2 - t1:>10.2f} {(t2 - t0) / mb:>9.2f}", flush=True)


if __name__ == "__main__":
    main()
