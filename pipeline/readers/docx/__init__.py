"""The DOCX reader: body, tables, Word numbering, text boxes, headers and footers.

The rest of the project uses these names; :mod:`~pipeline.readers.docx.ooxml` and
:mod:`~pipeline.readers.docx.numbering` are the reader's own.
"""
from pipeline.readers.docx.numbering import format_number
from pipeline.readers.docx.ooxml import OLE_MAGIC
from pipeline.readers.docx.reader import READER, check_docx_zip, read_docx

__all__ = ["OLE_MAGIC", "READER", "check_docx_zip", "format_number", "read_docx"]
