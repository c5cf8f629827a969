"""Duties: who is asked to do what, by when.

Owners are given mostly by structure, not by sentences, so the outline comes first:

1. **Agency headings** — an item whose head names an agency (``1- Sở Tư pháp:``,
   ``Đề nghị Ủy ban MTTQ tỉnh, Hội LHPN tỉnh ...``): its smallest sub-items are that
   agency's duties; without sub-items the item itself is one duty.
2. **Owner sentences** — any other smallest item that names its owner in its first
   clause (``Sở Y tế chủ trì, phối hợp với ...``, ``Giao Công an tỉnh ...``).
3. **Task tables** — a table with a *chủ trì* column: one duty per row.
4. **The closing paragraph** — reporting requests (``yêu cầu các sở ... trước ngày
   25/3/2020``): one duty per deadline.

Inside a duty, *chủ trì* names the lead and *phối hợp (với)* the coordinating
agencies. Deadlines, periods and recurrences come from :mod:`extractors.dates`.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from functools import lru_cache

from spacy.tokens import Doc

from extractors.dates import temporal_facts
from pipeline.document.facts import AgencyMention, DateMention, Task
from extractors.vocab import table
from pipeline.document.doctypes import type_line_re
from pipeline.document.model import Block, Document, OutlineNode
from pipeline.document.normalize import fold, is_upper_text
from pipeline.document.outline import label_at


@dataclass(frozen=True)
class _Ctx:
    doc: Document
    agencies: tuple[AgencyMention, ...]
    dates: tuple[DateMention, ...]
    issued: str | None
    doc_type: str | None = None
    agency_starts: tuple[int, ...] = ()
    block_starts: tuple[int, ...] = ()
    letters: tuple[_Addressees, ...] = ()  # the "Kính gửi" blocks, in text order


_RECIPIENTS = re.compile(r"^\W*Nơi\s*nhận", re.I)
_ADDRESSED = re.compile(r"^\W*Kính\s*gửi\b", re.I)
_BULLET = re.compile(r"^\s*[-–•+]\s*\S")


def _cues(kind: str) -> tuple[str, ...]:
    return table("duty_cues.tsv").get(kind, ())


def _cue_re(kind: str) -> re.Pattern[str]:
    words = sorted(_cues(kind), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.I)


_CUE_CACHE: dict[str, re.Pattern[str]] = {}


def cue(kind: str) -> re.Pattern[str]:
    if kind not in _CUE_CACHE:
        _CUE_CACHE[kind] = _cue_re(kind)
    return _CUE_CACHE[kind]


def _agencies_in(ctx: _Ctx, start: int, end: int) -> list[AgencyMention]:
    """Agency mentions inside [start, end) — mentions are sorted by start."""
    i = bisect_left(ctx.agency_starts, start)
    out = []
    while i < len(ctx.agencies) and ctx.agencies[i].start < end:
        if ctx.agencies[i].end <= end:
            out.append(ctx.agencies[i])
        i += 1
    return out


def _officials() -> str:
    """Officials named instead of their agency ("Bộ trưởng Bộ X", "Chủ tịch UBND ...")."""
    words = sorted(table("duty_cues.tsv").get("official", ()), key=len, reverse=True)
    return "|".join(re.escape(w) for w in words)


_OFFICIAL_LEAD = re.compile(r"(?:các\s+)?(?:" + _officials() + r")\s+", re.I)
# what may stand between two owners of one head: commas, "và", "các", an official's title
_OWNER_GAP = re.compile(
    r"[\s,;]*(?:và|cùng|với)?[\s,;]*(?:các\s+)?(?:(?:" + _officials() + r")\s+)?", re.I)


def _dedup(names: list[str]) -> tuple[str, ...]:
    seen: list[str] = []
    for n in names:
        if n not in seen:
            seen.append(n)
    return tuple(seen)


# --- owners of a head ------------------------------------------------------------------

def head_owners(ctx: _Ctx, start: int, end: int, strict: bool = True) -> tuple[str, ...]:
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
    mentions = _agencies_in(ctx, pos, end)
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
        return _dedup(owners)
    if re.match(r"\s*(?:\([^)]*\)\s*)?(?:[:\-–]|\.\s*(?:\n|$))", after) or cue("verb").match(after.lstrip(" ,")) \
            or re.match(r"\s*(?:\([^)]*\)\s*)?(?:\n|$)", after):
        return _dedup(owners)
    return ()


def _lead_support(ctx: _Ctx, start: int, end: int, lead: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
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
        inside = _agencies_in(ctx, m.end(), stop)
        for verb in cue("verb").finditer(text, m.end() + 1, stop):
            if not any(a.start <= verb.start() < a.end for a in inside):
                stop = verb.start()  # "Ban Tổ chức Tỉnh ủy" is a name, not the verb "tổ chức"
                break
        for a in _agencies_in(ctx, m.end(), stop):
            if a.canonical not in lead:
                support.append(a.canonical)
    for m in cue("lead").finditer(text, start, end):
        before = [a for a in _agencies_in(ctx, max(start, m.start() - 120), m.start())
                  if not text[a.end:m.start()].strip(" ,")]
        if before:
            new_lead.append(before[-1].canonical)
    if new_lead and not lead:
        lead = _dedup(new_lead)
    return lead, tuple(s for s in _dedup(support) if s not in lead)


# --- the outline ---------------------------------------------------------------------------

def _leaves(node: OutlineNode) -> list[OutlineNode]:
    if not node.children:
        return [node]
    out: list[OutlineNode] = []
    for c in node.children:
        out.extend(_leaves(c))
    return out


def _body_span(doc: Document, node: OutlineNode, ctx: "_Ctx | None" = None) -> tuple[int, int]:
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
                    end > node.head_end or _is_action(doc.text[start:node.head_end])):
                break  # "Hàng năm, các bộ ... báo cáo": a new duty, not a continuation
            end = b.end
    while end > start and doc.text[end - 1] in "\n ":
        end -= 1
    return start, end


def _opens_with_owner(ctx: "_Ctx", b: Block) -> bool:
    if head_owners(ctx, b.start, b.end):
        return True
    adv = _ADVERBIAL.match(b.text)
    return bool(adv and len(adv.group()) < 40 and head_owners(ctx, b.start + adv.end(), b.end))


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
    from extractors.nlp import pos_tags

    tags = [tag for _w, tag in pos_tags(" ".join(t.split()[:12]))]
    first = next((tag for tag in tags if tag not in ("R", "CH", "C")), None)  # adverbs, punct
    return first == "V"


def _task(ctx: _Ctx, node_id: str, section: str | None, start: int, end: int,
          lead: tuple[str, ...], source: str) -> Task | None:
    text = ctx.doc.text[start:end].strip()
    if not text or not lead:
        return None
    lead, support = _lead_support(ctx, start, end, lead)
    t = temporal_facts(ctx.doc.text, start, end, list(ctx.dates), ctx.issued)
    return Task(id=node_id, section=section, text=text, lead=lead, support=support,
                deadline=t.deadline, period=t.period, recurrence=t.recurrence,
                start=start, end=end, source=source)


def _parent_id(node_id: str) -> str | None:
    return node_id.rsplit(".", 1)[0] if "." in node_id else None


def _field_owners(ctx: _Ctx, start: int, end: int, kind: str) -> tuple[str, ...]:
    """Owners in a labelled field inside an item: ``- Đơn vị chủ trì: Sở X``."""
    words = sorted(_cues(kind), key=len, reverse=True)
    rx = re.compile(r"(?:^|\n|[-–•+]\s)\s*(?:" + "|".join(map(re.escape, words)) +
                    r")(?:\s+thực hiện)?\s*:\s*", re.I)
    m = rx.search(ctx.doc.text, start, end)
    if not m:
        return ()
    stop = ctx.doc.text.find("\n", m.end(), end)
    stop = end if stop < 0 else stop
    return _dedup([a.canonical for a in _agencies_in(ctx, m.end(), stop)])


def _in_scope(ctx: _Ctx, node: OutlineNode, ancestors: tuple[OutlineNode, ...]) -> bool:
    """A report describes what was done; only its proposals and next steps assign."""
    if ctx.doc_type != "BC":
        return True
    for a in ancestors + (node,):
        t = fold(a.title)
        if any(fold(w) in t for w in _cues("report_section")) and not any(
                fold(w) in t for w in _cues("report_results")):
            return True
    return False


@dataclass(frozen=True)
class _Addressees:
    """A letter's ``Kính gửi`` block — inline (``Kính gửi: Sở X; Sở Y.``) or the bullet
    list under it — and the agencies it names. Its bullets are not duties; a request
    made of them "đề nghị các cơ quan, đơn vị ..." is theirs."""

    start: int
    end: int
    names: tuple[str, ...]


def _addressee_blocks(ctx: _Ctx) -> tuple[_Addressees, ...]:
    """Every ``Kính gửi`` line with the bullets under it that name agencies."""
    out: list[_Addressees] = []
    blocks = ctx.doc.blocks
    for i, b in enumerate(blocks):
        if not _ADDRESSED.match(b.text):
            continue
        end = b.end
        for nb in blocks[i + 1:]:
            if nb.kind == "table_cell" or not _BULLET.match(nb.text) or len(nb.text) > 200 \
                    or not _agencies_in(ctx, nb.start, nb.end):
                break
            end = nb.end
        names = _dedup([a.canonical for a in _agencies_in(ctx, b.start, end)])
        if names:
            out.append(_Addressees(b.start, end, names))
    return tuple(out)


def _addressed_to(ctx: _Ctx, pos: int) -> _Addressees | None:
    """The ``Kính gửi`` block that heads the text at ``pos``: the last one before it."""
    return next((a for a in reversed(ctx.letters) if a.end <= pos), None)


def from_outline(ctx: _Ctx) -> list[Task]:
    tasks: list[Task] = []
    fences = [(a.start, a.end) for a in ctx.letters]

    def add(node: OutlineNode, start: int, end: int, lead: tuple[str, ...], source: str,
            support: tuple[str, ...] = ()) -> None:
        t = _task(ctx, node.id, _parent_id(node.id), start, end, lead, source)
        if t and support:
            merged = _dedup(list(t.support) + [s for s in support if s not in t.lead])
            t = replace(t, support=merged)
        if t:
            tasks.append(t)

    def visit(node: OutlineNode, inherited: tuple[str, ...], ancestors: tuple) -> None:
        s, e = _body_span(ctx.doc, node, ctx)
        scoped = _in_scope(ctx, node, ancestors)
        owners = head_owners(ctx, s, e)
        # an activity with its owner in a field ("- Đơn vị chủ trì: Sở X"): one duty
        field_lead = _field_owners(ctx, s, _subtree_end(ctx.doc, node, ctx), "field_lead")
        if field_lead and scoped and not owners and all(
                not c.children for c in node.children) and len(node.children) <= 8:
            sub_end = _subtree_end(ctx.doc, node, ctx)
            add(node, s, sub_end, field_lead, "structure",
                _field_owners(ctx, s, sub_end, "field_support"))
            return
        if node.children:
            if owners and scoped:
                rest_start = _after_head(ctx.doc, s, e)
                if ":" in ctx.doc.text[s:e] and _is_action(ctx.doc.text[rest_start:e]):
                    add(node, rest_start, e, owners, "structure")
            for c in node.children:
                visit(c, owners or inherited, ancestors + (node,))
            return
        if not scoped:
            return
        if owners:
            start = _after_head(ctx.doc, s, e)
            if start < e and ctx.doc.text[start:e].strip():
                add(node, start, e, owners, "structure")
        elif inherited and len(ctx.doc.text[s:e].strip()) >= 12:
            add(node, s, e, inherited, "structure")
        else:
            lead, _ = _lead_support(ctx, s, e, ())
            if lead:
                add(node, s, e, lead, "sentence")

    for root in ctx.doc.outline:
        if not any(s <= root.start < e for s, e in fences):  # "Kính gửi: - Sở X; - Sở Y"
            visit(root, (), ())
    return tasks


def _subtree_end(doc: Document, node: OutlineNode, ctx: "_Ctx | None" = None) -> int:
    """The end of a node with all its children (trailing blank space trimmed), bounded
    like a leaf's body so the closing paragraph never joins it."""
    if not node.children:
        return _body_span(doc, node, ctx)[1]
    last = node.children[-1]
    while last.children:
        last = last.children[-1]
    return _body_span(doc, last, ctx)[1]


