"""References to other documents (contract ``references``): find every mention, resolve
short repeats to their full mention (like eyecite's resolve step), and report one
document cited with different dates.

A mention is a type word + optional "số" + symbol or number (``Quyết định số
1696/QĐ-TTg ngày 02/7/2015 của Thủ tướng Chính phủ``, ``Chỉ thị 21 ngày 20/01/2018 của
Ban Bí thư``) or a law cited by name (``Luật Bình đẳng giới``). Patterns live in
:mod:`extractors.references_patterns`, issuers in :mod:`extractors.references_issuers`.
"""
from __future__ import annotations

import re
from dataclasses import replace

from pipeline.document.facts import Finding, Reference
from extractors.references_issuers import (
    Locality,
    canonical_issuer,
    document_locality,
    preceding_issuer_re,
    scan_issuer,
)
from extractors.references_patterns import (
    DATE_AFTER,
    DATE_RE,
    SYMBOL,
    after_type_re,
    date_group,
    law_qualifiers,
    law_title,
    list_item_re,
    luat_is_word_part,
    named_re,
    named_types,
    parse_date,
    symbol_parts,
    type_of_code,
    type_of_word,
    type_word_re,
)
from pipeline.document.normalize import fold, is_upper_text

__all__ = ["Locality", "Reference", "canonical_issuer", "find_references", "reference_findings",
           "resolve_references", "same_document"]

_CUA = re.compile(r"(?:[ ]*,)?[ ]+(?i:của)[ ]+")
_BAD_GAP = re.compile(r"(?<!\w)(?:của|tại|theo|ngày|này|đã|được)(?!\w)", re.IGNORECASE)
_AMEND_BEFORE = re.compile(
    r"(?P<t>[^\W\d_]+(?:[ ]+[^\W\d_]+)?)[ ]+(?i:sửa đổi)[ ]*,?[ ]*(?i:bổ sung)"
    r"(?:[ ]+(?i:một số điều))?[ ]+(?i:của)[ ]+$")
_OWN_NUMBER = re.compile(rf"^[ ]*(?:Số|SỐ|Sô|So)[ ]*[:.]?[ ]*(?:{SYMBOL})", re.MULTILINE)
_DATE_LINE = re.compile(r"^[^\n\d,]{2,40},[ ]*(?i:ngày)[^\n]*", re.MULTILINE)  # "Hải Dương, ngày 02 ..."
_NGAY_DATE = re.compile(r"(?i:ngày)[ ]+(?:" + DATE_RE.pattern + ")", re.IGNORECASE)
_BETWEEN_SHARED = re.compile(r"^[ ]*[,;]?[ ]*(?:(?i:và)[ ]+)?$")


def _tail(text: str, pos: int, loc: Locality | None) -> tuple[int, str | None, str | None, bool]:
    """Date and issuer after a number/symbol/title: (end, iso date, issuer, date printed)."""
    end, date, issuer, dated = pos, None, None, False
    dm = DATE_AFTER.match(text, end)
    if dm:
        date, end, dated = parse_date(dm), dm.end(), True
    cm = _CUA.match(text, end)
    hit = scan_issuer(text, cm.end(), loc) if cm else None
    if hit is None and dated and text[end:end + 1] == " ":
        hit = scan_issuer(text, end + 1, loc, direct=True)
    if hit:
        end, issuer = hit
        if not dated:
            dm = DATE_AFTER.match(text, end)
            if dm:
                date, end, dated = parse_date(dm), dm.end(), True
    return end, date, issuer, dated


def _plain_number_end(text: str, end: int) -> bool:
    """"Kế hoạch số 05 về ..." is a citation; a form's "Quyết định số 4: ......" is not."""
    nxt = text[end:end + 2]
    return not (nxt[:1] in (":", "…") or nxt in ("..", ".…"))


_ANCHOR = re.compile(r"\d[ ]*[-/]|(?:số|Số|SỐ)[ ]*:?[ ]*\n?[ ]*\d|\d(?:[ ]*,)?[ ]+(?:ngày|của|Ngày|Của|NGÀY|CỦA)")
_WINDOW = 140


def _type_word_hits(text: str) -> list[re.Match[str]]:
    """Type words that may head a citation: those on the same line shortly before a
    number or symbol (scanning only there keeps the whole corpus well under a second)."""
    spans: list[list[int]] = []
    for a in _ANCHOR.finditer(text):
        # the line's start, looked for within the window only (a search back to the
        # start of a long paragraph from every anchor was quadratic)
        far = max(0, a.start() - _WINDOW)
        lo = max(text.rfind("\n", far, a.start()) + 1, far)
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = a.start()
        else:
            spans.append([lo, a.start()])
    types = type_word_re()
    return [tm for lo, hi in spans for tm in types.finditer(text, lo, hi)]


