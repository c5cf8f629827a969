"""Extraction throughput on the corpus, OCR excluded: words/s and per-document latency,
against the time it took to read each file.

    .venv/bin/python benchmarks/bench_extract.py [--repeat 3]

Issue 3's bar: extraction costs less than reading the file did (OCR excluded — a
scanned page is read once by Tesseract, which dwarfs everything else).
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractors import extract_json  # noqa: E402
from pipeline.readers import read_document  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    files = sorted(p for p in (ROOT / "corpus").iterdir() if p.suffix != ".md")
    docs = {p: read_document(p) for p in files}  # warm-up: libraries, models, OCR once
    extract_json(docs[files[0]])
    rows = []
    for p in files:
        if docs[p].ocr_pages:
            continue
        t0 = time.perf_counter()
        for _ in range(args.repeat):
            read_document(p)
        read_s = (time.perf_counter() - t0) / args.repeat
        t0 = time.perf_counter()
        for _ in range(args.repeat):
            extract_json(docs[p])
        ext_s = (time.perf_counter() - t0) / args.repeat
        rows.append((p.name, len(docs[p].text.split()), read_s, ext_s))
    print(f"{'document':<52} {'words':>7} {'read ms':>8} {'extract ms':>10} {'words/s':>9}")
    for name, words, r, e in rows:
        print(f"{name:<52} {words:>7} {r * 1000:>8.1f} {e * 1000:>10.1f} {words / e:>9.0f}")
    words = sum(r[1] for r in rows)
    read_total = sum(r[2] for r in rows)
    ext_total = sum(r[3] for r in rows)
    print(f"{'total':<52} {words:>7} {read_total * 1000:>8.1f} {ext_total * 1000:>10.1f} "
          f"{words / ext_total:>9.0f}")
    print(f"extraction / reading = {ext_total / read_total:.2f} "
          f"({'ok' if ext_total < read_total else 'MISSED'}: extraction must cost less than reading)")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
