"""One document → the ``vanban.document/1`` JSON: every extractor over one text."""
from __future__ import annotations

import re

from pipeline.document.contract import _plain, document_json
from pipeline.document.model import Document


def document_year(doc: Document, metadata) -> int | None:
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


def extract_document(doc: Document) -> dict:
    from extractors.dates import date_findings
    from extractors.duties import extract_duties
    from extractors.metadata import extract_metadata
    from pipeline.document.facts import Finding
    from extractors.nlp import analyse
    from extractors.references import reference_findings, resolve_references

    metadata = extract_metadata(doc)
    nlp_doc = analyse(doc.text, year=document_year(doc, metadata), issued=metadata.date)
    dates = [s._.date for s in nlp_doc.spans["dates"]]
    references = resolve_references([s._.reference for s in nlp_doc.spans["references"]])
    tasks = extract_duties(doc, nlp_doc, metadata.date, metadata.doc_type)
    findings = date_findings(dates, metadata.date,
                             [(t.deadline, t.start, t.end) for t in tasks if t.deadline])
    findings += reference_findings(references)
    findings += [Finding("unreadable_page", w, "", 0, 0) for w in doc.warnings]
    findings.sort(key=lambda f: f.start)
    out = document_json(doc, metadata, references, tasks, findings)
    for t in out["tasks"]:
        t.pop("extra", None)
    out["dates"] = _plain(dates)
    return out
