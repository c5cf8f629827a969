"""Comparing extracted facts with hand-written gold.

Metadata fields are compared after a light normalisation that forgives what a reader
would not call an error: letter case (titles are written from capitals), Unicode form,
runs of spaces, curly vs straight quotes, en dash vs hyphen, and trailing punctuation.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipeline.document.normalize import fix_tone_placement

METADATA_FIELDS = ("doc_type", "number", "symbol", "issuer", "issuer_parent", "place", "date",
                   "title", "signer.name", "signer.position", "signer.authority", "recipients")

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})


def norm_value(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [norm_value(v) for v in value]
    s = unicodedata.normalize("NFC", str(value)).translate(_QUOTES)
    s = fix_tone_placement(s)
    s = re.sub(r"\s+", " ", s).strip().rstrip(" .;,").casefold()
    s = re.sub(r"\s*-\s*", " - ", s)
    return s


def get_field(meta: dict, name: str) -> object:
    cur: object = meta
    for part in name.split("."):
        cur = cur.get(part) if isinstance(cur, dict) else None
    return cur


def field_matches(pred: dict, gold: dict, name: str) -> bool:
    return norm_value(get_field(pred, name)) == norm_value(get_field(gold, name))


@dataclass(frozen=True)
class FieldScore:
    field: str
    right: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 1.0


def score_metadata(pairs: list[tuple[dict, dict]]) -> list[FieldScore]:
    """Per-field accuracy over (predicted, gold) metadata pairs."""
    out = []
    for name in METADATA_FIELDS:
        right = sum(field_matches(p, g, name) for p, g in pairs)
        out.append(FieldScore(name, right, len(pairs)))
    return out


def load_gold_metadata(folder: Path) -> dict[str, dict]:
    """``<stem>.json`` files of a golden folder, by file stem."""
    return {p.stem: json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))}


def char_error_rate(hypothesis: str, reference: str) -> float:
    """Character error rate of OCR output against a hand transcription: edit distance
    over the reference length, both NFC with runs of white space folded to one space
    (line layout is not what OCR is judged on)."""
    from rapidfuzz.distance import Levenshtein  # lazy: only the OCR score needs it

    def prep(s: str) -> str:
        return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s)).strip()

    ref = prep(reference)
    return Levenshtein.distance(prep(hypothesis), ref) / max(len(ref), 1)
