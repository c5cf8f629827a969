"""Header metadata (contract ``metadata``): type, number/symbol, issuer, place, date,
title, signer and recipients, read from the header block, the subject line, the
signature block and ``Nơi nhận``. Every value found carries its span in ``spans``.

Works on lines, not on a fixed layout: web copies, DOCX tables, PDF columns and OCR
all reduce to "the lines before the type name" and "the lines at the end".

The header block and the issuer are read in :mod:`extractors.metadata_header`, the title
in :mod:`extractors.metadata_title`, the signature and recipients in
:mod:`extractors.metadata_signature`, the digital-signature stamps in
:mod:`extractors.metadata_stamp` and a certified copy's own block in
:mod:`extractors.metadata_copy`.

Stamp text is kept out of the header: a publisher's stamp above the header is no issuer,
and the motto printed on the issuer's row (two columns read as one line) is cut off.
E-signed PDFs get their number and day typed into signature boxes, which may land apart
from ``Số:`` and ``ngày``: a lone number in the header fills a ``Số: /CODE`` without one,
lone days and months fill a date line's blanks. A document whose date line gives no day
takes the day of its issuer's own signature stamp.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from functools import lru_cache

from extractors.casing import sentence_case
from extractors.metadata_header import (DATE_LINE, header_end, header_noise, issuer_from_code,
                                        read_issuer)
from extractors.metadata_lines import Line, doc_lines
from extractors.metadata_ocr import mend_code, mend_title
from extractors.metadata_signature import leader_signer, signer_and_recipients
from extractors.metadata_copy import find_copy
from extractors.metadata_stamp import Stamp, as_signature, choose_signature, find_stamps
from extractors.metadata_title import read_title
from pipeline.document.doctypes import by_name, lookup_abbr, type_line_re
from pipeline.document.facts import Metadata
from pipeline.document.model import Document
from pipeline.document.normalize import fold

__all__ = ["extract_metadata"]


# "Số:" opens its own line or cell (never "Nghị định số 105" in running text); OCR may
# read the accent wrongly ("Só:"). A type name may stand before it, with the colon
# ("Nghị quyết số: 101/2025/UBTVQH15", as the Standing Committee prints its number).
@lru_cache(maxsize=1)
def number_line_re() -> re.Pattern[str]:
    names = sorted({t for d in by_name().values() for t in (d.name, d.name.upper())},
                   key=len, reverse=True)
    typed = "|".join(re.escape(n[:1].upper() + n[1:]) if n.islower() else re.escape(n)
                     for n in names)
    return re.compile(r"(?:^|(?<=[\t|]))\s*(?:S[ốóồổỗộo]\s*[:.;]|SỐ\s*[:.;]"
                      rf"|(?:{typed})\s+(?:số|SỐ)\s*:)\s*(?P<rest>[^\n]*)")


_NUMBER = re.compile(
    r"^(?:(?P<num>\d{1,6}[a-zA-Z]?)|[^\s/]{1,8}|/[^\s/]{1,4}(?=/))?\s*"  # or a handwritten
    r"(?:/\s*(?P<year>(?:19|20)\d\d))?\s*/\s*"  # number's strokes ("Số: /7{/STTTT-CNTT")
    r"(?P<code>[A-ZĐa-zđ][\wĐđ&.]*(?:\s*-\s*[\wĐđ&.]+)*)"
)
_PARTY = re.compile(r"^(?P<num>\d{1,5})\s*-\s*(?P<code>[A-ZĐ][A-Za-zĐđ]*\s*/\s*[A-ZĐ][\wĐđ]*)")
_PLACE_LINE = re.compile(r"^\s*(?P<place>[^,\n|\d]{2,40}?)\s*,\s*ngày")
_PASSED = re.compile(r"thông qua ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})", re.I)
_VV = re.compile(r"^\s*(?:V/v|Về việc)\s*[:.]?\s*(?P<t>.+)", re.I)
_DOUBTFUL = re.compile(r"[^\s/]*\d[^\s/]*\s*/\s*[^\s]+")  # a garbled number, then its code
_LONE = re.compile(r"^\s*(\d{1,6})\s*$")  # a number typed into a signature box, alone
_SO_PREFIX = re.compile(r"^S[ốóồổỗộo]\s*[:.;].*?/\s*[\w&.-]+\s+(?=\S)")  # "Số: 11 /TB-UBND "


def _iso(y: str, m: str, d: str) -> str | None:
    try:
        return dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def _without_noise(lines: list[Line], cut: list[tuple[int, int]], mottos: set[str]) -> list[Line]:
    """``lines`` without those of a stamp (spans in ``cut``), and a motto printed on the
    same row as the issuer taken out (``ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI … TỈNH X Độc lập
    - Tự do - Hạnh phúc`` → ``ỦY BAN NHÂN DÂN TỈNH X``)."""
    out = []
    by_length = sorted(mottos, key=len, reverse=True)
    for ln in lines:
        if any(a <= ln.start and ln.end <= b for a, b in cut):
            continue
        text, f = ln.text, fold(ln.text)
        if len(f) == len(text) and f.strip() not in mottos:
            for m in by_length:
                at = f.find(m)
                while at >= 0:
                    text = text[:at] + " " * len(m) + text[at + len(m):]
                    f = f[:at] + " " * len(m) + f[at + len(m):]
                    at = f.find(m)
            if text != ln.text and text.strip(" |-"):
                lead = len(text) - len(text.lstrip(" |-"))
                ln = Line(re.sub(r"\s+", " ", text.strip(" |-")), ln.start + lead, ln.block)
        out.append(ln)
    return out


_VV_STOP = re.compile(r"^\s*(?:Kính\s+gửi|S[ốo]\s*[:.]|[-+•*]\s|\d+[.)]\s)", re.I)


def _vv_continuation(doc: Document, vv: Line, mottos: set[str]) -> list[Line]:
    """The lines a ``V/v`` subject wraps onto in a narrow left column (a PDF's short
    lines, ``đổi, bổ sung một số điều của``), up to ``Kính gửi``, the motto, the date
    line or a body paragraph."""
    out: list[Line] = []
    prev = vv.text
    upper = vv.text.isupper()
    for ln in doc_lines(doc, vv.block, vv.block + 8):
        if ln.start <= vv.start or len(out) >= 6:
            continue
        text = ln.text.strip()
        if not text or len(text) > 70 or _VV_STOP.match(text) or DATE_LINE.search(text) \
                or re.search(r"[.;:]$", prev.strip()) or fold(text) in mottos \
                or any(fold(text).startswith(m) for m in mottos) or type_line_re().match(text) \
                or (text.isupper() and not upper):
            break
        out.append(ln)
        prev = text
    return out


def _born_digital(doc: Document, span: tuple[int, int]) -> bool:
    """The page holding ``span`` has its own text (not OCR'd): a scan e-signed later
    was signed after its handwritten day, a born-digital document on it."""
    page = next((b.page for b in doc.blocks if b.start <= span[0] < b.end + 1), None)
    return page not in doc.ocr_pages


def _lone_numbers(lines: list[Line], so_line: Line | None) -> list[Line]:
    return [ln for ln in lines if _LONE.match(ln.text) and ln is not so_line]


def extract_metadata(doc: Document) -> Metadata:
    stamp_list = find_stamps(doc_lines(doc, 0, len(doc.blocks)))
    copy, (lo, hi) = find_copy(doc, stamp_list)
    if (lo, hi) != (0, len(doc.text)):  # a copy's own block: read the original alone
        return dataclasses.replace(_read(_clip(doc, lo, hi), stamp_list), copy_of=copy)
    return dataclasses.replace(_read(doc, stamp_list), copy_of=copy)


def _clip(doc: Document, lo: int, hi: int) -> Document:
    """``doc`` with only the blocks (or the parts of blocks) inside ``[lo, hi)``: the
    same text, so every span still points into it."""
    blocks = []
    for b in doc.blocks:
        start, end = max(b.start, lo), min(b.end, hi)
        if start < end and doc.text[start:end].strip():
            blocks.append(dataclasses.replace(b, text=doc.text[start:end], start=start, end=end))
    return dataclasses.replace(doc, blocks=tuple(blocks))


def _read(doc: Document, stamp_list: list[Stamp]) -> Metadata:
    spans: dict[str, tuple[int, int]] = {}
    h_end = header_end(doc)
    mottos, stamps = header_noise()
    cut = [sp for st in stamp_list for sp in st.lines]
    head_lines = _without_noise(doc_lines(doc, 0, h_end + 1), cut, mottos)

    # number / symbol
    number = symbol = code = None
    so_line = None
    for ln in head_lines + doc_lines(doc, h_end + 1, h_end + 6):
        m = number_line_re().search(ln.text)
        if not m:
            continue
        rest = m.group("rest").strip()
        pm = _PARTY.match(rest)
        nm = _NUMBER.match(rest)
        if pm:
            number = pm.group("num")
            code = re.sub(r"\s+", "", pm.group("code"))
            symbol = f"{number}-{code}"
        elif nm:
            code = re.sub(r"\s+", "", nm.group("code")).rstrip(".")
            if nm.group("num"):
                number = nm.group("num")
                year = f"/{nm.group('year')}" if nm.group("year") else ""
                symbol = f"{number}{year}/{code}"
        else:
            continue
        so_line = ln
        off = ln.start + m.start("rest")
        spans["symbol"] = (off, off + len(rest))
        break
    if so_line is not None and number is None and code and not _PARTY.match(code) and \
            _born_digital(doc, spans["symbol"]):
        # the number typed into a signature box landed on a line of its own
        lone = _lone_numbers(head_lines, so_line)
        if len(lone) >= 1 and int(_LONE.match(lone[0].text).group(1)) > 0:
            number = _LONE.match(lone[0].text).group(1)
            year = re.search(r"/\s*((?:19|20)\d\d)\s*/", so_line.text)
            symbol = f"{number}/{year.group(1)}/{code}" if year else f"{number}/{code}"
    if so_line is not None and number is None and code:
        # a number OCR could not read ("52ø/BCA-V01", handwritten on a scan): no number,
        # but its span, so a finding can say so and the index can check it against what
        # other documents cite with the same code and date
        raw = _DOUBTFUL.match(so_line.text[spans["symbol"][0] - so_line.start:])
        if raw:
            s0 = spans["symbol"][0]
            spans["number_doubtful"] = (s0, s0 + len(raw.group(0).rstrip(".;, ")))

    # place and date
    place = date = None
    for ln in head_lines + doc_lines(doc, h_end + 1, h_end + 4):
        m = DATE_LINE.search(ln.text)
        if not m:  # the day/month unreadable (handwritten on a scan): keep the place
            pm = _PLACE_LINE.match(ln.text)
            if pm and pm.group("place")[0].isupper():
                place = pm.group("place").strip()
                spans["date"] = (ln.start, ln.end)
                break
            continue
        if m:
            place = re.sub(r"^(?:\|\s*)", "", m.group("place")).strip()
            place = _SO_PREFIX.sub("", place)  # "Số: 507 /UBND-KGVX Quảng Ngãi" on one row
            d, mo = m.group("d").replace(" ", ""), m.group("m").replace(" ", "")
            if not d or not mo:  # the day (and month) typed into signature boxes, alone
                lone = [x.text.strip() for x in _lone_numbers(head_lines, so_line)
                        if x.start != (so_line.start if so_line else -1)]
                if number and lone and lone[0] == number:
                    lone = lone[1:]
                if not d and lone:
                    d, lone = lone[0], lone[1:]
                if not mo and lone:
                    mo = lone[0]
            date = _iso(m.group("y"), mo, d) if d and mo else None
            spans["date"] = (ln.start + m.start(), ln.start + m.end())
            break

    # type
    doc_type = None
    type_block = None
    if h_end < len(doc.blocks) and type_line_re().match(doc.blocks[h_end].text):
        type_block = h_end
        name = re.sub(r"\s*:?\s*$", "", doc.blocks[h_end].text).lower()
        t = by_name().get(name)
        doc_type = t.abbr if t else None
        spans["doc_type"] = (doc.blocks[h_end].start, doc.blocks[h_end].end)
    if doc_type is None and code:
        first = re.split(r"[-/]", code)[0]
        t = lookup_abbr(first)
        if t is None and "-" in code:  # normative "2023/NĐ-CP": code is "NĐ-CP"
            t = lookup_abbr(code.split("-")[0])
        doc_type = t.abbr if t else None
        if doc_type is None and re.match(r"^QH\d+$", code):
            doc_type = "Luật"
    if symbol and code and type_block is not None and doc_type and \
            lookup_abbr(re.split(r"[-/]", code)[0]) is None and \
            not _born_digital(doc, spans["symbol"]):  # OCR'd "TTIr" under "TỜ TRÌNH"
        symbol = mend_code(symbol, doc_type)
    vv_line = next((ln for ln in head_lines + doc_lines(doc, h_end, h_end + 4)
                    if _VV.match(ln.text)), None)
    if doc_type is None and (vv_line or code):
        doc_type = "CV"

    # issuer
    issuer, parent = read_issuer(head_lines, so_line, mottos, stamps)
    if issuer is None and code:
        issuer = issuer_from_code(code)
    elif issuer and code and issuer_from_code(code) and \
            fold(issuer).replace(" ", "") == fold(issuer_from_code(code)).replace(" ", ""):
        issuer = issuer_from_code(code)  # OCR glued two words: "Thủ tướng Chínhphủ"
    if issuer is None and doc_type in ("Luật", "Bộ luật", "Pháp lệnh"):
        issuer = "Quốc hội" if doc_type != "Pháp lệnh" else "Ủy ban Thường vụ Quốc hội"

    # title
    title = None
    if type_block is not None:
        title, tspan = read_title(doc, type_block + 1, issuer)
        if tspan:
            spans["title"] = tspan
    elif vv_line is not None:
        m = _VV.match(vv_line.text)
        parts = [m.group("t").strip()]
        end = vv_line.end
        for ln in _vv_continuation(doc, vv_line, mottos):
            parts.append(ln.text.strip())
            end = ln.end
        title = " ".join(parts)
        spans["title"] = (vv_line.start + m.start("t"), end)
    if title and "title" in spans and not _born_digital(doc, spans["title"]):
        title = mend_title(title, doc.text)  # OCR'd: its words as the body spells them
    if title:
        title = sentence_case(title).rstrip(" .;")
        title = title[:1].upper() + title[1:]

    if date is None and doc_type in ("Luật", "Bộ luật", "Pháp lệnh"):
        m = _PASSED.search(doc.text)
        if m:
            date = _iso(m.group(3), m.group(2), m.group(1))
            spans["date"] = (m.start(), m.end())

    signer, recipients = signer_and_recipients(doc, spans)
    signer = leader_signer(signer, symbol, issuer)
    stamp = choose_signature(stamp_list, issuer)
    if stamp is not None:
        spans["signature"] = (stamp.start, stamp.end)
        if date is None and not stamp.publisher and stamp.signed_at and \
                _born_digital(doc, spans.get("date", (stamp.start, stamp.end))):
            # no date line gives the day: the issuer's own signing day, if its year agrees
            y = re.search(r"(19|20)\d\d", doc.text[slice(*spans["date"])]) \
                if "date" in spans else None
            if y is None or y.group() == stamp.signed_at[:4]:
                date = stamp.signed_at[:10]
    return Metadata(doc_type=doc_type, number=number, symbol=symbol, issuer=issuer,
                    issuer_parent=parent, place=place, date=date, title=title, signer=signer,
                    signature=as_signature(stamp), recipients=tuple(recipients), spans=spans)
