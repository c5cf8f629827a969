"""OCR of PDF pages with Tesseract: words with their boxes.

* :func:`iter_ocr` renders each page with pypdfium2 (colour, ``limits.ocr_dpi``, with
  its annotations: the signature stamps), keeps the black ink (:func:`black_ink`: seals,
  stamps and handwriting vanish) and feeds it to ``tesseract -l vie --psm 3 ... tsv``:
  words with their boxes, so the PDF reader lays OCR pages out like text pages. Pages
  are rendered in the calling thread (pdfium is not thread-safe) and OCR'd by
  ``limits.ocr_workers`` (0 = number of cores) Tesseract processes at a time, each with
  ``OMP_THREAD_LIMIT=1`` (Tesseract's own threads make it 3-7x slower on 2 cores) and
  killed after ``limits.ocr_seconds_per_page``. A page that times out or fails gives a
  warning, never an exception.
* Rendering is bounded by pixels, not pages (:func:`render_dpi`): a page that would
  exceed ``limits.max_page_mpixels`` (``VANBAN_MAX_PAGE_MPIXELS``, 40 Mpx: A3 at 300 dpi
  takes 17) is rendered at the lower dpi that fits, down to ``limits.ocr_min_dpi`` (150);
  a page larger still is not rendered at all but set aside with a warning naming the page,
  its size in inches and mm, and the limit (:func:`too_large`), while the other pages are
  read. The black ink is taken from pdfium's buffer in place (:func:`_bitmap_ink`), so a
  page costs about 5 bytes a pixel at its peak (200 MB at the limit).

When a page is OCR'd is decided by :mod:`pipeline.readers.pdf.quality`
(:func:`~pipeline.readers.pdf.quality.vietnamese_score`); the OCR text in the reader's
order is :func:`pipeline.readers.pdf.reader.ocr_pdf_pages`. This module imports nothing
of the PDF reader: the layout depends on it, not the other way round.

Measured on the hand-typed page 1 of kh_996 and cv_5240 (``tests/fixtures/ocr``), in
the reader's reading order: ``--psm 3`` (automatic layout) beats ``--psm 6`` (one
uniform block: WER 0.146 against 0.214 on cv_5240, and faster); ``-l vie+eng`` loses
diacritics, so ``-l vie`` only.
"""
from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageChops

from pipeline.document.limits import DEFAULT, Limits
from pipeline.readers.pdf.ocr_page import OcrPage, OcrWord, parse_tsv
from pipeline.readers.pdf.ocr_signature import with_signature

PSM = 3
LANG = "vie"
MAX_RENDER_SIDE = 12_000  # longest side of a rendered page, in pixels

# ----------------------------------------------------------------------------- results


@dataclass(frozen=True)
class OcrBatch:
    pages: dict[int, OcrPage]
    warnings: tuple[str, ...]


# ----------------------------------------------------------------------------- running


def render_dpi(size_pt: tuple[float, float], limits: Limits = DEFAULT) -> int | None:
    """The dpi a page of ``size_pt`` (width, height in points) is rendered at for OCR:
    ``limits.ocr_dpi``, lowered until the image holds at most ``limits.max_page_mpixels``
    million pixels and its longest side ``MAX_RENDER_SIDE`` pixels; None when that
    takes less than ``limits.ocr_min_dpi`` (the page is set aside, not rendered: memory
    grows with the pixels, not the page count — a 1.5 KB PDF can declare six pages of
    200 × 200 inches, 3.6 Gpx each at 300 dpi). No tiling: a page that does not fit
    40 Mpx at 150 dpi is over 1.7 m², a poster, not a page of a document."""
    w_in, h_in = (max(abs(v), 1.0) / 72.0 for v in size_pt)
    dpi = limits.ocr_dpi
    fit = min((limits.max_page_mpixels * 1e6 / (w_in * h_in)) ** 0.5,
              MAX_RENDER_SIDE / max(w_in, h_in))
    if dpi <= fit:
        return dpi
    return int(fit) if int(fit) >= min(limits.ocr_min_dpi, dpi) else None


class PageTooLarge(str):
    """The warning of a page set aside for its size (a ``str``, like every warning)."""