# --- task tables ---------------------------------------------------------------------------

def _column_roles(cells: list[Block]) -> dict[int, str]:
    roles: dict[int, str] = {}
    for c in cells:
        f = fold(c.text)
        for role in ("lead", "support", "time", "content"):
            if any(fold(w) in f for w in _cues(f"col_{role}")):
                roles.setdefault(c.col or 0, role)
                break
    return roles


def from_tables(ctx: _Ctx) -> list[Task]:
    from extractors.owners import split_owners

    tasks: list[Task] = []
    by_table: dict[int, list[Block]] = {}
    for b in ctx.doc.blocks:
        if b.kind == "table_cell" and b.table is not None:
            by_table.setdefault(b.table, []).append(b)
    for tno, cells in by_table.items():
        rows: dict[int, list[Block]] = {}
        for c in cells:
            rows.setdefault(c.row or 0, []).append(c)
        header_row = roles = None
        for r in sorted(rows)[:3]:
            cand = _column_roles(rows[r])
            if "lead" in cand.values():
                header_row, roles = r, cand
                break
        if roles is None:
            continue
        content_col = next((k for k, v in roles.items() if v == "content"), None)
        for r in sorted(rows):
            if r <= header_row:
                continue
            row = {c.col or 0: c for c in rows[r]}
            lead_cell = next((row[k] for k, v in roles.items() if v == "lead" and k in row), None)
            if lead_cell is None:
                continue
            content = row.get(content_col) if content_col is not None else None
            if content is None:
                others = [c for k, c in sorted(row.items()) if roles.get(k) is None and len(c.text) > 10]
                content = others[0] if others else None
            if content is None:
                continue
            lead = tuple(split_owners(lead_cell.text))
            sup_cell = next((row[k] for k, v in roles.items() if v == "support" and k in row), None)
            support = tuple(s for s in split_owners(sup_cell.text) if s not in lead) if sup_cell else ()
            time_cell = next((row[k] for k, v in roles.items() if v == "time" and k in row), None)
            t = temporal_facts(ctx.doc.text, time_cell.start, time_cell.end, list(ctx.dates),
                               ctx.issued) if time_cell else temporal_facts(
                ctx.doc.text, content.start, content.end, list(ctx.dates), ctx.issued)
            if lead:
                tasks.append(Task(id=f"T{tno + 1}.{r}", section=f"T{tno + 1}", text=content.text,
                                  lead=lead, support=support, deadline=t.deadline, period=t.period,
                                  recurrence=t.recurrence, start=content.start, end=content.end,
                                  source="table"))
    return tasks


