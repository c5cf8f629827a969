"""Who owns a duty: the owners an item opens with (``Sở X:``, ``Đề nghị Sở X, Sở Y ...``),
*chủ trì* / *phối hợp (với)* inside its text, labelled fields (``- Đơn vị chủ trì: Sở X``),
the agencies of an owner phrase (a table cell); and the :class:`Task` made of a span
with its owners, deadlines from :mod:`extractors.dates_temporal`."""
from __future__ import annotations

import re

from extractors.dates_temporal import temporal_facts
from extractors.duties_context import DutyContext, agencies_in, cue, cues, dedup
from extractors.nlp import get_nlp
from extractors.owners import canonical_agency, find_agencies
from extractors.owners_data import localities
from pipeline.document.facts import AgencyMention, Task
from pipeline.document.normalize import fold

__all__ = ["ADVERBIAL", "ENFORCEMENT", "assigned_owners", "by_whom_owners", "field_owners",
           "head_owners", "lead_support", "make_task", "receiver", "role_owners", "split_owners"]


def _officials() -> str:
    """Officials named instead of their agency ("Bộ trưởng Bộ X", "Chủ tịch UBND ...")."""
    words = sorted(cues("official"), key=len, reverse=True)
    return "|".join(re.escape(w) for w in words)


_OFFICIAL_LEAD = re.compile(r"(?:các\s+)?(?:" + _officials() + r")\s+", re.I)
# what may stand between two owners of one head: commas, "và", "các", an official's title.
# The separator runs are possessive (*+): every word after them starts with a letter, so
# giving separators back never helps, and trying every split of a long run of ", ; "
# between two agencies was quadratic (8000 of them: 90 s)
_OWNER_GAP = re.compile(
    r"[\s,;]*+(?:và|cùng|với)?[\s,;]*+(?:các\s+)?(?:(?:" + _officials() + r")\s+)?", re.I)


# after an ask, a second ask joins its owners: "đề nghị các Đại sứ quán, yêu cầu các Sở …"
_ASK_GAP = re.compile(r"[\s,;]*+(?:(?:yêu cầu|đề nghị)\s+)?" + _OWNER_GAP.pattern, re.I)
_PLACE = re.compile(r"[\s,;]*+(?:và\s+)?(tỉnh|thành phố|tp\.?)\s+([^\W\d_][^,;]*?)"
                    r"(?=\s*(?:[,;]|\svà\s|$))", re.I)


def _places(gap: str, gap_re: re.Pattern[str]) -> list[str] | None:
    """Provinces and cities named as owners between two agencies ("…, Thành phố Hồ Chí
    Minh, tỉnh Đăk Lăk, …": their UBND); None when the gap holds anything else."""
    out, pos = [], 0
    known = {f for f, _n in localities()}
    while (m := _PLACE.match(gap, pos)) and fold(m.group(2)).lower() in known:
        level = "thành phố" if m.group(1).lower() != "tỉnh" else "tỉnh"
        out.append(f"UBND {level} {m.group(2).strip()}")
        pos = m.end()
    return out if out and gap_re.fullmatch(gap[pos:]) else None


# what may open a sentence before its owners: "Hàng năm, ", "Trong quá trình ..., "
ADVERBIAL = re.compile(r"^(?:[^,;:]{2,60},\s*){1,3}")


# --- owners of a head ------------------------------------------------------------------

