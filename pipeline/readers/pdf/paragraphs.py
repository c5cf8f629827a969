"""PDF reader paragraphs: body measures of a page, lines joined into paragraphs,
column-cell text, and running page numbers dropped."""
from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass

from pipeline.document.model import RawBlock
from pipeline.document.outline import label_at
from pipeline.document.paragraphs import is_rule
from pipeline.readers.pdf.lines import Line

_PAGE_NO = re.compile(r"^\W{0,3}\d{1,4}\W{0,3}$|^(Trang|Page)\s+\d{1,4}(\s*/\s*\d+)?$",
                      re.IGNORECASE)


@dataclass
class Layout:
    """Body measures of one page (points)."""

    left: float
    right: float
    gap: float   # usual space between two lines of one paragraph
    h: float     # usual line height

    @property
    def center(self) -> float:
        return (self.left + self.right) / 2


def measure(lines: list[Line], fallback: Layout | None) -> Layout:
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
    return Layout(left, max(right, left + 1), gap, h)


def _is_centered(ln: Line, lay: Layout) -> bool:
    """Centred on the body and off both margins (a justified line touches them)."""
    return (abs(ln.xc - lay.center) < 0.05 * (lay.right - lay.left)
            and ln.x1 < lay.right - 2.0 and ln.x0 > lay.left + 2.0)


def _is_short(ln: Line, lay: Layout) -> bool:
    return ln.x1 < lay.right - max(2.5 * ln.h, 0.06 * (lay.right - lay.left))


_SENTENCE_END = re.compile(r"[.;:!?…][”\")]?$|/\.$")


def join_wrapped(a: str, b: str) -> str:
    """Two lines of one paragraph: a space, or nothing after a hyphen glued to a word
    (``5969/QĐ-`` + ``UBND``)."""
    if len(a) >= 2 and a[-1] in "-‐" and a[-2].isalnum():
        return a + b
    return f"{a} {b}"


class Paragraphs:
    """Joins the body lines of one page (or one table cell) into paragraphs.

    The open paragraph is kept as its pieces and its last characters (all that
    :func:`join_wrapped` and the sentence-end test look at), joined once when it
    closes: a page of thousands of lines in one paragraph costs its length, not its
    length times its lines."""

    def __init__(self, page: int | None) -> None:
        self.page = page
        self.blocks: list[RawBlock] = []
        self.parts: list[str] = []       # the open paragraph, in pieces
        self.tail = ""                   # its last three characters
        self.first: Line | None = None   # first line of the open paragraph
        self.cont_x: float | None = None  # x of its continuation lines
        self.prev: Line | None = None
        self.lay: Layout | None = None

    def close(self) -> None:
        if self.parts:
            self.blocks.append(RawBlock(text=nfc("".join(self.parts)), page=self.page))
        self.parts, self.tail = [], ""
        self.first = self.prev = None
        self.cont_x = None

    def add(self, ln: Line, lay: Layout) -> None:
        text = ln.text.strip()
        if not text or is_rule(text):
            self.close()
            return
        if self.parts and self._continues(ln, text, lay):
            piece = join_wrapped(self.tail, text)[len(self.tail):]
            self.parts.append(piece)
            self.tail = (self.tail + piece)[-3:]
            if self.cont_x is None:
                self.cont_x = ln.x0
        else:
            self.close()
            self.parts, self.tail, self.first = [text], text[-3:], ln
        self.prev, self.lay = ln, lay

    def _ended(self) -> bool:
        """The open paragraph ends a sentence (the pattern reads its last 2 characters)."""
        return bool(_SENTENCE_END.search(self.tail))

    def open_end(self) -> bool:
        """The open paragraph may go on at the top of the next page."""
        return (bool(self.parts) and self.prev is not None and self.lay is not None
                and not _is_short(self.prev, self.lay) and not self._ended())

    def _continues(self, ln: Line, text: str, lay: Layout) -> bool:
        prev, first = self.prev, self.first
        assert prev is not None and first is not None and self.parts
        if _is_centered(prev, lay) and _is_centered(ln, lay):
            # a centred title over several lines (trích yếu): same case, no label
            return (label_at(text) is None and not self._ended()
                    and is_caps(prev.text) == is_caps(text)
                    and prev.y0 - ln.y1 <= lay.gap + max(3.0, 0.45 * lay.h))
        if lay.right - prev.x1 > _first_word(ln) + 0.3 * ln.h:
            return False  # the next line's first word would have fitted: prev ended
        if prev.y0 - ln.y1 > lay.gap + max(3.0, 0.45 * lay.h):
            return False
        if label_at(text) is not None and (self._ended()
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


def _first_word(ln: Line) -> float:
    """Width of the first word of ``ln``."""
    boxes = ln.boxes
    end = boxes[0].x1
    if not ln.words:
        for b in boxes[1:]:
            if b.sp or b.x0 - end > 0.11 * ln.h:
                break
            end = max(end, b.x1)
    return end - ln.x0


def starts_continuation(ln: Line, lay: Layout) -> bool:
    """A page's first body line that may continue the previous page's paragraph: no
    label, not centred, and at the left margin or starting in lower case."""
    text = ln.text.strip()
    if not text or label_at(text) is not None or _is_centered(ln, lay):
        return False
    return ln.x0 - lay.left <= 0.8 * ln.h or text[0].islower()


def _x_after_label(ln: Line, label_len: int) -> float | None:
    """x where the text after a list label starts on ``ln``."""
    count = 0
    target = len(ln.text.strip()[:label_len].replace(" ", ""))
    for k, b in enumerate(ln.boxes):
        count += len(b.text.replace(" ", ""))
        if count >= target:
            return ln.boxes[k + 1].x0 if k + 1 < len(ln.boxes) else None
    return None


def is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def cell_text(lines: list[Line]) -> str:
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
            out[-1] = join_wrapped(out[-1], text)
            continue
        out.append(text)
        item_x = ln.x0
    return nfc("\n".join(out))


def drop_page_numbers(lines: list[Line]) -> list[Line]:
    """Without a first or last line that is only a page number."""
    if len(lines) >= 2 and _PAGE_NO.match(lines[0].text.strip()):
        lines = lines[1:]
    if len(lines) >= 2 and _PAGE_NO.match(lines[-1].text.strip()):
        lines = lines[:-1]
    return lines