# --- closing requests --------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.;])\s+(?=\S)|\n")
_ADVERBIAL = re.compile(r"^(?:[^,;:]{2,60},\s*){1,3}")


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for m in _SENTENCE_END.finditer(text, start, end):
        nxt = text[m.end():m.end() + 1]
        if m.group() != "\n" and not (nxt.isupper() or nxt == "("):
            continue  # "...25/3/2020; định kỳ ..." goes on in the same sentence
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    return [(a, b) for a, b in out if text[a:b].strip()]


def from_closing(ctx: _Ctx, taken: list[tuple[int, int]]) -> list[Task]:
    """Unnumbered paragraphs outside the numbered duties: sentences that address an
    owner (``yêu cầu các sở ... trước ngày D``, ``Hàng năm, các bộ ... báo cáo``,
    ``Kính đề nghị Bộ Công an xem xét``). A sentence with several deadlines gives one
    duty per deadline (KH 580: own plan, 6-month report, annual report)."""
    doc, text = ctx.doc, ctx.doc.text
    first_item = min((n.start for n in doc.outline), default=0)
    # recipients and signatures: from each "Nơi nhận" to the next attached document
    fenced: list[tuple[int, int]] = []
    for b in doc.blocks:
        if _RECIPIENTS.match(b.text):
            fenced.append((b.start, len(text)))
        elif fenced and fenced[-1][1] == len(text) and type_line_re().match(b.text):
            fenced[-1] = (fenced[-1][0], b.start)
    fenced += [(a.start, a.end) for a in ctx.letters]
    tasks: list[Task] = []
    n = 0
    for b in doc.blocks:
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
                adv = _ADVERBIAL.match(text[s0:e0])
                while not owners and adv:  # "Hàng năm, các bộ ...", "Trong quá trình ..., X"
                    owners = head_owners(ctx, s0 + adv.end(), e0)
                    adv = _ADVERBIAL.match(text[s0:s0 + adv.end() - 2]) if not owners else None
            if req:
                owners = _to_addressees(ctx, s0, owners)
            if not owners or _courtesy(ctx, s0, e0):
                continue
            clause = req.start() if req else s0
            # the paragraph's bracketed tail "(Báo cáo 6 tháng gửi trước ngày 10/6 ...)"
            tail_end = e0
            nxt = next((x for x in doc.blocks if x.start > b.end and x.kind != "table_cell"), None)
            if nxt is not None and nxt.text.startswith("(") and e0 == b.end:
                tail_end = nxt.end
            deadlines = [d for d in ctx.dates if clause <= d.start < tail_end and d.cue == "before"]
            cuts = [d.end for d in deadlines] or [e0]
            for cut in cuts:
                n += 1
                t = _task(ctx, f"end.{n}", None, clause, cut, owners, "closing")
                if t:
                    tasks.append(t)
                m = re.search(r"[;.)]|\bvà\b", text[cut:cut + 20])
                clause = cut + (m.end() if m else 0)
                while clause < len(text) and text[clause] in " \n()":
                    clause += 1
    return tasks


