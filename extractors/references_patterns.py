"""Patterns for citations of other documents: type words, numbers and symbols, dates,
and the titles of laws cited by name. Vocabulary comes from ``pipeline/data/doc_types.tsv``
and ``extractors/data/ref_types.tsv``; every regex is compiled once."""
from __future__ import annotations

import calendar
import re
from functools import cache, lru_cache
from importlib import resources

from pipeline.document.doctypes import doc_types, lookup_abbr
from pipeline.document.normalize import fold, is_title_word

SO = r"(?:số|Số|SỐ)"
_SEG = r"[A-ZĐ0-9][A-Za-zĐđ0-9&]*(?![^\W_])"  # not the start of a word ("Sở")
# "-" between segments: spaces around it, or a line break after it ("QĐ-\nUBND")
_DASH = r"(?:[ ]*[-–](?:[ ]*\n)?[ ]*)"
_SLASH = r"(?:[ ]*/[ ]*)"
SYMBOL = (
    rf"(?P<pnum>\d{{1,5}})[ ]*-[ ]*(?P<pcode>[A-ZĐ][A-Za-zĐđ]*){_SLASH}(?P<psegs>{_SEG}(?:{_DASH}{_SEG})*)"
    rf"|(?P<num>\d{{1,5}}[a-z]?){_SLASH}(?:(?P<year>(?:19|20)\d\d){_SLASH})?(?P<segs>{_SEG}(?:{_DASH}{_SEG})*)"
)
NUMBER = r"(?P<bare>\d{1,5})(?![\d/]|[.,]\d|[ ]*[-–][ ]*[A-ZĐ]|[ ]*/)"
DATE = (
    r"(?P<d>\d{1,2})[ ]*(?P<s>[/.\-])[ ]*(?P<m>\d{1,2})[ ]*(?P=s)[ ]*(?P<y>\d{4})(?!\d)"
    r"|(?P<d2>\d{1,2})[ ]+tháng[ ]+(?P<m2>\d{1,2})[ ]*,?[ ]+năm[ ]+(?P<y2>\d{4})(?!\d)"
    r"|(?P<d3>\d{1,2})/(?P<m3>\d{1,2})(?P<y3>(?:19|20)\d\d)(?!\d)"
)
DATE_RE = re.compile(DATE, re.IGNORECASE)
DATE_AFTER = re.compile(rf"(?:[ ]*,)?[ ]+(?i:ban hành[ ]+)?(?i:ngày)[ ]+(?:{DATE})", re.IGNORECASE)


@cache
def tsv(name: str) -> tuple[tuple[str, ...], ...]:
    """Rows of a ``#``-commented TSV file in ``extractors/data``."""
    raw = resources.files("extractors.data").joinpath(name).read_text("utf-8")
    return tuple(tuple(ln.split("\t")) for ln in raw.splitlines()
                 if ln.strip() and not ln.startswith("#"))


def _vocab(kind: str) -> list[tuple[str, str]]:
    return [(r[1], r[2] if len(r) > 2 else "") for r in tsv("ref_types.tsv") if r[0] == kind]


@lru_cache(maxsize=1)
def type_words() -> dict[str, str]:
    """Lower-case type word → doc_type (the table's names, ref_types words and named types)."""
    skip = {w for w, _ in _vocab("skipword")}
    out = {t.name: t.abbr for t in doc_types() if t.name not in skip and t.abbr != "CV"}
    out.update(dict(_vocab("word")))
    out.update(dict(_vocab("named")))
    return out


@lru_cache(maxsize=1)
def named_types() -> dict[str, str]:
    return dict(_vocab("named"))


def _ci(word: str) -> str:
    return "".join("[ ]+" if c == " " else f"[{c.lower()}{c.upper()}]" if c.lower() != c.upper()
                   else re.escape(c) for c in word)


def words_re(words) -> re.Pattern[str]:
    """Whole words, any case. Built to start with one character class (the words' first
    letters), which lets the regex engine skip ahead fast: several times quicker on a
    long text than a plain case-insensitive alternation."""
    by_first: dict[str, list[str]] = {}
    for w in sorted(set(words), key=len, reverse=True):
        by_first.setdefault(w[0].lower(), []).append(w[1:])
    firsts = "".join(c + c.upper() for c in by_first)
    branches = "|".join(f"(?<=[{c}{c.upper()}])(?:" + "|".join(map(_ci, rests)) + ")"
                        for c, rests in by_first.items())
    return re.compile(rf"[{firsts}](?<!\w.)(?:{branches})(?!\w)")


@lru_cache(maxsize=1)
def type_word_re() -> re.Pattern[str]:
    return words_re(type_words())


@lru_cache(maxsize=1)
def named_re() -> re.Pattern[str]:
    return words_re(named_types())


@lru_cache(maxsize=1)
def after_type_re() -> re.Pattern[str]:
    """What follows a type word: optional qualifier words, optional "số", a symbol or number."""
    gap = r"(?P<gap>(?:[ ]+(?!(?:số|Số|SỐ)\b)[^\s;:.()“”\"'\d][^\s;:.()“”\"']*){0,9}?)"
    return re.compile(rf"{gap}[ ]+(?:(?P<so>{SO})[ ]*:?[ ]*\n?[ ]*)?(?:{SYMBOL}|{NUMBER})")


