"""The PDF reader: text layers laid out, OCR for scanned or garbled pages.

The rest of the project uses these names; the modules under this package are the
reader's own (see :mod:`pipeline.readers.pdf.reader` for how they fit together).
"""
from pipeline.readers.pdf.layout import layout_ocr_page
from pipeline.readers.pdf.ocr import OcrBatch, OcrPage, OcrWord, iter_ocr, ocr_pages, parse_tsv
from pipeline.readers.pdf.pages import (
    MIN_IMAGE_SHARE,
    MIN_LETTERS,
    MIN_SCORE,
    OVERLAY_LETTERS,
    ocr_reasons,
)
from pipeline.readers.pdf.quality import letter_count, readable_share, vietnamese_score
from pipeline.readers.pdf.reader import READER, REOPEN_EVERY, PdfReader, ocr_pdf_pages, read_pdf

__all__ = [
    "MIN_IMAGE_SHARE",
    "MIN_LETTERS",
    "MIN_SCORE",
    "OVERLAY_LETTERS",
    "READER",
    "REOPEN_EVERY",
    "OcrBatch",
    "OcrPage",
    "OcrWord",
    "PdfReader",
    "iter_ocr",
    "layout_ocr_page",
    "letter_count",
    "ocr_pages",
    "ocr_pdf_pages",
    "ocr_reasons",
    "parse_tsv",
    "read_pdf",
    "readable_share",
    "vietnamese_score",
]
