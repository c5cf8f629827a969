"""Bytes of a .txt/.html file to Unicode text, and repair of legacy 8-bit Vietnamese.

* :func:`decode_bytes` chooses an encoding: a BOM (UTF-8, UTF-16, UTF-32), UTF-16 without
  BOM (NUL bytes in every other position), UTF-8, and for 8-bit data the candidate
  (windows-1258, TCVN3, VNI) whose decoding gives the largest share of valid Vietnamese
  syllables; 8-bit data that is none of these is read as windows-1252 (label ``latin-1``,
  as WHATWG does). The result is NFC. Binary data raises :class:`ValueError`.
* :func:`repair_legacy` converts text that is already Unicode but holds TCVN3 or VNI
  characters (a .docx run in ``.VnTime`` / ``VNI-Times``, a cp1252 misreading), or
  windows-1258 bytes misread as windows-1252 (label "cp1258"), found by
  :func:`looks_legacy`. Normal Unicode Vietnamese is left untouched. Note the ``UVn*``
  fonts (``UVnTime``) are Unicode fonts, not legacy ones.

Tables are data files in ``pipeline/data/``: ``tcvn3.tsv``, ``vni.tsv`` (legacy code
points -> Unicode) and ``vi_syllables.txt`` (onsets and rhymes used for scoring).

What is lossy: TCVN3 (ABC, VN3) has no codes for toned capitals (Ấ, Ở, Ủ ...); the capital
fonts (``.VnTimeH``) draw the lowercase codes as capitals, so plain text cannot tell
``Số`` from ``SỐ``. :func:`convert_legacy` restores capitals only where the context is
unambiguous: a word whose other letters are all capitals and which has at least two
capitals or starts with the toned letter (``TØNH`` -> ``TỈNH``, ``ñY`` -> ``ỦY``); every
such word of a line without any plain lowercase letter that has two or more of them
(``CéNG HßA X· HéI`` -> ``CỘNG HÒA XÃ HỘI``); and such a word between two capital words
(``HÒA X· HỘI`` in a mixed line). A toned capital that starts a title-case word
(``ñy ban`` -> ``ủy ban``, not ``Ủy ban``) or stands alone (``Ở``) comes out lowercase,
and ``Sè`` reads ``Số`` even where ``SỐ`` was meant.
Pass ``capitals=True`` for text known to be in a capital font. VNI round-trips exactly.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
LEGACY_LABELS = ("tcvn3", "vni", "cp1258")  # preference order on ties

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # grave acute tilde hook dot
_STOP_TONES = frozenset("\u0301\u0323")  # the only tones after a final c, ch, p, t
_SAMPLE_BYTES = 1 << 20  # bytes scored when choosing an 8-bit encoding
_MIN_SCORE = 0.5  # share of valid syllables below which 8-bit data is not Vietnamese
_MAX_BAD_SHARE = 0.03  # control characters / U+FFFD above this share: not text

# Letters only Unicode Vietnamese has (never in legacy text): ă đ ĩ ũ ơ ư, Ạ..ỹ, and
# combining tone marks (NFD text).
_UNICODE_VI = re.compile("[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1"
                         "\u01af\u01b0\u1ea0-\u1ef9\u0300\u0301\u0303\u0309\u0323]")
_TOKEN = re.compile("[A-Za-z\u00a1-\u00ff\u0100-\u024f\u0300-\u036f\u1e00-\u1eff]+")
_BYTE_TOKEN = re.compile(rb"[A-Za-z\xa1-\xff]+")
_WORD = re.compile(r"[^\W\d_]+")
_BAD_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")


# ---------------------------------------------------------------------------- tables


@lru_cache(maxsize=None)
def legacy_table(label: str) -> dict[str, str]:
    """The table ``pipeline/data/<label>.tsv``: legacy character(s) -> Unicode letter."""
    out: dict[str, str] = {}
    for line in (DATA / f"{label}.tsv").read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        codes, uni = line.split("\t")[:2]
        out["".join(chr(int(c, 16)) for c in codes.split())] = uni
    return out


@lru_cache(maxsize=None)
def _charmap(label: str | None) -> str:
    """A 256-character decoding table: windows-1252 (undefined bytes as Latin-1),
    overridden by the single-byte entries of a legacy table."""
    chars = []
    for b in range(256):
        try:
            chars.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(chr(b))
    if label:
        for key, uni in legacy_table(label).items():
            if len(key) == 1:
                chars[ord(key)] = uni
    return "".join(chars)


@lru_cache(maxsize=None)
def _translation(label: str) -> dict[int, str]:
    """Single-character replacements of ``label``; for "cp1258" the characters
    windows-1258 bytes show when read as windows-1252 (``Ð`` -> ``Đ``, ``Ò`` -> hook)."""
    if label != "cp1258":
        return {ord(k): v for k, v in legacy_table(label).items() if len(k) == 1}
    out = {}
    for b in range(0x80, 0x100):
        try:
            as_1252, as_1258 = bytes([b]).decode("cp1252"), bytes([b]).decode("cp1258")
        except UnicodeDecodeError:
            continue
        if as_1252 != as_1258:
            out[ord(as_1252)] = as_1258
    return out


@lru_cache(maxsize=None)
def _sequence_re(label: str) -> re.Pattern[str]:
    keys = sorted(legacy_table(label), key=len, reverse=True)  # longest match first
    return re.compile("|".join(map(re.escape, keys)))


@lru_cache(maxsize=None)
def _tcvn3_lossy() -> frozenset[str]:
    """Lowercase letters TCVN3 has no capital code for (the toned vowels)."""
    values = set(legacy_table("tcvn3").values())
    return frozenset(v for v in values if v.islower() and v.upper() not in values)


@lru_cache(maxsize=None)
def _encoder(label: str) -> dict[str, str]:
    """Unicode letter -> legacy characters; TCVN3 toned capitals use the lowercase codes."""
    inverse = {uni: key for key, uni in legacy_table(label).items()}
    if label == "tcvn3":
        for lower in _tcvn3_lossy():
            inverse.setdefault(lower.upper(), inverse[lower])
    return inverse


# ---------------------------------------------------------------------------- syllables


@lru_cache(maxsize=1)
def _syllable_re() -> re.Pattern[str]:
    sections: dict[str, list[str]] = {}
    current = ""
    for line in (DATA / "vi_syllables.txt").read_text("utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            continue
        sections.setdefault(current, []).append(unicodedata.normalize("NFC", line))

    def alt(items: list[str]) -> str:
        return "|".join(re.escape(i) for i in sorted(items, key=len, reverse=True))

    return re.compile(f"(?:{alt(sections['onsets'])})?({alt(sections['rhymes'])})")


@lru_cache(maxsize=65536)
def is_vietnamese_syllable(word: str) -> bool:
    """True if ``word`` (any case, NFC or NFD) is a well-formed Vietnamese syllable:
    onset + rhyme + at most one tone, with only acute/dot tones after c, ch, p, t."""
    nfd = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in nfd if c in _TONE_MARKS]
    if len(tones) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in _TONE_MARKS))
    m = _syllable_re().fullmatch(base)
    if m is None:
        return False
    rhyme = m.group(1)
    if tones and tones[0] not in _STOP_TONES and rhyme.endswith(("c", "ch", "p", "t")):
        return False
    return True


# ---------------------------------------------------------------------------- conversion


@lru_cache(maxsize=1)
def _open_word_re() -> re.Pattern[str]:
    """Words made only of capitals and toned lowercase vowels (TCVN3 output)."""
    lossy = _tcvn3_lossy()
    seen = set(_charmap("tcvn3")) | set(legacy_table("tcvn3").values())
    chars = "".join(sorted({c for c in seen if c.isupper()} | lossy))
    return re.compile(f"(?<![^\\W\\d_])[{re.escape(chars)}]+(?![^\\W\\d_])")


def _recapitalize_tcvn3(line: str) -> str:
    """Restore toned capitals that TCVN3 cannot encode, where the context is clear."""
    lossy = _tcvn3_lossy()
    cands = [m for m in _open_word_re().finditer(line) if any(c in lossy for c in m.group())]
    if not cands:
        return line
    all_caps_line = (len(cands) >= 2 and any(c.isupper() for c in line)
                     and not any(c.islower() and c not in lossy for c in line))
    words: list[re.Match[str]] | None = None

    def capital_word(m: re.Match[str]) -> bool:
        w = m.group()
        return len(w) >= 2 and (not any(c.islower() for c in w) or _upper_by_word(w))

    def _upper_by_word(w: str) -> bool:
        caps = sum(c.isupper() for c in w)
        return caps >= 2 or (caps >= 1 and w[0] in lossy)

    out, last = [], 0
    for m in cands:
        w = m.group()
        up = all_caps_line or _upper_by_word(w)
        if not up and any(c.isupper() for c in w):
            # X· in "HÒA X· HỘI": capital words on both sides, only spaces between
            if words is None:
                words = list(_WORD.finditer(line))
            i = next(k for k, x in enumerate(words) if x.start() == m.start())
            up = (0 < i < len(words) - 1
                  and capital_word(words[i - 1]) and capital_word(words[i + 1])
                  and line[words[i - 1].end():m.start()].isspace()
                  and line[m.end():words[i + 1].start()].isspace())
        if up:
            out += [line[last:m.start()], w.upper()]
            last = m.end()
    out.append(line[last:])
    return "".join(out)


def convert_legacy(text: str, label: str, capitals: bool = False) -> str:
    """Convert ``text`` holding legacy ``label`` characters to Unicode: "tcvn3", "vni",
    or "cp1258" (windows-1258 bytes misread as windows-1252; the result is NFC).

    No detection: every table entry is replaced. ``capitals=True`` upper-cases the
    result (text in a capital font such as ``.VnTimeH``)."""
    if label == "tcvn3":
        out = text.translate(_translation("tcvn3"))
        out = "".join(_recapitalize_tcvn3(line) for line in out.splitlines(keepends=True))
    elif label == "vni":
        table = legacy_table("vni")
        out = _sequence_re("vni").sub(lambda m: table[m.group()], text)
    elif label == "cp1258":
        out = unicodedata.normalize("NFC", text.translate(_translation("cp1258")))
    else:
        raise ValueError(f"unknown legacy encoding {label!r}")
    return out.upper() if capitals else out


_PUNCT = ".,;:!?()[]\"'“”‘’"


def _tcvn3_soft_hyphen(word: str) -> str:
    """TCVN3 writes "ư" as 0xAD, a soft hyphen, which PDF text extraction gives as "-":
    put 0xAD back where that makes the word one Vietnamese syllable ("®-îc" → được),
    never in a word that is a syllable already or between a digit or a capital code
    ("L§-TB", "21-NQ")."""
    core = word.strip(_PUNCT)
    if "-" not in core or is_vietnamese_syllable(convert_legacy(core, "tcvn3")):
        return word
    chars = list(core)
    for i, c in enumerate(chars):
        if c != "-":
            continue
        left = chars[i - 1] if i else ""
        right = chars[i + 1] if i + 1 < len(chars) else ""
        if left.isdigit() or right.isdigit() or (not left and right.isascii()) \
                or (not right and not left.isalpha()):
            return word
        chars[i] = "\xad"
    fixed = "".join(chars)
    if not is_vietnamese_syllable(convert_legacy(fixed, "tcvn3")):
        return word
    start = word.index(core)
    return word[:start] + fixed + word[start + len(core):]


def convert_legacy_words(words: list[str], label: str) -> list[str]:
    """Convert the words of one line of a PDF text layer (one string per word box) to
    Unicode: together, so that TCVN3's toned capitals get the line's context
    ("KÕ HO¹CH" → KẾ HOẠCH, not "Kế"), and with TCVN3's "ư" restored where the PDF text
    gave its soft hyphen as "-". Falls back to word by word if the words do not come
    back one for one."""
    if label == "tcvn3":
        words = [_tcvn3_soft_hyphen(w) for w in words]
    if any(" " in w for w in words):
        return [convert_legacy(w, label) for w in words]
    converted = convert_legacy(" ".join(words), label).split(" ")
    if len(converted) == len(words):
        return converted
    return [convert_legacy(w, label) for w in words]


def encode_legacy(text: str, label: str) -> str:
    """Unicode Vietnamese -> legacy ``label`` characters (inverse tables; for tests and
    fixtures). ``.encode("cp1252")`` on the result gives the 8-bit file bytes."""
    inverse = _encoder(label)
    return "".join(inverse.get(c, c) for c in unicodedata.normalize("NFC", text))


# ---------------------------------------------------------------------------- detection


@lru_cache(maxsize=65536)
def _votes(token: str) -> tuple[tuple[int, int], ...]:
    """Per legacy label: (1, 0) if converting ``token`` turns a non-syllable into a
    Vietnamese syllable, (0, 1) if it does the reverse, else (0, 0)."""
    before = is_vietnamese_syllable(token)
    out = []
    for label in LEGACY_LABELS:
        if label == "tcvn3":  # no re-capitalisation: syllables are compared in lowercase
            conv = token.translate(_translation("tcvn3"))
        else:
            conv = convert_legacy(token, label)
        after = conv != token and is_vietnamese_syllable(conv)
        if conv == token:
            out.append((0, 0))
        elif after and not before and len(token) >= 2:
            out.append((1, 0))
        elif before and not after:
            out.append((0, 1))
        else:
            out.append((0, 0))
    return tuple(out)


def _evidence(text: str) -> tuple[dict[str, tuple[int, int]], int]:
    """Per legacy label (tokens a conversion makes valid, tokens it makes invalid), and
    the number of tokens holding letters only Unicode Vietnamese has."""
    tokens = Counter(t for t in _TOKEN.findall(text) if not t.isascii())
    unicode_vi = 0
    totals = [[0, 0] for _ in LEGACY_LABELS]
    for tok, n in tokens.items():
        if _UNICODE_VI.search(tok):
            unicode_vi += n
            continue
        for total, (good, bad) in zip(totals, _votes(tok)):
            total[0] += good * n
            total[1] += bad * n
    return {label: (g, b) for label, (g, b) in zip(LEGACY_LABELS, totals)}, unicode_vi


def _choose(scores: dict[str, tuple[int, int]], unicode_vi: int) -> str | None:
    best, best_margin = None, 0
    for label in LEGACY_LABELS:
        good, bad = scores[label]
        if good > 0 and good >= 2 * (bad + unicode_vi) and good - bad > best_margin:
            best, best_margin = label, good - bad
    return best


def looks_legacy(text: str) -> str | None:
    """"tcvn3" or "vni" if ``text`` reads as that legacy encoding shown as Latin-1
    characters (``Uû ban nh©n d©n``, ``Ñieàu``), "cp1258" for windows-1258 bytes read
    as windows-1252 (``HaÒi Dýõng``), else None.

    A word counts for a table when converting it turns a non-syllable into a valid
    Vietnamese syllable, and against it when the reverse happens or when the text
    already holds Unicode-only Vietnamese letters; the table must win by 2 to 1."""
    return _choose(*_evidence(text))


def repair_legacy(text: str, label: str | None = None) -> tuple[str, str | None]:
    """Convert legacy TCVN3/VNI (or misread cp1258) text held as Unicode; returns
    (text, label or None).

    The document label is ``label`` (e.g. known from a ``.VnTime`` font) or
    :func:`looks_legacy` of the whole text. Lines are then converted one by one: a line
    holding Unicode-only Vietnamese letters is kept; otherwise the line gets the
    document label unless that would make more of its words invalid than valid, or
    the line on its own reads better as another legacy encoding; in a text that is
    not legacy as a whole, a line is converted only if it looks legacy itself.
    Text that needs nothing comes back unchanged (same object) with None."""
    doc_label = label or looks_legacy(text)
    out: list[str] = []
    used: Counter[str] = Counter()
    for line in text.splitlines(keepends=True):
        line_label = None
        if not line.isascii() and not _UNICODE_VI.search(line):
            scores, unicode_vi = _evidence(line)
            line_label = own = _choose(scores, unicode_vi)
            if doc_label is not None and own != doc_label:
                good, bad = scores[doc_label]
                if own is not None and scores[own][0] - scores[own][1] > good - bad:
                    line_label = own
                else:
                    line_label = doc_label if bad <= good else None
        if line_label is None:
            out.append(line)
        else:
            out.append(convert_legacy(line, line_label))
            used[line_label] += 1
    if not used:
        return text, None
    return "".join(out), used.most_common(1)[0][0]


# ---------------------------------------------------------------------------- bytes


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' if NUL bytes fill one parity of positions, else None."""
    sample = data[:100_000]
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0::2].count(0) / half, sample[1::2].count(0) / half
    if odd > 0.2 and even < 0.02:
        return "utf-16-le"
    if even > 0.2 and odd < 0.02:
        return "utf-16-be"
    return None


