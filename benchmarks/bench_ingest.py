"""Reading speed per format and peak memory on the corpus, printed as a table.

    .venv/bin/python benchmarks/bench_ingest.py [--repeat 5]

Each format is timed over ``--repeat`` passes of every corpus file of that format,
after one warm-up pass that loads libraries. Scanned PDFs (OCR) are timed once, in
that first pass, and reported in seconds per page. Targets (issue 2): text PDFs
≥ 50 pages/s, docx ≥ 20 documents/s, OCR ≤ 2.5 s/page on 2 cores.
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.readers import read_document  # noqa: E402

TARGETS = {"pdf": ("pages/s", 50.0), "docx": ("docs/s", 20.0), "ocr": ("s/page", 2.5)}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    files = sorted(p for p in (ROOT / "corpus").iterdir() if p.suffix != ".md")
    groups: dict[str, list[Path]] = defaultdict(list)
    pages: dict[Path, int] = {}
    first_pass: dict[Path, float] = {}
    for p in files:
        t0 = time.perf_counter()
        doc = read_document(p)  # warm-up, and find out which PDFs need OCR
        first_pass[p] = time.perf_counter() - t0
        key = "ocr" if doc.ocr_pages else doc.source.format
        groups[key].append(p)
        pages[p] = doc.source.pages or 1
    rows = []
    for fmt, paths in sorted(groups.items()):
        reps = 1 if fmt == "ocr" else args.repeat
        if fmt == "ocr":
            secs = sum(first_pass[p] for p in paths)
        else:
            t0 = time.perf_counter()
            for _ in range(reps):
                for p in paths:
                    read_document(p)
            secs = time.perf_counter() - t0
        n_docs = len(paths) * reps
        n_pages = sum(pages[p] for p in paths) * reps
        rows.append((fmt, len(paths), n_pages // reps, n_docs / secs, n_pages / secs,
                     secs / n_pages))
    print(f"{'format':<6} {'files':>5} {'pages':>5} {'docs/s':>8} {'pages/s':>8} {'s/page':>7}  target")
    for fmt, nf, npg, dps, pps, spp in rows:
        unit, goal = TARGETS.get(fmt, ("", None))
        value = {"pages/s": pps, "docs/s": dps, "s/page": spp}.get(unit)
        verdict = ""
        if goal is not None:
            ok = value <= goal if unit == "s/page" else value >= goal
            verdict = f"{unit} {'≤' if unit == 's/page' else '≥'} {goal:g}: {'ok' if ok else 'MISSED'}"
        print(f"{fmt:<6} {nf:>5} {npg:>5} {dps:>8.1f} {pps:>8.1f} {spp:>7.3f}  {verdict}")
    print(f"peak RSS: {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