def head_owners(ctx: DutyContext, start: int, end: int, strict: bool = True) -> tuple[str, ...]:
    """Owners named at the start of an item: ``Sở X:``, ``Sở X, Sở Y và các ...:``,
    ``Đề nghị Ủy ban MTTQ tỉnh, Hội LHPN tỉnh, ... tham gia ...``. Empty when the item
    does not open with an agency."""
    text = ctx.doc.text
    pos = start
    m = cue("opener").match(text, pos)
    opened = bool(m)
    if m:
        pos = m.end()
        if re.search(r"(?i)\bcác\s*$", m.group()):  # "Đề nghị các sở, ngành …": the group
            pos = m.start() + m.group().lower().rfind("các")  # starts at "các"
        while pos < end and text[pos] == " ":
            pos += 1
    m = _OFFICIAL_LEAD.match(text, pos)  # "Bộ trưởng Bộ X", "Chủ tịch UBND các tỉnh"
    if m:
        # "Chánh Văn phòng UBND tỉnh": the title's last words open the office's name
        mentions = [a for a in agencies_in(ctx, m.start(), end) if a.start >= m.start()]
        pos = m.end() if not mentions or mentions[0].start >= m.end() else mentions[0].start
    mentions = agencies_in(ctx, pos, end)
    phrase = subject_phrase(text, pos, end)
    if phrase is not None and (not mentions or mentions[0].start - pos > 4
                               or mentions[0].end < phrase[0]
                               and re.match(r" \w", text[mentions[0].end:mentions[0].end + 2])):
        # a known name cut short ("Ngân hàng Nhà nước" of "… khu vực XII") gives way
        return phrase[1]
    if not mentions or mentions[0].start - pos > 4:  # allow "Các " before a group
        return ()
    owners: list[str] = []
    last = pos
    gap_re = _OWNER_GAP if strict else _ASK_GAP
    for a in mentions:
        gap = text[last:a.start]
        if owners and not gap_re.fullmatch(gap):
            places = _places(gap, gap_re)
            if places is None:
                break
            owners += places
        owners.append(a.canonical)
        last = a.end
    # what follows the owners must end the head (":" / "-") or start the duty (a verb)
    after = text[last:min(end, last + 60)]
    if not strict or opened:
        return dedup(owners)
    if re.match(r"\s*(?:\([^)]*\)\s*)?(?:[:\-–]|\.\s*(?:\n|$))", after) or cue("verb").match(after.lstrip(" ,")) \
            or re.match(r"\s*(?:\([^)]*\)\s*)?(?:\n|$)", after):
        return dedup(owners)
    return ()


def _subject_re() -> re.Pattern[str]:
    any_ = sorted(cues("subject"), key=len, reverse=True)
    named = sorted(cues("subject_named"), key=len, reverse=True)
    return re.compile(r"(?:" + "|".join(map(re.escape, any_)) + r")(?!\w)|(?:"
                      + "|".join(map(re.escape, named)) + r")(?=\s+[A-ZĐÀ-Ỹ])")


_SUBJECT: list[re.Pattern[str]] = []
_LIST_NEXT = re.compile(r"\n\s*(?:[-–•+]|[a-zđ]\)|\d+\.\d*\.?\s)")


def subject_phrase(text: str, pos: int, end: int) -> tuple[int, tuple[str, ...]] | None:
    """An owner the gazetteer need not know, named by its noun phrase at ``pos``
    ("Ban Quản lý các khu công nghệ cao và khu công nghiệp", "Các chủ đầu tư …"): the
    phrase runs to a verb cue, "và" + a verb, ":", "(" or the line end. Returns the
    phrase's end and its owners (split at ", "/" và " before a capital), or None."""
    if not _SUBJECT:
        _SUBJECT.append(_subject_re())
    m = _SUBJECT[0].match(text, pos)
    if not m:
        return None
    line_end = text.find("\n", pos, end)
    line_end = end if line_end < 0 else line_end
    stop = min(line_end, pos + 160)
    c = re.search(r"[:(]", text[m.end():stop])
    if c:
        stop = m.end() + c.start()
    # a verb inside a name is capitalised ("Công ty … Đầu tư, Xây dựng …")
    # … and a cue that ends the line is the name's last words ("Phòng Công nghệ thông tin"
    # as the heading of its duties)
    stops = [x.start() for k in ("verb", "phrase_stop") for x in cue(k).finditer(text, m.end(), stop)
             if text[x.start()].islower() and text[x.end():line_end].strip(" .:") != ""]
    cut = min(stops, default=None)
    if cut is not None:
        stop = cut
    elif stop == pos + 160 or (stop == line_end and not _LIST_NEXT.match(text, line_end)):
        return None  # a heading of owners is followed by its items ("- Chủ trì …", "a) …")
    if re.match(r"\s*(?::\s*)?là(?!\w)", text[stop:stop + 8]) or re.match(r"\s*là(?!\w)", text[stop - 1:stop + 4]) or re.search(r"\slà\s", text[m.end():stop]):
        return None  # "Doanh nghiệp công nghệ số là lực lượng tiên phong …": a statement
    name = re.sub(r"(?:[\s,;]+(?:và|cùng)?)+$", "", text[pos:stop]).strip(" ,;.-–")
    if len(name) < 4:
        return None
    # a comma or "và" splits only before another owner ("…, Hội Nông dân, Liên minh …")
    parts = re.split(r"\s*(?:,|;|\svà)\s+(?=" + _SUBJECT[0].pattern + ")", name)
    return stop, dedup([canonical_agency(p) for p in parts if p.strip()])


