"""Date expressions in Vietnamese official text.

:func:`find_dates` finds every date mention: full dates (``02/3/2020``, ``ngày 02 tháng
03 năm 2020``), day/month completed with the document's year where the context makes it
a date (``trước ngày 10/6``, ``(26/6)``, ``Quốc khánh 2/9``), months (``tháng 11/2020``),
quarters (``quý I/2020``), year ends (``hết năm 2026``), impossible dates (``24/15/2015``)
and year typos (``22/72016``). Each mention records the cue word that governs it.
:func:`extractors.dates_temporal.temporal_facts` and
:func:`~extractors.dates_temporal.date_findings` read duties' deadlines, periods and
recurrences, and the findings, from these mentions.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from datetime import date

from extractors.dates_vocab import cue_of, time_tail_re, words
from pipeline.document.facts import DateMention

__all__ = ["complete", "find_dates"]


def _ci(*words: str) -> str:
    """``ngày`` → ``(?:ngày|Ngày|NGÀY)``: case variants spelled out, which keeps the
    scanners fast (no IGNORECASE, a literal first character)."""
    return "(?:" + "|".join(v for w in words for v in (w, w[0].upper() + w[1:], w.upper())) + ")"


_NGAY, _THANG, _NAM, _QUY = _ci("ngày"), _ci("tháng"), _ci("năm"), _ci("quý")
_YEAR_OK = range(1900, 2100)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_HANG_NAM = r"(?P<annual>\s+" + _ci("hằng", "hàng") + r"\s+" + _NAM + ")"
# "ngày 01 tháng 7 của năm đó": a year the text names elsewhere, not the document's
_OTHER_YEAR = (r"\s+(?:của\s+)?" + _NAM + r"\s+(?:" + words("other_year") + ")"
               + r"(?![^\W\d_])")
_NO_NUM_AFTER = r"(?![\w/]|[.,-]\d)"
_YEAR_AFTER = r"\s*,?\s*" + _NAM + r"\s+"

# (kind, regex, "ngày" before it: required | optional | inside | no) in priority order: an
# earlier pattern's match wins an overlap. A match must not follow a letter, digit or
# separator (checked in code), and a "ngày" right before a number joins the mention.
_PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (k, re.compile(p), n) for k, p, n in (
        # ngày 02 tháng 03 năm 2020; ngày 26 tháng 0 6 năm 2018; ngày 30 tháng 10 hằng năm
        ("long", _NGAY + r"\s+(?P<d>\d(?: ?\d)?)\s+" + _THANG + r"\s+(?P<m>\d(?: ?\d)?)"
         + r"(?:" + _YEAR_AFTER + r"(?P<y>\d{4,5})(?!\d)|" + _HANG_NAM + r"|(?P<other>"
         + _OTHER_YEAR + r")|(?!\s*(?:/|" + _NAM + r")))", "inside"),
        # 02/3/2020, 2-3-2020, 02.3.2020, 06/5/20216 (typo)
        ("numeric", r"(?P<d>\d{1,2}) ?(?P<s>[/.-]) ?(?P<m>\d{1,2}) ?(?P=s) ?(?P<y>\d{4,5})"
         + _NO_NUM_AFTER, "optional"),
        # 22/72016: the second slash lost
        ("glued", r"(?P<d>\d{1,2})/(?P<m>\d{1,2}?)(?P<y>(?:19|20)\d\d)" + _NO_NUM_AFTER,
         "required"),
        # tháng 11/2020, tháng 11 năm 2020, tháng 6 hằng năm
        ("month", _THANG + r"\s+(?P<m>\d(?: ?\d)?)(?:\s*[/-]\s*(?P<y>\d{4})|" + _YEAR_AFTER
         + r"(?P<y2>\d{4})|" + _HANG_NAM + r")(?![\d/])", "no"),
        # quý I/2020, quý 1/2019, quý IV năm 2025
        ("quarter", _QUY + r"\s+(?P<q>IV|I{1,3}|[1-4])(?:\s*[/-]\s*(?P<y>\d{4})|" + _YEAR_AFTER
         + r"(?P<y2>\d{4}))(?![\d/])", "no"),
        # hết năm 2026
        ("year_end", _ci("hết") + r"\s+" + _NAM + r"\s+(?P<y>\d{4})(?![\d/])", "no"),
        # 10/6, ngày 10/6, 20/10 năm 2019 (context checked in code)
        ("dm", r"(?P<d>\d{1,2}) ?/ ?(?P<m>\d{1,2})(?![\w/]|[.,]\d)(?:" + _YEAR_AFTER
         + r"(?P<y>\d{4})(?![\d/])|" + _HANG_NAM + r")?", "optional"),
        # ngày 10-6, ngày 10.6
        ("dm", r"(?P<d>\d{1,2})[.-](?P<m>\d{1,2})" + _NO_NUM_AFTER, "required"),
        # trong tháng 11, từ tháng 4, trong quý I (need a cue; year from context)
        ("bare_month", _THANG + r"\s+(?P<m>\d{1,2})(?![\w/]|[.,]\d)(?!" + _YEAR_AFTER + ")",
         "no"),
        ("bare_quarter", _QUY + r"\s+(?P<q>IV|I{1,3}|[1-4])(?![\w/])(?!" + _YEAR_AFTER + ")",
         "no"),
    ))
_NGAY_BEFORE = re.compile(_NGAY + r"\s+$")
_GLUE = frozenset("/.,-")

# slash look-alikes of OCR and web copies, read as "/" (one code point each: offsets hold)
_SLASHES = {"\u2044": "/", "\u2215": "/", "\uff0f": "/"}
_SYMBOL_AFTER = re.compile(r"\s*/\s*[A-ZĐ]")
_NUM_BEFORE = re.compile(r"số\s*:?\s*$", re.IGNORECASE)
_PAREN_CTX = re.compile(r"(?<![^\W\d_])(?:ngày|dịp|tháng)(?![^\W\d_])[^\d.;\n()]{0,80}$", re.IGNORECASE)
_NAMED_DAY = re.compile(r"(?<![^\W\d_])ngày((?:\s+[^\W\d_]+){1,6})\s*$", re.IGNORECASE)
# a mention without a year borrows it from the next one: "từ 15/11 đến 15/12/2020"
_JOIN = re.compile(r"^\s*(?:[,–-]|" + words("join") + r")?\s*"
                   r"(?:(?:ngày|Ngày)(?:\s+[^\W\d_]+){0,6}\s*)?$")


def _num(s: str) -> int:
    return int(s.replace(" ", ""))


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _year_typo(y: str, d: int, m: int, ref: int | None) -> str | None:
    """A 5-digit year (``20216``): the one plausible year left by dropping one digit,
    else None."""
    top = (ref or date.today().year) + 5
    years = {int(y[:i] + y[i + 1:]) for i in range(len(y))}
    ok = sorted(v for v in years if 1945 <= v <= top and _iso(v, m, d))
    return _iso(ok[0], m, d) if len(ok) == 1 else None


def _context_ok(text: str, s: int, e: int, has_ngay: bool, has_year: bool) -> bool:
    """Whether a bare day/month (``10/6``) is a date here, not a ratio or fraction."""
    if has_ngay or has_year:
        return True
    window = text[max(0, s - 60):s]
    cue, any_cue = cue_of(window)
    if any_cue and cue != "in":  # "trong 10/12 huyện" is a ratio
        return True
    if window.endswith("(") and text[e:e + 1] == ")" and _PAREN_CTX.search(window[:-1]):
        return True
    m = _NAMED_DAY.search(window)
    return bool(m and any(w[:1].isupper() for w in m.group(1).split()))


def _make(kind: str, m: re.Match[str], has_ngay: bool, year: int | None
          ) -> tuple[str, str | None, bool] | None:
    """(kind, value, needs_year) for one regex match, or None when it is no date."""
    g = m.groupdict()
    y = g.get("y") or g.get("y2")
    if kind in ("quarter", "bare_quarter"):
        q = g["q"].lower()
        n = _ROMAN.get(q) or int(q)
        if y:
            return "quarter", f"{y}-Q{n}", False
        return ("quarter", f"{year}-Q{n}" if year else None, True)
    if kind == "year_end":
        return "year_end", f"{y}-12-31", False
    mo = _num(g["m"])
    if kind in ("month", "bare_month"):
        if not 1 <= mo <= 12:
            return None
        if y:
            return "month", f"{y}-{mo:02d}", False
        return "month", (f"{year}-{mo:02d}" if year else None), True
    d = _num(g["d"])
    if y and len(y) == 5:
        if not _iso(2000, mo, d):
            return "invalid", None, False
        return "typo", _year_typo(y, d, mo, year), False
    if y:
        value = _iso(int(y), mo, d)
        if kind == "glued":
            return ("typo", value, False) if value else None
        if int(y) not in _YEAR_OK:
            return None
        return ("full", value, False) if value else ("invalid", None, False)
    if not _iso(2000, mo, d):  # 29/2 is a date in some years
        return ("invalid", None, False) if has_ngay else None
    if g.get("other"):
        return "partial", None, False
    if not year:
        return "partial", None, True
    return "partial", _iso(year, mo, d), True


def find_dates(text: str, year: int | None) -> list[DateMention]:
    """Every date expression in ``text``, in order, non-overlapping. ``year`` completes
    day/month and month mentions that print none (value None when ``year`` is None)."""
    original = text
    for odd, slash in _SLASHES.items():
        if odd in text:
            text = text.replace(odd, slash)
    # the spans taken so far, non-overlapping, as sorted starts and ends: an overlap test
    # is two bisections (a scan over every span taken made a long paragraph quadratic)
    t_starts: list[int] = []
    t_ends: list[int] = []
    found: list[tuple[int, int, str, str | None, bool]] = []
    for kind, rx, ngay in _PATTERNS:
        n_starts: list[int] = []  # this pattern's spans
        n_ends: list[int] = []
        for m in rx.finditer(text):
            s, e = m.span()
            if s and (text[s - 1].isalnum() or text[s - 1] in _GLUE):
                continue
            has_ngay = ngay == "inside"
            if ngay in ("optional", "required"):
                nb = _NGAY_BEFORE.search(text, max(0, s - 8), s)
                if nb:
                    s, has_ngay = nb.start(), True
                elif ngay == "required":
                    continue
            if _overlaps(t_starts, t_ends, s, e) or _overlaps(n_starts, n_ends, s, e):
                continue
            if _SYMBOL_AFTER.match(text, e) or _NUM_BEFORE.search(text, max(0, s - 6), s):
                continue
            made = _make(kind, m, has_ngay, year)
            if made is None:
                continue
            k, value, needs_year = made
            if kind == "dm" and not _context_ok(text, s, e, has_ngay, bool(m.groupdict().get("y"))):
                continue
            if kind.startswith("bare_") and cue_of(text[max(0, s - 40):s])[0] is None:
                continue
            n_starts.append(s)  # in order: matches go forward, and s < an earlier
            n_ends.append(e)    # start would overlap that span
            found.append((s, e, k, value, needs_year))
        if n_starts:
            spans = sorted(zip(t_starts + n_starts, t_ends + n_ends))
            t_starts, t_ends = [a for a, _ in spans], [b for _, b in spans]
    found.sort()
    out: list[DateMention] = []
    for i, (s, e, k, value, needs_year) in enumerate(found):
        if needs_year and k in ("partial", "month", "quarter") and i + 1 < len(found):
            value = _borrow_year(text, (s, e, k, value), found[i + 1]) or value
        cue = _governing_cue(text, s)
        out.append(DateMention(s, e, original[s:e], value, k, cue))
    return out


def _governing_cue(text: str, s: int) -> str | None:
    """The cue word governing the mention starting at ``s``, seen past a time of day
    ("trước 14 giờ ngày 08/10/2025", "chậm nhất 16h00 ngày …")."""
    window = text[max(0, s - 60):s]
    tm = time_tail_re().search(window, max(0, len(window) - 20))
    return cue_of(window[:tm.start()] if tm else window[-40:])[0]


def _overlaps(starts: list[int], ends: list[int], s: int, e: int) -> bool:
    """Whether [s, e) overlaps one of the non-overlapping spans given by sorted
    ``starts`` and ``ends``: the last span starting before ``e`` is the only candidate."""
    i = bisect_left(starts, e)
    return i > 0 and ends[i - 1] > s


def _borrow_year(text: str, cur: tuple, nxt: tuple) -> str | None:
    """The year of the next mention when the two are joined ("từ 15/11 đến 15/12/2020",
    "8/3 và Ngày phụ nữ Việt Nam 20/10 năm 2019"): a day/month later in the year than the
    next one falls in the year before."""
    ns, _ne, nk, nvalue, nneeds = nxt
    if nneeds or not nvalue or nk not in ("full", "month", "year_end"):
        return None
    between = text[cur[1]:ns]
    if len(between) > 60 or not _JOIN.match(between):
        return None
    ny = int(nvalue[:4])
    k, body = cur[2], text[cur[0]:cur[1]]
    md = _parts(k, body)
    if md is None:
        return None
    mo, d = md
    if (mo, d or 1) > (int(nvalue[5:7]), int(nvalue[8:10]) if len(nvalue) > 7 else 31):
        ny -= 1
    if k == "partial":
        return _iso(ny, mo, d)
    if k == "month":
        return f"{ny}-{mo:02d}"
    return f"{ny}-Q{(mo - 1) // 3 + 1}"


_DM_RE = re.compile(r"(\d(?: ?\d)?)\s*(?:[/.\u2044\u2215\uff0f-]|\s+tháng\s+)\s*(\d(?: ?\d)?)", re.IGNORECASE)
_M_RE = re.compile(r"tháng\s+(\d{1,2})", re.IGNORECASE)
_Q_RE = re.compile(r"quý\s+(IV|I{1,3}|[1-4])", re.IGNORECASE)


def _parts(kind: str, body: str) -> tuple[int, int | None] | None:
    """(month, day) printed in a year-less mention (a quarter gives its first month)."""
    if kind == "partial":
        m = _DM_RE.search(body)
        return (_num(m.group(2)), _num(m.group(1))) if m else None
    if kind == "month":
        m = _M_RE.search(body)
        return (int(m.group(1)), None) if m else None
    if kind == "quarter":
        m = _Q_RE.search(body)
        if not m:
            return None
        q = m.group(1).lower()
        return ((_ROMAN.get(q) or int(q)) * 3 - 2, None)
    return None


def complete(mention: DateMention, year: int) -> str | None:
    """The value of a year-less mention in ``year`` (its own value when it has one)."""
    if mention.value is not None or mention.kind not in ("partial", "month", "quarter") \
            or re.search(_OTHER_YEAR, mention.text, re.IGNORECASE):
        return mention.value
    md = _parts(mention.kind, mention.text)
    if md is None:
        return None
    mo, d = md
    if mention.kind == "partial":
        return _iso(year, mo, d or 1)
    if mention.kind == "month":
        return f"{year}-{mo:02d}"
    return f"{year}-Q{(mo - 1) // 3 + 1}"