@lru_cache(maxsize=1)
def list_item_re() -> re.Pattern[str]:
    """A further symbol sharing the previous type word: ", 13/QĐ-UBND", " và số 14/QĐ-UBND"."""
    return re.compile(rf"(?:[ ]*[,;])?[ ]+(?:(?i:và)[ ]+)?(?:{SO}[ ]+)?(?:{SYMBOL})")


def type_of_word(word: str) -> str | None:
    return type_words().get(re.sub(r"\s+", " ", word.lower()))


@lru_cache(maxsize=1)
def _codes() -> dict[str, str]:
    return {fold(c).upper(): t for c, t in _vocab("code")} | {c: t for c, t in _vocab("code")}


def type_of_code(code: str) -> str | None:
    """A symbol's type code → doc_type (``QD`` → ``QĐ``), None when it is no type (UBND)."""
    hit = _codes().get(code) or _codes().get(fold(code).upper())
    if hit:
        return hit
    t = lookup_abbr(code)
    return t.abbr if t and t.abbr != "CV" else None


def symbol_parts(m: re.Match[str]) -> tuple[str, str, str | None, int]:
    """(number, symbol as printed minus spaces, type code, end) of a SYMBOL match; trailing
    segments that are words ("Sở", "Công") are not part of it."""
    party = m.group("pnum") is not None
    segs_name = "psegs" if party else "segs"
    start_segs = m.start(segs_name)
    end = start_segs
    for seg in re.finditer(_SEG, m.string[start_segs:m.end(segs_name)]):
        if is_title_word(seg.group()):
            break
        end = start_segs + seg.end()
    if end == start_segs:
        end = m.end(segs_name)
    printed = m.string[m.start("pnum" if party else "num"):end]
    symbol = re.sub(r"\s+", "", printed).replace("–", "-")
    if party:
        return m.group("pnum"), symbol, m.group("pcode"), end
    first = re.split(r"[-–\s]", m.string[start_segs:end].strip())[0]
    return m.group("num"), symbol, first, end


def parse_date(m: re.Match[str]) -> str | None:
    """ISO value of a DATE match; None when impossible (24/15/2015)."""
    for d, mo, y in (("d", "m", "y"), ("d2", "m2", "y2"), ("d3", "m3", "y3")):
        if m.group(d) is not None:
            day, month, year = int(m.group(d)), int(m.group(mo)), int(m.group(y))
            break
    else:
        return None
    if not (1 <= month <= 12 and 1900 <= year <= 2100):
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def date_group(m: re.Match[str]) -> str:
    """The printed date of a DATE/DATE_AFTER match, without "ngày"."""
    for g in ("d", "d2", "d3"):
        if m.group(g) is not None:
            return m.string[m.start(g):m.end()]
    return m.group()


# ---- laws cited by name -------------------------------------------------------------

