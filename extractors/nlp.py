"""The spaCy pipeline that holds the extractors together.

A blank ``vi`` pipeline with our tokenizer (:mod:`extractors.tokenizer`) and three rule
components (:mod:`extractors.components`), added by name, that write ``doc.spans`` groups
with extension attributes:

- ``vanban_dates``       ``doc.spans["dates"]``       ``span._.date``      → ``DateMention``
- ``vanban_agencies``    ``doc.spans["agencies"]``    ``span._.agency``    → ``AgencyMention``
- ``vanban_references``  ``doc.spans["references"]``  ``span._.reference`` → ``Reference``

The pipeline is built once per process (:func:`get_nlp`).
"""
from __future__ import annotations

import threading
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

import extractors.components.agencies  # noqa: F401  registers "vanban_agencies"
import extractors.components.dates  # noqa: F401  registers "vanban_dates"
import extractors.components.references  # noqa: F401  registers "vanban_references"
from extractors.tokenizer import VanbanTokenizer

__all__ = ["COMPONENTS", "analyse", "get_nlp"]

COMPONENTS = ("vanban_dates", "vanban_agencies", "vanban_references")
"""The pipeline's components, in the order they run."""

_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The blank ``vi`` pipeline with our tokenizer and components (once per process)."""
    with _LOCK:
        nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
        nlp.tokenizer = VanbanTokenizer(nlp.vocab)
        # spaCy refuses texts over 1M characters for the memory its parser and NER take;
        # this pipeline has neither (its components are linear rules), and the readers
        # already bound a document's text (Limits.max_text_mb, 20M characters)
        nlp.max_length = 10**9
        for name in COMPONENTS:
            nlp.add_pipe(name)
        return nlp


def analyse(text: str, *, year: int | None = None, issued: str | None = None) -> Doc:
    """Run the pipeline over one normalised text; ``year``/``issued`` (ISO date) give
    partial dates ("ngày 10/6") their year and deadlines their reference point."""
    nlp = get_nlp()
    doc = nlp.make_doc(text)
    doc._.year = year
    doc._.issued = issued
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    return doc
