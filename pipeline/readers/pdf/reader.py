"""PDF → raw blocks: the text layer laid out, OCR for scanned or garbled pages.

One engine for every page: word boxes → visual lines → blocks.

* Text pages: pypdfium2 gives every glyph with its box (glyphs are merged into words
  by geometry, which also restores spaces pdfium's text lacks). Pages with form
  widgets (e-signature stamps that hold the number and the day/month: ``kh_173``,
  ``cd_2003``, ``nd_55``) are flattened first, so the stamp text lands where it is
  printed (``Số: 173 /KH-UBND``, ``ngày 28 tháng 4``), not at the end of the page.
* Pages without a text layer (scans) and pages whose text is not Vietnamese (wrong font
  mapping, see :func:`pipeline.readers.pdf.quality.vietnamese_score`) are OCR'd
  (:mod:`pipeline.readers.pdf.ocr`); Tesseract's words and boxes go through the same layout. A
  legacy TCVN3/VNI text layer is converted instead when the result reads as Vietnamese.
  A page with no text and no image (a blank page) is skipped.
* Layout: the two-column header on the first page (issuer and ``Số:`` left, motto and
  date right) and every signature area (``Nơi nhận:`` list left, ``TM./KT.`` position
  and name right; found from those anchors, so a signature before an appendix counts)
  become two ``table_cell`` blocks each (``row`` 0, ``col`` 0 then 1, one printed line
  per text line as in a DOCX header cell; a wrapped recipient joins its item).
  Ruled tables (pdfplumber, only on pages whose drawing has horizontal and vertical
  rules; white fills are not rules) become one ``table_cell`` per cell. Everything else
  is one column: lines are joined into paragraphs by indentation, vertical gaps, a
  last line that would have held the next line's first word, list labels (``1.``,
  ``a)``, ``-``, which stay at the start of their block) and centred titles. A
  paragraph cut by a page break is one block carrying its first page. Running page
  numbers (a first or last line that is only a number) and rules (``____``) are dropped.

Limits: a PDF of more pages than ``limits.max_pages`` raises ``too_large`` before any
page is read (a partial document would silently lose its last duties and its
signature). A page to OCR that is too large to render even at ``limits.ocr_min_dpi``
(over ``limits.max_page_mpixels``, see :func:`pipeline.readers.pdf.ocr.render_dpi`) is
set aside with a warning and the rest is read; when nothing else is left to read, the
document raises ``too_large`` with that page's reason. Pages are loaded and closed one at a time and the pdfium document is
reopened every ``REOPEN_EVERY`` pages (pdfium keeps fonts per document), so memory does
not grow with the page count; only the blocks' text accumulates.

The reader is split over, bottom up: :mod:`pipeline.readers.pdf.quality` (is a text
layer Vietnamese), :mod:`~pipeline.readers.pdf.ocr` (Tesseract's words and boxes),
:mod:`~pipeline.readers.pdf.lines` (word boxes and lines),
:mod:`~pipeline.readers.pdf.pages` (opening, page scanning, which pages need OCR),
:mod:`~pipeline.readers.pdf.paragraphs`, :mod:`~pipeline.readers.pdf.tables` and
:mod:`~pipeline.readers.pdf.layout` (lines → blocks); this module holds
:func:`read_pdf`, its :class:`PdfReader` and :func:`ocr_pdf_pages` (OCR text in the
reader's order). The package exports the public names.
"""
from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium

from pipeline.document.limits import DEFAULT, Limits
from pipeline.document.model import VanbanError
from pipeline.readers.base import ReadResult
from pipeline.readers.pdf.layout import PageOut, assemble_pages, layout_ocr_page, layout_page
from pipeline.readers.pdf.lines import Line, ocr_lines
from pipeline.readers.pdf.ocr import PageTooLarge, iter_ocr
from pipeline.readers.pdf.pages import convert_legacy_layer, needs_ocr, open_pdf, scan_page
from pipeline.readers.pdf.paragraphs import Layout
from pipeline.readers.pdf.quality import readable_share
from pipeline.readers.pdf.tables import table_cells

MIN_READABLE = 0.5  # OCR of a garbled page: below this share of real words it is noise
REOPEN_EVERY = 200  # pages read before pdfium's document (and its caches) is reopened


