"""Digital-signature stamps (contract ``metadata.signature``).

An e-signed document carries the signing software's stamp as printed text, anywhere on
the page but mostly in its top right corner, in two shapes:

- labelled: ``Ký bởi: Ủy ban nhân dân tỉnh Quảng Ngãi`` / ``Cơ quan: Tỉnh Quảng Ngãi`` /
  ``Thời gian ký: 24/01/2025 14:23:43`` (``Người ký``, ``Email`` …; the labels are in
  ``data/stamps.tsv``), a value may wrap over the next lines;
- unlabelled (a publisher's stamp): the name, an e-mail, and a time with seconds
  (``TRUNG TÂM CÔNG BÁO`` / ``VÀ TIN HỌC`` / ``ttcbth@…`` / ``09.01.2025 10:21:11 +07:00``).

Times come as ``dd.mm.yyyy``, ``dd/mm/yyyy`` or ISO, with or without an offset (``+07:00``,
Vietnam's, when none is printed). OCR'd stamps are read tolerantly: known stamp holders
are matched fuzzily (``CÔNG THÔNG TIN …`` is the ``Cổng Thông tin …``), a day misread as
``97`` is read ``07``.

Which stamp is the document's signature: the one printed; of several, the issuing
body's own (not a publisher's); a publisher's (gazette centre, government portal) when
it is the only one. The lines of every stamp are returned too, so the header readers
keep them out of the issuer, the place and the title.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from extractors.metadata_lines import Line
from extractors.vocab import table
from pipeline.document.facts import Signature
from pipeline.document.normalize import fold, is_upper_text

__all__ = ["Stamp", "as_signature", "choose_signature", "find_stamps", "known_name", "parse_time", "copy_kind"]

# a time of signing: day, month, year, then hh:mm[:ss] and an offset, each piece maybe on
# the next line (a narrow stamp wraps); or ISO 8601
_TIME = re.compile(
    r"(?P<d>\d{1,2})\s?[./-]\s?(?P<m>\d{1,2})\s?[./-]\s?(?P<y>(?:19|20)\d\d)"
    r"(?:[\sT,]{1,4}(?P<H>\d{1,2})\s?:\s?(?P<M>\d{2})(?:\s?:\s?(?P<S>\d{2}))?)?"
    r"(?:\s{0,3}(?P<off>[+-]\s?\d{2}:?\d{2}|Z))?")
_ISO = re.compile(
    r"(?P<y>(?:19|20)\d\d)-(?P<m>\d{2})-(?P<d>\d{2})T(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"(?:\.\d+)?(?P<off>[+-]\d{2}:?\d{2}|Z)?")
_EMAIL = re.compile(r"\S+\s?@\s?\)?\S+")
_TIME_PIECE = re.compile(r"^[\d\s./:+\-]+$")  # a wrapped piece of a time: "08:15:24", "+07:00"
_OCR_ZERO = "98Oo"  # a leading 0 of a day or month as OCR misreads it
NAME_MAX = 48  # longest line of a stamp's name


@dataclass(frozen=True)
class Stamp:
    """One stamp: ``signed_by`` as printed (a known holder's name put right when OCR
    misread it), ``signed_at`` ISO, ``agency`` (``Cơ quan:``), ``publisher`` when a
    publishing body signed it, ``copy`` the certified-copy form printed above it (``SAO
    Y``), ``start``/``end`` its text's span, ``lines`` the spans of its lines."""

    signed_by: str | None
    signed_at: str | None
    agency: str | None
    publisher: bool
    copy: str | None
    start: int
    end: int
    lines: tuple[tuple[int, int], ...]


@lru_cache(maxsize=1)
def _vocab() -> dict[str, tuple[str, ...]]:
    return table("stamps.tsv")


@lru_cache(maxsize=1)
def _label_re() -> re.Pattern:
    """Labels on folded text (accents and case ignored), with their kind as group name."""
    parts = []
    for kind in ("signer", "agency", "email", "time"):
        words = sorted(_vocab()[kind], key=len, reverse=True)
        alts = "|".join(r"\s?".join(re.escape(w) for w in fold(x).split()) for x in words)
        parts.append(f"(?P<{kind}>{alts})")
    return re.compile(r"(?:" + "|".join(parts) + r")\s?[:;]\s*")


def copy_kind(text: str) -> str | None:
    """``SAO Y BẢN CHÍNH`` when ``text`` is only a certified copy's form (OCR's ``SAOY``
    too), else None."""
    if len(text) > 40:  # the form alone is short; most lines are not (and fold is dear)
        return None
    f = re.sub(r"[^a-z]", "", fold(text))
    if not f or len(f) > 16:
        return None
    return _copy_forms().get(f)


