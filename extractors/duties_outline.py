"""Duties from the outline: agency headings (their smallest sub-items are the agency's
duties), owner sentences, and activities with their owner in a field."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace
from functools import lru_cache

from extractors.duties_context import (DutyContext, agencies_in, cue, cues, dedup, names_only,
                                       to_addressees)
from extractors.duties_owners import (assigned_owners, by_whom_owners, field_owners, head_owners,
                                      lead_support, make_task, purpose_owners, role_owners)
from extractors.words import pos_tags
from pipeline.document.facts import Task
from pipeline.document.model import Block, Document, OutlineNode
from pipeline.document.normalize import fold, is_upper_text
from pipeline.document.outline import label_at

__all__ = ["from_outline"]


def _body_span(doc: Document, node: OutlineNode, ctx: DutyContext | None = None) -> tuple[int, int]:
    """A node's own text without its label, up to its first child; a leaf runs over
    the unnumbered paragraphs that continue it, but never into a closing paragraph,
    a capital heading, a table or the signature."""
    lab = label_at(doc.text[node.start:node.head_end])
    start = node.start + (lab.end if lab else 0)
    while start < node.end and doc.text[start] in " .:-–)\t":
        start += 1
    if node.children:
        end = node.children[0].start
    else:
        end = node.head_end
        first = bisect_right(ctx.block_starts, node.head_end) if ctx is not None else 0
        for b in doc.blocks[first:]:
            if b.start <= node.head_end:
                continue
            if b.start >= node.end:
                break
            if b.kind == "table_cell" or cue("closing").match(b.text) or is_upper_text(b.text) \
                    or b.end - start > 4000:
                break
            if ctx is not None and _opens_with_owner(ctx, b) and (
                    end > node.head_end or _is_action(doc.text[start:node.head_end])
                    and not names_only(ctx, start, node.head_end)):
                break  # "Hàng năm, các bộ ... báo cáo": a new duty, not a continuation
            end = b.end
    while end > start and doc.text[end - 1] in "\n ":
        end -= 1
    return start, end


def _opens_with_owner(ctx: DutyContext, b: Block) -> bool:
    if head_owners(ctx, b.start, b.end):
        return True
    first = agencies_in(ctx, b.start, min(b.end, b.start + 150))
    if first and first[0].start - b.start <= 4 and \
            cue("request").match(ctx.doc.text, first[0].end + 1, b.end):
        return True  # "UBND thành phố Hà Nội đề nghị các Đại sứ quán …": the closing asks
    adv = re.match(r"[^,;:]{2,38},\s*", b.text)  # "Hàng năm, các bộ, ngành …": one clause
    return bool(adv and head_owners(ctx, b.start + adv.end(), b.end))


def _after_head(doc: Document, start: int, end: int) -> int:
    """Where the duty starts in ``Sở X: Xây dựng ...`` (after the colon)."""
    line_end = doc.text.find("\n", start, end)
    head = doc.text[start:line_end if line_end >= 0 else min(end, start + 250)]
    m = re.search(r":\s*", head[:250])
    return start + m.end() if m else start


def _is_action(text: str) -> bool:
    """Does this text ask for something to be done (not a heading, a figure, a goal)?
    The verb list first; where it is silent, underthesea's POS tagger: an item that
    opens with a verb ("Giải quyết căn bản hồ sơ ...") is an action."""
    t = text.strip()
    if len(t) < 12:
        return False
    if cue("verb").search(t[:120]):
        return True
    tags = [tag for _w, tag in pos_tags(" ".join(t.split()[:12]))]
    first = next((tag for tag in tags if tag not in ("R", "CH", "C")), None)  # adverbs, punct
    return first == "V"


def _parent_id(node_id: str) -> str | None:
    return node_id.rsplit(".", 1)[0] if "." in node_id else None


def _in_scope(ctx: DutyContext, node: OutlineNode, ancestors: tuple[OutlineNode, ...]) -> bool:
    """A report describes what was done; only its proposals and next steps assign."""
    if ctx.doc_type != "BC":
        return True
    for a in ancestors + (node,):
        t = fold(a.title)
        if any(w in t for w in _folded_cues("report_section")) and not any(
                w in t for w in _folded_cues("report_results")):
            return True
    return False


@lru_cache(maxsize=None)
def _folded_cues(kind: str) -> tuple[str, ...]:
    return tuple(fold(w) for w in cues(kind))


def from_outline(ctx: DutyContext) -> list[Task]:
    tasks: list[Task] = []
    fences = [(a.start, a.end) for a in ctx.letters]

    def add(node: OutlineNode, start: int, end: int, lead: tuple[str, ...], source: str,
            support: tuple[str, ...] = ()) -> None:
        t = make_task(ctx, node.id, _parent_id(node.id), start, end, lead, source)
        if t and support:
            merged = dedup(list(t.support) + [s for s in support if s not in t.lead])
            t = replace(t, support=merged)
        if t:
            tasks.append(t)

    def visit(node: OutlineNode, inherited: tuple[str, ...], ancestors: tuple) -> None:
        s, e = _body_span(ctx.doc, node, ctx)
        scoped = _in_scope(ctx, node, ancestors)
        owners = to_addressees(ctx, s, head_owners(ctx, s, e))  # a letter's "Các Bộ, cơ quan …"
        # an activity with its owner in a field ("- Đơn vị chủ trì: Sở X"): one duty
        field_lead = field_owners(ctx, s, _subtree_end(ctx.doc, node, ctx), "field_lead")
        if field_lead and scoped and not owners and all(
                not c.children for c in node.children) and len(node.children) <= 8:
            sub_end = _subtree_end(ctx.doc, node, ctx)
            add(node, s, sub_end, field_lead, "structure",
                field_owners(ctx, s, sub_end, "field_support"))
            return
        if node.children:
            if owners and scoped:
                rest_start = _after_head(ctx.doc, s, e)
                if ":" in ctx.doc.text[s:e] and _is_action(ctx.doc.text[rest_start:e]):
                    add(node, rest_start, e, owners, "structure")
            elif scoped and not owners and not inherited:
                purpose = purpose_owners(ctx, s, e)  # "Để …, các cơ quan, đơn vị … chỉ đạo …:"
                if purpose:
                    add(node, s, e, purpose, "sentence")
            for c in node.children:
                visit(c, owners or inherited, ancestors + (node,))
            return
        if not scoped:
            return
        role = () if owners or inherited else role_owners(ctx, s, e)
        if role:  # "- Cơ quan thẩm định: Bộ Xây dựng.": a decision's role line
            add(node, s, e, role, "structure")
            return
        if owners:
            if names_only(ctx, s, e):  # "- Tòa án nhân dân tối cao.": an addressee, an attendee
                return
            start = _after_head(ctx.doc, s, e)
            if start < e and ctx.doc.text[start:e].strip():
                add(node, start, e, owners, "structure")
        elif inherited and len(ctx.doc.text[s:e].strip()) >= 12:
            add(node, s, e, inherited, "structure")
        else:
            lead, _ = lead_support(ctx, s, e, ())
            # "Căn cứ …; giao Sở X rà soát …"; "Đối với …: Do các doanh nghiệp …"
            lead = lead or assigned_owners(ctx, s, e) or by_whom_owners(ctx, s, e)
            if lead:
                add(node, s, e, lead, "sentence")

    for root in ctx.doc.outline:
        if not any(s <= root.start < e for s, e in fences):  # "Kính gửi: - Sở X; - Sở Y"
            visit(root, (), ())
    return tasks


def _subtree_end(doc: Document, node: OutlineNode, ctx: DutyContext | None = None) -> int:
    """The end of a node with all its children (trailing blank space trimmed), bounded
    like a leaf's body so the closing paragraph never joins it."""
    if not node.children:
        return _body_span(doc, node, ctx)[1]
    last = node.children[-1]
    while last.children:
        last = last.children[-1]
    return _body_span(doc, last, ctx)[1]
