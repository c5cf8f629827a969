"""What every archive index offers, whatever stores it: the :class:`Index` interface.

An index holds extracted documents (``vanban.document/1`` and the normalised text) keyed
by path, and answers what the commands and the web app ask of it: is this file already
stored as it is now (:meth:`Index.stamp`, :meth:`Index.stamps`), store a document
(:meth:`Index.store`), search with filters, facets and snippets (:meth:`Index.search`),
the citation graph (:meth:`Index.cites`, :meth:`Index.cited_by`, :meth:`Index.not_held`)
and the data of one document's page (:meth:`Index.document`).

Nothing here names a database: a backend (``pipeline.index.sqlite`` today) implements
the methods, and :func:`pipeline.index.open_index` picks it. Results are plain dicts in
the ``vanban.search/1``, ``vanban.cites/1`` and ``vanban.citedby/1`` shapes, or the small
dataclasses below.
"""
from __future__ import annotations

import datetime as _dt
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.document.model import Block

DEFAULT_DB = Path("outputs/index.db")
SORTS = ("relevance", "date_desc", "date_asc")
"""Result orders of :meth:`Index.search`: tiers then score, newest first, oldest first."""

_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_VN_DAY = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})")


def parse_day(text: str) -> str:
    """A day as people type it → ISO: ``2020-03-02``, ``02/03/2020``, ``2/3/2020``,
    ``02.03.2020`` (day first, as Vietnamese documents write it). Raises ValueError."""
    v = (text or "").strip()
    m = _ISO_DAY.fullmatch(v)
    parts = (m.group(1), m.group(2), m.group(3)) if m else None
    if parts is None and (m := _VN_DAY.fullmatch(v)):
        parts = (m.group(3), m.group(2), m.group(1))
    if not parts:
        raise ValueError(f"not a date: {text!r}")
    return _dt.date(int(parts[0]), int(parts[1]), int(parts[2])).isoformat()


class StoreError(Exception):
    """The index could not be opened, read or written (the backend's own error is the
    ``__cause__``; the message says why in Vietnamese, the backend's text in brackets).
    ``full``: the disk (or the file size limit) is full, so every next write would fail
    the same way."""

    def __init__(self, message: str, *, full: bool = False) -> None:
        super().__init__(message)
        self.full = full


@dataclass(frozen=True)
class Filters:
    """What a search keeps of its matches; every field optional."""

    doc_type: str | None = None
    issuer: str | None = None
    year: int | None = None
    owner: str | None = None
    has_findings: bool = False
    open_duties: bool = False
    as_of: str | None = None  # ISO date for open_duties; default today
    signer: str | None = None  # the signer's name (any case; accents, when typed, as typed)
    year_unknown: bool = False  # only documents whose year is not known ("không rõ năm")
    date_from: str | None = None  # ISO date: the document's date on or after it
    date_to: str | None = None  # ISO date: the document's date on or before it (a date
    # range leaves out undated documents; YYYY or YYYY-MM count as their first/last day)
    title_only: bool = False  # the words must be in the title (trích yếu)

    def as_of_date(self) -> str:
        return self.as_of or _dt.date.today().isoformat()


@dataclass(frozen=True)
class Stamp:
    """What a stored document was made from: the file's sha256 and the code version."""

    sha256: str
    code_version: str


@dataclass
class DocumentRecord:
    """One stored document as its web page needs it, straight from the index.

    ``meta``: the document's fields (``recipients`` a list) without its header spans,
    which are in ``spans`` (field → ``[start, end]``); ``references``, ``dates``,
    ``duties`` and ``findings``: dicts in document order (a duty carries its ``rowid``,
    the key of ``owners``: ``{"lead": [...], "support": [...]}``); ``blocks``: the
    layout, ``(kind, start, end, table, row, col)`` in order."""

    id: int
    meta: dict[str, Any]
    spans: dict[str, Any]
    text: str
    references: list[dict] = field(default_factory=list)
    dates: list[dict] = field(default_factory=list)
    duties: list[dict] = field(default_factory=list)
    owners: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    findings: list[dict] = field(default_factory=list)
    blocks: list[tuple] = field(default_factory=list)


def store_path(path: str | Path) -> str:
    """The path a document is stored under: relative to the working directory when inside
    it, else absolute; so ``corpus/x.txt`` and ``./corpus/x.txt`` are one document."""
    p = Path(os.path.abspath(path))
    try:
        return p.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return p.as_posix()


class Index(ABC):
    """The archive index. Open one with :func:`pipeline.index.open_index`; close it (or
    use it as a context manager) when done. One instance may be used by one thread at a
    time."""

    code_version: str
    """What :meth:`store` stamps a document with unless told otherwise: the extraction's
    code version (and the storage's), so only an extraction change re-indexes."""

    location: str
    """Where the index is, for messages (a file path, a URL without password)."""

    # ── lifecycle ──────────────────────────────────────────────────────────────────

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def files(self) -> frozenset[str]:
        """Absolute paths of the files the index itself lives in (none for a server):
        indexing a folder that holds them skips them."""
        return frozenset()

    # ── sync: what is stored, from what ───────────────────────────────────────────

    @abstractmethod
    def stamp(self, path: str) -> Stamp | None:
        """The stamp of the document stored under ``path`` (a :func:`store_path`), or None."""

    @abstractmethod
    def stamps(self) -> dict[str, Stamp]:
        """Every stored path and its stamp."""

    # ── write ────────────────────────────────────────────────────────────────────

    @abstractmethod
    def store(self, result: dict, text: str, *, path: str | None = None,
              code_version: str | None = None, blocks: Sequence[Block] | None = None,
              resolve: bool = True) -> tuple[int, str]:
        """Store one ``vanban.document/1`` result and its normalised ``text`` (and the
        layout ``blocks``) under ``path`` (default: the result's source path), replacing
        what was stored there, all or nothing; citations are resolved unless
        ``resolve`` is false. Returns ``(document id, "new" | "changed")``. Raises
        :class:`StoreError` when the storage fails."""

    # ── read ─────────────────────────────────────────────────────────────────────

    @abstractmethod
    def search(self, query: str, filters: Filters | None = None, *, limit: int = 20,
               offset: int = 0, facets: bool = True, owner_facet: bool = False,
               sort: str = "relevance") -> dict:
        """``vanban.search/1``: ranked results with HTML snippets, the total and the
        facet counts (``owner`` too when asked) of every match after ``filters``.
        ``sort``: one of :data:`SORTS` ("relevance", newest first "date_desc", oldest
        first "date_asc"; undated documents last either way)."""

    @abstractmethod
    def cites(self, symbol: str) -> dict:
        """``vanban.cites/1``: what the document ``symbol`` (any spelling, or its path)
        cites, held or not."""

    @abstractmethod
    def cited_by(self, symbol: str) -> dict:
        """``vanban.citedby/1``: which stored documents cite ``symbol`` (any spelling)."""

    @abstractmethod
    def cited_by_document(self, doc_id: int) -> dict:
        """``vanban.citedby/1`` for the stored document ``doc_id``."""

    @abstractmethod
    def not_held(self, limit: int = 100) -> list[dict]:
        """Cited documents the index does not hold, most cited first."""

    @abstractmethod
    def document(self, doc_id: int) -> DocumentRecord | None:
        """Everything stored of document ``doc_id``; None when there is no such document."""

    @abstractmethod
    def ids(self, paths: Iterable[str]) -> dict[str, int]:
        """The document id of each stored path among ``paths`` (others left out)."""
