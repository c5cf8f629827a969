"""Group owners: agencies named by their kind, not their name.

``các sở, ban, ngành liên quan``, ``UBND các huyện, thị xã, thành phố``, ``đơn vị liên
quan``, ``các tổ chức chính trị - xã hội``. A group keeps the words it was written with
(tidied); :func:`extractors.owners.group_members` says what it expands to.
"""
from __future__ import annotations

import re
from functools import lru_cache

from extractors.owners_patterns import Cand, tidy

# collective nouns; "specific" ones stand as a group of their own inside a list
_GENERIC = (
    "sở", "ban", "ngành", "bộ", "cơ quan chuyên môn", "cơ quan chức năng", "cơ quan trung ương",
    "cơ quan", "đơn vị sự nghiệp", "đơn vị chức năng", "đơn vị", "địa phương", "hội đoàn thể",
    "hội, đoàn thể", "đoàn thể", "cấp ủy Đảng", "cấp ủy", "chính quyền", "cấp tỉnh",
    "cấp huyện", "cấp xã", "cấp", "tỉnh",
    "thành phố", "huyện", "quận", "thị xã", "xã", "phường", "đặc khu", "thị trấn", "doanh nghiệp",
    "tổ chức", "cá nhân", "lực lượng chức năng", "lực lượng",
)
_SPECIFIC = (
    "tổ chức chính trị - xã hội - nghề nghiệp", "tổ chức chính trị - xã hội",
    "tổ chức xã hội - nghề nghiệp", "tổ chức xã hội", "tổ chức quốc tế", "tổ chức phi chính phủ",
    "tổ chức thành viên", "Đại sứ quán", "cơ quan đại diện ngoại giao", "cộng đồng",
    "cơ quan ngang bộ", "cơ quan thuộc Chính phủ", "cơ quan thông tấn, báo chí",
    "cơ quan thông tấn báo chí", "cơ quan thông tấn", "cơ quan báo chí", "cơ quan truyền thông",
    "cơ quan thông tin đại chúng", "Câu lạc bộ",
)
# standing alone (no "các", no qualifier) these still name a group
_STRONG = {"cơ quan ngang bộ", "cơ quan thuộc chính phủ", "tổ chức chính trị - xã hội",
           "tổ chức xã hội - nghề nghiệp", "tổ chức chính trị - xã hội - nghề nghiệp"}
_QUALS = (
    r"có\s+liên\s+quan", r"liên\s+quan", r"khác", r"chức\s+năng", r"chuyên\s+môn",
    r"thành\s+viên", r"trực\s+thuộc(?:\s+(?:tỉnh|trung\s+ương|tw|thành\s+phố))?",
    r"cấp\s+(?:tỉnh|huyện|xã|thành\s+phố|trung\s+ương)",
    r"(?:của|thuộc)\s+(?:tỉnh|thành\s+phố|mặt\s+trận\s+tổ\s+quốc\s+việt\s+nam)",
    r"trên\s+địa\s+bàn(?:\s+(?:tỉnh|thành\s+phố))?", r"thành\s+phố", r"tỉnh",
    r"trung\s+ương", r"tw", r"quốc\s+tế", r"trong\s+nước\s+và\s+(?:quốc\s+tế|nước\s+ngoài)",
    r"các\s+cấp", r"trong\s+nước",
)
# qualifiers that make a bare kind ("đơn vị liên quan") a group on their own
_STRONG_MOD = re.compile(r"(?i)liên\s+quan|khác|chức\s+năng|chuyên\s+môn|thành\s+viên|"
                         r"trực\s+thuộc|trên\s+địa\s+bàn|(?:của|thuộc)\s")
# "xã hội" (society: "tổ chức xã hội - nghề nghiệp") is not the commune level "xã"
_NOT_SOCIAL = r"(?!\s+hội(?!\w))"
# a council before bare levels, two or more, no "các": "UBND phường, xã" is a group too
_LOWER = r"(?:phường|xã|thị\s+trấn|đặc\s+khu|huyện|quận|thị\s+xã)"
_BARE_LEVELS = rf"{_LOWER}(?:\s*,\s*|\s+và\s+){_LOWER}(?!\w){_NOT_SOCIAL}"
_QUANT = r"(?:tất\s+cả\s+các|toàn\s+bộ|một\s+số|những|các|mọi)"
# bodies that exist at every level: "Công an các huyện, thị xã, thành phố" is a group
_COUNCIL = (r"(?:ubnd|ủy\s+ban\s+nhân\s+dân|hđnd|hội\s+đồng\s+nhân\s+dân|công\s+an|"
            r"ban\s+chỉ\s+đạo|trung\s+tâm\s+y\s+tế)")


