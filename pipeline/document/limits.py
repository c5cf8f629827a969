"""Resource limits for reading untrusted files. Defaults are sane for office documents;
each can be overridden by an environment variable ``VANBAN_<NAME>`` (e.g.
``VANBAN_MAX_FILE_MB=50``) or by passing a :class:`Limits` explicitly.

A page is rendered for OCR at ``ocr_dpi`` when it fits ``max_page_mpixels`` there, else at
the dpi that fits, if not below ``ocr_min_dpi``; a page larger still (a tiny PDF can
declare pages of 200 × 200 inches: 3.6 Gpx at 300 dpi) is set aside with a warning
naming the page, its size and the limit, and the rest of the document is read (see
:mod:`pipeline.readers.pdf.ocr`)."""
from __future__ import annotations

import os
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Limits:
    max_file_mb: float = 200.0          # any input file
    max_text_mb: float = 20.0           # decoded text of one document
    max_pages: int = 2000               # PDF pages read
    max_unzipped_mb: float = 300.0      # sum of a docx's uncompressed members
    max_zip_ratio: float = 200.0        # uncompressed / compressed, per member
    ocr_dpi: int = 300
    ocr_min_dpi: int = 150              # a page too large for ocr_dpi is rendered down to this
    max_page_mpixels: float = 40.0      # one page rendered for OCR (A3 at 300 dpi: 17 Mpx)
    ocr_seconds_per_page: float = 120.0
    ocr_workers: int = 0                # 0 = number of cores
    convert_seconds: float = 120.0      # LibreOffice doc -> docx
    extract_seconds: float = 300.0      # extraction of one read document (0: none)

    @classmethod
    def from_env(cls) -> "Limits":
        kw = {}
        for f in fields(cls):
            raw = os.environ.get(f"VANBAN_{f.name.upper()}")
            if raw:
                kw[f.name] = type(f.default)(raw)
        return cls(**kw)


DEFAULT = Limits()
