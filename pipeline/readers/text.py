"""Plain text and HTML: decode, then recover paragraphs and the web copy's tables.

Web copies of official documents show the two-column header table either as lines
holding only ``|`` between cells (KH 580) or as Markdown tables (``| a | b |``).
Both become table-cell blocks; everything else is joined into paragraphs.
"""
from __future__ import annotations

import re
from pathlib import Path

from pipeline.document.doctypes import type_line_re
from pipeline.document.limits import DEFAULT, Limits
from pipeline.document.model import RawBlock, VanbanError
from pipeline.document.normalize import normalize_text
from pipeline.document.paragraphs import join_cell_lines, join_lines
from pipeline.readers.base import BlockReader
from pipeline.readers.encoding import decode_bytes, repair_legacy
from pipeline.readers.markdown import looks_like_markdown, markdown_to_blocks

_MD_SEP = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
_MD_ROW = re.compile(r"^\|.*\|$")


def decode_file(path: Path, limits: Limits) -> str:
    """The file's text. A file too large to hold at most ``max_text_mb`` million characters
    in any encoding (4 bytes a character at most) is refused before it is read."""
    size = path.stat().st_size
    if size > limits.max_text_mb * 4_000_000:
        raise VanbanError(str(path), f"văn bản ít nhất {size / 4e6:.0f} triệu ký tự, vượt "
                          f"giới hạn {limits.max_text_mb:g} triệu (VANBAN_MAX_TEXT_MB)",
                          kind="too_large")
    data = path.read_bytes()
    if not data.strip():
        raise VanbanError(str(path), "tệp rỗng", kind="empty")
    try:
        text, _label = decode_bytes(data)
    except ValueError as exc:
        raise VanbanError(str(path), f"không phải tệp văn bản thuần ({exc})",
                          kind="unsupported") from exc
    if len(text) > limits.max_text_mb * 1_000_000:
        raise VanbanError(str(path), f"văn bản {len(text) / 1e6:.0f} triệu ký tự, vượt "
                          f"giới hạn {limits.max_text_mb:g} triệu (VANBAN_MAX_TEXT_MB)",
                          kind="too_large")
    return text


def text_to_blocks(text: str) -> list[RawBlock]:
    """Blocks of one plain text (web copy, OCR page): tables and paragraphs."""
    fixed, _ = repair_legacy(text)
    lines = normalize_text(fixed).split("\n")
    types = type_line_re()
    out: list[RawBlock] = []
    table_no = -1
    i = 0
    # "|"-separated header cells: a run of lines between lone "|" lines
    if any(ln == "|" for ln in lines[:60]):
        table_no += 1
        cells: list[list[str]] = [[]]
        last_bar = max(k for k, ln in enumerate(lines[:60]) if ln == "|")
        # the table runs to the last lone bar that is followed by a short line run
        while i <= last_bar:
            ln = lines[i]
            if ln == "|":
                cells.append([])
            elif ln:
                cells[-1].append(ln)
            i += 1
        for c, cell in enumerate(x for x in cells if x):
            out.append(RawBlock("\n".join(join_cell_lines(cell)), kind="table_cell", table=table_no,
                                row=c // 2, col=c % 2))
    pending: list[str] = []

    def flush() -> None:
        for para in join_lines(pending, heading_types=types):
            out.append(RawBlock(para))
        pending.clear()

    while i < len(lines):
        ln = lines[i]
        if _MD_ROW.match(ln) and ln.count("|") >= 2:
            flush()
            table_no += 1
            row = 0
            while i < len(lines) and _MD_ROW.match(lines[i]):
                if not _MD_SEP.match(lines[i]):
                    cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                    for col, cell in enumerate(cells):
                        if cell:
                            out.append(RawBlock(cell, kind="table_cell", table=table_no,
                                                row=row, col=col))
                    row += 1
                i += 1
            continue
        if ln == "|":  # a lone cell bar outside the header: a paragraph break
            flush()
        else:
            pending.append(ln)
        i += 1
    flush()
    return out


def read_text(path: Path, limits: Limits = DEFAULT) -> list[RawBlock]:
    """A plain text file; one whose content is Markdown (a web copy with ``**bold**``,
    pipe tables, ``#`` headings or footnotes) is read as Markdown."""
    text = decode_file(path, limits)
    if looks_like_markdown(text):
        return markdown_to_blocks(text)
    return text_to_blocks(text)


def read_html(path: Path, limits: Limits = DEFAULT) -> list[RawBlock]:
    """HTML: block elements become paragraphs, ``td``/``th`` become table cells."""
    import lxml.html  # lazy: about 0.1 s to load, and most text files are not HTML

    text = decode_file(path, limits)
    try:
        root = lxml.html.fromstring(text)
    except Exception as exc:  # lxml raises several types for broken markup
        raise VanbanError(str(path), f"HTML không phân tích được ({exc})",
                          kind="unreadable") from exc
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    out: list[RawBlock] = []
    table_no = -1
    blockish = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "section",
                "article", "blockquote", "pre"}
    for table in root.iter("table"):
        table.set("data-vb-table", "1")

    def text_of(el) -> str:
        parts: list[str] = []
        for node in el.iter():
            if node is not el and node.tag in blockish:
                parts.append("\n")
            if node.text and node.tag not in ("script", "style"):
                parts.append(node.text)
            if node is not el and node.tail:
                parts.append(node.tail)
        return "".join(parts)

    def walk(el) -> None:
        nonlocal table_no
        if el.tag == "table":
            table_no += 1
            this = table_no
            for r, tr in enumerate(el.iter("tr")):
                for c, td in enumerate(x for x in tr if x.tag in ("td", "th")):
                    cell = normalize_text(td.text_content())
                    if cell.strip():
                        out.append(RawBlock(cell, kind="table_cell", table=this, row=r, col=c))
            return
        if el.tag in ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre") or (
            el.tag == "div" and not any(ch.tag in blockish | {"table"} for ch in el)
        ):
            t = text_of(el)
            for para in join_lines(normalize_text(t).split("\n"), heading_types=type_line_re()):
                kind = "heading" if el.tag.startswith("h") and len(el.tag) == 2 else "paragraph"
                out.append(RawBlock(para, kind=kind))
            return
        if el.text and el.text.strip():
            out.append(RawBlock(normalize_text(el.text)))
        for ch in el:
            walk(ch)
            if ch.tail and ch.tail.strip():
                out.append(RawBlock(normalize_text(ch.tail)))

    body = root.find("body")
    walk(body if body is not None else root)
    return out


TEXT_READER = BlockReader(("txt",), read_text)
"""The :class:`~pipeline.readers.base.Reader` of plain text files."""
HTML_READER = BlockReader(("html",), read_html)
"""The :class:`~pipeline.readers.base.Reader` of HTML files (web copies)."""
