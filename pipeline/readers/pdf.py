"""PDF → raw blocks: the text layer laid out, OCR for scanned or garbled pages.

One engine for every page: word boxes → visual lines → blocks.

* Text pages: pypdfium2 gives every glyph with its box (glyphs are merged into words
  by geometry, which also restores spaces pdfium's text lacks). Pages with form
  widgets (e-signature stamps that hold the number and the day/month: ``kh_173``,
  ``cd_2003``, ``nd_55``) are flattened first, so the stamp text lands where it is
  printed (``Số: 173 /KH-UBND``, ``ngày 28 tháng 4``), not at the end of the page.
* Pages without a text layer (scans) and pages whose text is not Vietnamese (wrong font
  mapping, see :func:`pipeline.ocr.vietnamese_score`) are OCR'd
  (:mod:`pipeline.ocr`); Tesseract's words and boxes go through the same layout. A
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
signature). Pages are loaded and closed one at a time and the pdfium document is
reopened every ``REOPEN_EVERY`` pages (pdfium keeps fonts per document), so memory does
not grow with the page count; only the blocks' text accumulates.
"""
from __future__ import annotations

import ctypes
import re
import statistics
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipeline.limits import DEFAULT, Limits
from pipeline.model import RawBlock, VanbanError
from pipeline.normalize import fold
from pipeline.ocr import OcrPage, iter_ocr, letter_count, vietnamese_score
from pipeline.outline import label_at
from pipeline.paragraphs import is_rule

MIN_SCORE = 0.6          # text layers scoring below this are OCR'd (real pages: > 0.95)
MIN_LETTERS = 25         # fewer letters than this = no usable text layer
MIN_IMAGE_SHARE = 0.05   # an empty page is OCR'd only if images cover this much of it
OVERLAY_LETTERS = 200    # fewer letters over a page-size image: a scan with a stamp's text
REOPEN_EVERY = 200       # pages read before pdfium's document (and its caches) is reopened


@dataclass(frozen=True)
class PdfResult:
    blocks: list[RawBlock]
    pages: int
    ocr_pages: tuple[int, ...]
    warnings: tuple[str, ...]


# ----------------------------------------------------------------------------- geometry


