"""Agency mentions and canonical owner names.

:func:`find_agencies` runs over a spaCy Doc from :mod:`extractors.nlp`: a ``PhraseMatcher``
over every spelling of the gazetteer (``data/agencies.tsv``) and the group table
(``data/agency_groups.tsv``), then the shape scanners of :mod:`extractors.owners_patterns`
and :mod:`extractors.owners_groups` for bodies the gazetteer does not know. Mentions do not
overlap; the longest wins, the gazetteer on ties.

Provincial bodies are named without a locality, as documents inside a province write
them; a locality printed after one is kept in the canonical name unless it is the
document's own (``Sở Văn hóa và Thể thao Hà Nội`` in a Hà Nội plan → ``Sở Văn hóa và Thể
thao``). ``UBND tỉnh`` / ``UBND Thành phố`` get the document's own locality.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from extractors.casing import head_of
from extractors.owners_data import (
    CITIES,
    Agency,
    agencies,
    agency_index,
    by_canonical,
    group_index,
    groups,
    key,
    localities,
    surface_forms,
)
from extractors.owners_groups import scan_groups
from extractors.owners_patterns import Cand, head_lens, head_windows, scan_named, tidy
from extractors.owners_places import (ENDS_LEVEL, fast_fold, home_locality, scan_councils,
                                      scan_member_lists, tail)
from extractors.tokenizer import VanbanTokenizer, doc_text
from pipeline.document.facts import AgencyMention
from pipeline.document.normalize import fold

__all__ = ["canonical_agency", "expand_group", "find_agencies", "group_members", "home_locality",
           "successor"]

# the document's own province or city, when the caller knows it (else read from the header)
if not Doc.has_extension("locality"):
    Doc.set_extension("locality", default=None)

_LOCK = threading.Lock()
_MATCHERS: dict[int, tuple[object, PhraseMatcher]] = {}
# named by their place: a printed place is kept even when it is the document's own ...
_KEEP_PLACE = {"UBND tỉnh", "UBND thành phố", "HĐND tỉnh", "HĐND thành phố", "Tỉnh ủy",
               "Thành ủy", "Tỉnh đoàn", "Thành đoàn"}
# ... and these get the document's own place when none is printed
_NAMED_PLACE = {"UBND tỉnh", "UBND thành phố", "HĐND tỉnh", "HĐND thành phố", "Tỉnh ủy",
                "Thành ủy"}


def _city_form(name: str) -> bool:
    return name.endswith("thành phố") or name.startswith("Thành")


def _matcher(vocab) -> PhraseMatcher:
    """One PhraseMatcher (attr LOWER) per vocab, over every spelling of every row."""
    hit = _MATCHERS.get(id(vocab))
    if hit is not None and hit[0] is vocab:
        return hit[1]
    with _LOCK:
        tok = VanbanTokenizer(vocab)
        m = PhraseMatcher(vocab, attr="LOWER")
        for i, a in enumerate(agencies()):
            forms = set().union(*(surface_forms(n) for n in (a.canonical, *a.variants)))
            m.add(f"vanban_A{i}", [tok(f) for f in sorted(forms)])
        for i, g in enumerate(groups()):
            forms = set().union(*(surface_forms(n) for n in (g.canonical, *g.variants)))
            m.add(f"vanban_G{i}", [tok(f) for f in sorted(forms)])
        _MATCHERS[id(vocab)] = (vocab, m)
        return m


def _doc_home(doc: Doc, text: str) -> str | None:
    if Doc.has_extension("locality") and doc._.locality:
        return doc._.locality
    return home_locality(text)


def _with_place(a: Agency, base: str, level: str | None, place: str | None,
                home: str | None) -> str:
    """The canonical name of ``base`` followed by ``level``/``place`` in the text."""
    if place is None:
        if base in _NAMED_PLACE and home and (home in CITIES) == _city_form(base):
            return f"{base} {home}"
        return base
    if home and fold(place) == fold(home) and base not in _KEEP_PLACE:
        return base
    ends_level = ENDS_LEVEL.search(base)
    if ends_level and level:
        base = base[:ends_level.start()].rstrip()
    return " ".join(p for p in (base, level, place) if p)


def _pick(rows: Iterable[Agency], on: str | None) -> Agency:
    rows = list(rows)
    if on:
        for a in rows:
            if a.valid_on(on):
                return a
    return rows[0]


def _gazetteer(doc: Doc, text: str, home: str | None, on: str | None) -> list[Cand]:
    folded = fast_fold(text)
    rows, grows = agencies(), groups()
    strings = doc.vocab.strings
    seen: dict[tuple[int, int], list[Agency]] = {}
    out: list[Cand] = []
    blocked: list[tuple[int, int]] = []  # "Phó Thủ tướng Chính phủ": a person, not a body
    for match_id, s, e in _matcher(doc.vocab)(doc):
        label = strings[match_id]
        span = doc[s:e]
        start, end = span.start_char, span.end_char
        if label.startswith("vanban_G"):
            g = grows[int(label[8:])]
            words = tidy(span.text)
            if re.search(r"(?i)trưởng", words):
                words = g.canonical
            elif words.lower().startswith(("các ", "những ", "một số ")):
                words = words[0].lower() + words[1:]
            out.append(Cand(start, end, words, "group", "gazetteer", 1))
            continue
        if s > 0 and doc[s - 1].lower_ == "phó":
            blocked.append((start, end))
        if not text[start].isupper():
            continue
        seen.setdefault((start, end), []).append(rows[int(label[8:])])
    for (start, end), found in seen.items():
        if any(bs <= start and end <= be for bs, be in blocked):
            continue
        a = _pick(found, on)
        level = place = None
        canon = a.canonical
        if a.level != "central" or canon in _KEEP_PLACE:
            new_end, level, place = tail(text, folded, end, canon)
            if a.level is None and place is None and new_end > end:
                canon = f"{canon} {text[end:new_end].strip().lower()}"  # "Cục Hải quan tỉnh"
            end = new_end
        out.append(Cand(start, end, _with_place(a, canon, level, place, home),
                        "agency", "gazetteer", 0))
    return out


def _choose(cands: list[Cand], size: int) -> list[Cand]:
    """Longest first, gazetteer on ties; a shape-found mention that cuts through a
    gazetteer agency (starts or ends inside it without covering it) is dropped."""
    cover = [-1] * (size + 1)
    gaz = [c for c in cands if c.source == "gazetteer" and c.kind == "agency"]
    for n, g in enumerate(sorted(gaz, key=lambda c: c.end - c.start)):
        for p in range(g.start, g.end):
            if cover[p] == -1:
                cover[p] = n
    gaz = sorted(gaz, key=lambda c: c.end - c.start)

    def crosses(c: Cand) -> bool:
        for p in (c.start, c.end - 1):
            if cover[p] != -1:
                g = gaz[cover[p]]
                if not (c.start <= g.start and g.end <= c.end):
                    return True
        return False

    occupied = bytearray(size + 1)
    chosen: list[Cand] = []
    for c in sorted(cands, key=lambda c: (-(c.end - c.start), c.rank, c.start)):
        if c.end <= c.start or any(occupied[c.start:c.end]):
            continue
        if c.source != "gazetteer" and crosses(c):
            continue
        occupied[c.start:c.end] = b"\x01" * (c.end - c.start)
        chosen.append(c)
    return sorted(chosen, key=lambda c: c.start)


def find_agencies(doc: Doc) -> list[AgencyMention]:
    """Agency and group mentions of ``doc`` in text order, without overlaps."""
    text = doc_text(doc)
    home = _doc_home(doc, text)
    on = doc._.issued if Doc.has_extension("issued") else None
    cands = _gazetteer(doc, text, home, on)
    gaz_starts = {c.start for c in cands}
    for toks in head_windows(text):
        hl = head_lens(toks)
        cands += scan_member_lists(text, toks, hl)
        for c in scan_councils(text, toks, hl):
            canon = c.canonical
            if canon in _NAMED_PLACE and home and (home in CITIES) == _city_form(canon):
                canon = f"{canon} {home}"
            cands.append(Cand(c.start, c.end, canon, c.kind, c.source, c.rank))
        for c in scan_named(text, toks, gaz_starts, hl):
            rows = agency_index().get(key(c.canonical))
            canon = _pick(rows, on).canonical if rows else c.canonical
            cands.append(Cand(c.start, c.end, canon, "agency",
                              "gazetteer" if rows else "pattern", 1))
    cands += scan_groups(text)
    return [AgencyMention(c.start, c.end, text[c.start:c.end], c.canonical, c.kind, c.source)
            for c in _choose(cands, len(text))]


# --- names --------------------------------------------------------------------------------

_fuzzy_pool: dict[str, list[tuple[str, str]]] | None = None


def _pool() -> dict[str, list[tuple[str, str]]]:
    """head word → (key, canonical) for near-miss lookups."""
    global _fuzzy_pool
    if _fuzzy_pool is None:
        pool: dict[str, list[tuple[str, str]]] = {}
        for k, rows in agency_index().items():
            h = head_of(rows[0].canonical)
            if h:
                pool.setdefault(h.lower(), []).append((k, rows[0].canonical))
        _fuzzy_pool = pool
    return _fuzzy_pool


_QUAL_TAIL = re.compile(r"(?:\s+(?:có liên quan|liên quan|khác|chức năng|của tỉnh|thuộc tỉnh|"
                        r"trực thuộc.*|trên địa bàn.*|thuộc thành phố.*|cấp thành phố|thành phố|"
                        r"tỉnh|trung ương|cấp tỉnh))+$")


def _is_group(s: str) -> bool:
    return bool(re.match(r"(?i)(?:các|những|một số|toàn bộ|mọi)\s", s)) or \
        _QUAL_TAIL.sub("", key(s)) in group_index()


def canonical_agency(name: str, on: str | None = None, home: str | None = None) -> str:
    """Any spelling → canonical name: gazetteer by normalised key (a trailing locality
    kept, or dropped when it is ``home``), then a near miss (rapidfuzz ≥ 92, same head
    word), else the name tidied. ``on`` (ISO date) picks among same-spelled bodies the one
    valid then; a body that ended before ``on`` keeps its own name (see :func:`successor`)."""
    s = tidy(name)
    if not s:
        return s
    if _is_group(s):
        return s[0].lower() + s[1:] if re.match(r"(?i)(?:các|những|một số)\s", s) else s
    k = key(s)
    rows = agency_index().get(k)
    if rows:
        return _with_place(_pick(rows, on), _pick(rows, on).canonical, None, None, home)
    folded = fold(s)
    for lf, _loc in localities():
        tail = re.search(rf"(?:\s+(tinh|thanh pho|tp))?\s+{re.escape(lf)}$", folded)
        if not tail:
            continue
        place = s[len(s) - len(lf):]
        level = None if tail.group(1) is None else \
            ("tỉnh" if tail.group(1) == "tinh" else "thành phố")
        for base, lv in ((s[:len(s) - len(lf)], None), (s[:tail.start()], level)):
            if rows := agency_index().get(key(base)):
                a = _pick(rows, on)
                return _with_place(a, a.canonical, lv, place, home)
    from rapidfuzz import fuzz, process  # lazy: only a near miss needs it (start-up cost)

    h = head_of(s)
    if h:
        cands = _pool().get(h.lower(), [])
        best = process.extractOne(k, [c[0] for c in cands], scorer=fuzz.ratio, score_cutoff=92)
        if best:
            return cands[best[2]][1]
    return s


def successor(canonical: str, on: str) -> str | None:
    """The body that carries on ``canonical``'s work on ``on`` (ISO date), following
    mergers (``Sở Lao động - Thương binh và Xã hội`` → ``Sở Nội vụ`` after 2025-02-28);
    None when the body still existed then or nothing took it over."""
    rows = by_canonical()
    cur = rows.get(canonical) or rows.get(canonical_agency(canonical))
    out = None
    seen: set[str] = set()
    while cur and cur.successor and cur.valid_to and cur.valid_to < on \
            and cur.canonical not in seen:
        seen.add(cur.canonical)
        out = cur.successor
        cur = rows.get(out)
    return out


def group_members(name: str) -> tuple[str, ...]:
    """What a group expands to (``agency_groups.tsv`` members), () when unknown."""
    k = _QUAL_TAIL.sub("", key(name))
    g = group_index().get(k)
    return g.members if g else ()


def expand_group(name: str, known: Iterable[str]) -> list[str]:
    """The ``known`` canonical names that belong to group ``name``."""
    specs = group_members(name)
    rows = by_canonical()
    out = []
    for n in known:
        for spec in specs:
            if spec == n or (spec.endswith("*") and n.startswith(spec[:-1])) or \
                    (spec.startswith("@level=") and n in rows and rows[n].level == spec[7:]):
                out.append(n)
                break
    return out
