"""What Tesseract gives for one page: its words with their boxes (:class:`OcrWord`,
:class:`OcrPage`), parsed from its TSV (:func:`parse_tsv`). Apart from the running of
Tesseract (:mod:`.ocr`) so that the passes over a page (:mod:`.ocr_signature`) and the
layout can share them without importing each other."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class OcrWord:
    """One word of Tesseract's TSV: box in pixels (origin top-left) and its line id."""

    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float
    line: tuple[int, int, int]  # (block, paragraph, line) as Tesseract numbers them


@dataclass(frozen=True)
class OcrPage:
    """The words of one page (1-based ``page``), rendered at ``dpi``."""

    page: int
    dpi: int
    width_px: int
    height_px: int
    words: tuple[OcrWord, ...]
    seconds: float

    def text(self) -> str:
        """Lines joined by newlines, Tesseract's paragraphs separated by a blank line."""
        out: list[str] = []
        cur_line: tuple[int, int, int] | None = None
        for w in self.words:
            if cur_line is None:
                out.append(w.text)
            elif w.line == cur_line:
                out.append(" " + w.text)
            elif w.line[:2] == cur_line[:2]:
                out.append("\n" + w.text)
            else:
                out.append("\n\n" + w.text)
            cur_line = w.line
        return "".join(out)


def parse_tsv(tsv: str) -> tuple[int, int, list[OcrWord]]:
    """Tesseract TSV → (page width px, page height px, words in reading order). NFC."""
    width = height = 0
    words: list[OcrWord] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12:
            continue
        level = cols[0]
        if level == "1":
            width, height = int(cols[8]), int(cols[9])
            continue
        if level != "5":
            continue
        text = unicodedata.normalize("NFC", cols[11]).strip()
        if not text:
            continue
        words.append(OcrWord(text=text, left=int(cols[6]), top=int(cols[7]), width=int(cols[8]),
                             height=int(cols[9]), conf=float(cols[10]),
                             line=(int(cols[2]), int(cols[3]), int(cols[4]))))
    return width, height, words
