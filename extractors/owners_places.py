"""Agencies named by their place: ``UBND``/``HĐND`` + a level + a place (``UBND phường
Cửa Nam``, ``UBND Thành phố``) and member lists (``UBND các phường: Ba Đình, Hoàn Kiếm``,
``Đại sứ quán các nước: Trung Quốc, Ấn Độ`` → one agency per name); the level and place
printed after a provincial name (``Sở Y tế tỉnh Lâm Đồng``) and the document's own place
(:func:`home_locality`)."""
from __future__ import annotations

import re

from extractors.casing import agency_case
from extractors.owners_data import localities
from extractors.owners_patterns import Cand, Tok, head_at, is_cap, level_at, stop_at, tidy
from pipeline.document.normalize import fold, is_upper_text


def _place_end(toks: list[Tok], k: int) -> int:
    """Capitalised place name (``Văn Miếu - Quốc Tử Giám``, ``5``) from token ``k``."""
    j = k
    while j < len(toks) and not (j > k and toks[j].brk):
        w = toks[j].text
        if is_cap(w) and w.isalpha() or (j == k and w.isdigit()):
            if j > k and head_at(toks, j):
                break
            j += 1
        elif j > k and w.isalpha() and w.islower() and w != "và" and not stop_at(toks, j) \
                and j + 1 < len(toks) and not toks[j + 1].brk and is_cap(toks[j + 1].text) \
                and toks[j + 1].text.isalpha():
            j += 1
        elif w in ("-", "–") and j > k and j + 1 < len(toks) and is_cap(toks[j + 1].text) \
                and not head_at(toks, j + 1):
            j += 1
        else:
            break
    while j > k and toks[j - 1].text in ("-", "–"):
        j -= 1
    return j


def _council(toks: list[Tok], i: int, n: int) -> tuple[int, str] | None:
    """``UBND``/``Ủy ban nhân dân``/``HĐND`` at ``i`` (head of ``n`` tokens):
    (tokens, canonical prefix)."""
    if not n:
        return None
    h = " ".join(t.text for t in toks[i:i + n]).lower()
    if h in ("ubnd", "ủy ban nhân dân"):
        return n, "UBND"
    if h in ("hđnd", "hội đồng nhân dân"):
        return n, "HĐND"
    return None


def _level_word(toks: list[Tok], k: int, n: int) -> str:
    w = " ".join(t.text for t in toks[k:k + n]).lower().rstrip(".")
    return "thành phố" if w in ("tp", "tp .") else w


def scan_councils(text: str, toks: list[Tok], hl: list[int]) -> list[Cand]:
    """``UBND``/``HĐND`` + level (+ place); the canonical keeps the place as written."""
    out: list[Cand] = []
    for i in range(len(toks)):
        c = _council(toks, i, hl[i]) if hl[i] else None
        if not c:
            continue
        n, pre = c
        k = i + n
        lv = level_at(toks, k)
        if not lv or toks[k].brk:
            continue
        level = _level_word(toks, k, lv)
        end = _place_end(toks, k + lv) if k + lv < len(toks) and not toks[k + lv].brk else k + lv
        place = tidy(text[toks[k + lv].start:toks[end - 1].end]) if end > k + lv else ""
        if place and is_upper_text(place):
            place = agency_case(f"TỈNH {place}").split(" ", 1)[1]
        canon = f"{pre} {level} {place}".strip()
        last = end - 1 if end > k + lv else k + lv - 1
        out.append(Cand(toks[i].start, toks[last].end, canon))
    return out


_PLURAL = {"phường": "phường", "xã": "xã", "huyện": "huyện", "tỉnh": "tỉnh", "quận": "quận",
           "thị xã": "thị xã", "thành phố": "thành phố", "nước": ""}


