"""Stamps beside the title of an OCR'd first page.

Offices stamp a document after it is printed, in the free space under the header, left of
the centred type name and title: the receiving office's ``CV ĐẾN / Số / Ngày /
Chuyển`` box, the publishing centre's ``TRUNG TÂM CÔNG BÁO …`` box, the portal's
``CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ / ĐẾN`` box, a tilted ``HỎA TỐC``. OCR reads their
words on the title's rows (``| #RUNG-T2M-ĐÔNG BẢO … Về việc tăng cường …``).

:func:`split_title_stamps` takes the lines under the header, down to the body, and moves
out of them what a centred title cannot hold: the words left of the line's centred span
(a title line is as wide left of the centre as right of it) when they are stamp words,
noise, or stand apart (a gap wider than a word space), and lines that do not reach
the centre and are stamp words (:func:`~pipeline.readers.pdf.ocr_words.stamp_words`) or
noise (a tilted stamp's strokes). What is moved out is kept: the layout puts it in a paragraph of its own between the
header and the type name (after ``Số:``, so it is never read as the issuer or the title).
"""
from __future__ import annotations

import re

from pipeline.document.normalize import fold
from pipeline.readers.encoding import is_vietnamese_syllable
from pipeline.readers.pdf.lines import Line
from pipeline.readers.pdf.ocr_words import stamp_words
from pipeline.readers.pdf.paragraphs import Layout

__all__ = ["split_title_stamps"]

_EDGE = "\"'“”‘’()[]{}<>.,;:!?…«»|"
MAX_LINES = 12  # title zone: type name, up to 4 title lines, a preamble's issuer, stamps
_BODY = re.compile(r"^(kinh gui|can cu|thuc hien|theo|xet|de |trong|nham|[ivx]+\.|\d+\.)")


def _noise(text: str) -> bool:
    """Under two letters, or under half of the characters letters (strokes, specks)."""
    chars = text.replace(" ", "")
    letters = sum(map(str.isalpha, chars))
    return letters < 2 or letters < 0.5 * len(chars)


def _stampish(words: list[str]) -> bool:
    """Stamp words, noise, or mostly not Vietnamese syllables (a title's words are)."""
    if stamp_words(words) or _noise(" ".join(words)):
        return True
    lettered = [w.strip(_EDGE) for w in words if any(c.isalpha() for c in w)]
    lettered = [w for w in lettered if w]
    good = sum(1 for w in lettered if is_vietnamese_syllable(w))
    return bool(lettered) and good < 0.75 * len(lettered)


def _axis(lines: list[Line], lay: Layout) -> float:
    """The title's axis: the centre of the type name (the first short line across the
    page's centre), else the page's."""
    for ln in lines[:4]:
        if ln.x0 < lay.center < ln.x1 and ln.x1 - ln.x0 < 0.4 * (lay.right - lay.left) \
                and not _noise(ln.text):
            return ln.xc
    return lay.center


def split_title_stamps(lines: list[Line], lay: Layout) -> tuple[list[Line], list[Line]]:
    """``lines`` (an OCR'd page, from the line under the header down) → (the lines with
    the stamp pieces taken out, the stamp pieces). The title zone ends at the body: a
    line that opens like one (``Căn cứ``, ``Kính gửi``, ``1.``) or starts at the left
    margin after the title."""
    cx = _axis(lines, lay)
    kept: list[Line] = []
    stamps: list[Line] = []
    for k, ln in enumerate(lines):
        if k >= MAX_LINES or not ln.words or _BODY.match(fold(ln.text)):
            kept.extend(lines[k:])
            break
        words = [b.text for b in ln.boxes]
        if ln.x1 < cx - ln.h or ln.x0 > cx + ln.h:  # off the axis: not a title line
            if _stampish(words):
                stamps.append(ln)
                continue
            kept.extend(lines[k:])
            break
        span_left = 2 * cx - ln.x1 - 0.3 * ln.h
        out = [b for b in ln.boxes if b.x1 <= span_left]
        rest = [b for b in ln.boxes if b.x1 > span_left]
        gap = min((b.x0 for b in rest), default=0) - max((b.x1 for b in out), default=0)
        cut = bool(out and rest and (_stampish([b.text for b in out]) or gap > 0.6 * ln.h))
        if kept and Line(rest if cut else ln.boxes, True).x0 < lay.left + ln.h:
            kept.extend(lines[k:])  # the body's second line, at the margin
            break
        if cut:
            stamps.append(Line(out, True))
            ln = Line(rest, True)
        if _noise(ln.text):
            stamps.append(ln)
            continue
        kept.append(ln)
    return kept, stamps
