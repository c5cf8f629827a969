"""The cross-check's data: the codes a gap report (``vanban.gaps/1``) writes, the rows it is
made of, and :class:`Loaded`, a document as the cross-check sees it.

The codes are ``StrEnum`` members whose values are the JSON strings, so a member compares
equal to (and is written as) its string. :meth:`GapReport.to_json` is the one place the
JSON of a gap report is made.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from pipeline.document.facts import Extraction, Metadata
from pipeline.document.model import Document
from pipeline.document.normalize import fold
from pipeline.outputs import read_and_extract

SCHEMA_GAPS = "vanban.gaps/1"


class Coverage(StrEnum):
    """How far an owner's reports speak of a duty."""

    ADDRESSED = "addressed"
    PARTIAL = "partial"
    NOT_ADDRESSED = "not_addressed"
    NO_REPORT = "no_report"


class Status(StrEnum):
    """The Government Office's four buckets for a duty, and two where they would claim
    what nobody knows: addressed but no dated report says when (``done_undated``), not
    done and no date it is due by (``no_deadline``)."""

    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    DONE_UNDATED = "done_undated"
    PENDING = "pending"
    OVERDUE = "overdue"
    NO_DEADLINE = "no_deadline"


class DueSource(StrEnum):
    """Where a duty's ``due`` date comes from."""

    STATED = "stated"  # the duty gives it
    PERIOD_END = "period_end"  # the end of the period the duty runs over
    PLAN_REPORTING_DEADLINE = "plan_reporting_deadline"  # inferred: the owner's report date


class LinkedBy(StrEnum):
    """How a report was found to answer the plan."""

    SYMBOL = "symbol"  # it cites one of the plan's symbols
    TITLE = "title"  # the plan is an unnumbered draft: type, issuer and title agree


class Submission(StrEnum):
    """A report asked for by a date (``None`` in a row: an undated report received)."""

    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"


BUCKETS: tuple[str, ...] = tuple(s.value for s in Status)
"""The status buckets, in the order every table shows them."""


# ── a document as the cross-check sees it ──────────────────────────────────────────

@dataclass
class Loaded:
    """A read and extracted document. ``extraction.document`` is the read document (its
    blocks and outline give a report's passages); None when only linking is done."""

    path: str
    extraction: Extraction
    # what identifies its content (e.g. output dir, stem, sha256), set by a caller
    # that knows it: the report's passages are then kept for the next plan checked
    key: tuple | None = None
    _passages: dict[str | None, list] = field(default_factory=dict, repr=False)

    @property
    def meta(self) -> Metadata:
        return self.extraction.metadata

    @property
    def doc(self) -> Document | None:
        return self.extraction.document

    @property
    def label(self) -> str:
        return self.meta.symbol or Path(self.path).name

    @property
    def is_report(self) -> bool:
        return self.meta.doc_type == "BC" or fold(self.meta.title or "").startswith("bao cao")

    def passages_for(self, plan_symbol: str | None):
        """The passages already split for ``plan_symbol`` in this object, or None."""
        return self._passages.get(plan_symbol)

    def keep_passages(self, plan_symbol: str | None, got: list) -> None:
        self._passages[plan_symbol] = got


def load(path: str | Path) -> Loaded:
    """Read and extract one file (``pipeline.outputs.read_and_extract``)."""
    return Loaded(str(path), read_and_extract(path))


# ── the rows of a gap report ───────────────────────────────────────────────────────

@dataclass
class Evidence:
    """A passage of a report quoted for a duty: ``text`` is one to three sentences,
    ``start``/``end`` its span in the report's normalised text, ``marks`` the spans of
    the duty's words inside ``text`` (offsets into ``text``), ``place`` where it sits in
    the report in the report's own numbering ("Mục II.1"), ``path`` the report's file."""

    report: str
    text: str | None
    start: int
    end: int
    section: str
    place: str = ""
    marks: list[list[int]] = field(default_factory=list)
    path: str = ""


@dataclass
class DutyRow:
    """One (duty, owner): field order is the JSON's."""

    task_id: str
    owner: str
    text: str
    deadline: str | None
    due: str | None
    start: int
    end: int
    place: str = ""  # the duty's place in the plan's own numbering: "Mục IV.12"
    due_source: DueSource | None = None
    coverage: Coverage | None = None
    reason: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    status: Status | None = None


@dataclass
class SubmissionRow:
    """One (reporting duty, owner): the report received for it, if any."""

    owner: str
    what: str
    task_id: str
    due: str | None
    report: str | None = None
    received: str | None = None
    status: Submission | None = Submission.MISSING


@dataclass
class ReportRow:
    """A report linked to the plan (``reports`` of ``vanban.gaps/1``). ``cites`` is the
    plan's symbol as the report cites it; ``owner`` the agency it answers for."""

    report: str
    date: str | None
    issuer: str | None
    linked_by: LinkedBy
    consolidated: bool
    owner: str
    cites: str | None
    path: str


@dataclass
class PlanRef:
    symbol: str | None
    issuer: str | None
    date: str | None
    title: str | None
    path: str


def _plain(obj):
    if dataclasses.is_dataclass(obj):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, list):
        return [_plain(x) for x in obj]
    if isinstance(obj, StrEnum):
        return obj.value
    return obj


@dataclass
class GapReport:
    plan: PlanRef
    as_of: str
    duties: list[DutyRow]
    submissions: list[SubmissionRow]
    unmatched_reports: list[str]
    reports: list[ReportRow]
    warnings: list[str] = field(default_factory=list)  # for the reviewer, in Vietnamese

    def to_json(self) -> dict:
        """``vanban.gaps/1``: plain dicts, lists and strings."""
        return {"schema": SCHEMA_GAPS, **{f.name: _plain(getattr(self, f.name))
                                         for f in dataclasses.fields(self)}}
