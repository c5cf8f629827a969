"""Marks OCR put wrong on a syllable, put right by the words around it.

Tesseract's Vietnamese model reads the letters well and their marks less so: ``tô chức``
for ``tổ chức``, ``kiêm tra`` for ``kiểm tra``, ``thâm định``, ``tông hợp``, ``YÊU
CẢU``, ``liên quan đên``. Most of those are real syllables, so a syllable check cannot
see them; the pair of neighbouring syllables is what is wrong. :func:`fix_accents`
changes a syllable's marks (never its letters; ``d``/``đ`` count as one letter) when:

* the pair it forms with a neighbour was never seen (neither a word of underthesea's
  word list, ``Viet74K`` inside the package, nor a pair of the counts below), and
* exactly one syllable with the same letters makes, with that neighbour, a pair seen at
  least twice that is also a word of the list — or any pair seen twice when OCR's
  syllable itself was never seen (``đên``, ``cảu``), and
* that syllable is at least :data:`RATIO` times as frequent as OCR's, and
* its other neighbour does not say OCR's syllable was right (a pair seen as read); a
  syllable at either end of the line, whose other neighbour is on another line, is
  changed only when it was never seen.

The counts (``pipeline/data/ocr_accents.tsv``) are of syllables and neighbouring pairs:
the typed documents of ``corpus/`` (the genre) and underthesea's VLSP 2013 test text (a
general sample), both as shipped; ``python -m pipeline.readers.pdf.ocr_accents`` makes
them again. On typed text no count was taken from (the Markdown copies of
``../shared/corpus-more``, 28,770 words) the rule changes 8 words, 5 of them typing errors
there (``ngǜ``, ``ngảnh``); on the two transcribed scans (``tests/test_ocr_cer.py``)
page-1 word accuracy goes from 0.955 to 0.967; on the 17 scanned PDFs of the blind set it
changes 263 words, 261 of them rightly (``tests/blind/FIGURES.md``).

A pair of words both written with an initial capital in a line not all in capitals (a
name: ``Minh Chính``) is left alone; words in capitals are a heading's, not a name's.
"""
from __future__ import annotations

import importlib.util
import unicodedata
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pipeline.document.normalize import fix_tone_placement

__all__ = ["fix_accents", "skeleton"]

RATIO = 5  # the syllable put in is at least this many times as frequent as OCR's
_EDGE = "\"'“”‘’()[]{}<>.,;:!?…«»|-–/*"
_DATA = "ocr_accents.tsv"


def skeleton(syllable: str) -> str:
    """The letters of ``syllable`` without any mark (``đ`` → ``d``), lower case."""
    plain = unicodedata.normalize("NFD", syllable.lower().replace("đ", "d"))
    return "".join(c for c in plain if not unicodedata.combining(c))


def _lower(word: str) -> str:
    return fix_tone_placement(unicodedata.normalize("NFC", word.lower()))


def _underthesea_file(*parts: str) -> Path:
    """A file shipped inside underthesea, found without importing it (seconds)."""
    spec = importlib.util.find_spec("underthesea")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("underthesea is not installed")
    return Path(list(spec.submodule_search_locations)[0]).joinpath(*parts)


@lru_cache(maxsize=1)
def _lexicon() -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """(two-syllable words, the syllables of each skeleton), from underthesea's list."""
    raw = _underthesea_file("corpus", "data", "Viet74K.txt").read_text("utf-8")
    pairs: set[str] = set()
    syllables: set[str] = set()
    for line in raw.splitlines():
        parts = _lower(line.strip()).split()
        if not parts or not all(p.isalpha() for p in parts):
            continue
        syllables.update(parts)
        if len(parts) == 2:  # a pair inside a longer entry is no word of its own
            pairs.add(" ".join(parts))
    by_skeleton: dict[str, set[str]] = {}
    for s in syllables:
        by_skeleton.setdefault(skeleton(s), set()).add(s)
    return frozenset(pairs), {k: tuple(sorted(v)) for k, v in by_skeleton.items()}


@lru_cache(maxsize=1)
def _counts() -> tuple[dict[str, int], dict[str, int]]:
    """(syllable counts, pair counts) of the data file."""
    syllables: dict[str, int] = {}
    pairs: dict[str, int] = {}
    raw = resources.files("pipeline.data").joinpath(_DATA).read_text("utf-8")
    for line in raw.splitlines():
        if not line or line.startswith("#"):
            continue
        kind, text, n = line.split("\t")
        (syllables if kind == "syllable" else pairs)[text] = int(n)
    return syllables, pairs


def _core(word: str) -> tuple[str, str, str]:
    """(leading punctuation, the word, trailing punctuation)."""
    core = word.strip(_EDGE)
    if not core:
        return word, "", ""
    start = word.find(core)
    return word[:start], core, word[start + len(core):]


