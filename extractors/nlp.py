"""The spaCy pipeline that holds the extractors together.

No trained Vietnamese pipeline exists offline, so this is a blank ``vi`` pipeline with
a tokenizer of our own (syllables, and document symbols/dates kept whole:
``1696/QĐ-TTg``, ``11-NQ/TW``, ``02/7/2015``) and rule components that write
``doc.spans`` groups with extension attributes:

- ``doc.spans["dates"]``       ``span._.date``      → :class:`extractors.dates.DateMention`
- ``doc.spans["references"]``  ``span._.reference`` → :class:`extractors.references.Reference`
- ``doc.spans["agencies"]``    ``span._.agency``    → :class:`extractors.owners.AgencyMention`

``doc.text`` is exactly the document's normalised text, so token and span offsets are
the offsets the JSON reports. The pipeline is built once per process (:func:`get_nlp`).
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

TOKEN_RE = re.compile(
    r"""
    \d{1,6}[A-Za-z]?(?:/(?:19|20)\d\d)?/[A-ZĐ][\wĐđ&.]*(?:-[\wĐđ&]+)*   # 1696/QĐ-TTg, 30/2020/NĐ-CP
  | \d{1,5}-[A-ZĐ][A-Za-zĐđ]*/[A-ZĐ][\wĐđ]*                            # 11-NQ/TW, 08-CTr/TU
  | \d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}(?!\d)                              # 02/7/2015, 2-3-2020
  | \d{1,2}/\d{5}(?!\d)                                                # 22/72016 (typo, kept whole)
  | \d{1,2}/\d{1,2}(?![\d/])                                           # 10/6
  | \d+(?:[.,]\d+)*                                                    # 1.000, 3,5
  | [^\W\d_]+(?:&[^\W\d_]+)*                                           # syllables, TB&XH
  | \S                                                                 # punctuation
    """,
    re.VERBOSE,
)


class VanbanTokenizer:
    """Whitespace-exact tokenizer: ``doc.text == text`` for any input."""

    def __init__(self, vocab: Vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        pos = 0
        for m in TOKEN_RE.finditer(text):
            gap = text[pos:m.start()]
            if gap:
                if gap == " " and words:
                    spaces[-1] = True
                elif gap.endswith(" ") and len(gap) > 1:
                    words.append(gap[:-1])
                    spaces.append(True)
                else:
                    words.append(gap)
                    spaces.append(False)
            words.append(m.group())
            spaces.append(False)
            pos = m.end()
        tail = text[pos:]
        if tail:
            if tail == " " and words:
                spaces[-1] = True
            else:
                words.append(tail)
                spaces.append(False)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        doc.user_data["vanban_text"] = text  # Doc.text rebuilds the string token by token
        return doc

    # spaCy serialisation hooks (the tokenizer has no state of its own)
    def to_bytes(self, **_kw) -> bytes:
        return b""

    def from_bytes(self, _data: bytes, **_kw) -> "VanbanTokenizer":
        return self

    def to_disk(self, _path, **_kw) -> None:
        return None

    def from_disk(self, _path, **_kw) -> "VanbanTokenizer":
        return self


for _name in ("date", "reference", "agency"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)
if not Doc.has_extension("year"):
    Doc.set_extension("year", default=None)
if not Doc.has_extension("issued"):
    Doc.set_extension("issued", default=None)


def doc_text(doc: Doc) -> str:
    """The text of a Doc made by our tokenizer, without spaCy rebuilding it from tokens."""
    return doc.user_data.get("vanban_text") or doc.text


def _spans(doc: Doc, items, attr: str) -> list[Span]:
    out = []
    for item in items:
        span = doc.char_span(item.start, item.end, alignment_mode="expand")
        if span is None:
            continue
        span._.set(attr, item)
        out.append(span)
    return out


@Language.component("vanban_dates")
def dates_component(doc: Doc) -> Doc:
    from extractors.dates import find_dates

    doc.spans["dates"] = _spans(doc, find_dates(doc_text(doc), doc._.year), "date")
    return doc


@Language.component("vanban_agencies")
def agencies_component(doc: Doc) -> Doc:
    from extractors.owners import find_agencies

    doc.spans["agencies"] = _spans(doc, find_agencies(doc), "agency")
    return doc


@Language.component("vanban_references")
def references_component(doc: Doc) -> Doc:
    from extractors.references import find_references

    doc.spans["references"] = _spans(doc, find_references(doc_text(doc)), "reference")
    return doc


_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The blank ``vi`` pipeline with our tokenizer and components (once per process)."""
    with _LOCK:
        nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
        nlp.tokenizer = VanbanTokenizer(nlp.vocab)
        for name in ("vanban_dates", "vanban_agencies", "vanban_references"):
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


@lru_cache(maxsize=1)
def _underthesea():
    """underthesea loads its CRF models lazily into globals and the first concurrent
    calls fail; load them once here, under a lock, before any thread uses them."""
    with _LOCK:
        import underthesea

        underthesea.word_tokenize("Sở Tư pháp chủ trì.")
        underthesea.pos_tag("Sở Tư pháp chủ trì.")
        underthesea.ner("Lương Văn Cầu")
        return underthesea


def segment(text: str, fixed_words: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Vietnamese word segmentation (underthesea), gazetteer names kept whole. Tone
    placement is left as given so words can be found back in the text."""
    return _underthesea().word_tokenize(text, fixed_words=list(fixed_words),
                                        use_token_normalize=False)


def pos_tags(text: str) -> list[tuple[str, str]]:
    return _underthesea().pos_tag(text)


def person_names(text: str) -> list[str]:
    """Person names by underthesea's CRF NER (B-PER/I-PER runs)."""
    names: list[str] = []
    cur: list[str] = []
    for word, _pos, _chunk, tag in _underthesea().ner(text):
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
