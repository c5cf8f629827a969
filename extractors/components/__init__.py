"""The spaCy components of the vanban pipeline, one per module, each registered by name
with ``@Language.component`` and declaring what it assigns:

- ``vanban_dates``       (:mod:`.dates`)       ``doc.spans["dates"]``, ``span._.date``
- ``vanban_agencies``    (:mod:`.agencies`)    ``doc.spans["agencies"]``, ``span._.agency``
- ``vanban_references``  (:mod:`.references`)  ``doc.spans["references"]``, ``span._.reference``

:mod:`extractors.nlp` imports them (which registers the names) and assembles the pipeline.
"""
from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc, Span

__all__ = ["as_spans"]


def as_spans(doc: Doc, items: Iterable, attr: str) -> list[Span]:
    """One span per found item (its ``start``/``end`` characters widened to whole
    tokens), the item kept in ``span._.<attr>``; items no token covers are left out."""
    out = []
    for item in items:
        span = doc.char_span(item.start, item.end, alignment_mode="expand")
        if span is None:
            continue
        span._.set(attr, item)
        out.append(span)
    return out
