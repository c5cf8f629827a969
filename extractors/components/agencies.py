"""The ``vanban_agencies`` component: agency and group mentions
(:func:`extractors.owners.find_agencies`), bodies valid on ``doc._.issued``."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors.components import as_spans
from extractors.owners import find_agencies

if not Span.has_extension("agency"):
    Span.set_extension("agency", default=None)


@Language.component("vanban_agencies", requires=["doc._.issued"],
                    assigns=["doc.spans", "span._.agency"])
def agencies_component(doc: Doc) -> Doc:
    doc.spans["agencies"] = as_spans(doc, find_agencies(doc), "agency")
    return doc
