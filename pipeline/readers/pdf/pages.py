"""PDF reader pages: opening a PDF, scanning each page with pypdfium2, and deciding
which pages need OCR.

:func:`open_pdf` turns every failure to open into a :class:`VanbanError`;
:func:`scan_page` flattens a page's widgets and reads its glyphs (merged into word
boxes), images and rules; :func:`needs_ocr` / :func:`ocr_reasons` say which pages are
OCR'd and why; :func:`convert_legacy_layer` converts a legacy TCVN3/VNI text layer in place.
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipeline.document.limits import DEFAULT, Limits
from pipeline.document.model import VanbanError, os_error_vi
from pipeline.readers.encoding import convert_legacy_words, repair_legacy
from pipeline.readers.pdf.lines import Box, Line, cluster_lines
from pipeline.readers.pdf.quality import letter_count, vietnamese_score

MIN_SCORE = 0.6          # text layers scoring below this are OCR'd (real pages: > 0.95)
MIN_LETTERS = 25         # fewer letters than this = no usable text layer
MIN_IMAGE_SHARE = 0.05   # an empty page is OCR'd only if images cover this much of it
OVERLAY_LETTERS = 200    # fewer letters over a page-size image: a scan with a stamp's text


@dataclass
class PageScan:
    """What one page holds, from pypdfium2."""

    number: int
    width: float
    height: float
    text: str
    lines: list[Line]
    image_share: float
    rules: tuple[int, int]  # (horizontal, vertical) visible rules


def scan_page(pdf: pdfium.PdfDocument, index: int) -> PageScan:
    """Load page ``index`` (0-based), flatten its widgets, read glyphs, close it."""
    page = pdf[index]
    try:
        if pdfium_c.FPDFPage_GetAnnotCount(page.raw) > 0 and _has_widgets(page):
            pdfium_c.FPDFPage_Flatten(page.raw, pdfium_c.FLAT_NORMALDISPLAY)
            page.close()
            page = pdf[index]
        width, height = page.get_size()
        image_share, rules = _page_objects(page, width * height)
        boxes, text = _glyphs(page)
    finally:
        page.close()
    return PageScan(index + 1, width, height, text, cluster_lines(boxes) if boxes else [],
                     image_share, rules)


def _has_widgets(page: pdfium.PdfPage) -> bool:
    for i in range(pdfium_c.FPDFPage_GetAnnotCount(page.raw)):
        annot = pdfium_c.FPDFPage_GetAnnot(page.raw, i)
        try:
            if pdfium_c.FPDFAnnot_GetSubtype(annot) in (pdfium_c.FPDF_ANNOT_WIDGET,
                                                        pdfium_c.FPDF_ANNOT_FREETEXT):
                return True
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)
    return False


def _char(cp: int) -> str:
    if cp == 0x02 or cp == 0xFFFE:  # pdfium's mark for a hyphen at a line end
        return "-"
    if 0x20 <= cp < 0xD800 or 0xE000 <= cp < 0xFFFE:
        return chr(cp)
    return "\ufffd"


# pdfium's text: its hyphen mark at a line end (U+0002, U+FFFE) → "-", other control
# characters and non-characters → U+FFFD; blanks are whitespace it reads or generates
_CHAR_FIX = {0x02: "-", 0xFFFE: "-", 0xFFFF: "\ufffd",
             **{c: "\ufffd" for c in range(0x20) if c not in (0x02, 0x09, 0x0A, 0x0B, 0x0C, 0x0D)}}
_BLANK = frozenset(" \t\n\r\x0b\x0c\xa0\u2002\u2003\u2009\u200b")
_BOX_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)(
    ctypes.cast(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_void_p).value)


def _glyphs(page: pdfium.PdfPage) -> tuple[list[Box], str]:
    """The page's words with their boxes, and its plain text.

    Every glyph's loose box is read (pdfium's text lacks a space between some words
    that the geometry shows); glyphs are merged into one box while they follow each
    other on one baseline with no space and no gap over 0.11 line height (on the
    corpus, gaps inside words stay under 0.05, word spaces start near 0.09). A glyph
    drawn twice at the same place (fake bold) is kept once. A new run starts at a line
    break of pdfium's text or where the baseline jumps."""
    tp = page.get_textpage()
    try:
        n = tp.count_chars()
        units = (ctypes.c_ushort * (n + 1))()
        got = max(pdfium_c.FPDFText_GetText(tp.raw, 0, n, units) - 1, 0) if n else 0
        text = bytes(units)[:2 * got].decode("utf-16-le", "surrogatepass")
        if len(text) != got:  # a surrogate pair: keep one character per index
            text = "".join(map(_char, units[:got]))
        text = text.translate(_CHAR_FIX)
        rect = pdfium_c.FS_RECTF()
        box = (ctypes.c_float * 4).from_address(ctypes.addressof(rect))  # l, t, r, b
        addr = ctypes.addressof(rect)
        tpv = ctypes.cast(tp.raw, ctypes.c_void_p).value
        get_box = _BOX_FN
        boxes: list[Box] = []
        run = 0
        space = False
        cur: Box | None = None  # the word being built
        right = px0 = pyc2 = 0.0
        ph = -1.0  # height of the previous glyph; -1: a run must start
        pch = ""
        for i, ch in enumerate(text):
            if ch in _BLANK:
                space = True
                if ch == "\n" or ch == "\r":
                    cur = None
                    ph = -1.0
                continue
            if not get_box(tpv, i, addr):
                continue
            x0, y1, x1, y0 = box[:]
            h = y1 - y0 if y1 - y0 > 0.1 else 0.1
            yc2 = y0 + y1
            d = yc2 - pyc2
            if ph < 0 or (d if d > 0 else -d) > 0.6 * (h if h < ph else ph) or x0 < px0 - h:
                run += 1
                cur = None
            elif cur is not None and not space:
                if ch == pch and -0.3 * (x1 - x0) - 0.2 < x0 - px0 < 0.3 * (x1 - x0) + 0.2:
                    continue  # drawn twice
                if x0 - right <= 0.11 * h:
                    cur.text += ch
                    if x1 > cur.x1:
                        cur.x1 = x1
                    if h < cur.y1 - cur.y0:  # the word's height: its lowest glyph box
                        cur.y0, cur.y1 = y0, y1  # (accented capitals reach higher)
                    if x1 > right:
                        right = x1
                    px0, pyc2, ph, pch = x0, yc2, h, ch
                    continue
            cur = Box(ch, x0, y0, x1, y1, run, space)
            boxes.append(cur)
            right, px0, pyc2, ph, pch, space = x1, x0, yc2, h, ch, False
        return boxes, text.replace("\r", "")
    finally:
        tp.close()


