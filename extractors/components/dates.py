"""The ``vanban_dates`` component: every date mention (:func:`extractors.dates.find_dates`),
partial dates completed with ``doc._.year``."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors.components import as_spans
from extractors.dates import find_dates
from extractors.tokenizer import doc_text

if not Span.has_extension("date"):
    Span.set_extension("date", default=None)


@Language.component("vanban_dates", requires=["doc._.year"],
                    assigns=["doc.spans", "span._.date"])
def dates_component(doc: Doc) -> Doc:
    doc.spans["dates"] = as_spans(doc, find_dates(doc_text(doc), doc._.year), "date")
    return doc
