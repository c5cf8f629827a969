"""One interface for every gap-report format: a writer has a ``suffix``, renders a
``vanban.gaps/1`` report to text or bytes, and writes it atomically (through
:mod:`pipeline.outputs`, so a reader never sees half a file)."""
from __future__ import annotations

import io
from abc import ABC, abstractmethod
from pathlib import Path
from typing import IO

from pipeline.outputs import write_atomic, write_with


class GapReportWriter(ABC):
    """A format of gap report: ``render(gaps)`` → str | bytes, ``write(gaps, path)``."""

    name: str
    suffix: str  # with its dot: ".html"

    @abstractmethod
    def render(self, gaps: dict) -> str | bytes:
        """The whole report in this format."""

    def write(self, gaps: dict, path: Path) -> None:
        write_atomic(Path(path), self.render(gaps))


class SavingWriter(GapReportWriter):
    """A format made by a library that saves to a path or a stream (openpyxl,
    python-docx): :meth:`save` is the one thing it implements."""

    @abstractmethod
    def save(self, gaps: dict, target: Path | IO[bytes]) -> None:
        """Build the report and save it to ``target``."""

    def render(self, gaps: dict) -> bytes:
        buf = io.BytesIO()
        self.save(gaps, buf)
        return buf.getvalue()

    def write(self, gaps: dict, path: Path) -> None:
        write_with(Path(path), lambda tmp: self.save(gaps, tmp))
