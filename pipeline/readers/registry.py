"""One entry point: a file path → a :class:`~pipeline.document.model.Document`.

The format is sniffed from the first bytes, not trusted from the file name; a
``.doc`` that is really HTML is read as HTML.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.document.assemble import assemble
from pipeline.document.limits import Limits
from pipeline.document.model import Document, RawBlock, Source, VanbanError

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


def read_document(path: str | Path, limits: Limits | None = None) -> Document:
    """Read any supported file into one normalised document. Raises
    :class:`VanbanError` with a one-line reason for anything unreadable."""
    limits = limits or Limits.from_env()
    path = Path(path)
    if not path.exists():
        raise VanbanError(str(path), "no such file", kind="missing")
    if path.is_dir():
        raise VanbanError(str(path), "is a directory", kind="unsupported")
    size = path.stat().st_size
    if size == 0:
        raise VanbanError(str(path), "empty file", kind="empty")
    if size > limits.max_file_mb * 1_000_000:
        raise VanbanError(str(path), f"file of {size / 1e6:.0f} MB exceeds the limit of "
                          f"{limits.max_file_mb:g} MB (VANBAN_MAX_FILE_MB)", kind="too_large")
    with path.open("rb") as fh:
        head = fh.read(2048)
    fmt = sniff_format(path, head)
    pages: int | None = None
    ocr_pages: tuple[int, ...] = ()
    warnings: tuple[str, ...] = ()
    raw: list[RawBlock]
    if fmt == "txt":
        from pipeline.readers.text import read_text
        raw = read_text(path, limits)
    elif fmt == "html":
        from pipeline.readers.text import read_html
        raw = read_html(path, limits)
    elif fmt == "docx":
        from pipeline.readers.docx.reader import read_docx
        raw = read_docx(path, limits)
    elif fmt == "doc":
        from pipeline.readers.doc import read_doc
        raw = read_doc(path, limits)
    elif fmt == "pdf":
        from pipeline.readers.pdf.reader import read_pdf
        res = read_pdf(path, limits)
        raw, pages, ocr_pages, warnings = res.blocks, res.pages, res.ocr_pages, res.warnings
    else:
        raise VanbanError(str(path), f"unsupported format '.{fmt}' (vanban reads "
                          + ", ".join(SUPPORTED) + ")", kind="unsupported")
    source = Source(path=str(path), sha256=sha256_file(path), format=fmt, pages=pages)
    doc = assemble(raw, source, ocr_pages=ocr_pages, warnings=warnings)
    if not doc.text.strip():
        raise VanbanError(str(path), "no text found in the document", kind="empty")
    return doc
