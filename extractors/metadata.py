"""Header metadata (contract ``metadata``): type, number/symbol, issuer, place, date,
title, signer and recipients, read from the header block, the subject line, the
signature block and ``Nơi nhận``. Every value found carries its span in ``spans``.

Works on lines, not on a fixed layout: web copies, DOCX tables, PDF columns and OCR
all reduce to "the lines before the type name" and "the lines at the end".

The header block and the issuer are read in :mod:`extractors.metadata_header`, the title
in :mod:`extractors.metadata_title`, the signature and recipients in
:mod:`extractors.metadata_signature`.
"""
from __future__ import annotations

import datetime as dt
import re

from extractors.casing import sentence_case
from extractors.metadata_header import (DATE_LINE, header_end, header_noise, issuer_from_code,
                                        read_issuer)
from extractors.metadata_lines import doc_lines
from extractors.metadata_signature import signer_and_recipients
from extractors.metadata_title import read_title
from pipeline.document.doctypes import by_name, lookup_abbr, type_line_re
from pipeline.document.facts import Metadata
from pipeline.document.model import Document

__all__ = ["extract_metadata"]


# "Số:" opens its own line or cell (never "Nghị định số 105" in running text); OCR may
# read the accent wrongly ("Só:").
_SO = re.compile(r"(?:^|(?<=[\t|]))\s*(?:S[ốóồổỗộo]|SỐ)\s*[:.;]\s*(?P<rest>[^\n]*)")
_NUMBER = re.compile(
    r"^(?:(?P<num>\d{1,6}[a-zA-Z]?)|[^\s/]{1,8})?\s*(?:/\s*(?P<year>(?:19|20)\d\d))?\s*/\s*"
    r"(?P<code>[A-ZĐa-zđ][\wĐđ&.]*(?:\s*-\s*[\wĐđ&.]+)*)"
)
_PARTY = re.compile(r"^(?P<num>\d{1,5})\s*-\s*(?P<code>[A-ZĐ][A-Za-zĐđ]*\s*/\s*[A-ZĐ][\wĐđ]*)")
_PLACE_LINE = re.compile(r"^\s*(?P<place>[^,\n|\d]{2,40}?)\s*,\s*ngày")
_PASSED = re.compile(r"thông qua ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})", re.I)
_VV = re.compile(r"^\s*(?:V/v|Về việc)\s*[:.]?\s*(?P<t>.+)", re.I)


def _iso(y: str, m: str, d: str) -> str | None:
    try:
        return dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def extract_metadata(doc: Document) -> Metadata:
    spans: dict[str, tuple[int, int]] = {}
    h_end = header_end(doc)
    head_lines = doc_lines(doc, 0, h_end + 1)
    mottos, stamps = header_noise()

    # number / symbol
    number = symbol = code = None
    so_line = None
    for ln in head_lines + doc_lines(doc, h_end + 1, h_end + 6):
        m = _SO.search(ln.text)
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
            d, mo = m.group("d").replace(" ", ""), m.group("m").replace(" ", "")
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
    vv_line = next((ln for ln in head_lines + doc_lines(doc, h_end, h_end + 4)
                    if _VV.match(ln.text)), None)
    if doc_type is None and (vv_line or code):
        doc_type = "CV"

    # issuer
    issuer, parent = read_issuer(head_lines, so_line, mottos, stamps)
    if issuer is None and code:
        issuer = issuer_from_code(code)
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
        nxt = doc.blocks[vv_line.block + 1] if vv_line.block + 1 < len(doc.blocks) else None
        title = " ".join(parts)
        spans["title"] = (vv_line.start + m.start("t"), vv_line.end)
        del nxt
    if title:
        title = sentence_case(title).rstrip(" .;")
        title = title[:1].upper() + title[1:]

    if date is None and doc_type in ("Luật", "Bộ luật", "Pháp lệnh"):
        m = _PASSED.search(doc.text)
        if m:
            date = _iso(m.group(3), m.group(2), m.group(1))
            spans["date"] = (m.start(), m.end())

    signer, recipients = signer_and_recipients(doc, spans)
    return Metadata(doc_type=doc_type, number=number, symbol=symbol, issuer=issuer,
                    issuer_parent=parent, place=place, date=date, title=title, signer=signer,
                    recipients=tuple(recipients), spans=spans)