def too_large(page: int, size_pt: tuple[float, float], limits: Limits = DEFAULT) -> PageTooLarge:
    """The one-line reason a page is set aside (:func:`render_dpi` gave None)."""
    w_in, h_in = (max(abs(v), 1.0) / 72.0 for v in size_pt)
    dpi = min(limits.ocr_min_dpi, limits.ocr_dpi)
    mpx = w_in * h_in * dpi * dpi / 1e6
    size = f"{w_in:.4g} × {h_in:.4g} inch ({w_in * 25.4:.0f} × {h_in * 25.4:.0f} mm)"
    if mpx <= limits.max_page_mpixels:  # a long strip: its longest side is the trouble
        return PageTooLarge(
            f"trang {page}: không OCR, trang quá lớn: {size} dài {max(w_in, h_in) * dpi:,.0f} "
            f"điểm ảnh ngay cả ở {dpi} dpi, vượt {MAX_RENDER_SIDE:,} (VANBAN_OCR_MIN_DPI)")
    return PageTooLarge(
        f"trang {page}: không OCR, trang quá lớn: {size} là {mpx:,.0f} Mpx ngay cả ở {dpi} dpi, "
        f"vượt giới hạn {limits.max_page_mpixels:g} Mpx mỗi trang "
        f"(VANBAN_MAX_PAGE_MPIXELS, VANBAN_OCR_MIN_DPI)")


def _run(cmd: list[str], data: bytes | None, timeout: float,
         env: dict[str, str] | None = None) -> tuple[int, bytes, bytes] | None:
    """Run ``cmd`` in its own process group; None when it outlives ``timeout`` (the
    whole group is killed)."""
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)
    try:
        out, err = proc.communicate(data, timeout=max(timeout, 0.1))
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
        proc.communicate()
        return None
    return proc.returncode, out, err


def black_ink(image: Image.Image) -> bytes:
    """A colour page image reduced to its black ink, as PGM bytes: each pixel the
    lightest of its red, green and blue values. Red seals and stamps, blue signatures
    and handwriting turn white or pale; black print stays dark (Decree 30/2020 prints
    the text in black). Measured on the corpus scans: from a gray render Tesseract
    takes the seal for a picture and drops the signature block under it (``KT. BỘ
    TRƯỞNG`` ... the signer's name), and the receiving office's stamp and handwriting
    beside the title garble it; page-1 CER of the document's own text 1.1% / 1.6%
    (kh_996 / cv_5240) against 7.9% / 9.8% from gray."""
    if image.mode == "RGB":
        r, g, b = image.split()
        ink = ImageChops.lighter(ImageChops.lighter(r, g), b)
    else:
        ink = image.convert("L")
    buf = io.BytesIO()
    ink.save(buf, format="PPM")
    return buf.getvalue()


def _bitmap_ink(bitmap: pdfium.PdfBitmap) -> bytes:
    """:func:`black_ink` of a pdfium bitmap, the same bytes, with less memory: the
    lightest channel is taken from pdfium's BGR buffer in place (1 byte a pixel more,
    where a PIL copy, its three bands and two intermediates took 9)."""
    if bitmap.mode != "BGR":
        return black_ink(bitmap.to_pil())
    import numpy as np  # lazy: 15 MB and 0.1 s that a PDF with a text layer never needs

    w, h = bitmap.width, bitmap.height
    rows = np.frombuffer(bitmap.buffer, dtype=np.uint8).reshape(h, bitmap.stride)
    bgr = rows[:, :w * 3].reshape(h, w, 3)
    ink = np.maximum(bgr[..., 0], bgr[..., 1])
    np.maximum(ink, bgr[..., 2], out=ink)
    return b"P5\n%d %d\n255\n" % (w, h) + ink.tobytes()


def _render(pdf: pdfium.PdfDocument, page: int, limits: Limits) -> tuple[bytes, int] | str:
    """Page ``page`` (1-based) rendered in colour, as black-ink PGM bytes, and the dpi
    used (:func:`render_dpi`); the reason it is set aside when it is too large.
    Annotations are flattened into the page first: pdfium draws signature widgets
    (stamps, an electronic copy's ``SAO Y`` block) only that way when the document
    has no usable form."""
    pg = pdf[page - 1]
    try:
        size = pg.get_size()
        dpi = render_dpi(size, limits)
        if dpi is None:
            return too_large(page, size, limits)
        if pdfium_c.FPDFPage_GetAnnotCount(pg.raw) > 0:
            pdfium_c.FPDFPage_Flatten(pg.raw, pdfium_c.FLAT_NORMALDISPLAY)
            pg.close()
            pg = pdf[page - 1]
        bitmap = pg.render(scale=dpi / 72.0)
        try:
            return _bitmap_ink(bitmap), dpi
        finally:
            bitmap.close()
    finally:
        pg.close()