def scan_member_lists(text: str, toks: list[Tok], hl: list[int]) -> list[Cand]:
    """``UBND các phường: A, B và C`` / ``Đại sứ quán các nước: X, Y`` → one per name."""
    out: list[Cand] = []
    for i in range(len(toks)):
        n = hl[i]
        if not n:
            continue
        k = i + n
        if k + 2 >= len(toks) or toks[k].text.lower() != "các":
            continue
        head = tidy(" ".join(t.text for t in toks[i:i + n]))
        lv = level_at(toks, k + 1) or (1 if toks[k + 1].text.lower() == "nước" else 0)
        if not lv:
            continue
        level = _level_word(toks, k + 1, lv)
        j = k + 1 + lv
        if j >= len(toks) or toks[j].text != ":":
            continue
        j += 1
        first = True
        while j < len(toks) and not toks[j].brk:
            e = _place_end(toks, j)
            if e == j:
                break
            name = tidy(text[toks[j].start:toks[e - 1].end])
            canon = " ".join(p for p in (head, _PLURAL.get(level, level), name) if p)
            out.append(Cand(toks[i].start if first else toks[j].start, toks[e - 1].end, canon,
                            rank=0))
            first = False
            if e < len(toks) and toks[e].text in (",", "và") and e + 1 < len(toks) \
                    and toks[e + 1].text.lower() != "và" and not head_at(toks, e + 1):
                j = e + 1
            elif e + 1 < len(toks) and toks[e].text == "," and toks[e + 1].text == "và" \
                    and not head_at(toks, e + 2):
                j = e + 2
            else:
                break
    return out


# --- places after a name ----------------------------------------------------------------

_PROV_RE: re.Pattern[str] | None = None
_LEVEL_AFTER = re.compile(r"[ \t]+(tỉnh|thành phố|tp\.?|huyện|quận|thị xã|xã|phường|đặc khu)"
                          r"(?![^\W\d_])", re.IGNORECASE)
ENDS_LEVEL = re.compile(r"(?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường)$")


def _prov_re() -> re.Pattern[str]:
    """A province or centrally-run city name, on folded text."""
    global _PROV_RE
    if _PROV_RE is None:
        names = "|".join(re.escape(f).replace(r"\ \-\ ", r"\s*-\s*").replace(r"\ ", r"\s+")
                         for f, _ in localities())
        _PROV_RE = re.compile(rf"[ \t]+({names})(?!\w)")
    return _PROV_RE


def _cap_run(text: str, pos: int) -> int:
    """End of the capitalised words (``Gia Lộc``, ``Văn Miếu - Quốc Tử Giám``) at ``pos``."""
    end = pos
    for m in re.finditer(r"[ \t]*(?:[-–][ \t]*)?([^\W_]+)", text[pos:pos + 80]):
        if pos + m.start() != end or not (m.group(1)[0].isupper() or
                                          end == pos and m.group(1).isdigit()):
            break
        end = pos + m.end()
    return end


def tail(text: str, folded: str | None, end: int, base: str
          ) -> tuple[int, str | None, str | None]:
    """A level and/or place printed after a provincial name: (new end, level, place)."""
    lv = _LEVEL_AFTER.match(text, end)
    if lv:
        level = lv.group(1).lower().rstrip(".")
        level = "thành phố" if level == "tp" else level
        pos = lv.end()
        prov = _prov_re().match(folded, pos) if folded is not None else None
        if prov:
            return prov.end(), level, tidy(text[prov.start(1):prov.end()])
        if level != "tỉnh":
            cap = _cap_run(text, pos)
            if cap > pos:
                return cap, level, tidy(text[pos:cap])
        if not ENDS_LEVEL.search(base) and level in ("tỉnh", "thành phố"):
            return pos, None, None
        return end, None, None
    ends = ENDS_LEVEL.search(base)
    if ends and ends.group() not in ("tỉnh", "thành phố"):
        cap = _cap_run(text, end)
        return (cap, None, tidy(text[end:cap])) if cap > end else (end, None, None)
    prov = _prov_re().match(folded, end) if folded is not None else None
    if prov:
        return prov.end(), None, tidy(text[prov.start(1):prov.end()])
    return end, None, None


def home_locality(text: str) -> str | None:
    """The document's own province or city, from its header (``UBND TỈNH LÂM ĐỒNG``)."""
    head = "\n".join(text.split("\n")[:15])
    for m in re.finditer(r"(?:TỈNH|THÀNH PHỐ|TP\.)\s+([^\n|\t]+)", head):
        cand = fold(m.group(1)).strip()
        for lf, name in localities():
            if cand == lf or cand.startswith(lf + " "):
                return name
    return None


_FOLD_TABLE: dict[int, str] = {}


def fast_fold(text: str) -> str | None:
    """:func:`fold` by one ``str.translate`` (same length as ``text``, else None)."""
    if not _FOLD_TABLE:
        table = {cp: f for cp in range(0xC0, 0x2000)
                 if len(f := fold(chr(cp))) == 1 and f != chr(cp)}
        _FOLD_TABLE.update(table)
    out = text.lower().translate(_FOLD_TABLE)
    return out if len(out) == len(text) else None
