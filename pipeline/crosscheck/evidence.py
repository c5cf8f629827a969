"""Evidence a reviewer can read: the one to three sentences of a report passage that speak
of the duty, the duty's words marked in them, and where they sit in the report."""
from __future__ import annotations

import re

from pipeline.crosscheck.coverage import Passage
from pipeline.crosscheck.model import Evidence

MAX_CHARS = 700
_SENT = re.compile(r"[^.;!?\n]+(?:[.;!?]+(?=\s|$)|\n|$)")


def _sentences(text: str) -> list[tuple[int, int]]:
    out = []
    for m in _SENT.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        if e - s > 1:
            out.append((s, e))
    return out or [(0, len(text))]


def marks(text: str, terms) -> list[list[int]]:
    """Spans of ``terms`` (lower-case words, may hold spaces) in ``text``, whole words,
    longest first, not overlapping, in order."""
    low = text.lower()
    taken: list[list[int]] = []
    for t in sorted({t for t in terms if t}, key=len, reverse=True):
        for m in re.finditer(rf"(?<!\w){re.escape(t)}(?!\w)", low):
            if not any(m.start() < e and s < m.end() for s, e in taken):
                taken.append([m.start(), m.end()])
    return sorted(taken)


def quote(p: Passage, terms, path: str = "") -> Evidence:
    """The best one to three sentences of ``p`` for ``terms``, as evidence."""
    text = p.text
    sents = _sentences(text)
    low = text.lower()

    def hits(span: tuple[int, int]) -> set[str]:
        seg = low[span[0]:span[1]]
        return {t for t in terms if re.search(rf"(?<!\w){re.escape(t)}(?!\w)", seg)}

    scored = [hits(s) for s in sents]
    i = max(range(len(sents)), key=lambda k: (len(scored[k]), -k))
    lo = hi = i
    got = set(scored[i])
    for _ in range(2):  # grow by a neighbour that adds words of the duty
        options = [k for k in (lo - 1, hi + 1) if 0 <= k < len(sents)]
        best = max(options, key=lambda k: len(scored[k] - got), default=None)
        if best is None or not (scored[best] - got) or \
                sents[max(hi, best)][1] - sents[min(lo, best)][0] > MAX_CHARS:
            break
        got |= scored[best]
        lo, hi = min(lo, best), max(hi, best)
    s, e = sents[lo][0], sents[hi][1]
    if e - s > MAX_CHARS:  # one very long sentence: the window around its marked words
        ms = marks(text[s:e], terms)
        first = s + (ms[0][0] if ms else 0)
        s2 = max(s, text.rfind(" ", s, max(s, first - 200)) + 1)
        e2 = min(e, s2 + MAX_CHARS)
        e2 = text.rfind(" ", s2, e2) if e2 < e and text.rfind(" ", s2, e2) > s2 else e2
        s, e = s2, e2
    q = text[s:e].strip()
    prefix = "… " if s > 0 and not re.match(r"[A-ZĐÀ-Ỹ0-9\-+•]", q) else ""
    suffix = " …" if e < len(text.rstrip()) and not re.search(r"[.;!?]$", q) else ""
    shown = prefix + q + suffix
    off = len(prefix)
    return Evidence(p.report, shown, p.start + s, p.start + s + len(q), p.section, p.place,
                    [[a + off, b + off] for a, b in marks(q, terms)], path)
