"""Readers: a file of any supported format → one :class:`~pipeline.document.model.Document`.

:func:`read_document` sniffs the format and hands the file to that format's
:class:`Reader` (:mod:`pipeline.readers.registry`); the readers are :mod:`.text` (txt,
html), :mod:`.docx`, :mod:`.doc` (via LibreOffice) and :mod:`.pdf` (text layer and OCR).
Readers import only :mod:`pipeline.document`.
"""
from pipeline.readers.base import Reader, ReadResult
from pipeline.readers.registry import SUPPORTED, read_document, sha256_file, sniff_format

__all__ = ["SUPPORTED", "ReadResult", "Reader", "read_document", "sha256_file", "sniff_format"]
