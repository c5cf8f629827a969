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
from pipeline.document.facts import Task

__all__ = ["ADVERBIAL", "field_owners", "head_owners", "lead_support", "make_task",
           "split_owners"]


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
        while pos < end and text[pos] == " ":
            pos += 1
    m = _OFFICIAL_LEAD.match(text, pos)  # "Bộ trưởng Bộ X", "Chủ tịch UBND các tỉnh"
    if m:
        pos = m.end()
    mentions = agencies_in(ctx, pos, end)
    if not mentions or mentions[0].start - pos > 4:  # allow "Các " before a group
        return ()
    owners: list[str] = []
    last = pos
    for a in mentions:
        gap = text[last:a.start]
        if owners and not _OWNER_GAP.fullmatch(gap):
            break
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


def make_task(ctx: DutyContext, node_id: str, section: str | None, start: int, end: int,
              lead: tuple[str, ...], source: str) -> Task | None:
    """The duty ``doc.text[start:end]`` of ``lead`` (or of the *chủ trì* inside it), with
    its coordinating agencies and dates; None when it is empty or has no owner."""
    text = ctx.doc.text[start:end].strip()
    if not text or not lead:
        return None
    lead, support = lead_support(ctx, start, end, lead)
    t = temporal_facts(ctx.doc.text, start, end, ctx.dates, ctx.issued)
    return Task(id=node_id, section=section, text=text, lead=lead, support=support,
                deadline=t.deadline, period=t.period, recurrence=t.recurrence,
                start=start, end=end, source=source)


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
