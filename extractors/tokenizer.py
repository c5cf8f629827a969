"""The tokenizer of the vanban spaCy pipeline, and what a vanban ``Doc`` carries.

No trained Vietnamese pipeline exists offline, so the pipeline (:mod:`extractors.nlp`) is
a blank ``vi`` one with this tokenizer: syllables, and document symbols/dates kept whole
(``1696/QĐ-TTg``, ``11-NQ/TW``, ``02/7/2015``). ``doc.text`` is exactly the text given,
so token and span offsets are the offsets the JSON reports.

A Doc also carries the document's context, set before the components run:
``doc._.year`` (completes partial dates) and ``doc._.issued`` (ISO issue date).
"""
from __future__ import annotations

import re

from spacy.tokens import Doc
from spacy.vocab import Vocab

__all__ = ["TOKEN_RE", "VanbanTokenizer", "doc_text"]

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


if not Doc.has_extension("year"):
    Doc.set_extension("year", default=None)
if not Doc.has_extension("issued"):
    Doc.set_extension("issued", default=None)


def doc_text(doc: Doc) -> str:
    """The text of a Doc made by our tokenizer, without spaCy rebuilding it from tokens."""
    return doc.user_data.get("vanban_text") or doc.text
