"""A certified copy (contract ``metadata.copy_of``): the copying office's own block.

Decree 30/2020 gives a copy (``SAO Y``, ``SAO Y BẢN CHÍNH``, ``SAO LỤC``, ``TRÍCH SAO``) a
block of its own: the copying office, the form, ``Số: 12/SY-VP``, ``Hà Nội, ngày …``, a
``Nơi nhận`` and a signature; no motto. It is printed on a page before the original or
under the original's last page. An electronic copy carries the form in its
signature stamp instead (``SAO Y`` / ``Bộ Công an`` / ``Thời gian ký: …``).

:func:`find_copy` returns the copy's facts and the span of text that holds the
original, so that the header, the signer and the recipients are the original's.
"""
from __future__ import annotations

import datetime as dt
import re

from extractors.metadata_header import DATE_LINE, header_noise, read_issuer
from extractors.metadata_lines import Line, doc_lines
from extractors.metadata_stamp import Stamp, copy_kind
from extractors.vocab import table
from pipeline.document.facts import CopyOf
from pipeline.document.model import Document
from pipeline.document.normalize import fold, is_upper_text

__all__ = ["find_copy"]

_SO = re.compile(r"^\s*S[ốóo]\s*[:.]\s*(?P<sym>\d[\w./-]*(?:\s*/\s*[\w.&-]+)*)", re.I)
_LOCALITY = re.compile(r"\b(?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường)\s+\S.*$")
NEAR = 6  # lines after the form within which its number and date are printed


def _is_motto(text: str, mottos: set[str]) -> bool:
    f = fold(text).strip(" |-")
    return bool(f) and any(f == m or f.startswith(m) for m in mottos)


def _office(lines: list[Line]) -> str | None:
    """The copying office from the capital lines above the form: a unit under its
    parent is named with it (``VĂN PHÒNG`` under ``UBND TỈNH X`` → ``Văn phòng UBND
    tỉnh X``)."""
    mottos, stamps = header_noise()
    issuer, parent = read_issuer(lines, None, mottos, stamps)
    if issuer and parent:
        loc = _LOCALITY.search(parent)
        unit = issuer[:len(issuer) - len(loc.group(0))].strip() if loc and \
            issuer.endswith(loc.group(0)) else issuer
        issuer = f"{unit} {parent}"
    for abbr in (h for h in table("header.tsv")["head"] if h.isupper()):  # "Văn phòng UBND …"
        issuer = re.sub(rf"\b{re.escape(abbr.capitalize())}\b", abbr, issuer or "") or None
    return issuer


def _iso(m: re.Match) -> str | None:
    try:
        return dt.date(int(m.group("y")), int(m.group("m").replace(" ", "")),
                       int(m.group("d").replace(" ", ""))).isoformat()
    except ValueError:
        return None


def find_copy(doc: Document, stamps: list[Stamp]) -> tuple[CopyOf | None, tuple[int, int]]:
    """The certified copy's facts (None for an original) and the span ``[start, end)``
    of the text that holds the original."""
    whole = (0, len(doc.text))
    lines = doc_lines(doc, 0, len(doc.blocks))
    mottos, _ = header_noise()
    in_stamp = {sp for st in stamps for sp in st.lines}
    for i, ln in enumerate(lines):
        kind = copy_kind(ln.text)
        if kind is None or (ln.start, ln.end) in in_stamp:
            continue
        number = date = None
        for nxt in lines[i + 1:i + 1 + NEAR]:
            m = _SO.match(nxt.text)
            if m and number is None:
                number = re.sub(r"\s+", "", m.group("sym"))
            d = DATE_LINE.search(nxt.text)
            if d and date is None:
                date = _iso(d)
        if number is None and date is None:
            continue  # a form word alone ("SAO Y" stamped on a page) is not the block
        above = []
        for prev in reversed(lines[max(0, i - 3):i]):
            if not is_upper_text(prev.text) or _is_motto(prev.text, mottos):
                break
            above.insert(0, prev)
        first = above[0].start if above else ln.start
        copy = CopyOf(kind=kind, issuer=_office(above) if above else None,
                      number=number, date=date)
        motto = next((j for j in range(i + 1, len(lines)) if _is_motto(lines[j].text, mottos)),
                     None)
        before = [j for j in range(i) if _is_motto(lines[j].text, mottos)]
        if motto is not None and not before:
            # the copy's page comes first: the original starts with the capital lines
            # (its issuer, its "Số:") just above its motto
            j = motto
            while j - 1 > i and (is_upper_text(lines[j - 1].text) or _SO.match(lines[j - 1].text)
                                 or not any(c.isalpha() for c in lines[j - 1].text)):
                j -= 1
            return copy, (lines[j].start, len(doc.text))
        return copy, (0, first)
    e_copy = next((s for s in stamps if s.copy), None)
    if e_copy is not None:
        return CopyOf(kind=e_copy.copy, issuer=e_copy.signed_by, number=None,
                      date=e_copy.signed_at[:10] if e_copy.signed_at else None), whole
    return None, whole