@lru_cache(maxsize=1)
def _copy_forms() -> dict[str, str]:
    """The copy forms by their folded letters (``saoybanchinh`` → ``SAO Y BẢN CHÍNH``)."""
    return {re.sub(r"[^a-z]", "", fold(k)): k for k in reversed(_vocab()["copy"])}


def known_name(text: str) -> tuple[str, bool]:
    """The stamp holder's name as printed, or the known publisher's spelling (in the
    printed case) when OCR misread it; and whether it is a publisher."""
    from rapidfuzz import fuzz  # lazy: only a document with a stamp needs it

    f = re.sub(r"[^a-z ]", "", fold(text)).strip()
    best, score = None, 0.0
    for name in _vocab()["publisher"]:
        s = fuzz.ratio(f, fold(name))
        if s > score:
            best, score = name, s
    if best is None or score < 86:
        return text, False
    if text.casefold() == best.casefold():
        return text, True
    return (best.upper() if is_upper_text(text) else best), True


def _day(s: str | None) -> int | None:
    if s is None:
        return None
    n = int(s)
    if n > 31 and len(s) == 2 and s[0] in _OCR_ZERO:
        n = int(s[1])
    return n


def parse_time(text: str, *, seconds: bool = False) -> tuple[str | None, re.Match | None]:
    """The first signing time in ``text`` as ISO 8601 (``+07:00`` added when no offset is
    printed), and its match. ``seconds``: only a time printed with its seconds counts
    (what a stamp prints; a date alone in running text is no stamp)."""
    m = _ISO.search(text) or _TIME.search(text)
    if m is None or (seconds and not m.group("S")):
        return None, m
    try:
        day = dt.date(int(m.group("y")), _day(m.group("m")) or 0, _day(m.group("d")) or 0)
    except ValueError:
        return None, m
    if not m.group("H"):
        return day.isoformat(), m
    h, mi, sec = int(m.group("H")), int(m.group("M")), int(m.group("S") or 0)
    if h > 23 or mi > 59 or sec > 59:
        return day.isoformat(), m
    off = (m.group("off") or "+07:00").replace(" ", "")
    if off == "Z":
        off = "+00:00"
    elif ":" not in off:
        off = f"{off[:3]}:{off[3:]}"
    return f"{day.isoformat()}T{h:02d}:{mi:02d}:{sec:02d}{off}", m


@dataclass
class _Field:
    kind: str
    value: str
    line: int
    start: int  # label's offset in the text
    end: int


@dataclass
class _Open:
    fields: dict
    lines: set
    start: int
    end: int


def _fields(lines: list[Line]) -> tuple[list[list[_Field]], list[str]]:
    """Each line's labelled fields, and the text before its first label (all of it when
    it has none)."""
    rx = _label_re()
    out, prefixes = [], []
    for i, ln in enumerate(lines):
        found = []
        if ":" in ln.text or ";" in ln.text:  # a label is always followed by one of them
            f = fold(ln.text)
            found = list(rx.finditer(f)) if len(f) == len(ln.text) else []
        fields = []
        for k, m in enumerate(found):
            stop = found[k + 1].start() if k + 1 < len(found) else len(ln.text)
            fields.append(_Field(m.lastgroup or "", ln.text[m.end():stop].strip(), i,
                                 ln.start + m.start(), ln.start + stop))
        out.append(fields)
        prefixes.append(ln.text[:found[0].start()].strip() if found else ln.text.strip())
    return out, prefixes


def _name_above(prefixes: list[str], used: set[int], first: int
                ) -> tuple[str | None, str | None, list[int]]:
    """The unlabelled name printed above line ``first`` (an e-mail and OCR specks are
    passed over; a line that holds another stamp's label gives the text before it), the
    copy form above it, and the lines read."""
    parts: list[str] = []
    taken: list[int] = []
    kind = None
    i = first - 1
    while i >= max(0, first - 7) and len(parts) < 3:
        text = prefixes[i]
        if i in used:
            break
        letters = sum(c.isalpha() for c in text)
        if _EMAIL.search(text) or letters < 3:
            if text:
                taken.append(i)
            i -= 1
            continue
        if len(text) > NAME_MAX or re.search(r"\bngày\b|^S[ốo]\s*[:.]", text, re.I):
            break
        k = copy_kind(text)
        if k:
            kind = k
            taken.append(i)
            break
        parts.insert(0, text)
        taken.append(i)
        i -= 1
    return (" ".join(parts) or None), kind, taken


