"""Header metadata (contract ``metadata``): type, number/symbol, issuer, place, date,
title, signer and recipients, read from the header block, the subject line, the
signature block and ``Nơi nhận``. Every value found carries its span in ``spans``.

Works on lines, not on a fixed layout: web copies, DOCX tables, PDF columns and OCR
all reduce to "the lines before the type name" and "the lines at the end".
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from extractors.casing import agency_case, head_of, sentence_case
from extractors.vocab import table
from pipeline.document.facts import Metadata, Signer
from pipeline.document.doctypes import by_name, lookup_abbr, type_line_re
from pipeline.document.model import Document
from pipeline.document.normalize import fold, is_title_word, is_upper_text
from pipeline.document.outline import label_at
from pipeline.document.paragraphs import is_rule


@dataclass(frozen=True)
class Line:
    text: str
    start: int
    block: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def _lines(doc: Document, first: int, last: int) -> list[Line]:
    out = []
    for i in range(max(first, 0), min(last, len(doc.blocks))):
        b = doc.blocks[i]
        pos = b.start
        for ln in b.text.split("\n"):
            cpos = pos
            for cell in ln.split("\t"):  # a tab separates two columns of one line
                out.append(Line(cell, cpos, i))
                cpos += len(cell) + 1
            pos += len(ln) + 1
    return out


# "Số:" opens its own line or cell (never "Nghị định số 105" in running text); OCR may
# read the accent wrongly ("Só:").
_SO = re.compile(r"(?:^|(?<=[\t|]))\s*(?:S[ốóồổỗộo]|SỐ)\s*[:.;]\s*(?P<rest>[^\n]*)")
_NUMBER = re.compile(
    r"^(?:(?P<num>\d{1,6}[a-zA-Z]?)|[^\s/]{1,8})?\s*(?:/\s*(?P<year>(?:19|20)\d\d))?\s*/\s*"
    r"(?P<code>[A-ZĐa-zđ][\wĐđ&.]*(?:\s*-\s*[\wĐđ&.]+)*)"
)
_PARTY = re.compile(r"^(?P<num>\d{1,5})\s*-\s*(?P<code>[A-ZĐ][A-Za-zĐđ]*\s*/\s*[A-ZĐ][\wĐđ]*)")
_DATE_LINE = re.compile(
    r"(?P<place>[A-ZĐÀ-Ỹ][^,\n|]{1,40}?)\s*,\s*ngày\s*(?P<d>[\d ]{0,5}?)\s*tháng\s*"
    r"(?P<m>[\d ]{0,5}?)\s*năm\s*(?P<y>\d{4})", re.I)
_PLACE_LINE = re.compile(r"^\s*(?P<place>[^,\n|\d]{2,40}?)\s*,\s*ngày")
_PASSED = re.compile(r"thông qua ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})", re.I)
_VV = re.compile(r"^\s*(?:V/v|Về việc)\s*[:.]?\s*(?P<t>.+)", re.I)
_BODY_OPENERS = re.compile(
    r"^(Căn cứ|Thực hiện|Kính gửi|Theo|Xét|Để|Trên cơ sở|Nhằm|Sau khi|Ngày|Hiện nay|Trong|"
    r"Năm|Qua|Triển khai|Tiếp theo|Quốc hội ban hành|Chính phủ ban hành)\b")


def _iso(y: str, m: str, d: str) -> str | None:
    try:
        return dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


@lru_cache(maxsize=1)
def _noise() -> tuple[set[str], set[str]]:
    t = table("header.tsv")
    return {fold(x) for x in t["motto"]}, {fold(x) for x in t["stamp"]}


def _header_end(doc: Document) -> int:
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
    return re.sub(r"\s+", " ", line).strip()


def extract_metadata(doc: Document) -> Metadata:
    spans: dict[str, tuple[int, int]] = {}
    h_end = _header_end(doc)
    head_lines = _lines(doc, 0, h_end + 1)
    mottos, stamps = _noise()

    # number / symbol
    number = symbol = code = None
    so_line = None
    for ln in head_lines + _lines(doc, h_end + 1, h_end + 6):
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
    for ln in head_lines + _lines(doc, h_end + 1, h_end + 4):
        m = _DATE_LINE.search(ln.text)
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
    vv_line = next((ln for ln in head_lines + _lines(doc, h_end, h_end + 4)
                    if _VV.match(ln.text)), None)
    if doc_type is None and (vv_line or code):
        doc_type = "CV"

    # issuer
    issuer, parent = _issuer(head_lines, so_line, mottos, stamps)
    if issuer is None and code:
        issuer = _issuer_from_code(code)
    if issuer is None and doc_type in ("Luật", "Bộ luật", "Pháp lệnh"):
        issuer = "Quốc hội" if doc_type != "Pháp lệnh" else "Ủy ban Thường vụ Quốc hội"

    # title
    title = None
    if type_block is not None:
        title, tspan = _title(doc, type_block + 1, issuer)
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

    signer, recipients = _closing(doc, spans)
    return Metadata(doc_type=doc_type, number=number, symbol=symbol, issuer=issuer,
                    issuer_parent=parent, place=place, date=date, title=title, signer=signer,
                    recipients=tuple(recipients), spans=spans)


# --- issuer ---------------------------------------------------------------------------

def _issuer(lines: list[Line], so_line: Line | None, mottos: set[str],
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
        if _DATE_LINE.search(text) or not is_upper_text(text) or type_line_re().match(text):
            continue
        cands.append(text)
    if not cands:
        return None, None
    groups: list[str] = [cands[0]]
    localities = {fold(w) for w in table("header.tsv")["locality"]}
    for text in cands[1:]:
        first2 = fold(" ".join(text.split(" ")[:2]))
        first1 = fold(text.split(" ")[0])
        continues = (first1 in localities or first2 in localities or head_of(text, loose=True) is None
                     or re.search(r"(,|-|VÀ|CỦA)$", groups[-1]))
        if continues:
            groups[-1] = f"{groups[-1]} {text}"
        else:
            groups.append(text)
    issuer = agency_case(groups[-1])
    parent = agency_case(groups[-2]) if len(groups) > 1 else None
    if parent:
        m = re.search(r"\b(tỉnh|thành phố|huyện|quận|thị xã|xã|phường)\s+[A-ZĐ].*$", parent)
        if m and not re.search(r"\b(tỉnh|thành phố|huyện|quận|thị xã|xã|phường)\b", issuer):
            issuer = f"{issuer} {m.group(0)}"
    return issuer, parent


@lru_cache(maxsize=1)
def _issuer_codes() -> dict[str, str]:
    return {fold(k).upper(): v[0] for k, v in table("issuer_codes.tsv").items()}


def _issuer_from_code(code: str) -> str | None:
    """``QĐ-TTg`` → Thủ tướng Chính phủ, used only when the header names no issuer."""
    last = re.split(r"[-/]", code)[-1]
    return _issuer_codes().get(fold(last).upper())


# --- title ----------------------------------------------------------------------------

def _title(doc: Document, first: int, issuer: str | None) -> tuple[str | None, tuple[int, int] | None]:
    parts: list[str] = []
    start = end = None
    caps = None
    for i in range(first, min(first + 6, len(doc.blocks))):
        b = doc.blocks[i]
        text = b.text.replace("\n", " ").strip()
        if is_rule(text):
            if parts:
                break
            continue
        if _BODY_OPENERS.match(text) or type_line_re().match(text) or label_at(text):
            break
        up = is_upper_text(text)
        if parts:
            if up != caps or re.search(r"[.;:]$", parts[-1]) or len(text) > 300:
                break
            if head_of(text) or _position_of(text) or text.endswith(":"):
                break  # the issuer repeated above a preamble, or an addressee line
        elif len(text) > 400:
            break
        caps = up
        parts.append(text)
        start = b.start if start is None else start
        end = b.end
    if not parts:
        return None, None
    return " ".join(parts), (start, end)


# --- signature and recipients -----------------------------------------------------------

@lru_cache(maxsize=1)
def _positions() -> list[tuple[str, str]]:
    return sorted(((fold(p), p) for p in table("signature.tsv")["position"]),
                  key=lambda x: -len(x[0]))


def _position_of(text: str) -> str | None:
    f = fold(text).strip(" .,")
    for key, pos in _positions():
        if f == key:
            return pos
    return None


_MARKER = re.compile(r"(?<![\w.])(TM|KT|TL|TUQ|Q|PP)\s*\.\s*")
class _NameToken:
    """A person-name syllable: capital then lower case (regex classes like [À-Ỹ] would
    also admit lower-case Vietnamese letters)."""

    @staticmethod
    def match(word: str) -> bool:
        return is_title_word(word)


_NAME_TOKEN = _NameToken()


def _split_caps_name(text: str) -> tuple[str, str]:
    """``THỦ TƯỚNG Nguyễn Xuân Phúc`` → (``THỦ TƯỚNG``, ``Nguyễn Xuân Phúc``)."""
    toks = text.split(" ")
    for k in range(1, len(toks)):
        if all(_NAME_TOKEN.match(t) for t in toks[k:]) and is_upper_text(" ".join(toks[:k])) \
                and 2 <= len(toks) - k <= 5:
            return " ".join(toks[:k]), " ".join(toks[k:])
    return text, ""


def _is_name(text: str) -> bool:
    toks = text.split(" ")
    ranks = {fold(r) for r in table("signature.tsv")["rank"]}
    while toks and fold(" ".join(toks[:2])) in ranks:
        toks = toks[2:]
    while toks and fold(toks[0]) in ranks:
        toks = toks[1:]
    return 2 <= len(toks) <= 5 and all(_NAME_TOKEN.match(t) for t in toks) \
        and head_of(" ".join(toks)) is None


def _strip_rank(text: str) -> str:
    ranks = sorted((fold(r) for r in table("signature.tsv")["rank"]), key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for r in ranks:
            if fold(text).startswith(r + " "):
                text = text[len(r) + 1:]
                changed = True
    return text


def _starts_with_position(text: str) -> bool:
    f = fold(text)
    return any(f == k or f.startswith(k + " ") for k, _ in _positions())


def _split_position(body: str) -> tuple[str, str | None]:
    """``ỦY BAN NHÂN DÂN CHỦ TỊCH`` → (``ỦY BAN NHÂN DÂN``, ``Chủ tịch``)."""
    fb = fold(body)
    for key, pos in _positions():
        if fb.endswith(key) and (len(fb) == len(key) or fb[-len(key) - 1] in " ,"):
            return body[: len(body) - len(key)].strip(" ,"), pos
    return body, None


def _split_cells(ln: Line) -> list[Line]:
    """A one-line table row (``Nơi nhận: ... | THỦ TƯỚNG Nguyễn Xuân Phúc``) split at bars."""
    out, pos = [], ln.start
    for part in ln.text.split("|"):
        stripped = part.strip()
        if stripped:
            out.append(Line(stripped, pos + part.index(stripped), ln.block))
        pos += len(part) + 1
    return out


def _is_noise(text: str) -> bool:
    """A line of OCR noise: few letters, or mostly not Vietnamese syllables."""
    from pipeline.readers.encoding import is_vietnamese_syllable

    words = re.findall(r"[^\W\d_]+", text)
    if sum(len(w) for w in words) < 4:
        return True
    good = sum(1 for w in words if is_vietnamese_syllable(w.lower()))
    return good / len(words) < 0.6


def _is_signature_line(text: str) -> bool:
    t = text.strip()
    return bool(is_upper_text(t) or _MARKER.match(t) or _is_name(t)
                or re.match(r"^\(?(Đã ký|Chữ ký)", t))


def _case_role(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ,.")
    pos = _position_of(text)
    if pos:
        return pos
    return agency_case(text, abbreviate_ubnd=False)


_RECIP_PURPOSE = re.compile(
    r"\s*\((?:(?:để|đê|đề|de)\b[^)]*|(?:b/c|t/h|p/h|th|ph|b/cáo|th/hiện|ph/hợp|t/d|c/đ)[^)]{0,10})\)",
    re.I)


def _closing(doc: Document, spans: dict) -> tuple[Signer, list[str]]:
    """Recipients and signer. The first ``Nơi nhận`` anchors both (a decision may be
    followed by the plan it issues, a circular by its appendices); without one, the
    signature is looked for at the end."""
    n = len(doc.blocks)
    nb = next((i for i, b in enumerate(doc.blocks)
               if re.search(r"(^|\n)\W*Nơi\s*nhận\s*:?", b.text, re.I)), None)
    lines = _lines(doc, nb - 12, nb + 45) if nb is not None else _lines(doc, n - 40, n)
    recipients: list[str] = []
    ni = next((k for k, ln in enumerate(lines)
               if re.match(r"^\W*Nơi\s*nhận\s*:?", ln.text, re.I)), None)
    if ni is None:  # the heading unreadable (OCR): the items just above "- Lưu:"
        lu = next((k for k in range(len(lines) - 1, -1, -1)
                   if re.match(r"^[-–+•]\s*Lưu\s*:", lines[k].text)), None)
        if lu is not None:
            k = lu
            while k > 0 and re.match(r"^[-–+•]\s", lines[k - 1].text):
                k -= 1
            if lu - k >= 2:
                ni = k - 1 if k > 0 else None
                if ni is not None and re.match(r"^[-–+•]\s", lines[ni].text):
                    ni = None
    if ni is not None:
        m = re.match(r"^\W*(?:Nơi\s*nhận\s*:?\s*)?", lines[ni].text, re.I)
        tail = lines[ni].text[m.end():]
        rec_lines = ([tail] if tail else []) + [ln.text for ln in lines[ni + 1:ni + 60]]
        items: list[str] = []
        for raw in rec_lines:
            raw = raw.strip()
            if not raw:
                continue
            pieces = re.split(r"[;.,]\s*[-–+•]\s+", raw)
            first = pieces[0]
            if re.match(r"^[-–+•]\s", first) or not items and not _is_signature_line(first):
                items.append(re.sub(r"^[-–+•]\s*", "", first))
            elif _is_signature_line(first):
                continue  # the signature column interleaved with the list
            elif items and not items[-1].rstrip().endswith(";"):
                items[-1] += " " + first
            else:
                continue
            items.extend(pieces[1:])
            if re.match(r"^\W*Lưu\b", items[-1]):
                break
        for it in items:
            it = it.strip()
            if re.match(r"^Lưu\b", it):
                break
            it = _RECIP_PURPOSE.sub("", it).strip().rstrip(";.,").strip()
            if it:
                recipients.append(it)
        spans["recipients"] = (lines[ni].start, lines[min(ni + len(items), len(lines) - 1)].end)

    # signature: the last marker or position line, the capitals after it, then a name
    sig_lines = [ln2 for ln in lines for ln2 in _split_cells(ln)]
    idx = None
    for k in range(len(sig_lines) - 1, -1, -1):
        t = sig_lines[k].text.strip()
        if _MARKER.match(t) and is_upper_text(t):
            idx = k
            # walk up while the line above is another marker/caps authority line
            while idx > 0 and _MARKER.match(sig_lines[idx - 1].text.strip()) \
                    and is_upper_text(sig_lines[idx - 1].text):
                idx -= 1
            break
    if idx is None:
        for k in range(len(sig_lines) - 1, -1, -1):
            caps, _name = _split_caps_name(sig_lines[k].text.strip())
            if _position_of(caps):
                idx = k
                break
    if idx is None:
        return Signer(), recipients
    caps: list[str] = []
    name = None
    name_line = None
    skipped = 0
    for ln in sig_lines[idx: idx + 14]:
        t = re.sub(r"^\(?(Đã ký|đã ký|Chữ ký[^)]*)\)?\s*", "", ln.text.strip())
        if not t or re.match(r"^[-–+•]\s|^Lưu\b|^Nơi\s*nhận", t):
            continue  # the recipients column interleaved with the signature
        head, nm = _split_caps_name(t)
        if nm:
            caps.append(head)
            name, name_line = _strip_rank(nm), ln
            break
        if is_upper_text(t) or _MARKER.match(t):
            if caps and not _MARKER.match(t) and _MARKER.match(caps[-1]) \
                    and not _starts_with_position(t):
                caps[-1] += " " + t  # "TM. ỦY BAN NHÂN" / "DÂN"
            else:
                caps.append(t)
            continue
        if _is_name(t):
            name, name_line = _strip_rank(t), ln
        elif caps and skipped < 4 and _is_noise(t):
            skipped += 1  # seal or signature strokes read by OCR
            continue
        elif len(t) <= 60:  # where the rules stop: underthesea's NER for a person name
            from extractors.nlp import person_names

            found = person_names(t)
            if found and len(found[0].split()) >= 2:
                name, name_line = _strip_rank(found[0]), ln
        break
    markers = [c for c in caps if _MARKER.match(c)]
    rest = [c for c in caps if not _MARKER.match(c)]
    authority = position = None
    if markers:
        last = markers[-1]
        m = _MARKER.match(last)
        body = last[m.end():]
        if not rest:  # "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH" on one line
            body, position = _split_position(body)
        if body:
            authority = f"{m.group(1)}. {_case_role(body)}"
    if rest and position is None:
        position = _case_role(rest[0])
    if name_line is not None:
        spans["signer"] = (sig_lines[idx].start, name_line.end)
    return Signer(name=name, position=position, authority=authority), recipients
