"""OCR words and the genre's fixed words: Tesseract's usual confusions put right, the
national motto and stamp words recognised. The vocabulary is data
(``pipeline/data/ocr_header.tsv``); this module only applies it.

* :func:`fix_words` puts back the fixed words OCR misreads (``Só:`` → ``Số:``,
  ``QUYÉT`` → ``QUYẾT``, ``UBND tĩnh`` → ``UBND tỉnh``, ``Ban Chí đạo`` → ``Ban Chỉ
  đạo``), whole words and phrases only, and a letter Vietnamese never uses where
  replacing it makes a syllable (``Nøãi`` → ``Ngãi``).
* :func:`motto_start` finds where the motto (``CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM``,
  ``Độc lập - Tự do - Hạnh phúc``) begins in a line of OCR words: the header's right
  column, when OCR reads both columns as one line without a wide gap between them.
* :func:`stamp_words` counts the words of a stamp (``TRUNG TÂM CÔNG BÁO``, ``ĐẾN``,
  ``Số:``, ``Ngày:``, ``Chuyển:``) in a piece of a line.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

from pipeline.document.normalize import fold
from pipeline.readers.encoding import is_vietnamese_syllable

__all__ = ["fix_words", "motto_start", "stamp_words"]

_EDGE = "\"'“”‘’()[]{}<>.,;!?…«»|"


@lru_cache(maxsize=1)
def _table() -> dict[str, list[tuple[str, ...]]]:
    raw = resources.files("pipeline.data").joinpath("ocr_header.tsv").read_text("utf-8")
    out: dict[str, list[tuple[str, ...]]] = {}
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, *cols = line.split("\t")
        out.setdefault(kind, []).append(tuple(cols))
    return out


@lru_cache(maxsize=1)
def _variants() -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    out = []
    for wrong, right in _table().get("variant", []):
        w, r = tuple(wrong.split()), tuple(right.split())
        if len(w) != len(r):
            raise ValueError(f"ocr_header.tsv: {wrong!r} and {right!r} differ in word count")
        out.append((w, r))
    return sorted(out, key=lambda v: -len(v[0]))  # longer phrases first


@lru_cache(maxsize=1)
def _phrases(kind: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(fold(p[0]).split()) for p in _table().get(kind, []))


def _fix_letters(word: str) -> str:
    """A letter Vietnamese does not use, put right where that gives a syllable."""
    chars = _table().get("char", [])
    if not any(bad in word for bad, _ in chars):
        return word
    core = word.strip(_EDGE + ":")
    if not core or is_vietnamese_syllable(core):
        return word
    for bad, good in chars:
        fixed = core.replace(bad, good)
        if fixed != core and is_vietnamese_syllable(fixed):
            return word.replace(core, fixed)
    return word


def fix_words(words: list[str]) -> list[str]:
    """The words of one OCR line with the genre's fixed words put right (see the
    module docstring). Same number of words, in the same order."""
    out = [_fix_letters(w) for w in words]
    for wrong, right in _variants():
        n = len(wrong)
        for i in range(len(out) - n + 1):
            if tuple(out[i:i + n]) == wrong:
                out[i:i + n] = right
    return out


def _folded(words: list[str]) -> list[str]:
    return [fold(w).strip(_EDGE) for w in words]


def motto_start(words: list[str]) -> int | None:
    """Index of the word where the motto begins (its first three words read right,
    accents aside), or None."""
    f = _folded(words)
    for i in range(len(f)):
        for motto in _phrases("motto"):
            head = [w for w in motto if w != "-"][:3]
            got = [w for w in f[i:i + 6] if w not in ("-", "")][:3]
            if got == head:
                return i
    return None


def stamp_words(words: list[str]) -> int:
    """How many of ``words`` belong to a stamp's vocabulary (a phrase counts each of
    its words)."""
    f = _folded(words)
    hit = [False] * len(f)
    for phrase in _phrases("stamp"):
        n = len(phrase)
        for i in range(len(f) - n + 1):
            cand = f[i:i + n]
            if phrase[-1].endswith(":"):
                ok = cand[:-1] == list(phrase[:-1]) and cand[-1].rstrip(":") + ":" == phrase[-1] \
                    and cand[-1].endswith(":")
            else:
                ok = [c.rstrip(":") for c in cand] == list(phrase)
            if ok:
                for k in range(i, i + n):
                    hit[k] = True
    return sum(hit)