def lead_support(ctx: DutyContext, start: int, end: int, lead: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """*chủ trì* and *phối hợp (với)* inside a duty's text."""
    text = ctx.doc.text
    support: list[str] = []
    new_lead: list[str] = []
    for m in cue("support").finditer(text, start, end):
        # agencies right after "phối hợp với", until a verb / clause end
        stop = end
        for stop_m in re.finditer(r"[;.]|\n", text[m.end():end]):
            stop = m.end() + stop_m.start()
            break
        inside = agencies_in(ctx, m.end(), stop)
        for verb in cue("verb").finditer(text, m.end() + 1, stop):
            if not any(a.start <= verb.start() < a.end for a in inside):
                stop = verb.start()  # "Ban Tổ chức Tỉnh ủy" is a name, not the verb "tổ chức"
                break
        for a in agencies_in(ctx, m.end(), stop):
            if a.canonical not in lead:
                support.append(a.canonical)
    for m in cue("lead").finditer(text, start, end):
        before = [a for a in agencies_in(ctx, max(start, m.start() - 120), m.start())
                  if not text[a.end:m.start()].strip(" ,")]
        if before:
            new_lead.append(before[-1].canonical)
    if new_lead and not lead:
        lead = dedup(new_lead)
    return lead, tuple(s for s in dedup(support) if s not in lead)


def field_owners(ctx: DutyContext, start: int, end: int, kind: str) -> tuple[str, ...]:
    """Owners in a labelled field inside an item: ``- Đơn vị chủ trì: Sở X``."""
    words = sorted(cues(kind), key=len, reverse=True)
    rx = re.compile(r"(?:^|\n|[-–•+]\s)\s*(?:" + "|".join(map(re.escape, words)) +
                    r")(?:\s+thực hiện)?\s*:\s*", re.I)
    m = rx.search(ctx.doc.text, start, end)
    if not m:
        return ()
    stop = ctx.doc.text.find("\n", m.end(), end)
    stop = end if stop < 0 else stop
    return dedup([a.canonical for a in agencies_in(ctx, m.end(), stop)])


def _named_after(ctx: DutyContext, pos: int, end: int) -> tuple[str, ...]:
    """The owners named right at ``pos``: known agencies and groups (as a head names
    them), else an owner phrase the gazetteer need not know ("các nhà đầu tư …")."""
    text = ctx.doc.text
    while pos < end and text[pos] in " \t":
        pos += 1
    owners = head_owners(ctx, pos, end)
    if owners:
        return owners
    first = agencies_in(ctx, pos, min(end, pos + 200))
    if first and first[0].start - pos <= 4:
        return (first[0].canonical,)
    piece = text[pos:min(end, pos + 200)]
    if not piece:
        return ()
    found = subject_phrase(piece[0].upper() + piece[1:], 0, len(piece))
    if found is None:
        return ()
    return tuple(o[0].lower() + o[1:] if piece[0].islower() else o for o in found[1])


def role_owners(ctx: DutyContext, start: int, end: int) -> tuple[str, ...]:
    """A role line of a decision ("Cơ quan thẩm định: Bộ Xây dựng."): the body after the
    colon, when the words before it are a role of ``duty_cues.tsv`` (folded, so OCR's
    "Cơ quan thâm định" matches)."""
    text = ctx.doc.text
    line_end = text.find("\n", start, end)
    line_end = end if line_end < 0 else line_end
    colon = text.find(":", start, line_end)
    if colon < 0 or colon - start > 60:
        return ()
    head = " ".join(fold(text[start:colon]).lower().split())
    if head not in {" ".join(fold(r).lower().split()) for r in cues("role")}:
        return ()
    found = agencies_in(ctx, colon + 1, line_end)
    rest = text[colon + 1:line_end].strip(" .;")
    if found and not (len(found) == 1 and re.match(r"[ \t]+\w", text[found[0].end:line_end])
                      and text[colon + 1:found[0].start].strip() == ""):
        return dedup([a.canonical for a in found])
    # a known name cut short ("Ban Quản lý khu kinh tế" of "… cửa khẩu Đồng Đăng - Lạng Sơn")
    return (canonical_agency(rest),) if rest and rest[0].isupper() else ()


_ASSIGN: list[re.Pattern[str]] = []


def assigned_owners(ctx: DutyContext, start: int, end: int) -> tuple[str, ...]:
    """Owners an item hands its duty to inside its text ("Căn cứ …; giao Sở Nông nghiệp và
    Phát triển nông thôn rà soát …"): the agencies right after an ``assign`` cue that go
    on with a verb. Not "được giao", "bàn giao"."""
    if not _ASSIGN:
        nots = "|".join(re.escape(w) for w in sorted(cues("assign_not"), key=len, reverse=True))
        _ASSIGN.append(re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in cues("assign"))
                                  + r")\s+", re.I))
        _ASSIGN.append(re.compile(r"(?i)(?<!\w)(?:" + nots + r")\s+$"))
    text = ctx.doc.text
    for m in _ASSIGN[0].finditer(text, start, end):
        if _ASSIGN[1].search(text, max(start, m.start() - 16), m.start()):
            continue
        owners = head_owners(ctx, m.end(), end)
        if owners:
            return owners
    return ()


