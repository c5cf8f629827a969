"""Raw blocks → one normalised text, blocks with spans, and the outline."""
from __future__ import annotations

import re

from pipeline.document.model import Block, Document, RawBlock, Source
from pipeline.document.normalize import normalize_text
from pipeline.document.outline import build_outline

_PAGE_NUMBER = re.compile(r"^\s*(?:(?:Trang|Page)\s*)?\d{1,4}(?:\s*/\s*\d{1,4})?\s*$", re.I)


def assemble(raw: list[RawBlock], source: Source, *, ocr_pages: tuple[int, ...] = (),
             warnings: tuple[str, ...] = ()) -> Document:
    """Normalise every raw block and lay them out one after another, separated by a
    newline. A Word auto-numbering label becomes visible text ("1. ...")."""
    parts: list[str] = []
    blocks: list[Block] = []
    pos = 0
    for rb in raw:
        if rb.part in ("header", "footer") and _PAGE_NUMBER.match(rb.text):
            continue  # a running page number, not content
        text = normalize_text(rb.text).strip("\n")
        # inside a block, drop empty lines but keep line breaks (header cells use them)
        text = "\n".join(ln for ln in text.split("\n") if ln)
        if rb.label:
            text = f"{normalize_text(rb.label)} {text}".strip()
        if not text:
            continue
        kind = rb.kind
        if rb.label and kind == "paragraph":
            kind = "list_item"
        blocks.append(Block(kind=kind, text=text, start=pos, end=pos + len(text), page=rb.page,
                            table=rb.table, row=rb.row, col=rb.col))
        parts.append(text)
        pos += len(text) + 1
    full = "\n".join(parts)
    tblocks = tuple(blocks)
    return Document(source=source, text=full, blocks=tblocks, outline=build_outline(full, tblocks),
                    ocr_pages=ocr_pages, warnings=warnings)