def _titled(word: str) -> bool:
    """``Chính``, not ``CHÍNH`` nor ``chính``."""
    return word[:1].isupper() and (len(word) == 1 or not word[1:].isupper())


def _cased_like(new: str, old: str) -> str:
    if old.isupper():
        return new.upper()
    if old[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


def _respelled(keep: str, change: str, keep_first: bool) -> str | None:
    """The one syllable with ``change``'s letters that makes a known pair with ``keep``."""
    words, by_skeleton = _lexicon()
    freq, seen = _counts()
    unseen = freq.get(change, 0) == 0  # OCR's own syllable (đên, cảu): any common pair
    found = []
    for s in by_skeleton.get(skeleton(change), ()):
        pair = f"{keep} {s}" if keep_first else f"{s} {keep}"
        if s != change and freq.get(s, 0) >= RATIO * (freq.get(change, 0) + 1) \
                and seen.get(pair, 0) >= 2 and (unseen or pair in words):
            found.append(s)
    return found[0] if len(found) == 1 else None


def fix_accents(words: list[str]) -> list[str]:
    """The words of one OCR line, with wrong marks put right (see the module docstring).
    Same number of words, in the same order."""
    lexicon_words, _ = _lexicon()
    freq, counted = _counts()

    def seen(x: str, y: str) -> bool:
        pair = f"{x} {y}"
        return pair in lexicon_words or counted.get(pair, 0) > 0

    parts = [_core(w) for w in words]
    out = [_lower(c) if c.isalpha() else "" for _, c, _ in parts]
    caps_line = all(c.isupper() for _, c, _ in parts if c.isalpha())
    changed = [False] * len(out)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if not a or not b or seen(a, b) or parts[i][2] or parts[i + 1][0]:
            continue  # no word, a pair as it should be, or punctuation between them
        if not caps_line and _titled(parts[i][1]) and _titled(parts[i + 1][1]):
            continue  # a name (words in capitals are a heading's, as in a header's column)
        edge_b = i + 2 == len(out) and freq.get(b, 0) > 0
        edge_a = i == 0 and freq.get(a, 0) > 0
        fix_b = None if changed[i + 1] or edge_b else _respelled(a, b, True)
        fix_a = None if changed[i] or edge_a else _respelled(b, a, False)
        if (fix_a is None) == (fix_b is None):
            continue  # neither, or both ways: not sure which
        if fix_b is not None:
            if i + 2 < len(out) and out[i + 2] and seen(b, out[i + 2]):
                continue  # its right neighbour says it was right
            out[i + 1] = fix_b
            changed[i + 1] = True
        elif fix_a is not None:
            if i > 0 and out[i - 1] and seen(out[i - 1], a):
                continue  # its left neighbour says it was right
            out[i] = fix_a
            changed[i] = True
    return [w if not changed[k] else f"{p}{_cased_like(out[k], c)}{s}"
            for k, (w, (p, c, s)) in enumerate(zip(words, parts, strict=True))]


# ------------------------------------------------------------------ making the counts

def _syllable_lines(text: str):
    for line in text.splitlines():
        yield [_lower(w) for w in line.split()]


def build_counts(corpus: Path) -> str:
    """The data file's text: syllables and neighbouring pairs (both words made of
    letters only, no punctuation between) of the typed documents (.txt, .docx) of
    ``corpus`` and of underthesea's VLSP 2013 test text (its two-syllable words)."""
    from collections import Counter

    from pipeline.readers import read_document

    syllables: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    vlsp = _underthesea_file("pipeline", "pos_tag", "models", "pos_crf_vlsp2013_20230303",
                             "test_output.txt")
    for line in vlsp.read_text("utf-8").splitlines():
        word = [_lower(w) for w in line.split("\t")[0].split()]
        if word and all(w.isalpha() for w in word):
            syllables.update(word)
            if len(word) == 2:
                pairs[" ".join(word)] += 1
    for path in sorted(corpus.iterdir()):
        if path.suffix not in (".txt", ".docx"):
            continue
        for ws in _syllable_lines(read_document(path).text):
            syllables.update(w for w in ws if w.isalpha())
            pairs.update(f"{a} {b}" for a, b in zip(ws, ws[1:], strict=False)
                         if a.isalpha() and b.isalpha())
    head = ("# Counts for pipeline/readers/pdf/ocr_accents.py, made by `python -m "
            "pipeline.readers.pdf.ocr_accents`\n# from the typed documents of corpus/ and "
            "underthesea's VLSP 2013 test text. kind<TAB>text<TAB>count\n")
    rows = [f"syllable\t{s}\t{n}" for s, n in sorted(syllables.items())]
    rows += [f"pair\t{p}\t{n}" for p, n in sorted(pairs.items())]
    return head + "\n".join(rows) + "\n"


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[3]
    (root / "pipeline" / "data" / _DATA).write_text(build_counts(root / "corpus"), "utf-8")
