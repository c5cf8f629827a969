"""Vietnamese words by underthesea: segmentation, POS tags and person names.

underthesea is imported lazily, on first use: it takes seconds to load its models, and
most commands (and importing an extractor) need none of it.
"""
from __future__ import annotations

import threading
from functools import lru_cache

__all__ = ["person_names", "pos_tags", "segment", "warm_up"]

_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def underthesea_models():
    """underthesea, its models loaded. It loads its CRF models lazily into globals and
    the first concurrent calls fail; load them once here, under a lock, before any thread
    uses them."""
    with _LOCK:
        import underthesea  # lazy: loading its models costs seconds

        underthesea.word_tokenize("Sở Tư pháp chủ trì.")
        underthesea.pos_tag("Sở Tư pháp chủ trì.")
        underthesea.ner("Lương Văn Cầu")
        return underthesea


def warm_up() -> None:
    """Load underthesea's models now (a worker does so before its first document)."""
    underthesea_models()


def segment(text: str, fixed_words: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Vietnamese word segmentation (underthesea), gazetteer names kept whole. Tone
    placement is left as given so words can be found back in the text."""
    return underthesea_models().word_tokenize(text, fixed_words=list(fixed_words),
                                              use_token_normalize=False)


def pos_tags(text: str) -> list[tuple[str, str]]:
    return underthesea_models().pos_tag(text)


def person_names(text: str) -> list[str]:
    """Person names by underthesea's CRF NER (B-PER/I-PER runs)."""
    names: list[str] = []
    cur: list[str] = []
    for word, _pos, _chunk, tag in underthesea_models().ner(text):
        if tag == "B-PER":
            if cur:
                names.append(" ".join(cur))
            cur = [word]
        elif tag == "I-PER" and cur:
            cur.append(word)
        else:
            if cur:
                names.append(" ".join(cur))
            cur = []
    if cur:
        names.append(" ".join(cur))
    return names