def find_stamps(lines: list[Line]) -> list[Stamp]:
    """Every signature stamp printed in ``lines`` (a document's lines, in reading order)."""
    per_line, prefixes = _fields(lines)
    used: set[int] = set()  # lines read whole into a stamp already
    stamps: list[Stamp] = []
    cur: _Open | None = None

    def close(c: _Open | None) -> None:
        if c is None or "time" not in c.fields and "signer" not in c.fields:
            return
        signed_at, _ = parse_time(c.fields.get("time", ""))
        name = c.fields.get("signer")
        kind = None
        first = min(c.lines)
        if not name:
            name, kind, taken = _name_above(prefixes, used, first)
            c.lines.update(taken)
        elif first > 0:
            kind = copy_kind(prefixes[first - 1]) if first - 1 not in used else None
            if kind:
                c.lines.add(first - 1)
        if not name and not kind:
            return
        by, publisher = known_name(name) if name else (None, False)
        # a line with text before its label keeps that text for another stamp
        used.update(i for i in c.lines if not (per_line[i] and prefixes[i]))
        spans = tuple(sorted((lines[i].start, lines[i].end) for i in c.lines))
        stamps.append(Stamp(by, signed_at, c.fields.get("agency"), publisher, kind,
                            spans[0][0], spans[-1][1], spans))

    i = 0
    while i < len(lines):
        fields = per_line[i]
        if not fields:
            # an unlabelled stamp: a time with its seconds (the offset may wrap)
            nxt = lines[i + 1].text if i + 1 < len(lines) else ""
            joined = lines[i].text + ("\n" + nxt if _TIME_PIECE.match(nxt or "x") else "")
            at, m = parse_time(joined, seconds=True) if len(lines[i].text) <= 60 else (None, None)
            if at and i not in used:
                close(cur)
                cur = None
                name, kind, taken = _name_above(prefixes, used, i)
                has_mail = any(_EMAIL.search(prefixes[t]) for t in taken)
                by, publisher = known_name(name) if name else (None, False)
                if name and (has_mail or publisher or kind):
                    rows = set(taken) | {i}
                    if m and m.end() > len(lines[i].text):
                        rows.add(i + 1)
                    used.update(rows)
                    spans = tuple(sorted((lines[r].start, lines[r].end) for r in rows))
                    stamps.append(Stamp(by, at, None, publisher, kind, spans[0][0],
                                        spans[-1][1], spans))
                    i = max(rows) + 1
                    continue
            i += 1
            continue
        skip_to = i + 1
        for fd in fields:
            if fd.kind == "signer" or cur is None or fd.kind in cur.fields:
                close(cur)
                cur = _Open({}, set(), fd.start, fd.end)
            value = fd.value
            j = i + 1
            # a value wraps onto the next lines, which hold no label of their own
            while fd is fields[-1] and j < len(lines) and j <= i + 3 and not per_line[j]:
                nxt = lines[j].text.strip()
                if fd.kind == "time":
                    if not _TIME_PIECE.match(nxt) or parse_time(value, seconds=True)[0] and \
                            not re.match(r"^[+-]\d", nxt):
                        break
                elif fd.kind in ("signer", "agency"):
                    if len(nxt) > NAME_MAX or _EMAIL.search(nxt) or not nxt or \
                            parse_time(nxt)[1] is not None:
                        break
                else:
                    break
                value = f"{value} {nxt}".strip()
                cur.lines.add(j)
                j += 1
                skip_to = j
            cur.fields[fd.kind] = value
            cur.lines.add(i)
            if fd.kind == "time":
                close(cur)
                cur = None
        i = skip_to
    close(cur)
    return stamps


def choose_signature(stamps: list[Stamp], issuer: str | None) -> Stamp | None:
    """The document's own stamp: of several, the issuing body's (the closest name to
    ``issuer``), else any but a publisher's, else a publisher's."""
    from rapidfuzz import fuzz

    own = [s for s in stamps if not s.publisher and s.signed_by]
    if own:
        if issuer and len(own) > 1:
            full = fold(re.sub(r"\bUBND\b", "Ủy ban nhân dân", issuer))
            return max(own, key=lambda s: fuzz.ratio(fold(s.signed_by or ""), full))
        return own[0]
    return next((s for s in stamps if s.signed_by), None)


def as_signature(stamp: Stamp | None) -> Signature | None:
    if stamp is None:
        return None
    return Signature(signed_by=stamp.signed_by, signed_at=stamp.signed_at)