def _symbol_mentions(text: str, loc: Locality | None) -> list[Reference]:
    out: list[Reference] = []
    after, types = after_type_re(), type_word_re()
    for tm in _type_word_hits(text):
        m = after.match(text, tm.end())
        if not m:
            continue
        gap, so = m.group("gap"), m.group("so")
        if gap and (not so or _BAD_GAP.search(gap) or types.search(gap)):
            continue
        word_type = type_of_word(tm.group())
        start = tm.start()
        if m.group("bare") is not None:
            number, symbol, code, end = m.group("bare"), None, None, m.end("bare")
        else:
            number, symbol, code, end = symbol_parts(m)
        if gap:
            am = _AMEND_BEFORE.search(text, max(0, start - 150), start)
            if am and type_of_word(am.group("t")) == word_type:
                start = am.start()
        end, date, issuer, dated = _tail(text, end, loc)
        if symbol is None and not (dated or issuer or (so and _plain_number_end(text, m.end("bare")))):
            continue
        doc_type = (type_of_code(code) if code else None) or word_type
        out.append(Reference(text[start:end], doc_type, number, symbol, date, issuer, None, start, end))
        while symbol is not None:  # "Quyết định số 12/QĐ-UBND, 13/QĐ-UBND"
            lm = list_item_re().match(text, end)
            if not lm:
                break
            number, symbol, code, s_end = symbol_parts(lm)
            s_start = lm.start("pnum") if lm.group("pnum") else lm.start("num")
            end, date, issuer, _dated = _tail(text, s_end, loc)
            doc_type = type_of_code(code) or word_type
            out.append(Reference(text[s_start:end], doc_type, number, symbol, date, issuer, None,
                                 s_start, end))
    return out


def _title_case(title: str) -> str:
    t = re.sub(r"\s+", " ", title).strip(" ,")
    if is_upper_text(t):
        t = t.lower()
    return t[:1].upper() + t[1:]


def _law_mentions(text: str, loc: Locality | None) -> list[Reference]:
    out: list[Reference] = []
    named = named_types()
    for nm in named_re().finditer(text):
        word = re.sub(r"\s+", " ", nm.group().lower())
        if word == "luật" and luat_is_word_part(text, nm.start()):
            continue
        span = law_title(text, nm.end(), nm.group()[0].isupper())
        if span is None and not (named[word] == "Hiến pháp" and nm.group()[0].isupper()):
            continue
        end = law_qualifiers(text, span[1] if span else nm.end())
        end, date, issuer, _dated = _tail(text, end, loc)
        title = _title_case(text[span[0]:span[1]]) if span else None
        out.append(Reference(text[nm.start():end], named[word], None, None, date, issuer, title,
                             nm.start(), end))
    return out


def _non_overlapping(cands: list[Reference]) -> list[Reference]:
    out: list[Reference] = []
    for r in sorted(cands, key=lambda r: (r.start, -r.end)):
        if not out or r.start >= out[-1].end:
            out.append(r)
    return out


def _preceding_issuer(text: str, r: Reference, loc: Locality | None) -> str | None:
    """"... chỉ đạo của Bộ X tại văn bản số 458/..." → Bộ X."""
    line_start = text.rfind("\n", 0, r.start) + 1
    m = preceding_issuer_re().search(text, max(line_start, r.start - 160), r.start)
    if not m:
        return None
    hit = scan_issuer(text, m.start("iss"), loc)
    return hit[1] if hit and hit[0] >= m.end("iss") else None


def own_number(text: str, header_lines: int = 20) -> tuple[str | None, str | None]:
    """The document's own symbol and date, from its "Số: 580/KH-UBND" and "Hải Dương,
    ngày 02 tháng 03 năm 2020" header lines."""
    head = "\n".join(text.split("\n", header_lines)[:header_lines])
    m = _OWN_NUMBER.search(head)
    if not m:
        return None, None
    line = _DATE_LINE.search(head)
    d = _NGAY_DATE.search(line.group()) if line else None
    return symbol_parts(m)[1], (parse_date(d) if d else None)


def _is_own(r: Reference, own: tuple[str | None, str | None]) -> bool:
    """A mention of the document itself ("ban hành kèm theo Quyết định số 773/QĐ-TTg");
    a symbol reused in another year (12/KH-UBND of 2020) is another document."""
    symbol, date = own
    return bool(symbol and r.symbol and _sym(r.symbol) == _sym(symbol)
                and (r.date is None or date is None or r.date == date))


