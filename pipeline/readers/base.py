"""What every format reader is: the :class:`Reader` protocol and its :class:`ReadResult`.

A reader turns one file of its format into raw blocks (plus, for a PDF, the page count,
the pages read by OCR and warnings); :mod:`pipeline.readers.registry` picks the reader
for the sniffed format and assembles the :class:`~pipeline.document.model.Document`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pipeline.document.limits import Limits
from pipeline.document.model import RawBlock


@dataclass(frozen=True)
class ReadResult:
    """What a reader found in one file."""

    blocks: list[RawBlock]
    pages: int | None = None           # pages of a paged format (PDF)
    ocr_pages: tuple[int, ...] = ()    # 1-based pages read by OCR
    warnings: tuple[str, ...] = ()


class Reader(Protocol):
    """One file format's reader."""

    @property
    def formats(self) -> tuple[str, ...]:
        """The sniffed formats it reads (``txt``, ``html``, ``docx``, ``doc``, ``pdf``)."""
        ...

    def read(self, path: Path, limits: Limits) -> ReadResult:
        """Read ``path``; raise :class:`~pipeline.document.model.VanbanError` with a
        one-line reason for anything unreadable."""
        ...


@dataclass(frozen=True)
class BlockReader:
    """A :class:`Reader` made of a function that gives the blocks only."""

    formats: tuple[str, ...]
    read_blocks: Callable[[Path, Limits], list[RawBlock]]

    def read(self, path: Path, limits: Limits) -> ReadResult:
        return ReadResult(self.read_blocks(path, limits))
