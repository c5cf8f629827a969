"""Marking spans of a document's text in HTML, well nested whatever the spans.

:func:`render_text` renders a stretch of text: every document character is escaped; the
only tags are the ones of the marks. There are two levels: the outer one (duties, a
``<span class="duty">`` per duty span) and the inner one (references, dates, findings,
header fields); where an inner mark crosses an outer one's edge it is closed and opened
again, so the HTML is always well nested. Within a level, marks that overlap keep the
one listed first (:func:`prune`).
"""
from __future__ import annotations

import bisect
import html
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise


@dataclass(frozen=True)
class Mark:
    """One span to mark: ``tag`` and ``attrs`` of the element, ``kind`` its CSS class."""

    start: int
    end: int
    kind: str
    tag: str = "mark"
    attrs: tuple[tuple[str, str], ...] = ()

    def open(self, extra_class: str = "") -> str:
        cls = self.kind + (f" {extra_class}" if extra_class else "")
        attrs = "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in self.attrs)
        return f'<{self.tag} class="{cls}"{attrs}>'

    def close(self) -> str:
        return f"</{self.tag}>"


def prune(marks: Iterable[Mark]) -> list[Mark]:
    """Non-empty, non-overlapping marks in text order; on overlap the earlier-listed wins."""
    starts: list[int] = []  # kept marks, sorted by start (they do not overlap)
    kept: list[Mark] = []
    for m in marks:
        if m.end <= m.start:
            continue
        i = bisect.bisect_left(starts, m.start)
        if (i < len(kept) and kept[i].start < m.end) or (i and kept[i - 1].end > m.start):
            continue
        starts.insert(i, m.start)
        kept.insert(i, m)
    return kept


@dataclass(frozen=True)
class Layer:
    """Marks of one level, pruned (:func:`prune`), with their start offsets for look-ups."""

    marks: tuple[Mark, ...]
    starts: tuple[int, ...]

    @classmethod
    def of(cls, marks: Iterable[Mark]) -> Layer:
        kept = prune(marks)
        return cls(tuple(kept), tuple(m.start for m in kept))

    def within(self, start: int, end: int) -> list[Mark]:
        """The marks that overlap ``[start, end)``, in text order."""
        i = max(0, bisect.bisect_right(self.starts, start) - 1)
        j = bisect.bisect_left(self.starts, end)
        return [m for m in self.marks[i:j] if m.end > start]


def render_text(text: str, start: int, end: int, outer: Layer, inner: Layer) -> str:
    """HTML of ``text[start:end]`` with the ``outer`` marks (duties) around the ``inner`` ones."""
    outer_marks = outer.within(start, end)
    inner_marks = inner.within(start, end)
    cuts = {start, end}
    for m in outer_marks + inner_marks:
        cuts.update(p for p in (m.start, m.end) if start < p < end)
    points = sorted(cuts)
    out: list[str] = []
    cur_o: Mark | None = None
    cur_i: Mark | None = None
    oi = ii = 0
    for a, b in pairwise(points):
        while oi < len(outer_marks) and outer_marks[oi].end <= a:
            oi += 1
        while ii < len(inner_marks) and inner_marks[ii].end <= a:
            ii += 1
        o = outer_marks[oi] if oi < len(outer_marks) and outer_marks[oi].start <= a else None
        i = inner_marks[ii] if ii < len(inner_marks) and inner_marks[ii].start <= a else None
        if o is not cur_o or i is not cur_i:
            if cur_i is not None:
                out.append(cur_i.close())
            if o is not cur_o:
                if cur_o is not None:
                    out.append(cur_o.close())
                if o is not None:
                    out.append(o.open())
            if i is not None:
                # a piece after the first of a mark split by a duty edge is marked "cont"
                out.append(i.open("cont" if i.start < a else ""))
            cur_o, cur_i = o, i
        out.append(html.escape(text[a:b], quote=False))
    if cur_i is not None:
        out.append(cur_i.close())
    if cur_o is not None:
        out.append(cur_o.close())
    return "".join(out)