def find_references(text: str, locality: Locality | None = None) -> list[Reference]:
    """Every mention of another document in ``text``, in document order. ``locality``
    (the citing document's province/city) completes "của UBND tỉnh"; by default it is
    read from the header."""
    loc = locality if locality is not None else document_locality(text)
    own = own_number(text)
    refs = [r for r in _non_overlapping(_symbol_mentions(text, loc) + _law_mentions(text, loc))
            if not _is_own(r, own)]
    refs = [r if r.issuer else replace(r, issuer=_preceding_issuer(text, r, loc)) for r in refs]
    for i in range(len(refs) - 2, -1, -1):  # "QĐ số 2331/QĐ-TTg ... và QĐ số 2406/QĐ-TTg ... của TTg"
        a, b = refs[i], refs[i + 1]
        if a.issuer is None and b.issuer and a.doc_type == b.doc_type \
                and _BETWEEN_SHARED.match(text[a.end:b.start]):
            refs[i] = replace(a, issuer=b.issuer)
    return refs


# ---- resolution and findings ---------------------------------------------------------

def _sym(s: str) -> str:
    return re.sub(r"\s+", "", fold(s))


def _doc_key(r: Reference) -> tuple[str | None, str | None, str | None, str | None]:
    title = fold(re.sub(r"[\s,]+", " ", r.title)) if r.title else None
    return (_sym(r.symbol) if r.symbol else None), r.number, r.doc_type, title


def _same(a: tuple, b: tuple) -> bool:
    (sa, na, ta, xa), (sb, nb, tb, xb) = a, b
    if sa and sb:
        if sa == sb:
            return True
        short, long_ = sorted((sa, sb), key=len)
        return na == nb and ta == tb and long_.startswith(short + "-")
    if na or nb:
        return na == nb and ta == tb
    return ta == tb and xa is not None and xa == xb


def same_document(a: Reference, b: Reference) -> bool:
    """Same symbol (or one symbol extends the other: 176/KH-TCTLN, 176/KH-TCTLN-PC04);
    same type and number when one has no symbol; same law title."""
    return _same(_doc_key(a), _doc_key(b))


def _groups(refs: list[Reference]) -> list[int]:
    """Index of each mention's group (the first mention of the same document)."""
    keys = [_doc_key(r) for r in refs]
    group: list[int] = []
    heads: list[int] = []
    for i, k in enumerate(keys):
        g = next((h for h in heads if _same(keys[h], k)), None)
        if g is None:
            heads.append(i)
            g = i
        group.append(g)
    return group


def resolve_references(refs: list[Reference]) -> list[Reference]:
    """A short repeat (no date, no issuer) gets ``antecedent``: the index of the fullest
    earlier mention of the same document (date and issuer, else either, else its first
    mention; the earliest of equals). Printed fields stay as printed."""
    group = _groups(refs)
    out = []
    for i, r in enumerate(refs):
        ante = None
        if r.date is None and r.issuer is None:
            earlier = [j for j in range(i) if group[j] == group[i]]
            if earlier:
                ante = max(earlier, key=lambda j: ((refs[j].date is not None) + (refs[j].issuer is not None), -j))
        out.append(replace(r, antecedent=ante))
    return out


def _printed_date(r: Reference) -> tuple[str, str | None] | None:
    """(printed date, ISO value or None) of a mention, None when it prints no date."""
    m = _NGAY_DATE.search(r.text)
    if not m:
        return None
    return date_group(m), parse_date(m)


def _label(r: Reference) -> str:
    if r.symbol:
        return r.symbol
    if r.number:
        return f"{r.doc_type} {r.number}"
    return f"{r.doc_type} {r.title}"


def reference_findings(refs: list[Reference]) -> list[Finding]:
    """``conflicting_citation_dates``: one document cited with different dates (an
    impossible date counts as printed); one finding per extra date, on the first
    mention that prints it."""
    group = _groups(refs)
    findings: list[Finding] = []
    for g in sorted(set(group)):
        members = [refs[i] for i in range(len(refs)) if group[i] == g]
        seen: list[tuple[str, Reference]] = []
        keys: set[str] = set()
        for r in members:
            pd = _printed_date(r)
            if pd is None:
                continue
            key = pd[1] or pd[0]
            if key not in keys:
                keys.add(key)
                seen.append((pd[0], r))
        if len(seen) < 2:
            continue
        labels = list(dict.fromkeys(_label(r) for r in members))
        dates = ", ".join(d for d, _r in seen)
        for printed, r in seen[1:]:
            msg = f"{' / '.join(labels)} cited with {len(seen)} different dates: {dates} (here {printed})"
            findings.append(Finding("conflicting_citation_dates", msg, r.text, r.start, r.end))
    return findings
