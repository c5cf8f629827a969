"""Facts the extractors produce. Frozen dataclasses; ``start``/``end`` are offsets into
the document's normalised text. Field names follow ``shared/docs/contract.md``."""
from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.document.model import Document, Source


@dataclass(frozen=True)
class DateMention:
    """One date expression. ``value``: ``YYYY-MM-DD`` (full, or a day/month completed
    with the document's year), ``YYYY-MM`` (a month), ``YYYY-Qn`` (a quarter), or None
    when the printed date is impossible (24/15/2015)."""

    start: int
    end: int
    text: str
    value: str | None
    kind: str  # full | partial | month | quarter | invalid | typo
    cue: str | None = None  # before | from | to | in | None — the word that governs it


@dataclass(frozen=True)
class Temporal:
    deadline: str | None = None
    period: dict | None = None  # {"start": iso, "end": iso}
    recurrence: str | None = None  # monthly | quarterly | semiannual | annual
    source: str | None = None  # stated | period_end | None: where the deadline comes from
    time: str | None = None  # "14:00" when the deadline gives a time of day


@dataclass(frozen=True)
class AgencyMention:
    """An agency or group named in the text. ``canonical`` is the gazetteer's name (or
    the mention tidied, for agencies found by pattern); ``kind``: agency | group."""

    start: int
    end: int
    text: str
    canonical: str
    kind: str = "agency"
    source: str = "gazetteer"  # gazetteer | pattern


@dataclass(frozen=True)
class Reference:
    """One mention of another document (contract ``references`` item)."""

    text: str
    doc_type: str | None
    number: str | None
    symbol: str | None
    date: str | None
    issuer: str | None
    title: str | None
    start: int
    end: int
    antecedent: int | None = None  # index of the fuller mention a short repeat resolves to


@dataclass(frozen=True)
class Finding:
    kind: str  # invalid_date | date_typo | conflicting_citation_dates | deadline_before_issue | unreadable_page
    message: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Task:
    """One duty (contract ``tasks`` item)."""

    id: str
    section: str | None
    text: str
    lead: tuple[str, ...]
    support: tuple[str, ...]
    deadline: str | None
    period: dict | None
    recurrence: str | None
    start: int
    end: int
    source: str = "structure"  # structure | sentence | table | closing
    deadline_source: str | None = None  # stated | period_end | None (no deadline)
    deadline_time: str | None = None  # "14:00" when a time of day is given
    kind: str = "duty"  # duty | enforcement (a decision's "chịu trách nhiệm thi hành")
    receiver: str | None = None  # the body a report or product is sent to, never an owner
    extra: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Signer:
    name: str | None = None
    position: str | None = None
    authority: str | None = None


@dataclass(frozen=True)
class Signature:
    """A digital-signature stamp printed on the document: who signed (as printed) and
    when (ISO 8601 with its offset, ``+07:00`` when none is printed)."""

    signed_by: str | None = None
    signed_at: str | None = None


@dataclass(frozen=True)
class CopyOf:
    """A certified copy's own block (``SAO Y``, ``SAO Y BẢN CHÍNH``, ``SAO LỤC``,
    ``TRÍCH SAO``): its form, the copying office, its số/ký hiệu (``12/SY-VP``) and
    date. The rest of the metadata is the original's."""

    kind: str | None = None
    issuer: str | None = None
    number: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Metadata:
    doc_type: str | None = None
    number: str | None = None
    symbol: str | None = None
    issuer: str | None = None
    issuer_parent: str | None = None
    place: str | None = None
    date: str | None = None
    title: str | None = None
    signer: Signer = field(default_factory=Signer)
    signature: Signature | None = None
    copy_of: CopyOf | None = None
    recipients: tuple[str, ...] = ()
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one document: what ``vanban extract`` prints and every
    later stage (index, cross-check, reports) is handed. ``document`` is the read document
    when this process has it, and None when the extraction was loaded from its JSON."""

    source: Source
    metadata: Metadata
    references: tuple[Reference, ...] = ()
    tasks: tuple[Task, ...] = ()
    findings: tuple[Finding, ...] = ()
    dates: tuple[DateMention, ...] = ()
    document: Document | None = field(default=None, compare=False, repr=False)