@lru_cache(maxsize=1)
def _titles_re() -> re.Pattern[str]:
    alts = sorted({t for t, _ in _vocab("title")}, key=len, reverse=True)
    pat = "|".join(re.escape(t).replace(r"\ ", "[ ]+").replace(",", ",?") for t in alts)
    return re.compile(rf"(?:{pat})(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _word_sets() -> tuple[set[str], set[str], set[str]]:
    stops = {w for w, _ in _vocab("title_stop")}
    before = {w for w, _ in _vocab("not_before")}
    after = {w for w, _ in _vocab("not_after")}
    return stops, before, after


_TITLE_WORD = re.compile(r"[ ]+([^\s,;:.()“”\"'!?]+)(,?)")
_AMEND = re.compile(r"[ ]+(?i:sửa đổi)[ ]*,?[ ]*(?i:bổ sung)(?:[ ]+(?i:một số điều))?(?:[ ]+(?i:của))?(?=[ ])")
_QUALIFIERS = re.compile(
    r"[ ]*\((?i:sửa đổi|được sửa đổi|năm)[^()\n]{0,40}\)"
    r"|(?:[ ]*,)?[ ]+(?i:năm)[ ]+(?:19|20)\d\d(?!\d)"
    r"|(?:[ ]*,)?[ ]+(?i:sửa đổi)(?:[ ]*,[ ]*(?i:bổ sung))?[ ]+(?i:năm)[ ]+(?:19|20)\d\d(?!\d)")
_JOIN = re.compile(r"(?:[ ]*,[ ]*|[ ]+(?i:và)[ ]+)")


# A title's end: the clause that follows a law's name ("ngày …", "năm 2015", "số …",
# "của …", "đã được …", "(sửa đổi)"), punctuation, or a following type word.
_CLAUSE_STOPS = {"năm", "ngày", "số", "của", "đã", "được", "sửa đổi", "có hiệu lực", "hiện hành"}
_CLAUSE_END = re.compile(r"[ ]*(?:$|[;.:()\n“”\"]|,[ ]+(?:\S+[ ]+)?(?i:năm|ngày|số)(?!\w))")


def _continuation(text: str, pos: int, stops: set[str], depth: int = 0) -> int | None:
    """End of the words after a "và" or a comma inside a law's name, up to where the
    name ends ("Tổ chức HĐND và UBND năm 2003", "Bảo vệ và phát triển rừng;"), or None
    when they run on into the sentence ("Luật Khiếu nại và các văn bản …", "Luật Đất đai
    và Luật Nhà ở", "Luật Hóa chất và triển khai …")."""
    types = set(type_words())
    opening = stops | {w for w, _ in _vocab("and_stop")}
    end, cur, n = None, pos, 0
    while n < 7:
        wm = _TITLE_WORD.match(text, cur)
        if not wm:
            break
        word = wm.group(1)
        ahead = [word] + _peek(text, wm.end(1))
        if n == 0:
            if _starts_with(ahead, opening) or _starts_with(ahead, types) or not word[0].isalpha():
                return None
        elif word.lower() == "và" and not wm.group(2):
            return _continuation(text, wm.end(), stops, depth + 1) if depth < 3 else None
        elif _starts_with(ahead, stops) or (word[:1].isupper() and _starts_with(ahead, types)):
            return end if _starts_with(ahead, _CLAUSE_STOPS | types) else None
        end, cur, n = wm.end(1), wm.end(), n + 1
        if wm.group(2):  # a comma after this word
            nxt = _peek(text, cur)
            if nxt and nxt[0][:1].islower() and depth < 3:
                deeper = _continuation(text, cur, stops, depth + 1)
                if deeper is not None:
                    return deeper
            return end
    if end is None:
        return None
    return end if _CLAUSE_END.match(text, end) else None


def _starts_with(words: list[str], phrases: set[str]) -> bool:
    low = [w.lower() for w in words]
    return any(low[:len(p.split())] == p.split() for p in phrases)


def law_title(text: str, pos: int, type_capital: bool) -> tuple[int, int] | None:
    """The title after a named type word ending at ``pos``: (start, end) or None.
    Known titles first, then words up to a stop word; "sửa đổi, bổ sung ... của Luật X
    và Luật Y" (an amending law) is one title."""
    am = _AMEND.match(text, pos)
    if am:
        end = am.end()
        inner_end = None
        while True:
            nm = named_re().match(text, end + 1) if text[end:end + 1] == " " else None
            if not nm:
                break
            t = law_title(text, nm.end(), nm.group()[0].isupper())
            if not t:
                break
            inner_end = t[1]
            j = _JOIN.match(text, inner_end)
            if not j:
                break
            end = j.end() - 1
        return (pos + 1, inner_end) if inner_end else None
    if text[pos:pos + 1] != " ":
        return None
    km = _titles_re().match(text, pos + 1)
    if km and (type_capital or km.group()[0].isupper()):
        return pos + 1, km.end()
    stops, _before, after = _word_sets()
    words: list[str] = []
    end = pos
    comma_used = False
    cur = pos
    while len(words) < 10:
        wm = _TITLE_WORD.match(text, cur)
        if not wm:
            break
        word = wm.group(1)
        if _starts_with([word] + _peek(text, wm.end(1)), stops):
            if words and word.lower() == "và" and not wm.group(2):
                # "và" inside a name: "Tổ chức HĐND và UBND", "Khoa học và Công nghệ"
                tail = _continuation(text, wm.end(), stops)
                if tail is not None:
                    end = tail
            break
        if not words and (_starts_with([word] + _peek(text, wm.end(1)), after)
                          or not (type_capital or word[0].isupper()) or word[0].isdigit()):
            return None
        words.append(word)
        end = wm.end(1)
        cur = wm.end()
        if wm.group(2):  # a comma: "Phòng, chống ..." continues, a list does not
            nxt = _peek(text, cur)
            if not nxt or not nxt[0][:1].islower() or _starts_with(nxt, stops):
                break
            if comma_used or len(words) > 3:
                # "Chất lượng sản phẩm, hàng hóa", "Quản lý, sử dụng vũ khí, vật liệu nổ
                # và công cụ hỗ trợ": only when the name ends where the clause does
                tail = _continuation(text, cur, stops)
                if tail is not None:
                    end = tail
                break
            comma_used = True
    return (pos + 1, end) if words else None


def _peek(text: str, pos: int, n: int = 2) -> list[str]:
    return re.findall(r"[^\s,;:.()“”\"'!?]+", text[pos:pos + 40])[:n]


def law_qualifiers(text: str, pos: int) -> int:
    """End of "(sửa đổi)", "năm 2015", "sửa đổi, bổ sung năm 2025" after a law title."""
    while True:
        m = _QUALIFIERS.match(text, pos)
        if not m:
            return pos
        pos = m.end()


def luat_is_word_part(text: str, start: int) -> bool:
    """"pháp luật", "kỷ luật", "quy luật": the type word is the end of another word."""
    _stops, before, _after = _word_sets()
    head = text[max(0, start - 20):start].lower().split()
    return any(head[-len(p.split()):] == p.split() for p in before if len(head) >= len(p.split()))