def read_pdf(path: Path, limits: Limits = DEFAULT) -> ReadResult:
    """Read a PDF into raw blocks (see the module docstring). Raises
    :class:`VanbanError` for a file that is not a PDF, truncated, encrypted, empty or
    over ``limits.max_pages``."""
    path = Path(path)
    pdf = open_pdf(path, limits)
    warnings: list[str] = []
    outs: list[PageOut] = []
    ocr_wanted: list[int] = []
    garbled: set[int] = set()  # OCR'd because the text layer is noise
    first_page: int | None = None  # the first page with text or to OCR: header search
    overlays: dict[int, list[Line]] = {}  # a scan's own text layer (e-signature stamps)
    lay: Layout | None = None
    plumber = None
    try:
        n = len(pdf)
        if n == 0:
            raise VanbanError(str(path), "PDF không có trang nào", kind="empty")
        if n > limits.max_pages:
            raise VanbanError(str(path), f"PDF {n} trang, vượt giới hạn "
                              f"{limits.max_pages} trang (VANBAN_MAX_PAGES)", kind="too_large")
        chars = 0
        for i in range(n):
            if i and i % REOPEN_EVERY == 0:  # pdfium caches fonts etc. per document
                pdf.close()
                pdf = open_pdf(path, limits)
            try:
                scan = scan_page(pdf, i)
            except pdfium.PdfiumError as exc:
                warnings.append(f"page {i + 1}: cannot be read ({exc})")
                continue
            chars += len(scan.text)
            if chars > limits.max_text_mb * 1_000_000:
                raise VanbanError(str(path), f"văn bản vượt giới hạn {limits.max_text_mb:g} triệu "
                                  "ký tự (VANBAN_MAX_TEXT_MB)", kind="too_large")
            why = needs_ocr(scan)
            if why == "garbled text" and convert_legacy_layer(scan):
                why = None
                warnings.append(f"page {scan.number}: legacy-encoded (TCVN3/VNI) text converted")
            if why:
                if why == "garbled text":
                    garbled.add(scan.number)
                elif scan.lines:
                    overlays[scan.number] = scan.lines
                ocr_wanted.append(scan.number)
                first_page = first_page or scan.number
                continue
            if not scan.lines:
                continue
            first_page = first_page or scan.number
            tables = None
            if scan.rules[0] >= 2 and scan.rules[1] >= 2:
                if plumber is None:
                    # lazy: pdfplumber (and pdfminer under it) loads only for a ruled page
                    import pdfplumber
                    plumber = pdfplumber.open(str(path))
                try:
                    tables = table_cells(plumber, i) or None
                except Exception as exc:  # pdfminer's errors share no base class
                    warnings.append(f"page {scan.number}: tables not read ({type(exc).__name__})")
            out, lay = layout_page(scan.number, scan.lines, first=scan.number == first_page,
                                    tables=tables, fallback=lay)
            outs.append(out)
    finally:
        if plumber is not None:
            plumber.close()
        pdf.close()

    for p, res in iter_ocr(path, ocr_wanted, limits):
        if isinstance(res, str):
            warnings.append(res)
            continue
        lines = ocr_lines(res)
        if p in overlays:
            lines = with_overlay(lines, overlays.pop(p))
        if p in garbled and readable_share(" ".join(ln.text for ln in lines)) < MIN_READABLE:
            warnings.append(f"page {p}: garbled text layer, and OCR reads no words there")
            continue
        out, lay = layout_page(p, lines, first=p == first_page, tables=None, fallback=lay)
        outs.append(out)
    too_big = [w for w in warnings if isinstance(w, PageTooLarge)]
    if too_big and not outs:  # nothing read: the document is too large, not empty
        more = f" (và {len(too_big) - 1} trang khác)" if len(too_big) > 1 else ""
        raise VanbanError(str(path), too_big[0] + more, kind="too_large")
    if garbled and not outs:
        raise VanbanError(str(path), "không đọc được: lớp chữ bị lỗi mã (không phải tiếng Việt, "
                          "không phải TCVN3/VNI) và OCR cũng không đọc được chữ nào ở các trang đó",
                          kind="unreadable")
    return ReadResult(blocks=assemble_pages(outs), pages=n, ocr_pages=tuple(ocr_wanted),
                     warnings=tuple(warnings))


def with_overlay(ocr: list[Line], layer: list[Line]) -> list[Line]:
    """A scan's OCR lines with its text layer's lines put in: the e-signature stamps
    typed onto a scanned page (``Ký bởi: …``, ``Thời gian ký: …``) are small print that
    Tesseract misreads or misses, while their text layer is exact. OCR words inside a
    text-layer line's box are dropped (the same print read twice)."""
    def inside(b) -> bool:
        return any(b.x0 < t.x1 and b.x1 > t.x0 and
                   min(b.y1, t.y1) - max(b.y0, t.y0) > 0.5 * min(b.y1 - b.y0, t.y1 - t.y0)
                   for t in layer)

    out = list(layer)
    for ln in ocr:
        keep = [b for b in ln.boxes if not inside(b)]
        if len(keep) == len(ln.boxes):
            out.append(ln)
        elif keep:
            out.append(Line(keep, words=True))
    out.sort(key=lambda ln: -(ln.y0 + ln.y1))
    return out


class PdfReader:
    """The :class:`~pipeline.readers.base.Reader` of PDF files."""

    formats = ("pdf",)

    def read(self, path: Path, limits: Limits) -> ReadResult:
        return read_pdf(path, limits)


READER = PdfReader()


def ocr_pdf_pages(path: Path, pages: list[int], limits: Limits = DEFAULT) -> dict[int, str]:
    """OCR text (NFC) of the 1-based ``pages``, in the PDF reader's reading order: the
    header's left column, then its right column (on page 1), the body, the signature
    area's left then right column; one block per line. Pages that failed are absent
    (see :func:`~pipeline.readers.pdf.ocr.ocr_pages` for the warnings,
    :meth:`~pipeline.readers.pdf.ocr.OcrPage.text` for Tesseract's own order, which
    interleaves the two header columns line by line)."""
    out: dict[int, str] = {}
    for p, res in iter_ocr(path, pages, limits):
        if not isinstance(res, str):
            out[p] = "\n".join(b.text for b in layout_ocr_page(res, first=p == 1))
    return out
