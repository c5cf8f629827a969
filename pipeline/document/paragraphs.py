"""Joining the lines of plain text (web copies, OCR, PDF text) into paragraphs.

Scraped copies break lines mid-phrase ("THỰC\\nHIỆN CHƯƠNG TRÌNH"). A line break is
kept only where something says a new paragraph starts: a blank line, a list label,
end-of-sentence punctuation, a separator rule, or a change between the capitals of a
heading and running text.
"""
from __future__ import annotations

import re

from pipeline.document.normalize import is_upper_text
from pipeline.document.outline import label_at

_RULE = re.compile(r"^[\s\-_–—=*.·•]{3,}$")
_ARTICLE = re.compile(r"^(Điều\s+\d+[a-z]?\s*[.:]|(Chương|Phần|Mục)\s+[IVXLC\d]+\.?$)")
_END = re.compile(r"[.;:!?]$|[.;:!?][”\")]$|/\.$")
_OPENERS = re.compile(
    r"^(Căn cứ|Thực hiện|Kính gửi|Nơi nhận|Phụ lục|PHỤ LỤC|Theo đề nghị|Xét đề nghị|Số\s*:|V/v\b|"
    r"(TM|KT|TL|TUQ|Q)\s*\.|[^,]{2,40},\s*ngày\b)"
)


def is_rule(line: str) -> bool:
    """A separator line such as ``--------`` or ``______``."""
    return bool(_RULE.match(line))


def starts_paragraph(prev: str, line: str, *, in_heading: bool) -> bool:
    """Whether ``line`` begins a new paragraph after ``prev``."""
    if not prev or not line or is_rule(prev) or is_rule(line):
        return True
    if label_at(line) is not None or _OPENERS.match(line):
        return True
    if _ARTICLE.match(prev):
        return True  # "Điều 5. Title" and "Chương II" stand on their own line
    if _END.search(prev):
        return True
    up_prev, up_line = is_upper_text(prev), is_upper_text(line)
    if up_prev != up_line:
        # capitals → running text (heading ends) or the reverse; a short capital tail
        # such as "HẢI DƯƠNG NĂM 2020" after a capital line is handled by the equal case
        return True
    if up_prev and up_line and not in_heading:
        return True  # header-block lines (issuer, unit) stay apart
    return False


def join_lines(lines: list[str], *, heading_types: re.Pattern[str] | None = None) -> list[str]:
    """Group ``lines`` (already normalised, stripped) into paragraphs.

    Capital lines are joined only inside a title, i.e. right after a line that
    ``heading_types`` matches (the document-type name such as ``KẾ HOẠCH``).
    """
    paras: list[str] = []
    cur: list[str] = []
    in_heading = False
    for line in lines:
        if not line:
            if cur:
                paras.append(" ".join(cur))
                cur = []
            continue
        prev = cur[-1] if cur else ""
        if cur and starts_paragraph(prev, line, in_heading=in_heading):
            paras.append(" ".join(cur))
            cur = []
        if heading_types is not None and not cur:
            if heading_types.match(line):
                paras.append(line)
                in_heading = True
                continue
            if not is_upper_text(line):
                in_heading = False
        cur.append(line)
    if cur:
        paras.append(" ".join(cur))
    return paras


def join_cell_lines(lines: list[str]) -> list[str]:
    """Lines of one header cell: rules dropped; a date line broken after "ngày" joined."""
    kept = [ln for ln in lines if not re.fullmatch(r"[\-_–—=*.]{3,}", ln)]
    out: list[str] = []
    for ln in kept:
        if out and re.search(r"(ngày|tháng|năm|,)$", out[-1]):
            out[-1] += " " + ln
        else:
            out.append(ln)
    return out
