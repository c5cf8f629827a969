"""Duties from the closing paragraphs: requests outside the numbered duties
(``yêu cầu các sở ... trước ngày 25/3/2020``), one duty per deadline; a letter's request
to groups goes to its addressees."""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace
from functools import lru_cache

from extractors.duties_context import (RECIPIENTS, DutyContext, agencies_in, cue, cues,
                                       to_addressees)
from extractors.duties_owners import ADVERBIAL, head_owners, make_task
from pipeline.document.doctypes import type_line_re
from pipeline.document.facts import Task
from pipeline.document.normalize import fold, is_upper_text
from pipeline.document.outline import label_at

__all__ = ["from_closing"]


_SENTENCE_END = re.compile(r"(?<=[.;])\s+(?=\S)|\n")


_NEW_ASK = re.compile(r"(?:yêu cầu|đề nghị|giao)\s", re.I)  # "…; yêu cầu các Sở …": a new ask


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for m in _SENTENCE_END.finditer(text, start, end):
        nxt = text[m.end():m.end() + 1]
        if m.group() != "\n" and not (nxt.isupper() or nxt == "(") \
                and not _NEW_ASK.match(text, m.end()):
            continue  # "...25/3/2020; định kỳ ..." goes on in the same sentence
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    return [(a, b) for a, b in out if text[a:b].strip()]


def from_closing(ctx: DutyContext, taken: list[tuple[int, int]]) -> list[Task]:
    """Unnumbered paragraphs outside the numbered duties: sentences that address an
    owner (``yêu cầu các sở ... trước ngày D``, ``Hàng năm, các bộ ... báo cáo``,
    ``Kính đề nghị Bộ Công an xem xét``). A sentence with several deadlines gives one
    duty per deadline (KH 580: own plan, 6-month report, annual report)."""
    doc, text = ctx.doc, ctx.doc.text
    first_item = min((n.start for n in doc.outline), default=0)
    # recipients and signatures: from each "Nơi nhận" to the next attached document
    fenced: list[tuple[int, int]] = []
    for b in doc.blocks:
        if RECIPIENTS.match(b.text):
            fenced.append((b.start, len(text)))
        elif fenced and fenced[-1][1] == len(text) and type_line_re().match(b.text):
            fenced[-1] = (fenced[-1][0], b.start)
    fenced += [(a.start, a.end) for a in ctx.letters]
    tasks: list[Task] = []
    n = 0
    date_starts = [d.start for d in ctx.dates]
    for bi, b in enumerate(doc.blocks):
        if b.kind == "table_cell" or label_at(b.text) or b.start < first_item \
                or any(s <= b.start < e for s, e in fenced):
            continue
        if any(s <= b.start < e for s, e in taken) or is_upper_text(b.text):
            continue
        for s0, e0 in _sentences(text, b.start, b.end):
            owners: tuple[str, ...] = ()
            req = cue("request").search(text, s0, e0)
            if req:
                owners = head_owners(ctx, req.end(), e0, strict=False)
            if not owners and ctx.doc_type != "BC":
                owners = head_owners(ctx, s0, e0)
                adv = ADVERBIAL.match(text[s0:e0])
                while not owners and adv:  # "Hàng năm, các bộ ...", "Trong quá trình ..., X"
                    owners = head_owners(ctx, s0 + adv.end(), e0)
                    adv = ADVERBIAL.match(text[s0:s0 + adv.end() - 2]) if not owners else None
            if req:
                owners = to_addressees(ctx, s0, owners)
            if not owners or _courtesy(ctx, s0, e0):
                continue
            clause = req.start() if req else s0
            if req and _only_names(ctx, s0, req.start()):
                clause = s0  # "UBND thành phố Hà Nội đề nghị …": the ask with its asker
            # the paragraph's bracketed tail "(Báo cáo 6 tháng gửi trước ngày 10/6 ...)"
            tail_end = e0
            if e0 == b.end:
                nxt = _next_block(doc.blocks, bi)
                if nxt is not None and nxt.text.startswith("("):
                    tail_end = nxt.end
            # the dates inside, by bisection (a scan of every date per sentence was quadratic)
            deadlines = [d for d in ctx.dates[bisect_left(date_starts, clause):
                                              bisect_left(date_starts, tail_end)]
                         if d.cue == "before"]
            cuts = [d.end for d in deadlines] or [e0]
            for cut in cuts:
                n += 1
                t = make_task(ctx, f"end.{n}", None, clause, cut, owners, "closing")
                if t:
                    tasks.append(t)
                    nxt = _receiver_compiles(ctx, t)
                    if nxt is not None:
                        n += 1
                        tasks.append(replace(nxt, id=f"end.{n}"))
                m = re.search(r"[;.)]|\bvà\b", text[cut:cut + 20])
                clause = cut + (m.end() if m else 0)
                while clause < len(text) and text[clause] in " \n()":
                    clause += 1
    return tasks


def _receiver_compiles(ctx: DutyContext, t: Task) -> Task | None:
    """"… báo cáo kết quả về Bộ X tổng hợp, báo cáo Thủ tướng": the receiver's own duty
    (not "về Sở X để tổng hợp", where compiling is only the purpose)."""
    if not t.receiver:
        return None
    for a in agencies_in(ctx, t.start, t.end):
        if a.canonical == t.receiver and re.match(r"\s*(?:\([^)]*\)\s*)?tổng hợp,?\s+báo cáo",
                                                   ctx.doc.text[a.end:t.end]):
            return make_task(ctx, "", None, a.start, t.end, (a.canonical,), "closing")
    return None


def _only_names(ctx: DutyContext, start: int, end: int) -> bool:
    """Is ``text[start:end]`` one agency and nothing else?"""
    named = agencies_in(ctx, start, end)
    return len(named) == 1 and not ctx.doc.text[start:named[0].start].strip() and \
        not ctx.doc.text[named[0].end:end].strip()


def _next_block(blocks, i: int):
    """The first block after ``blocks[i]`` that is no table cell (or None)."""
    for j in range(i + 1, len(blocks)):
        if blocks[j].start > blocks[i].end and blocks[j].kind != "table_cell":
            return blocks[j]
    return None


@lru_cache(maxsize=1)
def _courtesies() -> frozenset[str]:
    return frozenset(fold(w).lower() for w in cues("courtesy"))


def _courtesy(ctx: DutyContext, start: int, end: int) -> bool:
    """A closing ask that is only politeness: after its owners, nothing but "quan tâm
    phối hợp thực hiện" and the like (``courtesy`` in duty_cues.tsv)."""
    named = agencies_in(ctx, start, end)
    if not named:
        return False
    rest = ctx.doc.text[named[-1].end:end].strip(" ,.;/\n")
    return fold(rest).lower() in _courtesies()