def _objects(page: pdfium.PdfPage):
    """Every page object handle, looking into form XObjects (three levels)."""
    def walk(count: int, get, depth: int):
        for i in range(count):
            obj = get(i)
            if not obj:
                continue
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 3:
                yield from walk(pdfium_c.FPDFFormObj_CountObjects(obj),
                                lambda k, o=obj: pdfium_c.FPDFFormObj_GetObject(o, k), depth + 1)
            elif kind in (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH):
                yield kind, obj
    raw = page.raw
    yield from walk(pdfium_c.FPDFPage_CountObjects(raw),
                    lambda k: pdfium_c.FPDFPage_GetObject(raw, k), 0)


def _page_objects(page: pdfium.PdfPage, area: float) -> tuple[float, tuple[int, int]]:
    """(share of the page covered by images, (horizontal, vertical) visible rules).
    Bounds of objects inside form XObjects are taken as they are (no form matrix):
    good enough to count rules and to see that a scan covers the page."""
    img = 0.0
    horiz = vert = 0
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    x0, y0, x1, y1 = (ctypes.c_float() for _ in range(4))
    for kind, obj in _objects(page):
        if not pdfium_c.FPDFPageObj_GetBounds(obj, x0, y0, x1, y1):
            continue
        w, h = x1.value - x0.value, y1.value - y0.value
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            img += max(w, 0) * max(h, 0)
            continue
        if not pdfium_c.FPDFPath_GetDrawMode(obj, fill_mode, stroke):
            continue
        visible = bool(stroke.value)
        if not visible and fill_mode.value:
            pdfium_c.FPDFPageObj_GetFillColor(obj, r, g, b, a)
            visible = a.value > 0 and min(r.value, g.value, b.value) < 200
        if not visible:
            continue
        if w >= 8 and h <= 3:
            horiz += 1
        elif h >= 8 and w <= 3:
            vert += 1
        elif stroke.value and w >= 8 and h >= 8:  # a stroked rectangle: a cell frame
            horiz += 2
            vert += 2
    return min(img / area, 1.0) if area > 0 else 0.0, (horiz, vert)


