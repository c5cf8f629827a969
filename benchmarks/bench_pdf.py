"""PDF reader speed and memory on the corpus.

    .venv/bin/python benchmarks/bench_pdf.py [--no-ocr] [--plumber] [--big PAGES]

Each phase runs in a fresh process so that its peak RSS (``resource.getrusage``) is its
own (the parent stays small: Linux keeps ``ru_maxrss`` across fork and exec).

* ``text``: the three text PDFs of the corpus (kh_173, nd_55, cd_2003; 22 pages).
  ``fast`` = pypdfium2 plain text, no layout (the floor); ``read_pdf`` = the reader
  (glyph boxes, stamps put back, header/signature columns, paragraphs, tables).
* ``plumber`` (``--plumber``): pdfplumber's ``extract_text`` on the same pages.
* ``ocr``: the two scans (8 pages), s/page wall time with the default worker pool.
* ``big``: a synthetic PDF of ``--big`` pages (nd_55 imported again and again, about
  30 kB a page), read with ``max_pages`` raised: pages/s and peak RSS (bounded memory).
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "corpus"
TEXT = [CORPUS / n for n in ("kh_173_ubnd-hanoi_2026.pdf", "nd_55_cp_2023.pdf",
                              "cd_2003_vpcp_2025.pdf")]
SCANS = [CORPUS / n for n in ("cv_5240_bca-v01_2025.pdf", "kh_996_tctlntw-c04-bca_2026.pdf")]
ROUNDS = 5


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_text() -> dict:
    import pypdfium2 as pdfium

    from pipeline.readers.pdf import read_pdf

    pages = sum(len(pdfium.PdfDocument(str(p))) for p in TEXT)
    read_pdf(TEXT[1])  # imports and first-use caches
    t0 = time.perf_counter()
    for _ in range(ROUNDS):
        for p in TEXT:
            pdf = pdfium.PdfDocument(str(p))
            for i in range(len(pdf)):
                page = pdf[i]
                page.get_textpage().get_text_range()
                page.close()
            pdf.close()
    fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    per_doc = {}
    for _ in range(ROUNDS):
        for p in TEXT:
            t1 = time.perf_counter()
            read_pdf(p)
            per_doc[p.name] = per_doc.get(p.name, 0.0) + time.perf_counter() - t1
    full = time.perf_counter() - t0
    return {"pages": pages,
            "fast_pages_per_s": round(pages * ROUNDS / fast, 1),
            "read_pdf_pages_per_s": round(pages * ROUNDS / full, 1),
            "read_pdf_ms_per_doc": {k: round(v / ROUNDS * 1000, 1) for k, v in per_doc.items()},
            "peak_rss_mb": round(_rss_mb(), 1)}


def phase_plumber() -> dict:
    import pdfplumber

    pages = 0
    t0 = time.perf_counter()
    for p in TEXT:
        with pdfplumber.open(str(p)) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.close()
                pages += 1
    el = time.perf_counter() - t0
    return {"pages": pages, "pages_per_s": round(pages / el, 1), "peak_rss_mb": round(_rss_mb(), 1)}


def phase_ocr() -> dict:
    from pipeline.readers.pdf import read_pdf

    out = {}
    total_pages = 0
    t0 = time.perf_counter()
    for p in SCANS:
        t1 = time.perf_counter()
        res = read_pdf(p)
        el = time.perf_counter() - t1
        total_pages += res.pages
        out[p.name] = {"pages": res.pages, "ocr_pages": len(res.ocr_pages),
                       "s_per_page": round(el / res.pages, 2), "warnings": list(res.warnings)}
    out["overall_s_per_page"] = round((time.perf_counter() - t0) / total_pages, 2)
    out["peak_rss_mb"] = round(_rss_mb(), 1)
    return out


def make_big(path: Path, n: int) -> None:
    """``n`` pages: nd_55 imported again and again (its e-signature widgets too)."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(str(TEXT[1]))
    dest = pdfium.PdfDocument.new()
    while len(dest) < n:
        dest.import_pages(src, list(range(min(len(src), n - len(dest)))))
    dest.save(str(path))


def phase_big(path: Path, pages: int) -> dict:
    """Read the big PDF built by the parent (so that building it costs no RSS here)."""
    from pipeline.document.limits import Limits
    from pipeline.readers.pdf import read_pdf

    base = _rss_mb()
    t0 = time.perf_counter()
    res = read_pdf(path, Limits(max_pages=pages))
    el = time.perf_counter() - t0
    return {"pages": res.pages, "file_mb": round(path.stat().st_size / 1e6, 1),
            "blocks": len(res.blocks), "pages_per_s": round(res.pages / el, 1),
            "text_mb": round(sum(len(b.text) for b in res.blocks) / 1e6, 1),
            "rss_before_read_mb": round(base, 1), "peak_rss_mb": round(_rss_mb(), 1)}


def _run(phase: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", phase, *args],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--phase")
    ap.add_argument("--no-ocr", action="store_true")
    ap.add_argument("--plumber", action="store_true")
    ap.add_argument("--big", type=int, default=3000)
    ap.add_argument("--file")
    a = ap.parse_args()
    if a.phase:
        if a.phase == "build":
            make_big(Path(a.file), a.big)
            print("{}")
            return
        fn = {"text": phase_text, "plumber": phase_plumber, "ocr": phase_ocr}.get(a.phase)
        print(json.dumps(fn() if fn else phase_big(Path(a.file), a.big)))
        return
    text = _run("text")
    print(f"text PDFs ({text['pages']} pages x {ROUNDS}): fast path (pypdfium2 plain text) "
          f"{text['fast_pages_per_s']} pages/s; read_pdf (layout) {text['read_pdf_pages_per_s']} "
          f"pages/s; peak RSS {text['peak_rss_mb']} MB")
    for name, ms in text["read_pdf_ms_per_doc"].items():
        print(f"  {name}: {ms} ms")
    if a.plumber:
        pl = _run("plumber")
        print(f"pdfplumber extract_text: {pl['pages_per_s']} pages/s; peak RSS {pl['peak_rss_mb']} MB")
    if not a.no_ocr:
        ocr = _run("ocr")
        print(f"OCR scans: {ocr['overall_s_per_page']} s/page overall; peak RSS of the reader "
              f"{ocr['peak_rss_mb']} MB (each Tesseract process ~130 MB more, not counted: "
              "a child's ru_maxrss starts from its parent's at fork)")
        for p in SCANS:
            r = ocr[p.name]
            print(f"  {p.name}: {r['pages']} pages, {r['s_per_page']} s/page {r['warnings'] or ''}")
    if a.big:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "big.pdf"
            _run("build", "--file", str(path), "--big", str(a.big))  # keeps this process small:
            big = _run("big", "--file", str(path), "--big", str(a.big))  # ru_maxrss survives exec
        print(f"big PDF: {big['pages']} pages ({big['file_mb']} MB) {big['pages_per_s']} pages/s, "
              f"{big['blocks']} blocks, {big['text_mb']} M chars; RSS {big['rss_before_read_mb']} MB "
              f"before, peak {big['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
