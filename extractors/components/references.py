"""The ``vanban_references`` component: cited documents
(:func:`extractors.references.find_references`)."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors.components import as_spans
from extractors.references import find_references
from extractors.tokenizer import doc_text

if not Span.has_extension("reference"):
    Span.set_extension("reference", default=None)


@Language.component("vanban_references", assigns=["doc.spans", "span._.reference"])
def references_component(doc: Doc) -> Doc:
    doc.spans["references"] = as_spans(doc, find_references(doc_text(doc)), "reference")
    return doc
