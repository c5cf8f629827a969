"""A second OCR pass over a scan's signature block, when the first pass lost it.

Tesseract's automatic layout (``--psm 3``) takes a seal pressed over the signature
block for a picture and drops the whole right-hand column beside ``Nơi nhận:``: the
position lines and the signer's name vanish from the text (qd_970 and qd_01 of
``corpus-more``: no signer at all; black ink does not help on a gray scan, where the seal
is as dark as the print). The block is where the genre puts it (Decree 30/2020): right
of the recipients, from the ``Nơi nhận:`` line down to a few lines below the last
recipient. When no line there reads as a person's name, that region alone is OCR'd again
as one block of text (``--psm 6``), and its words that the first pass did not have are
added to the page, in their own lines, with their boxes: the layout then reads them as it
reads a text PDF's two columns.

Cost: one more Tesseract run on about a sixth of the page, only on pages that have
``Nơi nhận`` and no name beside it (measured: +0.5 s on such a page).
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace

from PIL import Image

from pipeline.document.normalize import fold, is_title_word
from pipeline.readers.pdf.ocr_page import OcrPage, OcrWord, parse_tsv

PASS_LINE = 1000  # block numbers of the second pass's lines start here
LEFT = 0.45  # the block's left edge, a share of the page's width
MIN_CONF = 40.0  # second-pass words Tesseract is less sure of are left out


def _recipients_top(words: tuple[OcrWord, ...]) -> OcrWord | None:
    """The ``Nơi`` of ``Nơi nhận``."""
    for a, b in zip(words, words[1:], strict=False):
        if fold(a.text).lower() == "noi" and \
                fold(b.text).lower().startswith("nhan") and b.line == a.line:
            return a
    return None


def _looks_like_name(line: list[OcrWord]) -> bool:
    """2-5 words, each a capital then small letters (``Hồ Đức Phớc``), read with some
    confidence: a signer's name, not a position in capitals nor OCR noise."""
    ws = [w.text.strip(".,;:\"'`“”„‘’") for w in line]  # a speck of the seal before it
    return 2 <= len(ws) <= 5 and all(map(is_title_word, ws)) \
        and sum(w.conf for w in line) / len(line) >= 60


def signature_region(page: OcrPage) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) in pixels of the signature block to OCR again, or None:
    the page has no ``Nơi nhận``, or a name already stands right of it."""
    nn = _recipients_top(page.words)
    if nn is None:
        return None
    lh = max(nn.height, 1)
    left = int(LEFT * page.width_px)
    below = [w for w in page.words if w.top >= nn.top - lh and w.left < left]
    bottom = max((w.top + w.height for w in below), default=nn.top + lh)
    top = max(0, nn.top - 2 * lh)
    bottom = min(page.height_px, max(bottom, nn.top + 12 * lh) + 3 * lh)
    lines: dict[tuple[int, int, int], list[OcrWord]] = {}
    for w in page.words:
        if w.left >= left and top <= w.top <= bottom:
            lines.setdefault(w.line, []).append(w)
    if any(_looks_like_name(ln) for ln in lines.values()):
        return None
    return left, top, page.width_px, bottom


def _worth_adding(line: list[OcrWord]) -> bool:
    """A second-pass line with a word of three letters or more read with some confidence
    (``Minh``, ``TƯỚNG``); strokes of the seal read as ``V2 r`` or ``/ÿ`` would only end up
    in the recipients beside them."""
    return any(sum(c.isalpha() for c in w.text) >= 3 and w.conf >= 60 for w in line)


def _inside(w: OcrWord, boxes: list[OcrWord]) -> bool:
    cx, cy = w.left + w.width / 2, w.top + w.height / 2
    return any(b.left <= cx <= b.left + b.width and b.top <= cy <= b.top + b.height
               for b in boxes)


def with_signature(page: OcrPage, image: bytes,
                   ocr: Callable[[bytes], str | None]) -> OcrPage:
    """``page`` with the words of a second pass over its signature block
    (:func:`signature_region`); ``image`` is the page as rendered for the first pass (PGM
    bytes), ``ocr`` runs Tesseract ``--psm 6`` on an image and returns its TSV (None when
    it failed: the page stays as it was)."""
    region = signature_region(page)
    if region is None:
        return page
    left, top, right, bottom = region
    buf = io.BytesIO()
    Image.open(io.BytesIO(image)).crop(region).save(buf, format="PPM")
    tsv = ocr(buf.getvalue())
    if not tsv:
        return page
    _, _, found = parse_tsv(tsv)
    had = [w for w in page.words if w.left + w.width > left and w.top + w.height > top
           and w.top < bottom]
    lines: dict[tuple[int, int, int], list[OcrWord]] = {}
    for w in found:
        moved = replace(w, left=w.left + left, top=w.top + top,
                        line=(PASS_LINE + w.line[0], w.line[1], w.line[2]))
        if w.conf >= MIN_CONF and any(c.isalnum() for c in w.text) and not _inside(moved, had):
            lines.setdefault(moved.line, []).append(moved)
    extra = [w for ln in lines.values() if _worth_adding(ln) for w in ln]
    if not extra:
        return page
    return replace(page, words=page.words + tuple(extra))
