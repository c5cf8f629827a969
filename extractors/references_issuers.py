"""Issuers of cited documents: the phrase after "của", its canonical name, and the
citing document's own locality (which body "của UBND tỉnh" means). Vocabulary:
``extractors/data/issuers.tsv``."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extractors.casing import agency_case
from extractors.references_patterns import tsv, type_word_re
from extractors.vocab import lines
from pipeline.document.normalize import fix_tone_placement, fold, is_upper_text, nfc


@dataclass(frozen=True)
class Locality:
    """The province or city a document belongs to: kind ``tỉnh``/``thành phố``, name."""

    kind: str
    name: str


def _rows(kind: str) -> list[tuple[str, ...]]:
    return [r[1:] for r in tsv("issuers.tsv") if r[0] == kind]


def _key(s: str) -> str:
    f = fold(s)
    f = re.sub(r"(?<!\w)uy ban nhan dan(?!\w)", "ubnd", f)
    f = re.sub(r"(?<!\w)hoi dong nhan dan(?!\w)", "hdnd", f)
    f = re.sub(r"(?<!\w)tp(?!\w)\.?", "thanh pho", f)
    return re.sub(r"[\s\-–,.&]+", " ", f).strip()


_ABBR = {"UBND": r"(?:UBND|[UỦ]y[ ]+ban[ ]+nhân[ ]+dân)", "HĐND": r"(?:HĐND|Hội[ ]+đồng[ ]+nhân[ ]+dân)",
         "TP": r"(?:TP\.?|thành[ ]+phố)"}
_SEP = r"(?:[ ]*[-–,][ ]*|[ ]+)"


def _variant_re(variant: str) -> str:
    toks = [t for t in re.split(r"[\s\-–,]+", variant) if t]
    return _SEP.join(_ABBR.get(t, re.escape(t)) for t in toks)


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    rows = _rows("issuer")
    table = {_key(v): (c, comp) for v, c, comp in rows}
    alts = sorted((v for v, _c, _comp in rows), key=len, reverse=True)
    pat = re.compile(r"(?:" + "|".join(_variant_re(v) for v in alts) + r")(?!\w)", re.IGNORECASE)
    return pat, table


@lru_cache(maxsize=2)
def _heads(caps: bool = False) -> tuple[re.Pattern[str], dict[str, str]]:
    """Head words of body names; case-sensitive ("của sở" is no name) unless in capitals."""
    rows = _rows("head")
    comp = {_key(h): c for h, _x, c in rows}
    alts = sorted((h for h, _x, _c in rows), key=len, reverse=True)
    pat = r"(?:" + "|".join(map(_variant_re, alts)) + r")(?!\w)"
    return re.compile(pat, re.IGNORECASE if caps else 0), comp


@lru_cache(maxsize=1)
def _roles_re() -> re.Pattern[str]:
    alts = sorted((r[0] for r in _rows("role")), key=len, reverse=True)
    return re.compile(r"(?:" + "|".join(map(_variant_re, alts)) + r")(?=[ ])", re.IGNORECASE)


@lru_cache(maxsize=1)
def _stops() -> list[list[str]]:
    return sorted((r[0].split() for r in _rows("stop")), key=len, reverse=True)


@lru_cache(maxsize=1)
def _localities() -> dict[str, str]:
    return {fold(n): n for n in lines("localities.txt")}


@lru_cache(maxsize=1)
def _locality_re() -> re.Pattern[str]:
    names = sorted(_localities(), key=len, reverse=True)
    return re.compile(r"(?<!\w)(tinh|thanh pho|tp\.?)\s+(" + "|".join(map(re.escape, names)) + r")(?!\w)")


def document_locality(text: str, header_lines: int = 12) -> Locality | None:
    """The province/city in the citing document's header ("ỦY BAN NHÂN DÂN / TỈNH HẢI
    DƯƠNG" → tỉnh Hải Dương); None for a national body."""
    header = "\n".join(text.split("\n", header_lines)[:header_lines])
    m = _locality_re().search(fold(header))
    if not m:
        return None
    return Locality("tỉnh" if m.group(1) == "tinh" else "thành phố", _localities()[m.group(2)])


_QUALIFIER = re.compile(r"(?:[ ]*\((?i:cũ|nay là|khóa|khoá)[^()\n]{0,60}\)|[ ]+(?i:khóa|khoá)[ ]+[IVXLC]+(?!\w))")
_LETTERS = re.compile(r"^[^\W\d_]+$")
_WORD = re.compile(r"[ ]+([^\s,;:.()“”\"'!?]+)")
_LOCAL_KIND = {"tỉnh", "thành", "phố", "huyện", "quận", "thị", "xã", "tp"}


def _words_after(text: str, pos: int, n: int = 3) -> list[str]:
    return re.findall(r"[^\s,;:.()“”\"'!?]+", text[pos:pos + 60].split("\n")[0])[:n]


def _is_stop(words: list[str], caps: bool) -> bool:
    low = [w.lower() for w in words] if caps else words
    return any(low[:len(s)] == s for s in _stops())


def _continue_after_and(text: str, pos: int) -> bool:
    """"Sở Kế hoạch và Đầu tư" goes on; "Bộ Công an và Bộ Quốc phòng" does not."""
    m = _WORD.match(text, pos)
    if not m or not m.group(1)[0].isupper():
        return False
    return not (_heads()[0].match(text, m.start(1)) or type_word_re().match(text, m.start(1))
                or _gazetteer()[0].match(text, m.start(1)))