def _alt(words) -> str:
    return "|".join(re.sub(r"\\ ", r"\\s+", re.escape(w.lower())).replace(r",\s+", r",\s*")
                    for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _group_re() -> re.Pattern[str]:
    coll = _alt(_SPECIFIC + _GENERIC)
    qual = "|".join(_QUALS)
    member = rf"(?:{_QUANT}\s+)?(?:{coll})(?!\w){_NOT_SOCIAL}(?:\s+(?:{qual})(?!\w))*"
    sep = r"(?:\s*,\s*và\s+|\s*,\s*|\s+và\s+)"
    return re.compile(
        rf"(?<!\w)(?P<council>{_COUNCIL}\s+(?=(?:các|cấp)\s|{_BARE_LEVELS}))?"
        rf"(?P<body>{member}(?:{sep}{member})*)")


@lru_cache(maxsize=1)
def _first_re() -> re.Pattern[str]:
    """The first words a group can start with (a cheap scan before the full pattern)."""
    words = {w.split()[0].lower() for w in _SPECIFIC + _GENERIC}
    words |= {"các", "những", "một", "toàn", "tất", "mọi", "ubnd", "ủy", "hđnd", "hội", "công",
              "trung"}
    alt = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    initials = re.escape("".join(sorted({w[0] for w in words})))
    return re.compile(rf"(?=[{initials}])(?<!\w)(?:{alt})(?!\w)")


@lru_cache(maxsize=1)
def _member_re() -> re.Pattern[str]:
    coll = _alt(_SPECIFIC + _GENERIC)
    qual = "|".join(_QUALS)
    return re.compile(rf"(?P<q>{_QUANT}\s+)?(?P<c>{coll})(?!\w){_NOT_SOCIAL}(?P<mods>(?:\s+(?:{qual})(?!\w))*)")


_SPECIFIC_KEYS = {re.sub(r"\s+", " ", s.lower()) for s in _SPECIFIC}
_LEVELS = {"tỉnh", "thành phố", "huyện", "quận", "thị xã", "xã", "phường", "đặc khu", "thị trấn"}


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.lower()).replace(", ", ",").replace(",", ", ")


def _extend_place(text: str, end: int) -> int:
    """After "thuộc thành phố" / "trên địa bàn tỉnh": the place's capitalised words."""
    m = re.match(r"(?:\s+[^\W\d_]+)+", text[end:end + 60])
    if not m:
        return end
    pos = end
    for w in re.finditer(r"\s+([^\W\d_]+)", text[end:end + 60]):
        if not w.group(1)[0].isupper() or w.start() != pos - end:
            break
        pos = end + w.end()
    return pos


def scan_groups(text: str) -> list[Cand]:
    """Group mentions, a list split where a specific kind (``tổ chức quốc tế``) stands."""
    out: list[Cand] = []
    low = text.lower()
    if len(low) != len(text):
        return out
    group_re = _group_re()
    pos = 0
    for f in _first_re().finditer(low):
        if f.start() < pos:
            continue
        m = group_re.match(low, f.start())
        if not m:
            continue
        pos = m.end()
        council = m.group("council")
        body_start = m.start("body")
        members = list(_member_re().finditer(low, body_start, m.end()))
        for n, mm in enumerate(members[1:], 1):
            # "..., Ban Chỉ đạo các huyện": a capitalised head before a name ends the list
            if text[mm.start("c")].isupper() and re.match(r"\s+[^\W\d_]", text[mm.end("c"):]) \
                    and text[mm.end("c"):].lstrip()[:1].isupper():
                members = members[:n]
                pos = members[-1].end()
                break
        if not members:
            continue
        chunks: list[list[re.Match[str]]] = []
        for mm in members:
            spec = _norm(mm.group("c")) in _SPECIFIC_KEYS
            new_list = bool(mm.group("q")) and \
                re.search(r"\svà\s+$", low[max(0, mm.start() - 8):mm.start()])
            if spec or new_list or not chunks or chunks[-1][-1] is None:
                chunks.append([mm, None] if spec else [mm])
            else:
                chunks[-1].append(mm)
        chunks = [[x for x in ch if x is not None] for ch in chunks]
        for n, ch in enumerate(chunks):
            first, last = ch[0], ch[-1]
            start = m.start() if (n == 0 and council) else first.start()
            end = last.end()
            if re.search(r"(?:thuộc|của|trên\s+địa\s+bàn)(?:\s+(?:tỉnh|thành\s+phố))?$",
                         text[start:end], re.IGNORECASE):
                end = _extend_place(text, end)
            kinds = [_norm(x.group("c")) for x in ch]
            upto = members[:members.index(first) + 1]
            has_q = any(x.group("q") for x in upto) or bool(council and n == 0)
            has_mod = any(_STRONG_MOD.search(x.group("mods")) for x in ch)
            bare = len(ch) > 1 and all(k in _LEVELS for k in kinds) and not first.group("q")
            if council and n == 0 and not (first.group("q") or bare or
                                           low.startswith("cấp", body_start)):
                continue
            if council and n == 0 and not all(k in _LEVELS or k.startswith("cấp") for k in kinds):
                continue
            if not (has_q or has_mod or kinds[0] in _STRONG) or kinds == ["cấp"] and not has_mod:
                continue
            words = tidy(text[start:end])
            if re.match(_QUANT + r"\s", words, re.IGNORECASE) and not council:
                words = words[0].lower() + words[1:]
            out.append(Cand(start, end, words, kind="group", source="pattern", rank=2))
    return out
