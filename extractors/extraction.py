"""One document → its :class:`~pipeline.document.facts.Extraction`: every extractor over
one normalised text, through one spaCy ``Doc``."""
from __future__ import annotations

import re

from extractors.dates_temporal import date_findings
from extractors.duties import extract_duties
from extractors.metadata import extract_metadata
from extractors.nlp import analyse
from extractors.references import reference_findings, resolve_references
from pipeline.document.contract import to_json
from pipeline.document.facts import Extraction, Finding, Metadata
from pipeline.document.model import Document


def document_year(doc: Document, metadata: Metadata) -> int | None:
    """The year partial dates belong to: the document's date, else the year printed in
    its (draft) date line, else None."""
    if metadata.date:
        return int(metadata.date[:4])
    span = metadata.spans.get("date")
    if span:
        m = re.search(r"(19|20)\d\d", doc.text[span[0]:span[1]])
        if m:
            return int(m.group())
    return None


def doubtful_number(doc: Document, metadata: Metadata) -> list[Finding]:
    """A number that could not be read (a scan's handwritten "52ø/BCA-V01") as a finding:
    the index checks it against what other documents cite with the same code and date."""
    span = metadata.spans.get("number_doubtful")
    if not span or metadata.number:
        return []
    raw = doc.text[span[0]:span[1]]
    return [Finding("doubtful_number", f"Số, ký hiệu đọc không rõ: '{raw}'", raw, *span)]


def extract(doc: Document) -> Extraction:
    """Metadata, references, dates, duties and findings of ``doc``, each with its span."""
    metadata = extract_metadata(doc)
    nlp_doc = analyse(doc.text, year=document_year(doc, metadata), issued=metadata.date)
    dates = [s._.date for s in nlp_doc.spans["dates"]]
    references = resolve_references([s._.reference for s in nlp_doc.spans["references"]])
    tasks = extract_duties(doc, nlp_doc, metadata.date, metadata.doc_type)
    findings = date_findings(dates, metadata.date,
                             [(t.deadline, t.start, t.end) for t in tasks if t.deadline])
    findings += reference_findings(references)
    findings += [Finding("unreadable_page", w, "", 0, 0) for w in doc.warnings]
    findings += doubtful_number(doc, metadata)
    findings.sort(key=lambda f: f.start)
    return Extraction(doc.source, metadata, tuple(references), tuple(tasks),
                      tuple(findings), tuple(dates), document=doc)


def extract_json(doc: Document) -> dict:
    """``vanban.document/1`` of ``doc`` (what ``vanban extract --json`` prints)."""
    return to_json(extract(doc))
