"""The gap-report formats by name: ``WRITERS["html"].write(gaps, path)``."""
from __future__ import annotations

from pipeline.reports.base import GapReportWriter
from pipeline.reports.docx import DocxWriter
from pipeline.reports.html import HtmlWriter
from pipeline.reports.markdown import MarkdownWriter
from pipeline.reports.xlsx import XlsxWriter

WRITERS: dict[str, GapReportWriter] = {w.name: w for w in (
    HtmlWriter(), XlsxWriter(), DocxWriter(), MarkdownWriter())}


def writer(name: str) -> GapReportWriter:
    """The writer of format ``name`` (html, xlsx, docx, markdown)."""
    try:
        return WRITERS[name]
    except KeyError:
        raise ValueError(f"no gap-report format '{name}' "
                         f"(there are {', '.join(WRITERS)})") from None
