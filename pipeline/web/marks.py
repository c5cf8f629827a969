"""Marking spans of a document's text in HTML, well nested whatever the spans.

:func:`render_text` renders a stretch of text: every document character is escaped; the
only tags are the ones of the marks. Marks come in levels, outermost first: the span a
reader was sent to (``/find``), duties (a ``<span class="duty">`` per duty span), then
references, dates, findings and header fields; where an inner mark crosses an outer one's
edge it is closed and opened again, so the HTML is always well nested. Within a level,
marks that overlap keep the one listed first (:func:`prune`).
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
        """The opening tag; a continued piece (``extra_class`` "cont") keeps no id, so an
        id is never given twice."""
        cls = self.kind + (f" {extra_class}" if extra_class else "")
        attrs = "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in self.attrs
                        if not (k == "id" and extra_class == "cont"))
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


def render_text(text: str, start: int, end: int, *layers: Layer) -> str:
    """HTML of ``text[start:end]`` with the marks of ``layers``, the first outermost (a
    span found for a reader, then duties, then references and the like)."""
    within = [layer.within(start, end) for layer in layers]
    cuts = {start, end}
    for marks in within:
        for m in marks:
            cuts.update(p for p in (m.start, m.end) if start < p < end)
    out: list[str] = []
    current: list[Mark | None] = [None] * len(layers)
    at = [0] * len(layers)
    for a, b in pairwise(sorted(cuts)):
        now: list[Mark | None] = []
        for k, marks in enumerate(within):
            while at[k] < len(marks) and marks[at[k]].end <= a:
                at[k] += 1
            now.append(marks[at[k]] if at[k] < len(marks) and marks[at[k]].start <= a
                       else None)
        changed = next((k for k, m in enumerate(now) if m is not current[k]), None)
        if changed is not None:  # close from the innermost out to the level that changed,
            for m in reversed(current[changed:]):  # then open from there in again
                if m is not None:
                    out.append(m.close())
            for m in now[changed:]:
                if m is not None:
                    # a piece after the first of a mark (cut by a block or an outer
                    # mark's edge) is marked "cont" and carries no id
                    out.append(m.open("cont" if m.start < a else ""))
            current = now
        out.append(html.escape(text[a:b], quote=False))
    for m in reversed(current):
        if m is not None:
            out.append(m.close())
    return "".join(out)
