"""A document as lines, for the metadata readers: each block's lines, the cells of a
table row (tab-separated) as lines of their own, each with its offset in the text."""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.document.model import Document

__all__ = ["Line", "doc_lines"]


@dataclass(frozen=True)
class Line:
    text: str
    start: int
    block: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def doc_lines(doc: Document, first: int, last: int) -> list[Line]:
    out = []
    for i in range(max(first, 0), min(last, len(doc.blocks))):
        b = doc.blocks[i]
        pos = b.start
        for ln in b.text.split("\n"):
            cpos = pos
            for cell in ln.split("\t"):  # a tab separates two columns of one line
                out.append(Line(cell, cpos, i))
                cpos += len(cell) + 1
            pos += len(ln) + 1
    return out
