"""The document model: plain frozen dataclasses, no I/O.

A reader turns a file into a sequence of :class:`RawBlock` (text as found, with its
page and table position). :mod:`pipeline.document.assemble` turns those into one normalised
text and :class:`Block` objects whose ``start``/``end`` are offsets into that text.
Every later fact (metadata, references, duties) carries a span into the same text.
"""
from __future__ import annotations

import errno
from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["paragraph", "heading", "list_item", "table_cell"]


@dataclass(frozen=True)
class RawBlock:
    """One paragraph or table cell as a reader found it, before normalisation.

    ``label`` is a list label that is not part of the text itself (Word
    auto-numbering rendered as "1.", "a)", "-"); typed labels stay in ``text``.
    ``table``/``row``/``col`` locate a table cell (0-based); ``page`` is 1-based.
    """

    text: str
    kind: BlockKind = "paragraph"
    page: int | None = None
    label: str | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    part: Literal["body", "header", "footer", "textbox"] = "body"


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str
    start: int
    end: int
    page: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None


@dataclass(frozen=True)
class OutlineNode:
    """A numbered heading or item: ``id`` like ``IV.1.b``; ``label`` as printed."""

    id: str
    label: str
    level: int
    title: str
    start: int
    end: int  # end of the whole section (up to the next sibling or ancestor)
    head_end: int  # end of the heading line itself
    children: tuple["OutlineNode", ...] = ()


@dataclass(frozen=True)
class Source:
    path: str
    sha256: str
    format: str
    pages: int | None = None


@dataclass(frozen=True)
class Document:
    source: Source
    text: str
    blocks: tuple[Block, ...]
    outline: tuple[OutlineNode, ...] = ()
    ocr_pages: tuple[int, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def flat_outline(self) -> list[OutlineNode]:
        out: list[OutlineNode] = []

        def walk(nodes: tuple[OutlineNode, ...]) -> None:
            for n in nodes:
                out.append(n)
                walk(n.children)

        walk(self.outline)
        return out


class VanbanError(Exception):
    """A document that cannot be read. ``str()`` is one line naming the reason."""

    def __init__(self, path: str, reason: str, kind: str = "unreadable"):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.kind = kind


# what the system says (strerror), as a user reads it; any other error keeps its text
_OS_ERRORS_VI = {
    errno.EACCES: "không có quyền đọc",      # Permission denied
    errno.EPERM: "không được phép",          # Operation not permitted
    errno.ENOENT: "không tìm thấy tệp",      # No such file or directory
    errno.EISDIR: "là thư mục",              # Is a directory
    errno.ENOTDIR: "không phải thư mục",     # Not a directory
    errno.ELOOP: "liên kết tượng trưng vòng lặp",  # Too many levels of symbolic links
    errno.ENOSPC: "ổ đĩa đã đầy",            # No space left on device
}


def os_error_vi(err: OSError) -> str:
    """Why the system refused, in Vietnamese for the common cases (permission, missing
    file, a folder); any other error keeps the system's own text."""
    if err.errno in _OS_ERRORS_VI:
        return _OS_ERRORS_VI[err.errno]
    return err.strerror.lower() if err.strerror else f"{type(err).__name__}: {err}"
