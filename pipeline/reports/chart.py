"""The statuses of a plan's duties per agency as one inline SVG: a horizontal stacked bar
per agency (Vietnamese order), a segment per status in the report's colours, the counts
written on the bars and a legend with the short status labels.

No script and no external file: the web app serves gap reports under a CSP that forbids
scripts, and a printed page needs nothing but the markup. Every name goes through
:func:`html.escape`; each bar and segment has a ``<title>`` for screen readers.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from html import escape

from pipeline.document import labels
from pipeline.document.collation import vi_sorted

WIDTH = 560  # viewBox units; the SVG scales to the column's width
LABEL_W = 262  # the agencies' names, left of the bars
COUNT_W = 34  # the total, right of a bar
ROW_H = 21
BAR_H = 15
FONT = 12
CHAR_W = 0.52 * FONT  # a serif letter's mean width, to cut a name that would overflow


def _fit(name: str, width: float) -> str:
    """``name`` cut with an ellipsis so that it fits ``width`` units (the full name stays
    in the bar's ``<title>``)."""
    most = int(width / CHAR_W)
    return name if len(name) <= most else name[: max(most - 1, 1)].rstrip() + "…"


def _legend(statuses: list[str], colour: Callable[[str], str], y: float) -> tuple[str, float]:
    """The legend's swatches and labels, wrapped over as many lines as needed; its markup
    and the height it takes."""
    parts, x, line = [], 0.0, 0
    for st in statuses:
        text = labels.STATUS_SHORT.get(st, st)
        w = 16 + len(text) * CHAR_W + 18
        if x and x + w > WIDTH:
            x, line = 0.0, line + 1
        ty = y + line * ROW_H
        parts.append(
            f'<g class="key"><rect x="{x:.1f}" y="{ty:.1f}" width="12" height="12" '
            f'fill="{escape(colour(st))}" stroke="#555" stroke-width=".6"/>'
            f'<text x="{x + 16:.1f}" y="{ty + 10:.1f}">{escape(text)}</text></g>')
        x += w
    return "".join(parts), (line + 1) * ROW_H


def _bar(owner: str, counts: Counter, statuses: list[str], colour: Callable[[str], str],
         y: float, scale: float) -> str:
    total = sum(counts.values())
    summary = "; ".join(f"{labels.STATUS_SHORT.get(s, s)}: {counts[s]}"
                        for s in statuses if counts[s])
    out = [f'<g class="bar" data-owner="{escape(owner)}">'
           f"<title>{escape(owner)}: {total} nhiệm vụ ({escape(summary)})</title>"
           f'<text x="{LABEL_W - 6}" y="{y + BAR_H - 3:.1f}" text-anchor="end">'
           f"{escape(_fit(owner, LABEL_W - 8))}</text>"]
    x = float(LABEL_W)
    for st in statuses:
        n = counts[st]
        if not n:
            continue
        w = n * scale
        name = labels.STATUS_SHORT.get(st, st)
        out.append(f'<g class="seg" data-status="{escape(st)}"><title>{escape(owner)} — '
                   f"{escape(name)}: {n}</title>"
                   f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{BAR_H}" '
                   f'fill="{escape(colour(st))}" stroke="#555" stroke-width=".6"/>')
        if w >= len(str(n)) * CHAR_W + 4:
            out.append(f'<text x="{x + w / 2:.1f}" y="{y + BAR_H - 3:.1f}" '
                       f'text-anchor="middle">{n}</text>')
        out.append("</g>")
        x += w
    out.append(f'<text x="{x + 4:.1f}" y="{y + BAR_H - 3:.1f}" class="total">{total}</text>'
               "</g>")
    return "".join(out)


def status_chart(duties: Iterable[dict], colour: Callable[[str], str],
                 order: Iterable[str] = labels.STATUS) -> str:
    """The chart for ``duties`` (``owner`` and ``status`` of each); ``colour(status)`` is
    a status's fill, ``order`` the order of the segments and the legend. Empty string
    when there is no duty."""
    per: dict[str, Counter] = {}
    for d in duties:
        per.setdefault(d.get("owner") or "", Counter())[d.get("status") or ""] += 1
    if not per:
        return ""
    seen = {s for c in per.values() for s in c}
    statuses = [s for s in order if s in seen] + sorted(seen - set(order))
    owners = vi_sorted(per)
    most = max(sum(c.values()) for c in per.values())
    scale = (WIDTH - LABEL_W - COUNT_W) / most
    legend, legend_h = _legend(statuses, colour, 0)
    top = legend_h + 6
    bars = "".join(_bar(o, per[o], statuses, colour, top + i * ROW_H, scale)
                   for i, o in enumerate(owners))
    height = top + len(owners) * ROW_H
    total = sum(sum(c.values()) for c in per.values())
    return (f'<svg class="chart" role="img" aria-labelledby="chart-t chart-d" '
            f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
            f'width="100%" font-family="Times New Roman, serif" font-size="{FONT}">'
            f'<title id="chart-t">Tình trạng nhiệm vụ theo cơ quan, đơn vị</title>'
            f'<desc id="chart-d">{total} nhiệm vụ của {len(owners)} cơ quan, đơn vị; mỗi '
            f"thanh là một cơ quan, mỗi đoạn là số nhiệm vụ theo một tình trạng.</desc>"
            f"{legend}{bars}</svg>")