def _decode_8bit(data: bytes, label: str) -> str:
    if label == "cp1258":
        return unicodedata.normalize("NFC", data.decode("cp1258", "replace"))
    if label == "tcvn3":
        text = codecs.charmap_decode(data, "strict", _charmap("tcvn3"))[0]
        return "".join(_recapitalize_tcvn3(line) for line in text.splitlines(keepends=True))
    text = codecs.charmap_decode(data, "strict", _charmap(None))[0]
    return convert_legacy(text, "vni") if label == "vni" else text


def score_8bit(data: bytes) -> dict[str, float]:
    """Share of words (with a byte >= 0xA1) that are valid Vietnamese syllables when
    ``data`` is read as cp1258, tcvn3 or vni. Scores the first megabyte."""
    tokens = Counter(t for t in _BYTE_TOKEN.findall(data[:_SAMPLE_BYTES]) if max(t) >= 0xA1)
    total = sum(tokens.values())
    scores = {}
    for label in ("cp1258", "tcvn3", "vni"):
        good = sum(n for t, n in tokens.items() if is_vietnamese_syllable(_decode_8bit(t, label)))
        scores[label] = good / total if total else 0.0
    return scores


def _decode(data: bytes) -> tuple[str, str]:
    for bom, codec, label in ((codecs.BOM_UTF8, "utf-8", "utf-8"),
                              (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
                              (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
                              (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
                              (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, "replace"), label
    utf16 = _utf16_without_bom(data)
    if utf16:
        return data.decode(utf16, "replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text = data.decode("utf-8", "replace")
        errors = text.count("\ufffd")
        multibyte = sum(1 for c in text if c > "\x7f") - errors
        if multibyte >= 20 * errors:  # a few broken bytes in a UTF-8 file
            return text, "utf-8"
    scores = score_8bit(data)
    best = max(scores, key=lambda k: scores[k])  # ties: cp1258, tcvn3, vni in that order
    if scores[best] < _MIN_SCORE:
        return _decode_8bit(data, "latin-1"), "latin-1"
    return _decode_8bit(data, best), best


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a text file's bytes; returns (NFC text, label).

    Labels: "utf-8", "utf-16", "utf-32", "cp1258", "tcvn3", "vni", "latin-1" (read as
    windows-1252). Raises ValueError if the decoded text is mostly control characters,
    NULs or undecodable bytes (binary data, not a text document)."""
    if not data:
        return "", "utf-8"
    text, label = _decode(data)
    bad = len(_BAD_CHARS.findall(text))
    if bad > max(2, _MAX_BAD_SHARE * len(text)):
        raise ValueError(f"dữ liệu nhị phân, không phải chữ: {bad} trong {len(text)} ký tự là "
                         f"ký tự điều khiển hoặc không giải mã được (đọc theo {label})")
    return unicodedata.normalize("NFC", text), label
