"""Facts over one read document, each with its span in the document's normalised text.

The public verbs::

    from extractors import extract, extract_json
    extraction = extract(document)      # typed: pipeline.document.facts.Extraction
    data = extract_json(document)       # vanban.document/1

They are loaded on first use, so that importing one extractor module (or a command that
needs none) does not load spaCy and underthesea.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["extract", "extract_json"]

if TYPE_CHECKING:
    from extractors.extraction import extract, extract_json


def __getattr__(name: str):
    if name in __all__:
        from extractors import extraction

        return getattr(extraction, name)
    raise AttributeError(f"module 'extractors' has no attribute {name!r}")