def _generic_end(text: str, pos: int, caps: bool, local_only: bool) -> int:
    """End of the words of an issuer name from ``pos`` (a head word or a local body)."""
    end = cur = pos
    for _ in range(14):
        m = _WORD.match(text, cur)
        if not m:
            break
        w = m.group(1)
        if w in ("-", "–"):
            nxt = _words_after(text, m.end(), 1)
            if nxt and nxt[0][:1].isupper() and not local_only:
                cur = m.end()
                continue
            break
        if local_only and not ((w.lower() in _LOCAL_KIND or w[:1].isupper()) and _LETTERS.match(w)):
            break
        if _is_stop([w] + _words_after(text, m.end(), 2), caps or local_only):
            if not (w.lower() == "và" and not local_only and _continue_after_and(text, m.end())):
                break
        elif w[:1].isupper() and end > pos and (type_word_re().match(text, m.start(1))
                                                 or (local_only and _heads()[0].match(text, m.start(1)))):
            break
        end = cur = m.end()
    return end


def scan_issuer(text: str, pos: int, locality: Locality | None = None,
                direct: bool = False) -> tuple[int, str] | None:
    """The issuer phrase starting at ``pos`` (just after "của "): (end, canonical name).
    ``direct``: no "của" was printed, so only a national body from the gazetteer counts."""
    line = text[pos:pos + 80].split("\n")[0]
    caps = is_upper_text(line)
    gaz, table = _gazetteer()
    p = pos
    role = None if direct else _roles_re().match(text, pos)
    if role:
        p = role.end() + 1
    g = gaz.match(text, p)
    if g:
        _canon, completion = table.get(_key(g.group()), ("", "-"))
        if direct and completion != "-":
            return None
        end = g.end() if completion == "-" else _generic_end(text, g.end(), caps, True)
    else:
        h = None if direct else _heads(caps)[0].match(text, p)
        if h is None:
            return None
        end = _generic_end(text, h.end(), caps, False)
    if end <= p:
        return None
    canon = canonical_issuer(text[pos:end], locality)
    if not canon:
        return None
    q = _QUALIFIER.match(text, end)
    return (q.end() if q else end), canon


@lru_cache(maxsize=1)
def preceding_issuer_re() -> re.Pattern[str]:
    """"(chỉ đạo) của X tại" just before a mention: X issued it."""
    cues = sorted((r[0] for r in _rows("cue")), key=len, reverse=True)
    alt = "|".join(re.escape(c).replace(r"\ ", "[ ]+") for c in cues)
    return re.compile(rf"(?<!\w)(?i:{alt})[ ]+(?i:của)[ ]+(?P<iss>(?:(?!(?i:của)(?!\w))[^;:\n]){{2,90}}?)"
                      r"[ ]+(?i:tại|theo)[ ]*$")


def _tidy(phrase: str) -> str:
    p = fix_tone_placement(nfc(phrase))
    p = re.sub(r"\s+", " ", p).strip(" ,;:.-–")
    p = _QUALIFIER.sub("", p).strip(" ,;:.-–")
    if is_upper_text(p):
        p = agency_case(p)
    p = re.sub(r"(?i)(?<!\w)[UỦ]y ban nhân dân(?!\w)", "UBND", p)
    return re.sub(r"(?i)(?<!\w)Hội đồng nhân dân(?!\w)", "HĐND", p)


def _complete(canonical: str, completion: str, loc: Locality | None) -> str:
    if completion in ("-", "own") or loc is None:
        return canonical
    f = fold(canonical)
    level = "thành phố" if re.search(r"thanh (pho|uy)", f) else "tỉnh" if re.search(r"\btinh\b", f) else None
    if completion == "name":
        return canonical if level and level != loc.kind else f"{canonical} {loc.name}"
    return f"{canonical} {loc.kind} {loc.name}"


def _after_tokens(p: str, n: int) -> str:
    toks = list(re.finditer(r"[^\s\-–,]+", p))
    return p[toks[n].start():] if len(toks) > n else ""


@lru_cache(maxsize=4096)
def canonical_issuer(phrase: str, locality: Locality | None = None) -> str | None:
    """The canonical name of the body in a "của X" phrase ("Ủy ban nhân dân tỉnh Hải
    Dương" → "UBND tỉnh Hải Dương", "Ban Bí thư" → "Ban Bí thư Trung ương Đảng");
    a local body printed without its locality gets ``locality``. None when the phrase
    names no body."""
    p = _tidy(phrase)
    if not p:
        return None
    role = _roles_re().match(p + " ")
    if role and role.end() < len(p):
        rest = canonical_issuer(p[role.end():], locality)
        return f"{p[:role.end()]} {rest}" if rest else None
    k = _key(p)
    _gaz, table = _gazetteer()
    best = max((vk for vk in table if k == vk or k.startswith(vk + " ")), key=len, default=None)
    if best is not None:
        canonical, completion = table[best]
        rest = _after_tokens(p, len(best.split()))
        if not rest:
            return _complete(canonical, completion, locality)
        rest = re.sub(r"^(Tỉnh|Thành phố|Huyện|Quận|Thị xã)(?!\w)", lambda m: m.group().lower(), rest)
        return f"{canonical} {rest}"
    heads, comp = _heads()
    h = heads.match(p)
    if not h:
        return None
    if locality and re.search(rf"(?<!\w){locality.kind}$", p):  # "Ban Chỉ đạo tỉnh"
        return f"{p} {locality.name}"
    if comp.get(_key(h.group())) == "unit" and locality and \
            not re.search(r"(?<!\w)(tinh|thanh pho|huyen|quan|thi xa)(?!\w)", fold(p)):
        return f"{p} {locality.kind} {locality.name}"
    return p