_PURPOSE = re.compile(r"(?i)(?:để|nhằm)\s")


def purpose_owners(ctx: DutyContext, start: int, end: int) -> tuple[str, ...]:
    """An item that opens with its purpose and names its owners after it ("Để chuẩn bị
    cho đại hội …, nhằm … các cơ quan, đơn vị, các huyện, thị xã, thành phố trên địa bàn
    tỉnh chỉ đạo xây dựng kế hoạch …"): the owners that go on with a verb, in the item's
    first sentence."""
    text = ctx.doc.text
    if not _PURPOSE.match(text, start):
        return ()
    stop = min(end, start + 700)
    m = re.search(r"[.:;](?:\s|$)", text[start:stop])
    stop = start + m.start() if m else stop
    for a in agencies_in(ctx, start, stop):
        if a.start - start < 15:
            continue  # the purpose's own words
        owners = head_owners(ctx, a.start, stop)
        if owners:
            return owners
    return ()


def by_whom_owners(ctx: DutyContext, start: int, end: int) -> tuple[str, ...]:
    """An "Đối với …:" item that names who bears it after the colon ("Đối với hạng mục
    …: Do các doanh nghiệp đầu tư, triển khai …")."""
    text = ctx.doc.text
    if not re.match(r"(?i)đối\s+với\s", text[start:start + 10]):
        return ()
    colon = text.find(":", start, min(end, start + 400))
    if colon < 0:
        return ()
    words = "|".join(re.escape(w) for w in cues("by_whom"))
    m = re.compile(r"\s*(?:" + words + r")\s+", re.I).match(text, colon + 1, end)
    return _named_after(ctx, m.end(), end) if m else ()


