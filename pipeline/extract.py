"""One document → the ``vanban.document/1`` JSON: every extractor over one text."""
from __future__ import annotations

from pipeline.contract import document_json
from pipeline.model import Document


def extract_document(doc: Document) -> dict:
    from extractors.metadata import extract_metadata

    metadata = extract_metadata(doc)
    return document_json(doc, metadata)
