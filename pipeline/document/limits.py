"""Resource limits for reading untrusted files. Defaults are sane for office documents;
each can be overridden by an environment variable ``VANBAN_<NAME>`` (e.g.
``VANBAN_MAX_FILE_MB=50``) or by passing a :class:`Limits` explicitly."""
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
