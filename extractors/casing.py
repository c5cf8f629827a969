"""Writing names from the header's capitals in sentence case.

``SỞ NỘI VỤ`` → ``Sở Nội vụ``, ``ỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG`` → ``UBND tỉnh Hải
Dương``, ``BAN CHỈ ĐẠO ... KHCN, ĐMST`` keeps its abbreviations. Proper nouns,
localities and head words come from data files.
"""
from __future__ import annotations

import re
from functools import lru_cache

from extractors.vocab import lines, table
from pipeline.document.normalize import fold, is_upper_text

_VOWELS = set("aăâeêioôơuưy")


def _is_abbrev(token: str) -> bool:
    """Capital tokens without a vowel (TW, KHCN, ĐMST, C04) stay capitals."""
    core = re.sub(r"[^\w&]", "", token)
    if not core or not core.isupper() and not any(c.isdigit() for c in core):
        return False
    return not any(c in _VOWELS for c in fold(core)) or any(c.isdigit() for c in core)


@lru_cache(maxsize=1)
def _proper_phrases() -> list[tuple[str, str]]:
    names = list(table("header.tsv")["proper"]) + list(lines("localities.txt"))
    return sorted(((fold(n), n) for n in names), key=lambda p: -len(p[0]))


def _restore(text: str, phrases: list[tuple[str, str]]) -> str:
    """Re-capitalise known phrases inside lower-cased ``text`` (same length)."""
    folded = fold(text)
    chars = list(text)
    for key, proper in phrases:
        for m in re.finditer(r"(?<!\w)" + re.escape(key) + r"(?!\w)", folded):
            seg = text[m.start():m.end()]
            if seg.lower() == proper.lower() and len(seg) == len(proper):
                chars[m.start():m.end()] = list(proper)
    return "".join(chars)


def _title_words(words: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in words.split(" "))


def sentence_case(text: str, *, name: bool = False) -> str:
    """Capitals → sentence case with proper nouns and abbreviations kept; with
    ``name``, a locality at the end is title-cased even when not in the list."""
    if not is_upper_text(text):
        return text
    tokens = text.split(" ")
    low = " ".join(t if _is_abbrev(t) else t.lower() for t in tokens)
    low = _restore(low, _proper_phrases())
    if name:
        low = _localities_title(low)
    return low[:1].upper() + low[1:]


@lru_cache(maxsize=1)
def _locality_re() -> re.Pattern[str]:
    words = sorted(table("header.tsv")["locality"], key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(map(re.escape, words)) + r")\s+([^\s,;()]+(?:\s+[^\s,;()]+){0,3})$")


def _localities_title(text: str) -> str:
    """``... tỉnh lâm đồng`` at the end of a name → ``... tỉnh Lâm Đồng``."""
    m = _locality_re().search(text)
    if not m:
        return text
    return text[:m.start(2)] + _title_words(m.group(2)) + text[m.end(2):]


@lru_cache(maxsize=1)
def _heads() -> list[tuple[str, str]]:
    return sorted(((h.lower(), h) for h in table("header.tsv")["head"]), key=lambda p: -len(p[0]))


def head_of(text: str, *, loose: bool = False) -> str | None:
    """The head word an agency name starts with (``Sở``, ``Ban``, ``UBND`` ...).
    Accents count: the name "Vũ ..." does not start with the head word "Vụ". With
    ``loose`` (capital header lines, where no person's name stands) accents are
    ignored, so OCR's "TỎ CÔNG TÁC" still starts with "Tổ"."""
    f = text.lower()
    for key, head in _heads():
        if f == key or f.startswith(key + " ") or f.startswith(key + ","):
            return head
    if loose:
        ff = fold(text)
        for key, head in _heads():
            k = fold(key)
            if ff == k or ff.startswith(k + " "):
                return head
    return None


def agency_case(text: str, *, abbreviate_ubnd: bool = True) -> str:
    """A capitalised agency name in its canonical sentence case."""
    text = re.sub(r"\s+", " ", text).strip(" ,;:-")
    if not is_upper_text(text):
        out = text
    else:
        out = sentence_case(text, name=True)
        head = head_of(out, loose=True)
        if head:
            n = len(head)
            rest = out[n:].lstrip()
            first = rest.split(" ")[0] if rest else ""
            localities = {fold(w) for w in table("header.tsv")["locality"]}
            if rest and not _is_abbrev(first) and fold(first) not in localities \
                    and fold(" ".join(rest.split(" ")[:2])) not in localities:
                rest = rest[:1].upper() + rest[1:]
            out = f"{head} {rest}".strip() if head[0].isupper() else out
            out = out[:1].upper() + out[1:]
    if abbreviate_ubnd:
        out = re.sub(r"(?i)\b(Ủy|Uỷ) ban nhân dân\b", "UBND", out)
    return out