def open_pdf(path: Path, limits: Limits) -> pdfium.PdfDocument:
    """Open with pypdfium2, turning every failure into a one-line :class:`VanbanError`."""
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise VanbanError(name, f"không mở được PDF: {os_error_vi(exc)}", kind="missing") from exc
    if size == 0:
        raise VanbanError(name, "tệp rỗng", kind="empty")
    if size > limits.max_file_mb * 1_000_000:
        raise VanbanError(name, f"tệp {size / 1e6:.0f} MB, vượt giới hạn "
                          f"{limits.max_file_mb:g} MB (VANBAN_MAX_FILE_MB)", kind="too_large")
    with path.open("rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - 4096))
        tail = fh.read()
    if b"%PDF-" not in head:
        raise VanbanError(name, "không mở được PDF: không phải tệp PDF (không có phần đầu %PDF-)")
    if b"%%EOF" not in tail:
        raise VanbanError(name, "không mở được PDF: tệp bị cắt cụt (không có %%EOF ở cuối)")
    try:
        return pdfium.PdfDocument(name)
    except pdfium.PdfiumError as exc:
        code = exc.err_code
        # pdfium's error code is global and may be left over from an earlier failure
        # (a document with no pages fails without setting one): check the file itself
        if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY) and _has_encrypt(path):
            what = "cần mật khẩu để mở" if code == pdfium_c.FPDF_ERR_PASSWORD else \
                "kiểu bảo mật không được hỗ trợ"
            raise VanbanError(name, f"PDF có mật khẩu ({what})", kind="encrypted") from exc
        if _page_count_pdfminer(path) == 0:
            raise VanbanError(name, "PDF không có trang nào", kind="empty") from exc
        raise VanbanError(name, "không mở được PDF: tệp hỏng hoặc không phải PDF") from exc


def _page_count_pdfminer(path: Path) -> int | None:
    """Pages pdfminer finds, or None if it cannot parse the file either."""
    try:
        # lazy: pdfminer is only needed for a PDF pdfium cannot open (and is slow to load)
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfpage import PDFPage
        from pdfminer.pdfparser import PDFParser

        with path.open("rb") as fh:
            doc = PDFDocument(PDFParser(fh))
            return sum(1 for _ in PDFPage.create_pages(doc))
    except Exception:  # pdfminer raises many unrelated types on damaged files
        return None


def _has_encrypt(path: Path) -> bool:
    """Whether the file holds an ``/Encrypt`` entry (read in 1 MB chunks)."""
    tail = b""
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            if b"/Encrypt" in tail + chunk:
                return True
            tail = chunk[-16:]
    return False


def needs_ocr(scan: PageScan) -> str | None:
    """Why this page must be OCR'd, or None: ``"no text"`` (a scan), ``"scan with a
    text overlay"`` (an image over half the page and only a few lines of text, such as
    the ``SAO Y`` stamp of an electronic copy), ``"garbled text"``."""
    letters = letter_count(scan.text)
    if letters < MIN_LETTERS:
        return "no text" if scan.image_share >= MIN_IMAGE_SHARE else None
    if letters < OVERLAY_LETTERS and scan.image_share >= 0.5:
        return "scan with a text overlay"
    if vietnamese_score(scan.text) < MIN_SCORE:
        return "garbled text"
    return None


def ocr_reasons(path: Path, limits: Limits = DEFAULT) -> dict[int, str]:
    """The 1-based pages of ``path`` that :func:`read_pdf` would OCR, with the reason
    (``"no text"``: a scan; ``"garbled text"``: a text layer that is not Vietnamese and
    not legacy TCVN3/VNI). Runs no OCR."""
    pdf = open_pdf(Path(path), limits)
    out: dict[int, str] = {}
    try:
        for i in range(len(pdf)):
            scan = scan_page(pdf, i)
            why = needs_ocr(scan)
            if why == "garbled text" and convert_legacy_layer(scan):
                why = None
            if why:
                out[i + 1] = why
    finally:
        pdf.close()
    return out


def convert_legacy_layer(scan: PageScan) -> bool:
    """Convert a TCVN3/VNI text layer in place, word by word (VNI puts a letter's marks
    in glyphs of their own); True if the result reads as Vietnamese."""
    fixed, label = repair_legacy(scan.text)
    if label is None or vietnamese_score(fixed) < MIN_SCORE:
        return False
    for ln in scan.lines:
        words: list[list[Box]] = [[ln.boxes[0]]]
        right = ln.boxes[0].x1
        for b in ln.boxes[1:]:
            if b.sp or b.x0 - right > 0.11 * ln.h:
                words.append([])
            words[-1].append(b)
            right = max(right, b.x1)
        texts = convert_legacy_words(["".join(b.text for b in w) for w in words], label)
        ln.replace_boxes([Box(t, min(b.x0 for b in w), min(b.y0 for b in w), max(b.x1 for b in w),
                              max(b.y1 for b in w), w[0].run, w[0].sp) for t, w in zip(texts, words)])
    scan.text = fixed
    return True