def _tsv(image: bytes, dpi: int, psm: int, timeout: float) -> tuple[int, bytes, bytes] | None:
    """Tesseract's TSV of one image: (exit code, stdout, stderr), None when it timed out."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    return _run(["tesseract", "stdin", "stdout", "-l", LANG, "--psm", str(psm), "--dpi",
                 str(dpi), "tsv"], image, timeout, env)


def _tesseract(image: bytes, page: int, dpi: int, timeout: float, psm: int,
               t0: float) -> OcrPage | str:
    """OCR one rendered page; an :class:`OcrPage` or a warning string."""
    res = _tsv(image, dpi, psm, timeout)
    if res is None:
        return f"page {page}: OCR timed out after {timeout:g} s (VANBAN_OCR_SECONDS_PER_PAGE)"
    code, out, err = res
    if code != 0:
        msg = err.decode("utf-8", "replace").strip().splitlines()
        return f"page {page}: OCR failed ({msg[-1] if msg else f'exit {code}'})"
    width, height, words = parse_tsv(out.decode("utf-8", "replace"))
    result = OcrPage(page=page, dpi=dpi, width_px=width, height_px=height, words=tuple(words),
                     seconds=0.0)

    def block(crop: bytes) -> str | None:  # one uniform block of text: the signature's
        got = _tsv(crop, dpi, 6, timeout)
        return got[1].decode("utf-8", "replace") if got and got[0] == 0 else None

    result = with_signature(result, image, block)
    return replace(result, seconds=time.monotonic() - t0)


def iter_ocr(path: Path, pages: list[int], limits: Limits = DEFAULT,
             psm: int = PSM) -> Iterator[tuple[int, OcrPage | str]]:
    """OCR the 1-based ``pages`` of ``path``; yield ``(page, result)`` in page order,
    the result an :class:`OcrPage` or a warning string. Never raises for one page.

    This thread renders (pdfium is not thread-safe; 0.2 s a page) a few pages ahead;
    ``limits.ocr_workers`` Tesseract processes (0 = number of cores) read them, each
    within ``limits.ocr_seconds_per_page``. At most workers + 1 rendered pages are held.
    """
    if not pages:
        return
    if shutil.which("tesseract") is None:
        for p in pages:
            yield p, f"page {p}: needs OCR but tesseract is not installed"
        return
    workers = max(1, min(limits.ocr_workers or os.cpu_count() or 1, len(pages)))
    todo = iter(pages)
    pending: deque[tuple[int, Future]] = deque()
    pdf = pdfium.PdfDocument(str(path))
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            def submit() -> None:
                p = next(todo, None)
                if p is None:
                    return
                t0 = time.monotonic()
                try:
                    rendered = _render(pdf, p, limits)
                except Exception as exc:  # pdfium or PIL: one bad page, not the document
                    rendered = f"page {p}: cannot be rendered for OCR ({exc})"
                if isinstance(rendered, str):  # a bad page, or one too large: set aside
                    fut: Future = Future()
                    fut.set_result(rendered)
                else:
                    image, dpi = rendered
                    fut = pool.submit(_tesseract, image, p, dpi, limits.ocr_seconds_per_page,
                                      psm, t0)
                pending.append((p, fut))

            for _ in range(workers + 1):
                submit()
            while pending:
                p, fut = pending.popleft()
                submit()
                yield p, fut.result()
    finally:
        pdf.close()


def ocr_pages(path: Path, pages: list[int], limits: Limits = DEFAULT,
              psm: int = PSM) -> OcrBatch:
    """All of :func:`iter_ocr` at once: pages that failed are absent, with a warning."""
    results: dict[int, OcrPage] = {}
    warnings: list[str] = []
    for p, res in iter_ocr(path, pages, limits, psm):
        if isinstance(res, str):
            warnings.append(res)
        else:
            results[p] = res
    return OcrBatch(results, tuple(warnings))
