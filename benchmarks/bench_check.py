"""Seconds to check a 100-duty plan against 30 reports (issue 5's target: under 10 s).

    .venv/bin/python benchmarks/bench_check.py

The plan is KH 580 with its section IV repeated until it assigns 100+ duties; the 30
reports are the fixtures in tests/fixtures/reports/ cycled with their owners varied.
Reading and extracting the files is reported apart from the check itself.
"""
from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.crosscheck.check import check_loaded  # noqa: E402
from pipeline.crosscheck.model import load  # noqa: E402

OWNERS = ["Sở Y tế", "Sở Tài chính", "Sở Tư pháp", "Sở Nội vụ", "Công an tỉnh", "Sở Xây dựng"]


def main() -> None:
    text = (ROOT / "corpus" / "kh_580_ubnd-haiduong_2020.txt").read_text("utf-8")
    head, rest = text.split("IV- TỔ CHỨC THỰC HIỆN", 1)
    body, closing = rest.split("Trên đây là", 1)
    items = re.split(r"\n(?=\d+- )", body.strip())
    big = [head, "IV- TỔ CHỨC THỰC HIỆN"]
    n = 0
    while n < 120:
        for it in items[1:]:
            n += 1
            big.append(re.sub(r"^\d+- ", f"{n}- ", it))
    plan_text = "\n".join(big) + "\nTrên đây là" + closing
    reports = sorted((ROOT / "tests" / "fixtures" / "reports").glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        plan_path = Path(tmp) / "plan.txt"
        plan_path.write_text(plan_text, "utf-8")
        paths = []
        for i in range(30):
            src = reports[i % len(reports)].read_text("utf-8")
            p = Path(tmp) / f"report_{i}.txt"
            p.write_text(src.replace("SỞ NỘI VỤ", OWNERS[i % len(OWNERS)].upper()), "utf-8")
            paths.append(p)
        t0 = time.perf_counter()
        plan = load(plan_path)
        loaded = [load(p) for p in paths]
        t1 = time.perf_counter()
        gaps = check_loaded(plan, loaded, "2020-12-31")
        t2 = time.perf_counter()
    print(f"plan duties: {len(plan.extraction.tasks)}, reports: {len(loaded)}, "
          f"duty rows checked: {len(gaps['duties'])}")
    print(f"read + extract: {t1 - t0:.2f} s; check: {t2 - t1:.2f} s; total {t2 - t0:.2f} s "
          f"(target < 10 s: {'ok' if t2 - t0 < 10 else 'MISSED'})")


if __name__ == "__main__":
    main()