def make_task(ctx: DutyContext, node_id: str, section: str | None, start: int, end: int,
              lead: tuple[str, ...], source: str) -> Task | None:
    """The duty ``doc.text[start:end]`` of ``lead`` (or of the *chủ trì* inside it), with
    its coordinating agencies and dates; None when it is empty or has no owner."""
    text = ctx.doc.text[start:end].strip()
    if not text or not lead:
        return None
    lead, support = lead_support(ctx, start, end, lead)
    if ENFORCEMENT.search(text):  # "… chịu trách nhiệm thi hành Quyết định này"
        return Task(id=node_id, section=section, text=text, lead=lead, support=support,
                    deadline=None, period=None, recurrence=None, start=start, end=end,
                    source=source, kind="enforcement")
    recv = receiver(ctx, start, end)
    if recv is not None and set(lead) - {recv.canonical}:  # one never reports to oneself
        lead = tuple(o for o in lead if o != recv.canonical)
    t = temporal_facts(ctx.doc.text, start, end, ctx.dates, ctx.issued)
    return Task(id=node_id, section=section, text=text, lead=lead, support=support,
                deadline=t.deadline, period=t.period, recurrence=t.recurrence,
                start=start, end=end, source=source,
                receiver=recv.canonical if recv is not None
                and recv.canonical not in lead + support else None)


# a decision's enforcement clause: "… chịu trách nhiệm thi hành Quyết định này"
ENFORCEMENT = re.compile(r"(?i)chịu\s+trách\s+nhiệm\s+(?:tổ\s+chức\s+)?thi\s+hành\s+"
                         r"(?:Quyết\s+định|Chỉ\s+thị|Nghị\s+định|Thông\s+tư|Nghị\s+quyết)"
                         r"(?:\s+liên\s+tịch)?\s+này")
# where a report or product is sent: "gửi (báo cáo) về Sở X", "nộp cho X", "báo cáo X",
# "báo cáo kết quả thực hiện về Bộ X"
_SEND = re.compile(r"(?i)(?<!\w)(?:gửi|nộp|báo\s+cáo)(?!\w)")
_SEND_GAP = re.compile(r"(?i)[^;.\n]{0,60}(?<!\w)(?:về|cho|đến|tới)\s+|\s+")


def receiver(ctx: DutyContext, start: int, end: int) -> AgencyMention | None:
    """The body a duty's report or product is sent to: the first agency right after
    "gửi / nộp / báo cáo", past "về / cho / đến" ("gửi báo cáo về Sở Lao động …",
    "báo cáo kết quả thực hiện về Bộ …", "gửi Văn phòng Chính phủ trước 14 giờ …")."""
    text = ctx.doc.text
    for m in _SEND.finditer(text, start, end):
        if re.search(r"(?i)(?<!\w)để(?:\s+tổng\s+hợp)?[\s,]*$", text[max(start, m.start() - 20):m.start()]):
            continue  # "… để tổng hợp, báo cáo Thủ tướng": what the receiver does next
        for a in agencies_in(ctx, m.end(), min(end, m.end() + 90)):
            if _SEND_GAP.fullmatch(text[m.end():a.start]) and a.kind != "group":
                return a
            break
    return None


def split_owners(text: str, home: str | None = None) -> list[str]:
    """Canonical names of the agencies named in an owner phrase, in order. Commas and
    "và" split only between agencies; text in parentheses is left out; a leftover piece
    that starts with a capital or "các" is kept tidied."""
    clean = re.sub(r"\([^()]*\)", lambda m: " " * len(m.group()), text)
    doc = get_nlp().make_doc(clean)
    doc._.locality = home
    mentions = find_agencies(doc)
    found: list[tuple[int, str]] = [(m.start, m.canonical) for m in mentions]
    pos = 0
    for m in [*mentions, None]:
        gap_end = m.start if m else len(clean)
        for piece in re.finditer(r"[^,;]+", clean[pos:gap_end]):
            for part in re.split(r"\s+và\s+", piece.group()):
                p = re.sub(r"^(?:\s|[-–+.:]|Đề nghị|đề nghị|Mời|mời|Giao|giao|với|cùng)+", "",
                           part).strip(" .:-–")
                if p and (p[0].isupper() or re.match(r"(?i)các\s", p)) and len(p) > 2:
                    found.append((pos + piece.start(), canonical_agency(p, home=home)))
        pos = m.end if m else pos
    out: list[str] = []
    for _, name in sorted(found, key=lambda x: x[0]):
        if name not in out:
            out.append(name)
    return out
