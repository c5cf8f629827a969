"""PDF reader geometry: word boxes, visual lines, and their clustering.

:class:`Box` (a word from pdfium's glyphs or from Tesseract) and :class:`Line` (one
visual line), shared by the page scanner (:mod:`pipeline.readers.pdf.pages`) and the
layout (:mod:`pipeline.readers.pdf.layout`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.readers.pdf.ocr import OcrPage
from pipeline.readers.pdf.ocr_accents import fix_accents
from pipeline.readers.pdf.ocr_words import fix_words


@dataclass(slots=True)
class Box:
    """A word (glyphs merged by :mod:`pipeline.readers.pdf.pages`, or one OCR word) in
    PDF points, y upwards. ``run`` numbers its run (consecutive words of the content
    stream on one baseline); ``sp`` says the stream had a space just before it; ``conf``
    is Tesseract's confidence in an OCR word (a text layer's words are certain)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    run: int = 0
    sp: bool = False
    conf: float = 100.0


class Line:
    """One visual line: boxes sorted left to right."""

    __slots__ = ("boxes", "words", "x0", "y0", "x1", "y1", "h", "_text")

    def __init__(self, boxes: list[Box], words: bool):
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

    def replace_boxes(self, boxes: list[Box]) -> None:
        """Put ``boxes`` in place of the line's boxes (same geometry, new text: a
        legacy-encoded line converted word by word); the text is joined again."""
        self.boxes = boxes
        self._text = None

    @property
    def xc(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = _join_boxes(self.boxes, self.words, self.h)
        return self._text

    def segments(self, gap: float) -> list["Line"]:
        """Pieces of this line separated by horizontal gaps wider than ``gap``."""
        out: list[list[Box]] = [[self.boxes[0]]]
        right = self.boxes[0].x1
        for b in self.boxes[1:]:
            if b.x0 - right > gap:
                out.append([])
            out[-1].append(b)
            right = max(right, b.x1)
        if len(out) == 1:
            return [self]
        return [Line(list(p), self.words) for p in out]


def _join_boxes(boxes: list[Box], words: bool, h: float) -> str:
    """Text of boxes sorted by x: words get a space between them; glyphs get one where
    the gap is wider than 0.11 line height (on the corpus, gaps inside words stay under
    0.05 and word spaces start near 0.09), or where the stream had a space and the gap
    is not negative. Doubled glyphs (fake bold) drop."""
    out: list[str] = []
    right = None
    prev: Box | None = None
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


def cluster_lines(boxes: list[Box]) -> list[Line]:
    """Glyph boxes → visual lines, top to bottom. Runs stay whole (an accented letter
    whose box sits a little higher stays in its word); a run joins the line above when
    its vertical centre lies within 0.4 of a line height of that line's first run."""
    runs: dict[int, list[Box]] = {}
    for b in boxes:
        runs.setdefault(b.run, []).append(b)
    keyed = []
    for run in runs.values():
        ys = sorted((b.y0 + b.y1) / 2 for b in run)
        hs = sorted(b.y1 - b.y0 for b in run)
        keyed.append((ys[len(ys) // 2], hs[len(hs) // 2], run))
    keyed.sort(key=lambda k: -k[0])
    lines: list[Line] = []
    cur: list[Box] = []
    cy = ch = 0.0
    for yc, h, run in keyed:
        if cur and abs(yc - cy) <= 0.4 * max(min(h, ch), 1.0):
            cur.extend(run)
            continue
        if cur:
            lines.append(Line(cur, words=False))
        cur, cy, ch = list(run), yc, h
    if cur:
        lines.append(Line(cur, words=False))
    return lines


def _trim_specks(words: list[Box]) -> list[Box]:
    """Without trailing OCR words that hold no letter or digit and stand apart from
    the text (seal specks read as ``:`` or ``—``)."""
    words = sorted(words, key=lambda b: b.x0)
    while len(words) > 1 and not any(c.isalnum() for c in words[-1].text) and \
            words[-1].x0 - words[-2].x1 > 0.5 * (words[-2].y1 - words[-2].y0):
        words.pop()
    return words


_ONE_LOOKS = str.maketrans("lI|", "111")  # letters Tesseract gives for a one inside a number
_SPLIT_DIGITS = re.compile(r"^\d[\dlI|]{0,2}$|^[lI|]\d{1,2}$")
_SO = ("Số:", "số", "Số")


def _join_number(boxes: list[Box]) -> list[Box]:
    """``Số: 0 1/2025/QĐ-TTg`` → ``Số: 01/2025/QĐ-TTg``, ``Công văn số 2l 05/UBND-NC`` →
    ``số 2105/UBND-NC``: OCR splits a number's digits (often across two of its lines)
    and reads a one as ``l``; one to three digits alone right after ``Số:`` (or ``số``
    in the body) join the symbol that follows them when it starts with a digit and the
    gap is narrower than a letter is high."""
    boxes.sort(key=lambda b: b.x0)
    out: list[Box] = []
    i = 0
    while i < len(boxes):
        b = boxes[i]
        if out and out[-1].text in _SO and i + 1 < len(boxes) and _SPLIT_DIGITS.match(b.text) \
                and boxes[i + 1].text.translate(_ONE_LOOKS)[:1].isdigit() \
                and "/" in boxes[i + 1].text \
                and boxes[i + 1].x0 - b.x1 < (b.y1 - b.y0):
            c = boxes[i + 1]
            head, _, tail = c.text.partition("/")
            out.append(Box((b.text + head).translate(_ONE_LOOKS) + "/" + tail, b.x0,
                           min(b.y0, c.y0), c.x1, max(b.y1, c.y1)))
            i += 2
            continue
        out.append(b)
        i += 1
    return out


MIN_NUMBER_CONF = 50.0  # Tesseract's confidence below which a number after "Số:" is dropped
_SO_GLUED = re.compile(r"^(S[ốóồổỗộoô6]:)(\S+)$")  # "Sô:⁄11": "Số:" and what follows
_NUMBER_WORD = re.compile(r"^(\d{1,6})$")
_DIGIT_LOOKS = str.maketrans("Øø", "00")  # letters Tesseract gives for a zero ("Ø3")
_BEFORE_NUMBER = ("Số:", "ngày")  # the words a handwritten number or day follows


def _sure_number(boxes: list[Box]) -> list[Box]:
    """One OCR line with the number after ``Số:`` (and the day after ``ngày``) kept only
    when Tesseract is sure of it (:data:`MIN_NUMBER_CONF`) and it is digits alone: a
    handwritten number leaves strokes in the black ink that Tesseract reads as a wrong
    digit (``Số: 9 /UBND-KTTH`` for 575, ``ngày 3`` for 23), and a wrong number is worse
    than none. Marks around the digits tell a partial reading of handwriting (``9{``,
    ``0+``, and ``⁄44`` for 11 even at confidence 79): dropped. ``Ø`` is read as the zero
    it stands for (``ngày Ø3``); a number glued to ``Số:`` is cut off it first."""
    out: list[Box] = []
    after_so = False
    for b in boxes:
        m = _SO_GLUED.match(b.text)
        if m and any(c.isdigit() for c in m.group(2)) and "/" not in m.group(2):
            w = (b.x1 - b.x0) / len(b.text)
            cut = b.x0 + w * len(m.group(1))
            out.append(Box("Số:", b.x0, b.y0, cut, b.y1))
            if _NUMBER_WORD.match(m.group(2)) and b.conf >= MIN_NUMBER_CONF:
                out.append(Box(m.group(2), cut + w, b.y0, b.x1, b.y1))
            after_so = False
            continue
        if after_so and any(c.isdigit() for c in b.text) and "/" not in b.text:
            word, glued = b.text, ""
            if word.endswith("tháng") and word != "tháng":  # "04tháng": the day glued on
                word, glued = word[:-len("tháng")], "tháng"
            m = _NUMBER_WORD.match(word.translate(_DIGIT_LOOKS))
            after_so = False
            if m is None or b.conf < MIN_NUMBER_CONF:
                if not glued:
                    continue
                b.text = glued
            else:
                b.text = m.group(1) + glued
        else:
            after_so = b.text in _BEFORE_NUMBER
        out.append(b)
    return out


def ocr_lines(page: OcrPage) -> list[Line]:
    """OCR words → visual lines: Tesseract's lines (which follow a skewed scan), merged
    when two of them share a row (the two header columns). The genre's fixed words
    that OCR misreads are put right (:func:`~pipeline.readers.pdf.ocr_words.fix_words`)."""
    k = 72.0 / page.dpi
    height_pt = page.height_px * k
    by_id: dict[tuple[int, int, int], list[Box]] = {}
    for w in page.words:
        b = Box(w.text, w.left * k, height_pt - (w.top + w.height) * k,
                (w.left + w.width) * k, height_pt - w.top * k, conf=w.conf)
        by_id.setdefault(w.line, []).append(b)
    raw = []
    for v in by_id.values():
        v.sort(key=lambda b: b.x0)
        for b, text in zip(v, fix_accents(fix_words([b.text for b in v]))):
            b.text = text
        v = _sure_number(v)
        if v:
            raw.append(Line(_trim_specks(v), words=True))
    raw.sort(key=lambda ln: -(ln.y0 + ln.y1))
    rows: list[list[Line]] = []
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
    out = [Line(_join_number([b for x in row for b in x.boxes]), words=True) for row in rows]
    out.sort(key=lambda ln: -(ln.y0 + ln.y1))
    return out
