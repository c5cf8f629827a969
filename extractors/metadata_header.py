"""The header block: where it ends (the type name), its noise (mottos, stamps), the
date line's shape, and the issuer (the capital lines above ``Số:``, else the symbol's
last code)."""
from __future__ import annotations

import re
from functools import lru_cache

from extractors.casing import agency_case, head_of
from extractors.metadata_lines import Line
from extractors.owners_data import localities
from extractors.vocab import table
from pipeline.document.doctypes import type_line_re
from pipeline.document.model import Document
from pipeline.document.normalize import fold, is_upper_text

__all__ = ["DATE_LINE", "header_end", "header_noise", "issuer_from_code", "place_accents",
           "read_issuer"]


DATE_LINE = re.compile(
    r"(?P<place>[A-ZĐÀ-Ỹ][^,\n|]{1,40}?)\s*,\s*ngày\s*(?P<d>[\d ]{0,5}?)\s*tháng\s*"
    r"(?P<m>[\d ]{0,5}?)\s*năm\s*(?P<y>\d{4})", re.I)


@lru_cache(maxsize=1)
def header_noise() -> tuple[set[str], set[str]]:
    t = table("header.tsv")
    return {fold(x) for x in t["motto"]}, {fold(x) for x in t["stamp"]}


def header_end(doc: Document) -> int:
    """Index of the block holding the type name (or the first body paragraph)."""
    rx = type_line_re()
    for i, b in enumerate(doc.blocks[:40]):
        if b.kind != "table_cell" and rx.match(b.text):
            return i
        if i > 2 and b.kind != "table_cell" and len(b.text) > 160 and not is_upper_text(b.text):
            return i
    return min(len(doc.blocks), 15)


def _clean(line: str) -> str:
    line = re.sub(r"[-_=–—]{3,}", " ", line)
    line = re.sub(r"[_.…]*[_…][_.…]*$|[_.]{3,}", " ", line)  # the rule under a column, read
    # as dots ("PHÚ THỌ_.........")
    line = re.sub(r"\b(UBND)(?=(?:TỈNH|THÀNH|HUYỆN|QUẬN|THỊ|XÃ|PHƯỜNG)\b)", r"\1 ", line)  # OCR
    return re.sub(r"\s+", " ", line).strip()


def _squeeze(folded: str) -> str:
    """A folded word with doubled letters made single (OCR's ``NGAÀI`` → ``ngai``)."""
    return re.sub(r"(.)\1+", r"\1", folded)


def place_accents(text: str) -> str:
    """An issuer line whose place OCR read without its accents (``TINH QUANG NGAI``,
    ``TỈNH PHỦ THỌ Lì``) written as the list of provinces writes it (``TỈNH QUẢNG
    NGÃI``): a province name after a unit word (header.tsv ``unit``), matched accent-
    and case-insensitively, the unit word given its accents too; a stray word of one or
    two letters after the name (a speck at the column's edge) dropped. Other lines as
    they are."""
    toks = text.split()
    folded = [_squeeze(fold(t).strip(",.;:")) for t in toks]
    units = {tuple(_squeeze(w) for w in fold(u).split()): u for u in table("header.tsv")["unit"]}
    for lf, name in localities():
        key = [_squeeze(w) for w in lf.replace("-", " ").split()]
        n = len(key)
        for i in range(1, len(toks) - n + 1):
            if folded[i:i + n] != key:
                continue
            unit = next(((k, u) for k, u in units.items()
                         if len(k) <= i and tuple(folded[i - len(k):i]) == k), None)
            if unit is None:
                continue
            k, u = unit
            upper = is_upper_text(" ".join(toks[i - len(k):i + n]))
            printed = " ".join(toks[i:i + n])
            if any(printed.lower() == other.lower() for f, other in localities() if f == lf):
                name = printed  # a spelling of the list already (Đắk Lắk, Đăk Lăk): kept
            place = f"{u} {name}"
            if upper:
                place = place.upper()
            tail = toks[i + n:]
            if len(tail) == 1 and sum(map(str.isalpha, tail[0])) <= 2 and \
                    fold(tail[0]).strip(",") not in ("va", "cua", "-"):  # "TỈNH A VÀ" / "TỈNH B"
                tail = []
            return " ".join(toks[:i - len(k)] + place.split() + tail)
    return text


def read_issuer(lines: list[Line], so_line: Line | None, mottos: set[str],
            stamps: set[str]) -> tuple[str | None, str | None]:
    cands: list[str] = []
    for ln in lines:
        if so_line is not None and ln.start >= so_line.start:
            break
        text = _clean(ln.text)
        # a "Số:" inside a left-column line: keep what precedes it
        text = re.split(r"(?<!\w)Số\s*[:.]", text)[0].strip()
        f = fold(text)
        squeezed = f.replace(" ", "")  # OCR reads "SAO Y" as "SAOY"
        if not text or f in mottos or f in stamps or squeezed in {x.replace(" ", "") for x in stamps} \
                or any(f.startswith(s + ":") for s in stamps):
            continue
        if any(f.startswith(mo) for mo in mottos):
            continue
        if DATE_LINE.search(text) or not is_upper_text(text) or type_line_re().match(text):
            continue
        if sum(map(str.isalpha, text)) < 3:
            continue  # OCR specks ("LÌ", "\\ <3 /> JJ") at a column's edge
        cands.append(place_accents(text))
    if not cands:
        return None, None
    groups: list[str] = [cands[0]]
    localities = {fold(w) for w in table("header.tsv")["locality"]}
    for text in cands[1:]:
        first2 = fold(" ".join(text.split(" ")[:2]))
        first1 = fold(text.split(" ")[0])
        continues = (first1 in localities or first2 in localities or head_of(text, loose=True) is None
                     or re.search(r"(,|-|VÀ|CỦA)$", groups[-1])
                     # "ỦY BAN THƯỜNG VỤ / QUỐC HỘI": one name on two lines
                     or fold(f"{groups[-1]} {text}") in _known_issuers())
        if continues:
            groups[-1] = f"{groups[-1]} {text}"
        else:
            groups.append(text)
    issuer = _hdnd(agency_case(groups[-1]))
    parent = _hdnd(agency_case(groups[-2])) if len(groups) > 1 else None
    if parent:
        m = re.search(r"\b(tỉnh|thành phố|huyện|quận|thị xã|xã|phường)\s+[A-ZĐ].*$", parent)
        if m and not re.search(r"\b(tỉnh|thành phố|huyện|quận|thị xã|xã|phường)\b", issuer):
            issuer = f"{issuer} {m.group(0)}"
    return issuer, parent


def _hdnd(name: str) -> str:
    """"Hội đồng nhân dân tỉnh X" written "HĐND tỉnh X", as "UBND tỉnh X" is."""
    return re.sub(r"(?i)\bHội đồng nhân dân\b", "HĐND", name)


@lru_cache(maxsize=1)
def _known_issuers() -> frozenset[str]:
    """The full names of the issuer codes (``issuer_codes.tsv``), folded."""
    return frozenset(fold(v) for v in _issuer_codes().values())


@lru_cache(maxsize=1)
def _issuer_codes() -> dict[str, str]:
    return {fold(k).upper(): v[0] for k, v in table("issuer_codes.tsv").items()}


def issuer_from_code(code: str) -> str | None:
    """``QĐ-TTg`` → Thủ tướng Chính phủ, used only when the header names no issuer."""
    last = re.split(r"[-/]", code)[-1]
    return _issuer_codes().get(fold(last).upper())
