"""PDF reader layout: one page's lines → blocks (the two-column header and signature
areas, body paragraphs, ruled tables), pages assembled into the document's blocks, and
:func:`layout_ocr_page` (one OCR'd page laid out alone)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from pipeline.document.doctypes import doc_types
from pipeline.document.model import RawBlock
from pipeline.document.normalize import fold
from pipeline.readers.pdf.lines import Box, Line, ocr_lines
from pipeline.readers.pdf.ocr import OcrPage
from pipeline.readers.pdf.ocr_words import motto_start, stamp_words
from pipeline.readers.pdf.stamps import split_title_stamps
from pipeline.readers.pdf.paragraphs import (
    Layout,
    Paragraphs,
    cell_text,
    drop_page_numbers,
    is_caps,
    join_wrapped,
    measure,
    starts_continuation,
)
from pipeline.readers.pdf.tables import table_blocks, with_tables

_AUTHORITY = re.compile(r"^(TM|KT|TL|TUQ|Q)\s*\.\s*\S")
_AUTH_ANY = re.compile(r"\b(TM|KT|TL|TUQ|Q)\s*\.")
_NOI_NHAN = re.compile(r"\bn[^\W\d_]{1,2}\s*nh[^\W\d_]{1,2}n\s*[:.;,]?", re.IGNORECASE)


@dataclass
class _Columns:
    """A two-column area: lines ``first..last`` (inclusive) cut into their left and
    right parts."""

    first: int
    last: int
    left: list[Line] = field(default_factory=list)
    right: list[Line] = field(default_factory=list)


def _two_parts(line: Line, min_gap: float) -> tuple[Line, Line] | None:
    """The line cut at its widest gap, if that gap is at least ``min_gap``."""
    segs = line.segments(min_gap)
    if len(segs) < 2:
        return None
    k = max(range(1, len(segs)), key=lambda i: segs[i].x0 - segs[i - 1].x1)
    return (Line([b for s in segs[:k] for b in s.boxes], line.words),
            Line([b for s in segs[k:] for b in s.boxes], line.words))


def _grow_columns(lines: list[Line], start: int, stop: int, gl: float, gr: float,
                  centers: tuple[float, float, float] | None,
                  cut: dict[int, tuple[Line, Line]] | None = None) -> _Columns:
    """Lines from ``start`` down while their pieces (split at gaps wider than the line
    height) fit left or right of the gutter ``(gl, gr)``, narrowing it. With
    ``centers`` (left column, right column, page), each side of a line must sit nearer
    its column's centre than the page centre (the centred title under the header is
    not part of the right column). ``cut`` gives lines already cut in two (the
    motto's line); an OCR line's piece that straddles the gutter is cut where the
    motto begins in it."""
    cols = _Columns(start, start - 1)
    for i in range(start, stop):
        mid = (gl + gr) / 2
        segs = list(cut[i]) if cut and i in cut else lines[i].segments(1.0 * lines[i].h)
        if lines[i].words:
            segs = [p for s in segs for p in _cut_words(s, mid)]
        lefts = [b for s in segs if s.xc < mid for b in s.boxes]
        rights = [b for s in segs if s.xc >= mid for b in s.boxes]
        if lines[i].words:  # OCR specks before a piece ("` Hà Nội, ngày …")
            lefts, rights = _trim_lead(lefts), _trim_lead(rights)
        left = Line(lefts, lines[i].words) if lefts else None
        right = Line(rights, lines[i].words) if rights else None
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


def _trim_lead(boxes: list[Box]) -> list[Box]:
    """OCR words without the leading specks (no letter or digit, not a list mark, apart
    from the next word)."""
    boxes = sorted(boxes, key=lambda b: b.x0)
    while len(boxes) > 1 and not any(c.isalnum() for c in boxes[0].text) and \
            boxes[0].text not in ("-", "+", "•", "*") and \
            boxes[1].x0 - boxes[0].x1 > 0.3 * (boxes[1].y1 - boxes[1].y0):
        boxes = boxes[1:]
    return boxes


def _cut_words(seg: Line, mid: float) -> list[Line]:
    """An OCR piece that spans the gutter's middle ``mid`` and holds the motto after
    other words (``BAN CHỈ ĐẠO 138 Độc lập - Tự do - Hạnh phúc`` read as one piece),
    cut where the motto begins; any other piece as it is."""
    if not (seg.x0 < mid < seg.x1) or len(seg.boxes) < 2:
        return [seg]
    k = motto_start([b.text for b in seg.boxes])
    if not k:
        return [seg]
    return [Line(seg.boxes[:k], True), Line(seg.boxes[k:], True)]


def _ink_x(ln: Line) -> tuple[float, float]:
    """Left and right end of the boxes of ``ln`` that hold a letter or digit."""
    boxes = [b for b in ln.boxes if any(c.isalnum() for c in b.text)] or ln.boxes
    return min(b.x0 for b in boxes), max(b.x1 for b in boxes)


def _weak(text: str) -> bool:
    """Fewer than two letters, or letters under half of the characters."""
    letters = sum(map(str.isalpha, text))
    return letters < 2 or letters < 0.5 * len(text.replace(" ", ""))


def _find_header(lines: list[Line], lay: Layout) -> _Columns | None:
    """The two-column header at the top of the first page: from its first line with
    two parts far apart. Lines above it stay out when they all sit in the right half
    (an electronic copy's ``SAO Y`` stamp, a ``Mẫu số`` or ``KHẨN`` mark). On an OCR'd
    page the motto anchors it first (:func:`_ocr_header`)."""
    top_limit = lines[0].y1 - 0.45 * (lines[0].y1 - lines[-1].y0) if lines else 0
    stop = next((k for k, x in enumerate(lines) if x.y1 < top_limit), len(lines))
    if any(ln.words for ln in lines[:stop]):  # OCR'd (a text layer may add stamp lines)
        cols = _ocr_header(lines, lay, stop)
        if cols is not None:
            return cols
    for i, ln in enumerate(lines[:4]):
        parts = _two_parts(ln, 1.5 * ln.h)
        if parts is None:
            continue
        left, right = parts
        if left.x1 > lay.center + 0.1 * (lay.right - lay.left):
            continue
        start = i if all(x.x0 >= lay.center for x in lines[:i]) else 0
        cols = _grow_columns(lines, start, stop, left.x1, right.x0,
                             (left.xc, right.xc, lay.center))
        if cols.last >= i and cols.left and cols.right:
            return cols
        return None
    return None


def _ocr_header(lines: list[Line], lay: Layout, stop: int) -> _Columns | None:
    """The header of an OCR'd page, anchored on the motto: the first line in the top
    of the page where ``CỘNG HÒA XÃ HỘI …`` begins right of some words is cut there
    (OCR often reads both columns as one line, with no wide gap between them when the
    issuer's name is long: ``UBND TỈNH QUẢNG NGÃI CỘNG HÒA …``). Lines above it (stamp
    text, scan specks) stay out, except the issuer's lines just above it in the left
    half."""
    for i, ln in enumerate(lines[:min(stop, 14)]):
        k = motto_start([b.text for b in ln.boxes])
        if not k:
            continue
        left = Line(ln.boxes[:k], True)
        right = Line(ln.boxes[k:], True)
        if left.x1 >= right.x0 or left.x1 > lay.center + 0.1 * (lay.right - lay.left) \
                or _weak(left.text):
            return None
        start = i
        while start > 0 and lines[start - 1].x1 < right.x0 and \
                lines[start].y1 - lines[start - 1].y0 < 2.2 * ln.h and \
                not _weak(lines[start - 1].text) and \
                not stamp_words([b.text for b in lines[start - 1].boxes]):
            start -= 1
        cols = _grow_columns(lines, start, stop, left.x1, right.x0,
                             (left.xc, right.xc, lay.center), cut={i: (left, right)})
        if cols.last >= i and cols.left and cols.right:
            return cols
        return None
    return None


def _find_signature(lines: list[Line], first: int) -> _Columns | None:
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


# ----------------------------------------------------------------------------- pages → blocks


@dataclass
class PageOut:
    """One page's blocks; table numbers are local to the page until assembly."""

    page: int
    blocks: list[RawBlock]
    cont_start: bool  # the first block may continue the previous page's last paragraph
    open_end: bool    # the last block is a paragraph that may go on


def layout_page(number: int, lines: list[Line], *, first: bool,
                 tables: list | None, fallback: Layout | None) -> tuple[PageOut, Layout | None]:
    """Lay out one page's lines (top to bottom) into blocks."""
    lines = drop_page_numbers(lines)
    if not lines:
        return PageOut(number, [], False, False), fallback
    lay = measure(lines, fallback)
    header = _find_header(lines, lay) if first else None
    begin = header.last + 1 if header else 0
    sig = _find_signature(lines, begin)
    end = sig.first if sig else len(lines)
    blocks: list[RawBlock] = []
    ntables = 0

    def columns(cols: _Columns) -> None:
        nonlocal ntables
        for col, side in ((0, cols.left), (1, cols.right)):
            text = cell_text(side)
            m = _NOI_NHAN.match(text) if side and side[0].words else None
            if m and fold(m.group()).startswith("noi nhan"):  # OCR reads "Nội nhận." too
                text = "Nơi nhận:" + text[m.end():]
            if text:
                blocks.append(RawBlock(text=text, kind="table_cell", page=number, table=ntables,
                                       row=0, col=col))
        ntables += 1

    if header:
        if header.first:
            above = Paragraphs(number)
            for ln in lines[:header.first]:
                above.add(ln, lay)
            above.close()
            blocks.extend(above.blocks)
        columns(header)
    page_lines = lines[begin:end]
    if header and any(ln.words for ln in page_lines):  # stamps beside the title (OCR)
        page_lines, stamped = split_title_stamps(page_lines, lay)
        if stamped:
            blocks.append(RawBlock(text=" ".join(ln.text for ln in stamped), kind="paragraph",
                                   page=number))
    # on a scan, a line with a gap of 2.5 line heights holds two things side by side
    # (a stamp's leftovers beside the title): one line each. A text layer's wide gap
    # is a tab inside one paragraph.
    body: list = [seg for ln in page_lines
                  for seg in (ln.segments(2.5 * ln.h) if ln.words else [ln])]
    if tables:
        body = with_tables(body, tables)
    paras = Paragraphs(number)
    cont_start = False
    for k, item in enumerate(body):
        if isinstance(item, list):  # a table: its rows of cells
            paras.close()
            blocks.extend(paras.blocks)
            paras.blocks = []
            blocks.extend(table_blocks(item, number, ntables))
            ntables += 1
            continue
        if k == 0 and not header:
            cont_start = starts_continuation(item, lay)
        paras.add(item, lay)
    open_end = paras.open_end() and sig is None
    paras.close()
    blocks.extend(paras.blocks)
    if sig:
        columns(sig)
        tail = Paragraphs(number)
        for ln in lines[sig.last + 1:]:
            tail.add(ln, lay)
        tail.close()
        blocks.extend(tail.blocks)
    if any(ln.words for ln in lines):  # OCR: "KÉ HOẠCH" is read for "KẾ HOẠCH"
        blocks = [replace(b, text=_type_name(b.text)) if b.kind == "paragraph" else b
                  for b in blocks]
    return PageOut(number, blocks, cont_start, open_end), lay


def _type_name(text: str) -> str:
    """A capital line that reads as a document-type name without its marks
    (``KÉ HOẠCH``, ``QUYET ĐỊNH``) → the name as printed (``KẾ HOẠCH``)."""
    if len(text) > 30 or not is_caps(text):
        return text
    names = {fold(t.name): t.name.upper() for t in doc_types()}
    key = " ".join(fold(text).split())
    if key in names:
        return names[key]
    for name, printed in names.items():  # OCR specks glued before it: ",OQUYẾT ĐỊNH"
        head = key[:-len(name)] if key.endswith(name) else None
        if head and len(head) <= 3 and not head.isalpha() and " " not in head:
            return printed
    return text


def assemble_pages(outs: list[PageOut]) -> list[RawBlock]:
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
            blocks[-1] = replace(blocks[-1], text=join_wrapped(blocks[-1].text, bl[0].text))
            bl = bl[1:]
        blocks.extend(bl)
        prev_open = out.open_end
    return blocks


def layout_ocr_page(page: OcrPage, first: bool = False) -> list[RawBlock]:
    """Blocks of one OCR'd page, laid out like :func:`read_pdf` does (``first``: look
    for the two-column header)."""
    out, _ = layout_page(page.page, ocr_lines(page), first=first, tables=None, fallback=None)
    return out.blocks