@dataclass(slots=True)
class _Box:
    """A word (glyphs merged by :func:`_glyphs`, or one OCR word) in PDF points, y
    upwards. ``run`` numbers its run (consecutive words of the content stream on one
    baseline); ``sp`` says the stream had a space just before it."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    run: int = 0
    sp: bool = False


class _Line:
    """One visual line: boxes sorted left to right."""

    __slots__ = ("boxes", "words", "x0", "y0", "x1", "y1", "h", "_text")

    def __init__(self, boxes: list[_Box], words: bool):
        boxes.sort(key=lambda b: b.x0)
        self.boxes = boxes
        self.words = words
        self.x0 = min(b.x0 for b in boxes)
        self.x1 = max(b.x1 for b in boxes)
        self.y0 = min(b.y0 for b in boxes)
        self.y1 = max(b.y1 for b in boxes)
        hs = sorted(b.y1 - b.y0 for b in boxes)
        self.h = max(hs[len(hs) // 2], 1.0)
        self._text: str | None = None

    @property
    def xc(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = _join_boxes(self.boxes, self.words, self.h)
        return self._text

    def segments(self, gap: float) -> list["_Line"]:
        """Pieces of this line separated by horizontal gaps wider than ``gap``."""
        out: list[list[_Box]] = [[self.boxes[0]]]
        right = self.boxes[0].x1
        for b in self.boxes[1:]:
            if b.x0 - right > gap:
                out.append([])
            out[-1].append(b)
            right = max(right, b.x1)
        if len(out) == 1:
            return [self]
        return [_Line(list(p), self.words) for p in out]


def _join_boxes(boxes: list[_Box], words: bool, h: float) -> str:
    """Text of boxes sorted by x: words get a space between them; glyphs get one where
    the gap is wider than 0.11 line height (on the corpus, gaps inside words stay under
    0.05 and word spaces start near 0.09), or where the stream had a space and the gap
    is not negative. Doubled glyphs (fake bold) drop."""
    out: list[str] = []
    right = None
    prev: _Box | None = None
    for b in boxes:
        if prev is not None and right is not None:
            if b.text == prev.text and abs(b.x0 - prev.x0) < 0.3 * max(prev.x1 - prev.x0, 0.5):
                continue
            gap = b.x0 - right
            if words or gap > 0.11 * h or (b.sp and gap > 0.03 * h) or (
                    b.sp and b.run != prev.run and gap > -0.15 * h):  # stamp text put in
                out.append(" ")
        out.append(b.text)
        right = b.x1 if right is None else max(right, b.x1)
        prev = b
    return "".join(out)


def _cluster_lines(boxes: list[_Box]) -> list[_Line]:
    """Glyph boxes → visual lines, top to bottom. Runs stay whole (an accented letter
    whose box sits a little higher stays in its word); a run joins the line above when
    its vertical centre lies within 0.4 of a line height of that line's first run."""
    runs: dict[int, list[_Box]] = {}
    for b in boxes:
        runs.setdefault(b.run, []).append(b)
    keyed = []
    for run in runs.values():
        ys = sorted((b.y0 + b.y1) / 2 for b in run)
        hs = sorted(b.y1 - b.y0 for b in run)
        keyed.append((ys[len(ys) // 2], hs[len(hs) // 2], run))
    keyed.sort(key=lambda k: -k[0])
    lines: list[_Line] = []
    cur: list[_Box] = []
    cy = ch = 0.0
    for yc, h, run in keyed:
        if cur and abs(yc - cy) <= 0.4 * max(min(h, ch), 1.0):
            cur.extend(run)
            continue
        if cur:
            lines.append(_Line(cur, words=False))
        cur, cy, ch = list(run), yc, h
    if cur:
        lines.append(_Line(cur, words=False))
    return lines


def _trim_specks(words: list[_Box]) -> list[_Box]:
    """Without trailing OCR words that hold no letter or digit and stand apart from
    the text (seal specks read as ``:`` or ``—``)."""
    words = sorted(words, key=lambda b: b.x0)
    while len(words) > 1 and not any(c.isalnum() for c in words[-1].text) and \
            words[-1].x0 - words[-2].x1 > 0.5 * (words[-2].y1 - words[-2].y0):
        words.pop()
    return words


def _ocr_lines(page: OcrPage) -> list[_Line]:
    """OCR words → visual lines: Tesseract's lines (which follow a skewed scan), merged
    when two of them share a row (the two header columns)."""
    k = 72.0 / page.dpi
    height_pt = page.height_px * k
    by_id: dict[tuple[int, int, int], list[_Box]] = {}
    for w in page.words:
        by_id.setdefault(w.line, []).append(
            _Box(w.text, w.left * k, height_pt - (w.top + w.height) * k,
                 (w.left + w.width) * k, height_pt - w.top * k))
    raw = [_Line(_trim_specks(v), words=True) for v in by_id.values()]
    raw.sort(key=lambda ln: -(ln.y0 + ln.y1))
    rows: list[list[_Line]] = []
    for ln in raw:
        for row in rows[-3:]:
            r0, r1 = min(x.y0 for x in row), max(x.y1 for x in row)
            overlap = min(r1, ln.y1) - max(r0, ln.y0)
            if overlap > 0.5 * min(r1 - r0, ln.y1 - ln.y0) and all(
                    ln.x0 > x.x1 or ln.x1 < x.x0 for x in row):
                row.append(ln)
                break
        else:
            rows.append([ln])
    out = [_Line([b for x in row for b in x.boxes], words=True) for row in rows]
    out.sort(key=lambda ln: -(ln.y0 + ln.y1))
    return out


# ----------------------------------------------------------------------------- text layer


@dataclass
class _PageScan:
    """What one page holds, from pypdfium2."""

    number: int
    width: float
    height: float
    text: str
    lines: list[_Line]
    image_share: float
    rules: tuple[int, int]  # (horizontal, vertical) visible rules


def _page_scan(pdf: pdfium.PdfDocument, index: int) -> _PageScan:
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
    return _PageScan(index + 1, width, height, text, _cluster_lines(boxes) if boxes else [],
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


def _glyphs(page: pdfium.PdfPage) -> tuple[list[_Box], str]:
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
        boxes: list[_Box] = []
        run = 0
        space = False
        cur: _Box | None = None  # the word being built
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
            cur = _Box(ch, x0, y0, x1, y1, run, space)
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


# ----------------------------------------------------------------------------- layout


_AUTHORITY = re.compile(r"^(TM|KT|TL|TUQ|Q)\s*\.\s*\S")
_AUTH_ANY = re.compile(r"\b(TM|KT|TL|TUQ|Q)\s*\.")
_NOI_NHAN = re.compile(r"\bn[^\W\d_]{1,2}\s*nh[^\W\d_]{1,2}n\s*[:.;,]?", re.IGNORECASE)
_PAGE_NO = re.compile(r"^\W{0,3}\d{1,4}\W{0,3}$|^(Trang|Page)\s+\d{1,4}(\s*/\s*\d+)?$",
                      re.IGNORECASE)


@dataclass
class _Layout:
    """Body measures of one page (points)."""

    left: float
    right: float
    gap: float   # usual space between two lines of one paragraph
    h: float     # usual line height

    @property
    def center(self) -> float:
        return (self.left + self.right) / 2


def _measure(lines: list[_Line], fallback: _Layout | None) -> _Layout:
    """Margins from the long lines (10th / 90th percentile of their ends), the median
    line height and line gap; ``fallback`` (the previous page's) for a page with
    fewer than three long lines."""
    long = [ln for ln in lines if len(ln.text) >= 40]
    if len(long) < 3:
        if fallback is not None:
            return fallback
        long = lines
    xs0 = sorted(ln.x0 for ln in long)
    xs1 = sorted(ln.x1 for ln in long)
    left = xs0[len(xs0) // 10]
    right = xs1[min(len(xs1) - 1, (len(xs1) * 9) // 10)]
    hs = sorted(ln.h for ln in lines)
    h = hs[len(hs) // 2]
    gaps = [a.y0 - b.y1 for a, b in zip(lines, lines[1:]) if 0 <= a.y0 - b.y1 < 2.5 * h]
    gap = statistics.median(gaps) if gaps else 0.3 * h
    return _Layout(left, max(right, left + 1), gap, h)


@dataclass
class _Columns:
    """A two-column area: lines ``first..last`` (inclusive) cut into their left and
    right parts."""

    first: int
    last: int
    left: list[_Line] = field(default_factory=list)
    right: list[_Line] = field(default_factory=list)


def _two_parts(line: _Line, min_gap: float) -> tuple[_Line, _Line] | None:
    """The line cut at its widest gap, if that gap is at least ``min_gap``."""
    segs = line.segments(min_gap)
    if len(segs) < 2:
        return None
    k = max(range(1, len(segs)), key=lambda i: segs[i].x0 - segs[i - 1].x1)
    return (_Line([b for s in segs[:k] for b in s.boxes], line.words),
            _Line([b for s in segs[k:] for b in s.boxes], line.words))


def _grow_columns(lines: list[_Line], start: int, stop: int, gl: float, gr: float,
                  centers: tuple[float, float, float] | None) -> _Columns:
    """Lines from ``start`` down while their pieces (split at gaps wider than the line
    height) fit left or right of the gutter ``(gl, gr)``, narrowing it. With
    ``centers`` (left column, right column, page), each side of a line must sit nearer
    its column's centre than the page centre (the centred title under the header is
    not part of the right column)."""
    cols = _Columns(start, start - 1)
    for i in range(start, stop):
        mid = (gl + gr) / 2
        segs = lines[i].segments(1.0 * lines[i].h)
        lefts = [b for s in segs if s.xc < mid for b in s.boxes]
        rights = [b for s in segs if s.xc >= mid for b in s.boxes]
        left = _Line(lefts, lines[i].words) if lefts else None
        right = _Line(rights, lines[i].words) if rights else None
        # pieces with hardly any letters (a scribbled signature or seal read by OCR,
        # a lone ":") go with their side but do not narrow the gutter
        # and so do stray marks at a piece's ends ("... theo dõi); —")
        solid = [s for s in segs if not _weak(s.text)]
        ngl = max([gl] + [_ink_x(s)[1] for s in solid if s.xc < mid])
        ngr = min([gr] + [_ink_x(s)[0] for s in solid if s.xc >= mid])
        if ngr - ngl < 2.0:
            break
        if centers is not None and left is not None and fold(left.text).startswith("kinh gui"):
            break  # the addressee line follows the header table
        if centers is not None and any(
                side is not None and abs(side.xc - col_c) > abs(side.xc - centers[2])
                for side, col_c in ((left, centers[0]), (right, centers[1]))):
            break
        gl, gr = ngl, ngr
        if left:
            cols.left.append(left)
        if right:
            cols.right.append(right)
        cols.last = i
    return cols


def _ink_x(ln: _Line) -> tuple[float, float]:
    """Left and right end of the boxes of ``ln`` that hold a letter or digit."""
    boxes = [b for b in ln.boxes if any(c.isalnum() for c in b.text)] or ln.boxes
    return min(b.x0 for b in boxes), max(b.x1 for b in boxes)


def _weak(text: str) -> bool:
    """Fewer than two letters, or letters under half of the characters."""
    letters = sum(map(str.isalpha, text))
    return letters < 2 or letters < 0.5 * len(text.replace(" ", ""))


def _find_header(lines: list[_Line], lay: _Layout) -> _Columns | None:
    """The two-column header at the top of the first page: from its first line with
    two parts far apart. Lines above it stay out when they all sit in the right half
    (an electronic copy's ``SAO Y`` stamp, a ``Mẫu số`` or ``KHẨN`` mark)."""
    top_limit = lines[0].y1 - 0.45 * (lines[0].y1 - lines[-1].y0) if lines else 0
    for i, ln in enumerate(lines[:4]):
        parts = _two_parts(ln, 1.5 * ln.h)
        if parts is None:
            continue
        left, right = parts
        if left.x1 > lay.center + 0.1 * (lay.right - lay.left):
            continue
        stop = next((k for k, x in enumerate(lines) if x.y1 < top_limit), len(lines))
        start = i if all(x.x0 >= lay.center for x in lines[:i]) else 0
        cols = _grow_columns(lines, start, stop, left.x1, right.x0,
                             (left.xc, right.xc, lay.center))
        if cols.last >= i and cols.left and cols.right:
            return cols
        return None
    return None


def _find_signature(lines: list[_Line], first: int) -> _Columns | None:
    """The signature area: from ``Nơi nhận`` (left) and/or the authority line
    (``TM.``, ``KT.``, ``TL.``, ``TUQ.``, ``Q.``, right) down to the last line that
    still fits the two columns (a footer line across the page ends it)."""
    anchor = auth = None
    auth_x = 0.0
    for i in range(len(lines) - 1, first - 1, -1):
        if _NOI_NHAN.search(lines[i].text) and \
                fold(lines[i].segments(1.2 * lines[i].h)[0].text).startswith("noi nhan"):
            anchor = i
            break
    min_x = min(ln.x0 for ln in lines)
    for i in range(len(lines) - 1, first - 1, -1):
        if (anchor is not None and abs(i - anchor) > 4) or not _AUTH_ANY.search(lines[i].text):
            continue
        segs = lines[i].segments(1.2 * lines[i].h)
        hit = [s for s in segs if _AUTHORITY.match(s.text) and s.x0 > min_x + 8 * s.h]
        if hit:
            auth, auth_x = i, hit[0].x0
            break
    if anchor is None and auth is None:
        return None
    start = min(i for i in (anchor, auth) if i is not None)
    gl = None
    if anchor is not None and auth is not None:
        gl = lines[anchor].segments(1.2 * lines[anchor].h)[0].x1
    elif auth is not None:
        # no readable "Nơi nhận" (OCR): the recipients may begin above the authority
        # line, left of it and packed close (the body ends with a wider gap)
        while start - 1 > first and lines[start - 1].x1 < auth_x - 2 and \
                lines[start - 1].y0 - lines[start].y1 < lines[start].h:
            start -= 1
        if start < auth:
            gl = max(ln.x1 for ln in lines[start:auth])
    if gl is not None and gl < auth_x:
        cols = _grow_columns(lines, start, len(lines), gl, auth_x, None)
        return cols if cols.left and cols.right else None
    for i in range(start, min(start + 6, len(lines))):
        parts = _two_parts(lines[i], 1.2 * lines[i].h)
        if parts is None:
            continue
        cols = _grow_columns(lines, start, len(lines), parts[0].x1, parts[1].x0, None)
        if cols.left and cols.right and cols.last >= i:
            return cols
        return None
    return None


def _is_centered(ln: _Line, lay: _Layout) -> bool:
    """Centred on the body and off both margins (a justified line touches them)."""
    return (abs(ln.xc - lay.center) < 0.05 * (lay.right - lay.left)
            and ln.x1 < lay.right - 2.0 and ln.x0 > lay.left + 2.0)


def _is_short(ln: _Line, lay: _Layout) -> bool:
    return ln.x1 < lay.right - max(2.5 * ln.h, 0.06 * (lay.right - lay.left))


_SENTENCE_END = re.compile(r"[.;:!?…][”\")]?$|/\.$")


def _join(a: str, b: str) -> str:
    """Two lines of one paragraph: a space, or nothing after a hyphen glued to a word
    (``5969/QĐ-`` + ``UBND``)."""
    if len(a) >= 2 and a[-1] in "-‐" and a[-2].isalnum():
        return a + b
    return f"{a} {b}"


class _Paragraphs:
    """Joins the body lines of one page (or one table cell) into paragraphs."""

    def __init__(self, page: int | None) -> None:
        self.page = page
        self.blocks: list[RawBlock] = []
        self.text: str | None = None
        self.first: _Line | None = None   # first line of the open paragraph
        self.cont_x: float | None = None  # x of its continuation lines
        self.prev: _Line | None = None
        self.lay: _Layout | None = None

    def close(self) -> None:
        if self.text is not None:
            self.blocks.append(RawBlock(text=_nfc(self.text), page=self.page))
        self.text = None
        self.first = self.prev = None
        self.cont_x = None

    def add(self, ln: _Line, lay: _Layout) -> None:
        text = ln.text.strip()
        if not text or is_rule(text):
            self.close()
            return
        if self.text is not None and self._continues(ln, text, lay):
            self.text = _join(self.text, text)
            if self.cont_x is None:
                self.cont_x = ln.x0
        else:
            self.close()
            self.text, self.first = text, ln
        self.prev, self.lay = ln, lay

    def open_end(self) -> bool:
        """The open paragraph may go on at the top of the next page."""
        return (self.text is not None and self.prev is not None and self.lay is not None
                and not _is_short(self.prev, self.lay) and not _SENTENCE_END.search(self.text))

    def _continues(self, ln: _Line, text: str, lay: _Layout) -> bool:
        prev, first = self.prev, self.first
        assert prev is not None and first is not None and self.text is not None
        if _is_centered(prev, lay) and _is_centered(ln, lay):
            # a centred title over several lines (trích yếu): same case, no label
            return (label_at(text) is None and not _SENTENCE_END.search(self.text)
                    and _caps(prev.text) == _caps(text)
                    and prev.y0 - ln.y1 <= lay.gap + max(3.0, 0.45 * lay.h))
        if lay.right - prev.x1 > _first_word(ln) + 0.3 * ln.h:
            return False  # the next line's first word would have fitted: prev ended
        if prev.y0 - ln.y1 > lay.gap + max(3.0, 0.45 * lay.h):
            return False
        if label_at(text) is not None and (_SENTENCE_END.search(self.text)
                                           or ln.x0 > lay.left + 0.8 * ln.h):
            return False
        if ln.x0 - lay.left <= 0.8 * ln.h:
            return True
        if self.cont_x is not None:
            return abs(ln.x0 - self.cont_x) <= 3.0
        # second line of an item with a hanging indent: aligned after the label
        lab = label_at(first.text.strip())
        if lab is not None:
            after = _x_after_label(first, lab.end)
            return after is not None and abs(ln.x0 - after) <= 4.0
        return False


def _first_word(ln: _Line) -> float:
    """Width of the first word of ``ln``."""
    boxes = ln.boxes
    end = boxes[0].x1
    if not ln.words:
        for b in boxes[1:]:
            if b.sp or b.x0 - end > 0.11 * ln.h:
                break
            end = max(end, b.x1)
    return end - ln.x0


def _starts_continuation(ln: _Line, lay: _Layout) -> bool:
    """A page's first body line that may continue the previous page's paragraph: no
    label, not centred, and at the left margin or starting in lower case."""
    text = ln.text.strip()
    if not text or label_at(text) is not None or _is_centered(ln, lay):
        return False
    return ln.x0 - lay.left <= 0.8 * ln.h or text[0].islower()


def _x_after_label(ln: _Line, label_len: int) -> float | None:
    """x where the text after a list label starts on ``ln``."""
    count = 0
    target = len(ln.text.strip()[:label_len].replace(" ", ""))
    for k, b in enumerate(ln.boxes):
        count += len(b.text.replace(" ", ""))
        if count >= target:
            return ln.boxes[k + 1].x0 if k + 1 < len(ln.boxes) else None
    return None


def _caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _cell_text(lines: list[_Line]) -> str:
    """Lines of one column cell, one per text line. A line that starts in lower case
    continues the line above (the wrapped ``V/v`` subject of a công văn), and so does a
    line that sits right of the ``-`` item above (a wrapped ``Nơi nhận`` entry)."""
    out: list[str] = []
    item_x: float | None = None
    for ln in lines:
        text = ln.text.strip()
        if not text or is_rule(text):
            continue
        if out and item_x is not None and label_at(text) is None and (
                text[0].islower() or (label_at(out[-1]) and ln.x0 > item_x + 2.0)):
            out[-1] = _join(out[-1], text)
            continue
        out.append(text)
        item_x = ln.x0
    return _nfc("\n".join(out))


def _drop_page_numbers(lines: list[_Line]) -> list[_Line]:
    """Without a first or last line that is only a page number."""
    if len(lines) >= 2 and _PAGE_NO.match(lines[0].text.strip()):
        lines = lines[1:]
    if len(lines) >= 2 and _PAGE_NO.match(lines[-1].text.strip()):
        lines = lines[:-1]
    return lines


# ----------------------------------------------------------------------------- tables


def _table_cells(plumber: object, index: int) -> list[list[list[tuple[float, float, float, float] | None]]]:
    """Cell boxes (PDF points, y up) of the ruled tables of page ``index`` (0-based),
    per table, row, column; only visible rules count (white fills are shading)."""
    page = plumber.pages[index]  # type: ignore[attr-defined]
    try:
        def visible(obj: dict) -> bool:
            if obj.get("object_type") not in ("rect", "line", "curve"):
                return True
            if obj.get("stroke"):
                return True
            color = obj.get("non_stroking_color")
            if not obj.get("fill") or color is None:
                return False
            vals = color if isinstance(color, (list, tuple)) else (color,)
            try:
                nums = [float(v) for v in vals]
            except (TypeError, ValueError):
                return True
            return not nums or min(nums) < 0.8 if len(nums) != 4 else max(nums) > 0.2
        filtered = page.filter(visible)
        tables = filtered.find_tables()
        top = page.bbox[3]
        out = []
        for tb in tables:
            rows = []
            for row in tb.rows:
                rows.append([None if c is None else (c[0], top - c[3], c[2], top - c[1])
                             for c in row.cells])
            if len(rows) >= 2 or (rows and len(rows[0]) >= 2):
                out.append(rows)
        return out
    finally:
        page.close()


def _in_box(ln_box: _Box, cell: tuple[float, float, float, float]) -> bool:
    xc, yc = (ln_box.x0 + ln_box.x1) / 2, (ln_box.y0 + ln_box.y1) / 2
    return cell[0] <= xc <= cell[2] and cell[1] <= yc <= cell[3]


# ----------------------------------------------------------------------------- pages → blocks


@dataclass
class _PageOut:
    """One page's blocks; table numbers are local to the page until assembly."""

    page: int
    blocks: list[RawBlock]
    cont_start: bool  # the first block may continue the previous page's last paragraph
    open_end: bool    # the last block is a paragraph that may go on


def _layout_page(number: int, lines: list[_Line], *, first: bool,
                 tables: list | None, fallback: _Layout | None) -> tuple[_PageOut, _Layout | None]:
    """Lay out one page's lines (top to bottom) into blocks."""
    lines = _drop_page_numbers(lines)
    if not lines:
        return _PageOut(number, [], False, False), fallback
    lay = _measure(lines, fallback)
    header = _find_header(lines, lay) if first else None
    begin = header.last + 1 if header else 0
    sig = _find_signature(lines, begin)
    end = sig.first if sig else len(lines)
    blocks: list[RawBlock] = []
    ntables = 0

    def columns(cols: _Columns) -> None:
        nonlocal ntables
        for col, side in ((0, cols.left), (1, cols.right)):
            text = _cell_text(side)
            m = _NOI_NHAN.match(text) if side and side[0].words else None
            if m and fold(m.group()).startswith("noi nhan"):  # OCR reads "Nội nhận." too
                text = "Nơi nhận:" + text[m.end():]
            if text:
                blocks.append(RawBlock(text=text, kind="table_cell", page=number, table=ntables,
                                       row=0, col=col))
        ntables += 1

    if header:
        if header.first:
            above = _Paragraphs(number)
            for ln in lines[:header.first]:
                above.add(ln, lay)
            above.close()
            blocks.extend(above.blocks)
        columns(header)
    # on a scan, a line with a gap of 2.5 line heights holds two things side by side
    # (a stamp's leftovers beside the title): one line each. A text layer's wide gap
    # is a tab inside one paragraph.
    body: list = [seg for ln in lines[begin:end]
                  for seg in (ln.segments(2.5 * ln.h) if ln.words else [ln])]
    if tables:
        body = _with_tables(body, tables)
    paras = _Paragraphs(number)
    cont_start = False
    for k, item in enumerate(body):
        if isinstance(item, list):  # a table: its rows of cells
            paras.close()
            blocks.extend(paras.blocks)
            paras.blocks = []
            blocks.extend(_table_blocks(item, number, ntables))
            ntables += 1
            continue
        if k == 0 and not header:
            cont_start = _starts_continuation(item, lay)
        paras.add(item, lay)
    open_end = paras.open_end() and sig is None
    paras.close()
    blocks.extend(paras.blocks)
    if sig:
        columns(sig)
        tail = _Paragraphs(number)
        for ln in lines[sig.last + 1:]:
            tail.add(ln, lay)
        tail.close()
        blocks.extend(tail.blocks)
    if lines[0].words:  # OCR: "KÉ HOẠCH" is read for "KẾ HOẠCH"
        blocks = [replace(b, text=_type_name(b.text)) if b.kind == "paragraph" else b
                  for b in blocks]
    return _PageOut(number, blocks, cont_start, open_end), lay


def _type_name(text: str) -> str:
    """A capital line that reads as a document-type name without its marks
    (``KÉ HOẠCH``, ``QUYET ĐỊNH``) → the name as printed (``KẾ HOẠCH``)."""
    if len(text) > 30 or not _caps(text):
        return text
    from pipeline.doctypes import doc_types

    names = {fold(t.name): t.name.upper() for t in doc_types()}
    return names.get(" ".join(fold(text).split()), text)


def _with_tables(body: list[_Line], tables: list) -> list:
    """Body lines, with the lines inside each table replaced by that table (a list of
    rows of (cell box, lines inside it)) where the table starts."""
    out: list = []
    placed: set[int] = set()
    for ln in body:
        hit = None
        for k, rows in enumerate(tables):
            if any(_in_box(b, c) for b in ln.boxes for row in rows for c in row if c is not None):
                hit = k
                break
        if hit is None:
            out.append(ln)
            continue
        if hit in placed:
            continue
        placed.add(hit)
        rows = tables[hit]
        boxes = [b for x in body for b in x.boxes]
        out.append([[None if c is None else [b for b in boxes if _in_box(b, c)] for c in row]
                    for row in rows])
    return out


def _table_blocks(rows: list, number: int, table: int) -> list[RawBlock]:
    out = []
    for r, row in enumerate(rows):
        for c, inside in enumerate(row):
            if not inside:
                continue
            text = _cell_paragraphs(_cluster_lines(inside))
            if text:
                out.append(RawBlock(text=text, kind="table_cell", page=number, table=table,
                                    row=r, col=c))
    return out


def _cell_paragraphs(lines: list[_Line]) -> str:
    """A table cell's lines joined into its paragraphs (newline between paragraphs)."""
    if not lines:
        return ""
    sub = _Paragraphs(None)
    lay = _measure(lines, None)
    lay.left = min(ln.x0 for ln in lines)
    lay.right = max(ln.x1 for ln in lines)
    for ln in lines:
        sub.add(ln, lay)
    sub.close()
    return _nfc("\n".join(b.text for b in sub.blocks))


def _assemble(outs: list[_PageOut]) -> list[RawBlock]:
    """Pages in order → blocks: table numbers made document-wide, a paragraph cut by a
    page break joined back (it keeps its first page)."""
    blocks: list[RawBlock] = []
    tables = 0
    prev_open = False
    for out in sorted(outs, key=lambda o: o.page):
        if not out.blocks:
            continue
        local = {b.table for b in out.blocks if b.table is not None}
        remap = {t: tables + i for i, t in enumerate(sorted(local))}
        tables += len(local)
        bl = [replace(b, table=remap[b.table]) if b.table is not None else b for b in out.blocks]
        if prev_open and out.cont_start and blocks and blocks[-1].kind == "paragraph" \
                and bl[0].kind == "paragraph":
            blocks[-1] = replace(blocks[-1], text=_join(blocks[-1].text, bl[0].text))
            bl = bl[1:]
        blocks.extend(bl)
        prev_open = out.open_end
    return blocks


# ----------------------------------------------------------------------------- entry point


def _open(path: Path, limits: Limits) -> pdfium.PdfDocument:
    """Open with pypdfium2, turning every failure into a one-line :class:`VanbanError`."""
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise VanbanError(name, f"cannot open PDF: {exc.strerror or exc}", kind="missing") from exc
    if size == 0:
        raise VanbanError(name, "empty file", kind="empty")
    if size > limits.max_file_mb * 1_000_000:
        raise VanbanError(name, f"file of {size / 1e6:.0f} MB exceeds the limit of "
                          f"{limits.max_file_mb:g} MB (VANBAN_MAX_FILE_MB)", kind="too_large")
    with path.open("rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - 4096))
        tail = fh.read()
    if b"%PDF-" not in head:
        raise VanbanError(name, "cannot open PDF: not a PDF file (no %PDF- header)")
    if b"%%EOF" not in tail:
        raise VanbanError(name, "cannot open PDF: file is truncated (no %%EOF at the end)")
    try:
        return pdfium.PdfDocument(name)
    except pdfium.PdfiumError as exc:
        code = exc.err_code
        # pdfium's error code is global and may be left over from an earlier failure
        # (a document with no pages fails without setting one): check the file itself
        if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY) and _has_encrypt(path):
            what = "password required" if code == pdfium_c.FPDF_ERR_PASSWORD else \
                "unsupported security handler"
            raise VanbanError(name, f"encrypted PDF ({what})", kind="encrypted") from exc
        if _page_count_pdfminer(path) == 0:
            raise VanbanError(name, "PDF has no pages", kind="empty") from exc
        raise VanbanError(name, "cannot open PDF: damaged or not a PDF") from exc


def _page_count_pdfminer(path: Path) -> int | None:
    """Pages pdfminer finds, or None if it cannot parse the file either."""
    try:
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfpage import PDFPage
        from pdfminer.pdfparser import PDFParser

        with path.open("rb") as fh:
            doc = PDFDocument(PDFParser(fh))
            return sum(1 for _ in PDFPage.create_pages(doc))
    except Exception:  # pdfminer raises many unrelated types on damaged files
        return None


def layout_ocr_page(page: OcrPage, first: bool = False) -> list[RawBlock]:
    """Blocks of one OCR'd page, laid out like :func:`read_pdf` does (``first``: look
    for the two-column header)."""
    out, _ = _layout_page(page.page, _ocr_lines(page), first=first, tables=None, fallback=None)
    return out.blocks


def _has_encrypt(path: Path) -> bool:
    """Whether the file holds an ``/Encrypt`` entry (read in 1 MB chunks)."""
    tail = b""
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            if b"/Encrypt" in tail + chunk:
                return True
            tail = chunk[-16:]
    return False


def _needs_ocr(scan: _PageScan) -> str | None:
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
    pdf = _open(Path(path), limits)
    out: dict[int, str] = {}
    try:
        for i in range(len(pdf)):
            scan = _page_scan(pdf, i)
            why = _needs_ocr(scan)
            if why == "garbled text" and _repair(scan):
                why = None
            if why:
                out[i + 1] = why
    finally:
        pdf.close()
    return out


def _repair(scan: _PageScan) -> bool:
    """Convert a TCVN3/VNI text layer in place, word by word (VNI puts a letter's marks
    in glyphs of their own); True if the result reads as Vietnamese."""
    from pipeline.encoding import convert_legacy, repair_legacy

    fixed, label = repair_legacy(scan.text)
    if label is None or vietnamese_score(fixed) < MIN_SCORE:
        return False
    for ln in scan.lines:
        words: list[list[_Box]] = [[ln.boxes[0]]]
        right = ln.boxes[0].x1
        for b in ln.boxes[1:]:
            if b.sp or b.x0 - right > 0.11 * ln.h:
                words.append([])
            words[-1].append(b)
            right = max(right, b.x1)
        ln.boxes = [_Box(convert_legacy("".join(b.text for b in w), label),
                         min(b.x0 for b in w), min(b.y0 for b in w), max(b.x1 for b in w),
                         max(b.y1 for b in w), w[0].run, w[0].sp) for w in words]
        ln._text = None
    scan.text = fixed
    return True


def read_pdf(path: Path, limits: Limits = DEFAULT) -> PdfResult:
    """Read a PDF into raw blocks (see the module docstring). Raises
    :class:`VanbanError` for a file that is not a PDF, truncated, encrypted, empty or
    over ``limits.max_pages``."""
    path = Path(path)
    pdf = _open(path, limits)
    warnings: list[str] = []
    outs: list[_PageOut] = []
    ocr_wanted: list[int] = []
    first_page: int | None = None  # the first page with text or to OCR: header search
    lay: _Layout | None = None
    plumber = None
    try:
        n = len(pdf)
        if n == 0:
            raise VanbanError(str(path), "PDF has no pages", kind="empty")
        if n > limits.max_pages:
            raise VanbanError(str(path), f"PDF of {n} pages exceeds the limit of "
                              f"{limits.max_pages} pages (VANBAN_MAX_PAGES)", kind="too_large")
        chars = 0
        for i in range(n):
            if i and i % REOPEN_EVERY == 0:  # pdfium caches fonts etc. per document
                pdf.close()
                pdf = _open(path, limits)
            try:
                scan = _page_scan(pdf, i)
            except pdfium.PdfiumError as exc:
                warnings.append(f"page {i + 1}: cannot be read ({exc})")
                continue
            chars += len(scan.text)
            if chars > limits.max_text_mb * 1_000_000:
                raise VanbanError(str(path), f"text exceeds the limit of {limits.max_text_mb:g} M "
                                  "characters (VANBAN_MAX_TEXT_MB)", kind="too_large")
            why = _needs_ocr(scan)
            if why == "garbled text" and _repair(scan):
                why = None
                warnings.append(f"page {scan.number}: legacy-encoded (TCVN3/VNI) text converted")
            if why:
                ocr_wanted.append(scan.number)
                first_page = first_page or scan.number
                continue
            if not scan.lines:
                continue
            first_page = first_page or scan.number
            tables = None
            if scan.rules[0] >= 2 and scan.rules[1] >= 2:
                if plumber is None:
                    import pdfplumber
                    plumber = pdfplumber.open(str(path))
                try:
                    tables = _table_cells(plumber, i) or None
                except Exception as exc:  # pdfminer's errors share no base class
                    warnings.append(f"page {scan.number}: tables not read ({type(exc).__name__})")
            out, lay = _layout_page(scan.number, scan.lines, first=scan.number == first_page,
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
        out, lay = _layout_page(p, _ocr_lines(res), first=p == first_page, tables=None,
                                fallback=lay)
        outs.append(out)
    return PdfResult(blocks=_assemble(outs), pages=n, ocr_pages=tuple(ocr_wanted),
                     warnings=tuple(warnings))
