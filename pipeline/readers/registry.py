"""One entry point: a file path → a :class:`~pipeline.document.model.Document`.

The format is sniffed from the first bytes, not trusted from the file name; a
``.doc`` that is really HTML is read as HTML. Each sniffed format has one
:class:`~pipeline.readers.base.Reader`, found in :data:`READERS`.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from pipeline.document.assemble import assemble
from pipeline.document.limits import Limits
from pipeline.document.model import Document, Source, VanbanError
from pipeline.readers.base import Reader

SUPPORTED = (".txt", ".html", ".htm", ".docx", ".doc", ".pdf")


def sniff_format(path: Path, head: bytes) -> str:
    """``txt``, ``html``, ``docx``, ``doc`` or ``pdf`` from content first, then name."""
    ext = path.suffix.lower().lstrip(".")
    stripped = head.lstrip()
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if head.startswith(b"{\\rtf"):
        return "doc"  # LibreOffice converts RTF like a .doc
    low = stripped[:512].lower()
    if low.startswith((b"<!doctype html", b"<html", b"<?xml")) or (
        ext in ("html", "htm", "doc") and b"<" in low[:5]
    ):
        return "html"
    if ext in ("docx", "pdf"):
        return ext  # the reader gives the specific error
    if ext == "doc":
        return "doc"
    return "txt" if ext in ("txt", "text", "md", "") else ext


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# Lazy on purpose: a reader is imported when a file of its format is first read, not
# with this module. The PDF reader loads pypdfium2 and the DOCX/DOC readers python-docx
# and lxml, some 0.3 s each, which a run over text files or a command that reads nothing
# does not need (the text readers are cheap; they are loaded the same way). The imports
# are plain import statements, not importlib, so that the extraction's code version
# (pipeline.document.version) still follows them to every reader.


def _txt() -> Reader:
    from pipeline.readers.text import TEXT_READER
    return TEXT_READER


def _html() -> Reader:
    from pipeline.readers.text import HTML_READER
    return HTML_READER


def _docx() -> Reader:
    from pipeline.readers.docx import READER
    return READER


def _doc() -> Reader:
    from pipeline.readers.doc import READER
    return READER


def _pdf() -> Reader:
    from pipeline.readers.pdf import READER
    return READER


READERS: dict[str, Callable[[], Reader]] = {
    "txt": _txt, "html": _html, "docx": _docx, "doc": _doc, "pdf": _pdf,
}
"""Sniffed format → the loader of its reader."""


def reader_for(fmt: str) -> Reader | None:
    """The reader of a sniffed format, or None when vanban does not read it."""
    load = READERS.get(fmt)
    if load is None:
        return None
    reader = load()
    assert fmt in reader.formats, (fmt, reader)
    return reader


def read_document(path: str | Path, limits: Limits | None = None) -> Document:
    """Read any supported file into one normalised document. Raises
    :class:`VanbanError` with a one-line reason for anything unreadable."""
    limits = limits or Limits.from_env()
    path = Path(path)
    if not path.exists():
        raise VanbanError(str(path), "không tìm thấy tệp", kind="missing")
    if path.is_dir():
        raise VanbanError(str(path), "là thư mục, không phải tệp", kind="unsupported")
    size = path.stat().st_size
    if size == 0:
        raise VanbanError(str(path), "tệp rỗng", kind="empty")
    if size > limits.max_file_mb * 1_000_000:
        raise VanbanError(str(path), f"tệp {size / 1e6:.0f} MB, vượt giới hạn "
                          f"{limits.max_file_mb:g} MB (VANBAN_MAX_FILE_MB)", kind="too_large")
    with path.open("rb") as fh:
        head = fh.read(2048)
    fmt = sniff_format(path, head)
    reader = reader_for(fmt)
    if reader is None:
        raise VanbanError(str(path), f"định dạng '.{fmt}' không được hỗ trợ (vanban đọc "
                          + ", ".join(SUPPORTED) + ")", kind="unsupported")
    res = reader.read(path, limits)
    source = Source(path=str(path), sha256=sha256_file(path), format=fmt, pages=res.pages)
    doc = assemble(res.blocks, source, ocr_pages=res.ocr_pages, warnings=res.warnings)
    if not doc.text.strip():
        raise VanbanError(str(path), "không tìm thấy chữ nào trong văn bản", kind="empty")
    return doc
