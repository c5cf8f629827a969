"""What the duty finders share: the document with its agency and date mentions
(:class:`DutyContext`), the cue words of ``data/duty_cues.tsv``, and a letter's
``Kính gửi`` blocks (:class:`Addressees`)."""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from extractors.vocab import table
from pipeline.document.facts import AgencyMention, DateMention
from pipeline.document.model import Document
from pipeline.document.normalize import fold

__all__ = ["RECIPIENTS", "Addressees", "DutyContext", "addressed_to",
           "addressee_blocks", "agencies_in", "cue", "cues", "dedup", "names_only", "to_addressees"]


@dataclass(frozen=True)
class DutyContext:
    """One document under search for duties: its agency and date mentions (sorted by
    start, with their starts for bisecting), issue date, type and letters."""

    doc: Document
    agencies: tuple[AgencyMention, ...]
    dates: tuple[DateMention, ...]
    issued: str | None
    doc_type: str | None = None
    agency_starts: tuple[int, ...] = ()
    block_starts: tuple[int, ...] = ()
    letters: tuple[Addressees, ...] = ()  # the "Kính gửi" blocks, in text order


RECIPIENTS = re.compile(r"^\W*Nơi\s*nhận", re.I)
# "Kính gửi:", an invitation's "Kính mời:", a telegram's "THỦ TƯỚNG CHÍNH PHỦ điện:"
_ADDRESSED = re.compile(r"^\W*(?:Kính\s*gửi\b|Kính\s*mời\s*:|[^\n:]{3,80}?\s(?:điện|ĐIỆN)\s*:)", re.I)
_BULLET = re.compile(r"^\s*[-–•+]\s*\S")


def cues(kind: str) -> tuple[str, ...]:
    return table("duty_cues.tsv").get(kind, ())


def _cue_re(kind: str) -> re.Pattern[str]:
    words = sorted(cues(kind), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.I)


_CUE_CACHE: dict[str, re.Pattern[str]] = {}


def cue(kind: str) -> re.Pattern[str]:
    if kind not in _CUE_CACHE:
        _CUE_CACHE[kind] = _cue_re(kind)
    return _CUE_CACHE[kind]


def agencies_in(ctx: DutyContext, start: int, end: int) -> list[AgencyMention]:
    """Agency mentions inside [start, end) — mentions are sorted by start."""
    i = bisect_left(ctx.agency_starts, start)
    out = []
    while i < len(ctx.agencies) and ctx.agencies[i].start < end:
        if ctx.agencies[i].end <= end:
            out.append(ctx.agencies[i])
        i += 1
    return out


def dedup(names: list[str]) -> tuple[str, ...]:
    seen: list[str] = []
    for n in names:
        if n not in seen:
            seen.append(n)
    return tuple(seen)


@dataclass(frozen=True)
class Addressees:
    """A letter's ``Kính gửi`` block — inline (``Kính gửi: Sở X; Sở Y.``) or the bullet
    list under it — and the agencies it names. Its bullets are not duties; a request
    made of them "đề nghị các cơ quan, đơn vị ..." is theirs."""

    start: int
    end: int
    names: tuple[str, ...]


def addressee_blocks(ctx: DutyContext) -> tuple[Addressees, ...]:
    """Every ``Kính gửi`` line with the bullets under it that name agencies."""
    out: list[Addressees] = []
    blocks = ctx.doc.blocks
    for i, b in enumerate(blocks):
        if not _ADDRESSED.match(b.text):
            continue
        end = b.end
        for nb in blocks[i + 1:]:
            if nb.kind == "table_cell" or not _BULLET.match(nb.text) \
                    or not agencies_in(ctx, nb.start, nb.end) \
                    or len(nb.text) > 200 and not names_only(ctx, nb.start, nb.end):
                break
            end = nb.end
        head = _ADDRESSED.match(b.text)  # not the sender of "VĂN PHÒNG CHÍNH PHỦ điện:"
        names = dedup([a.canonical for a in agencies_in(ctx, b.start + head.end(), end)])
        if names:
            out.append(Addressees(b.start, end, names))
    return tuple(out)


def addressed_to(ctx: DutyContext, pos: int) -> Addressees | None:
    """The ``Kính gửi`` block that heads the text at ``pos``: the last one before it."""
    return next((a for a in reversed(ctx.letters) if a.end <= pos), None)


def names_only(ctx: DutyContext, start: int, end: int) -> bool:
    """Is ``text[start:end]`` nothing but agency names (an addressee or attendee line:
    "- Tòa án nhân dân tối cao.", "- Các Bộ: Công an, Quốc phòng ...")? Officials' titles
    are ignored; what is left between the agencies must be short capitalised names."""
    text = ctx.doc.text
    rest, pos = [], start
    for a in agencies_in(ctx, start, end):
        rest.append(text[pos:a.start])
        pos = a.end
    rest.append(text[pos:end])
    left = cue("official").sub(" ", " ; ".join(rest))
    for piece in re.split(r"[,;:()]|\s(?:và|của)\s", left):
        piece = piece.strip(" .-–+\t\n/")
        if not piece:
            continue
        n = len(piece.split())  # "Giáo dục", "Đào tạo": names; "Xây dựng kế hoạch": an action
        if not piece[0].isupper() or n > 6 or n > 2 and cue("verb").match(piece):
            return False
    return True


def to_addressees(ctx: DutyContext, pos: int, owners: tuple[str, ...]) -> tuple[str, ...]:
    """In a letter, a request only to groups that are not among the addressees ("đề nghị
    các cơ quan, đơn vị …") is a request to the addressees. A request naming no one stays
    ownerless: "đề nghị" and "giao" are as often nouns ("hồ sơ đề nghị khen thưởng")."""
    to = addressed_to(ctx, pos)
    if to is None or not owners:
        return owners
    kinds = {a.canonical: a.kind for a in ctx.agencies}
    if all(kinds.get(o) == "group" and not _among(o, to.names) for o in owners):
        return to.names
    return owners


def _among(group: str, names: tuple[str, ...]) -> bool:
    """Is ``group`` one of the addressees, as written or in a longer or shorter form
    ("UBND các tỉnh, thành phố" among "UBND các tỉnh, thành phố trực thuộc Trung ương")?"""
    g = fold(group).lower()
    for n in (fold(n).lower() for n in names):
        if g in n or g.startswith(n) and "," not in g[len(n):]:  # "… liên quan", not "…, cơ quan"
            return True
    return False