@lru_cache(maxsize=1)
def _courtesies() -> frozenset[str]:
    return frozenset(fold(w).lower() for w in _cues("courtesy"))


def _courtesy(ctx: _Ctx, start: int, end: int) -> bool:
    """A closing ask that is only politeness: after its owners, nothing but "quan tâm
    phối hợp thực hiện" and the like (``courtesy`` in duty_cues.tsv)."""
    named = _agencies_in(ctx, start, end)
    if not named:
        return False
    rest = ctx.doc.text[named[-1].end:end].strip(" ,.;/\n")
    return fold(rest).lower() in _courtesies()


def _to_addressees(ctx: _Ctx, pos: int, owners: tuple[str, ...]) -> tuple[str, ...]:
    """In a letter, a request only to groups that are not among the addressees ("đề nghị
    các cơ quan, đơn vị …") is a request to the addressees. A request naming no one stays
    ownerless: "đề nghị" and "giao" are as often nouns ("hồ sơ đề nghị khen thưởng")."""
    to = _addressed_to(ctx, pos)
    if to is None or not owners:
        return owners
    kinds = {a.canonical: a.kind for a in ctx.agencies}
    if all(kinds.get(o) == "group" and o not in to.names for o in owners):
        return to.names
    return owners


def extract_duties(doc: Document, nlp_doc: Doc, issued: str | None = None,
                   doc_type: str | None = None) -> list[Task]:
    agencies = tuple(sorted((s._.agency for s in nlp_doc.spans.get("agencies", [])),
                            key=lambda a: a.start))
    ctx = _Ctx(doc=doc, agencies=agencies,
               dates=tuple(s._.date for s in nlp_doc.spans.get("dates", [])),
               issued=issued, doc_type=doc_type,
               agency_starts=tuple(a.start for a in agencies),
               block_starts=tuple(b.start for b in doc.blocks))
    ctx = replace(ctx, letters=_addressee_blocks(ctx))
    tasks = from_outline(ctx) + from_tables(ctx)
    taken = [(t.start, t.end) for t in tasks]
    tasks += from_closing(ctx, taken)
    tasks.sort(key=lambda t: t.start)
    return deadlines_from_items(ctx, tasks)


def deadlines_from_items(ctx: _Ctx, tasks: list[Task]) -> list[Task]:
    """A duty that ends by announcing items ("… báo cáo tổng kết …, như sau:") and has no
    date of its own takes the deadline its items give ("3. Báo cáo … gửi về Bộ Công an
    trước ngày 20/12/2025"), up to the next duty or the recipients block."""
    stop = next((b.start for b in ctx.doc.blocks if _RECIPIENTS.match(b.text)), len(ctx.doc.text))
    out: list[Task] = []
    for i, t in enumerate(tasks):
        if t.deadline or t.period or not t.text.rstrip().endswith(":"):
            out.append(t)
            continue
        end = min([stop] + [u.start for u in tasks[i + 1:] if u.start >= t.end])
        found = temporal_facts(ctx.doc.text, t.end, end, list(ctx.dates), ctx.issued) \
            if end > t.end else None
        if found and found.deadline:
            t = replace(t, deadline=found.deadline,
                        extra={**t.extra, "deadline_from": "items"})
        out.append(t)
    return out
