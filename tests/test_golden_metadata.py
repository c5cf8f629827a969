"""Header metadata of every corpus document against gold written by reading them.

Each (document, field) pair is its own test. Pairs we know we still get wrong are
listed in ``golden/known_misses.txt`` with the reason; they run as strict xfails, so
fixing one without updating the list fails too (the list cannot silently rot).
"""
from __future__ import annotations

import pytest

from conftest import GOLDEN, corpus_files, extracted
from extractors.evaluate import METADATA_FIELDS, field_matches, get_field, load_gold_metadata, score_metadata

GOLD = load_gold_metadata(GOLDEN)
# the digital-signature stamp and a certified copy's own block, where the gold has them
STAMP_FIELDS = ("signature.signed_by", "signature.signed_at", "copy_of.kind", "copy_of.issuer",
                "copy_of.number", "copy_of.date")
FILES = {p.stem: p.name for p in corpus_files()}


def _known_misses() -> dict[tuple[str, str], str]:
    path = GOLDEN / "known_misses.txt"
    out = {}
    if path.exists():
        for line in path.read_text("utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                stem, field, reason = line.split("\t", 2)
                out[(stem, field)] = reason
    return out


MISSES = _known_misses()


def test_every_corpus_document_has_gold():
    assert set(FILES) == set(GOLD), "a corpus file has no golden metadata (or the reverse)"


CASES = []
for stem in sorted(GOLD):
    extra = tuple(f for f in STAMP_FIELDS if f.split(".")[0] in GOLD[stem])
    for field in METADATA_FIELDS + extra:
        marks = []
        if (stem, field) in MISSES:
            marks.append(pytest.mark.xfail(strict=True, reason=MISSES[(stem, field)]))
        CASES.append(pytest.param(stem, field, id=f"{stem}:{field}", marks=marks))


@pytest.mark.parametrize("stem,field", CASES)
def test_metadata_field(stem: str, field: str):
    pred = extracted(FILES[stem])["metadata"]
    gold = GOLD[stem]
    assert field_matches(pred, gold, field), (
        f"{field}: got {get_field(pred, field)!r}, want {get_field(gold, field)!r}")


def test_overall_field_accuracy():
    pairs = [(extracted(FILES[s])["metadata"], GOLD[s]) for s in sorted(GOLD)]
    scores = score_metadata(pairs)
    right = sum(s.right for s in scores)
    total = sum(s.total for s in scores)
    print("\n" + "\n".join(f"{s.field:>18} {s.right}/{s.total}" for s in scores))
    assert right / total >= 0.95, f"metadata field accuracy {right}/{total}"
