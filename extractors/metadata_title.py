"""The title: the lines under the type name, up to the body (``Căn cứ ...``), a numbered
item, a change of case or the issuer repeated."""
from __future__ import annotations

import re

from extractors.casing import head_of
from extractors.metadata_signature import position_of
from pipeline.document.doctypes import type_line_re
from pipeline.document.model import Document
from pipeline.document.normalize import is_upper_text
from pipeline.document.outline import label_at
from pipeline.document.paragraphs import is_rule

__all__ = ["read_title"]


_BODY_OPENERS = re.compile(
    r"^(Căn cứ|Thực hiện|Kính gửi|Theo|Xét|Để|Trên cơ sở|Nhằm|Sau khi|Ngày|Hiện nay|Trong|"
    r"Năm|Qua|Triển khai|Tiếp theo|Quốc hội ban hành|Chính phủ ban hành)\b")
# openers a title may begin with too ("Triển khai cài đặt …", "Thực hiện Chỉ thị số …"):
# right under the type name they open the body only when the line reads as a sentence
_TITLE_OPENERS = re.compile(r"^(Thực hiện|Triển khai|Tiếp tục|Nâng cao|Tăng cường)\b")
_SENTENCE = re.compile(r"[.:;,]$|,\s*(?:UBND|Ủy ban|Sở|Bộ|Ban|Công an|Văn phòng)\b")


def _opens_body(text: str, first: bool) -> bool:
    if not _BODY_OPENERS.match(text):
        return False
    if first and _TITLE_OPENERS.match(text) and len(text) <= 300 and not _SENTENCE.search(text):
        return False
    return True


def read_title(doc: Document, first: int, issuer: str | None) -> tuple[str | None, tuple[int, int] | None]:
    parts: list[str] = []
    start = end = None
    caps = None
    for i in range(first, min(first + 6, len(doc.blocks))):
        b = doc.blocks[i]
        text = b.text.replace("\n", " ").strip()
        if is_rule(text):
            if parts:
                break
            continue
        if _opens_body(text, not parts) or type_line_re().match(text) or label_at(text):
            break
        up = is_upper_text(text)
        if parts:
            if up != caps or re.search(r"[.;:]$", parts[-1]) or len(text) > 300:
                break
            if head_of(text) or position_of(text) or text.endswith(":"):
                break  # the issuer repeated above a preamble, or an addressee line
        elif len(text) > 400:
            break
        caps = up
        vv = re.match(r"V/v\s*[:.]?\s+", text, re.I) if not parts else None
        if vv:  # a "V/V …" subject under a type name (công điện): the subject alone
            text = text[vv.end():]
        parts.append(text)
        start = (b.start + (vv.end() if vv else 0)) if start is None else start
        end = b.end
    if not parts:
        return None, None
    return " ".join(parts), (start, end)
