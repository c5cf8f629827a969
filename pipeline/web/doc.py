"""What the web page shows of one indexed document: its text with the extracted facts
marked by their spans, its references, what cites it, its duties and findings.

Plain Python over the :class:`~pipeline.index.Index` interface (no web framework here),
so it is tested directly. The text is rendered to HTML by
:func:`pipeline.web.marks.render_text`, which escapes every document character. Duties
are the outer level of marks; references, dates, findings and header fields the inner
level, in that order of precedence where they overlap.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

from pipeline.document import labels
from pipeline.document.doctypes import lookup_abbr
from pipeline.index import DocumentRecord, Index
from pipeline.index.keys import name_key, symbol_key
from pipeline.web.marks import Layer, Mark, render_text

META_LABELS = {"symbol": "Số, ký hiệu", "date": "Ngày ban hành", "doc_type": "Loại văn bản",
               "title": "Trích yếu", "recipients": "Nơi nhận", "signer": "Người ký",
               "issuer": "Cơ quan ban hành", "place": "Địa danh", "number": "Số"}
FOUND = "doan-trich"
"""The id of the block holding the span a reader was sent to (``/doc/{id}?start=&end=``)."""
FOUND_TITLE = "Đoạn được trích làm căn cứ"
DATE_KINDS = {"day": "ngày", "month": "tháng", "quarter": "quý", "year": "năm",
              "half": "nửa năm", "range": "khoảng thời gian"}


@dataclass
class DocView:
    """Everything the document page shows."""

    id: int
    meta: dict
    type_name: str | None
    blocks: list[dict]  # {"kind": "p"|"table", "html": …} or {"kind": "table", "rows": …}
    references: list[dict]
    cited_by: list[dict]
    duties: list[dict]
    findings: list[dict]
    dates: list[dict]
    counts: dict = field(default_factory=dict)
    found: tuple[int, int] | None = None  # the span a reader was sent to, marked
    cited: list[dict] = field(default_factory=list)  # each cited document once


_DATED = re.compile(r"\s+(?:ngày|năm)\s+[0-9]")
_PAREN = re.compile(r"\([^)]*\)")
_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")


def _named(r: dict) -> tuple[str, str]:
    """An unnumbered reference's name (its words before the date, without what is in
    brackets, folded) and year (its date's, else one printed after the name)."""
    text = r["text"] or ""
    m = _DATED.search(text)
    name = text[:m.start()] if m else text
    year = (r["date"] or "")[:4]
    if not year and m and (y := _YEAR.search(text, m.start())):
        year = y.group(0)
    return name_key(_PAREN.sub(" ", name)) or name, year


def cited_documents(refs: list[dict]) -> list[dict]:
    """Each document the references cite, once, in the order of its first mention: the
    same target in the archive, else the same số/ký hiệu (any spelling), else the same
    name and year ("Luật Thi đua, khen thưởng" and "… ngày 15/6/2022" are one law when no
    other year of it is cited). ``text``: the fullest of its mentions; ``mentions``: how
    many; ``first``: the ``seq`` of the first marked in the text (id ``ref-<seq>``)."""
    groups: dict[tuple, dict] = {}
    for r in refs:
        if r["target_id"] is not None:
            key: tuple = ("doc", r["target_id"])
        elif k := symbol_key(r["symbol"]):
            key = ("symbol", k)
        else:
            key = ("name", *_named(r))
        g = groups.setdefault(key, {"text": "", "symbol": None, "target_id": r["target_id"],
                                    "mentions": 0, "first": None, "order": len(groups)})
        _add(g, r["text"], r["symbol"], 1, r["seq"] if r["start"] is not None else None)
    years: dict[str, list[tuple]] = {}
    for key in groups:
        if key[0] == "name" and key[2]:
            years.setdefault(key[1], []).append(key)
    for key in [k for k in groups if k[0] == "name" and not k[2]]:
        dated = years.get(key[1], [])
        if len(dated) == 1:  # "Luật X" beside "Luật X năm 2022" only: the same law
            g, into = groups.pop(key), groups[dated[0]]
            _add(into, g["text"], g["symbol"], g["mentions"], g["first"])
            into["order"] = min(into["order"], g["order"])
    return sorted(groups.values(), key=lambda g: g["order"])


def _add(g: dict, text: str | None, symbol: str | None, mentions: int,
         first: int | None) -> None:
    g["mentions"] += mentions
    if len(text or "") > len(g["text"] or ""):
        g["text"] = text
    g["symbol"] = g["symbol"] or symbol
    if first is not None and (g["first"] is None or first < g["first"]):
        g["first"] = first


_READ_AS = re.compile(r"read as ([0-9-]+)")
_BAD_MONTH = re.compile(r"\(month ([0-9]+)\)")
_BAD_DAY = re.compile(r"\(day ([0-9]+) of month ([0-9]+)\)")
_BEFORE = re.compile(r"\(([0-9-]+)\) is before the issue date ([0-9-]+)")
_CONFLICT = re.compile(r"^(.*) cited with ([0-9]+) different dates: (.*) \(here (.*)\)$")
_PAGE = re.compile(r"^page ([0-9]+): (.*)$")
PAGE_PROBLEMS = (("cannot be read", "không đọc được"),
                 ("legacy-encoded", "chữ mã cũ (TCVN3/VNI) đã được chuyển sang Unicode"),
                 ("tables not read", "không đọc được các bảng"),
                 ("garbled", "lớp chữ bị lỗi và nhận dạng chữ (OCR) không đọc được chữ nào"))


def finding_detail(f: dict) -> str:
    """What a finding says, in Vietnamese (the index keeps the extractor's English
    message; its facts are read back from it)."""
    kind, text, msg = f["kind"], f.get("text") or "", f.get("message") or ""
    quoted = f"“{text}”" if text else ""
    if kind == "date_typo":
        m = _READ_AS.search(msg)
        return quoted + (f", có thể là ngày {labels.vn_date(m.group(1))}" if m
                         else ", không đọc được năm")
    if kind == "invalid_date":
        if m := _BAD_DAY.search(msg):
            return f"{quoted}: tháng {m.group(2)} không có ngày {m.group(1)}"
        if m := _BAD_MONTH.search(msg):
            return f"{quoted}: không có tháng {m.group(1)}"
        return quoted
    if kind == "deadline_before_issue":
        m = _BEFORE.search(msg)
        return (f"thời hạn {quoted} ({labels.vn_date(m.group(1))}) trước ngày ban hành "
                f"{labels.vn_date(m.group(2))}" if m else f"thời hạn {quoted}")
    if kind == "conflicting_citation_dates":
        m = _CONFLICT.match(msg)
        return (f"{m.group(1)} được dẫn với {m.group(2)} ngày khác nhau: {m.group(3)} "
                f"(ở đây: {m.group(4)})" if m else quoted)
    if kind == "unreadable_page":
        m = _PAGE.match(msg)
        if not m:
            return ""
        what = next((vi for en, vi in PAGE_PROBLEMS if en in m.group(2)), "")
        return f"trang {m.group(1)}" + (f": {what}" if what else "")
    return quoted


def _ref_marks(refs: list[dict]) -> list[Mark]:
    out = []
    for r in refs:
        if r["start"] is None:
            continue
        title = r["text"]
        if r["target_id"] is not None:
            out.append(Mark(r["start"], r["end"], "ref held", "a",
                            (("href", f"/doc/{r['target_id']}"), ("title", title),
                             ("id", f"ref-{r['seq']}"), ("data-ref", str(r["seq"])))))
        else:
            key = r["symbol"] or title
            out.append(Mark(r["start"], r["end"], "ref", "a",
                            (("href", "/cited-by?symbol=" + quote(key, safe="")),
                             ("title", "Chưa có trong kho: " + title),
                             ("id", f"ref-{r['seq']}"), ("data-ref", str(r["seq"])))))
    return out


def _inner_marks(rec: DocumentRecord) -> Layer:
    """References, dates, findings and header fields, in that order of precedence."""
    marks = _ref_marks(rec.references)
    marks += [Mark(d["start"], d["end"], "date", "mark",
                   (("title", f"{DATE_KINDS.get(d['kind'] or '', d['kind'] or '')}: "
                              f"{d['value']}" + (f" ({d['cue']})" if d["cue"] else "")),))
              for d in rec.dates if d["start"] is not None and d["value"]]
    marks += [Mark(f["start"], f["end"], "finding", "mark", (("title", f["message"] or ""),))
              for f in rec.findings if f["start"] is not None]
    marks += [Mark(s[0], s[1], "meta", "mark", (("title", META_LABELS.get(k, k)),))
              for k, s in rec.spans.items() if isinstance(s, list) and len(s) == 2
              and k not in ("recipients", "signer")]
    return Layer.of(marks)


def _blocks(rec: DocumentRecord, *layers: Layer, anchor: int | None = None) -> list[dict]:
    """Paragraphs and tables (cells grouped into rows) of the marked text; the first
    block that reaches offset ``anchor`` gets ``"anchor": FOUND`` (the id a link scrolls
    to)."""
    text = rec.text
    blocks: list[dict] = []
    table: dict | None = None
    for kind, start, end, tbl, r, c in rec.blocks:
        body = render_text(text, start, end, *layers)
        if kind == "table_cell":
            if table is None or table["tbl"] != tbl:
                table = {"kind": "table", "tbl": tbl, "rows": []}
                blocks.append(table)
            while len(table["rows"]) <= (r or 0):
                table["rows"].append([])
            table["rows"][r or 0].append(body)
            here = table
        else:
            table = None
            here = {"kind": "p", "html": body}
            blocks.append(here)
        if anchor is not None and end > anchor:  # the first block that reaches it
            here["anchor"], anchor = FOUND, None
    if not blocks and text:
        blocks.append({"kind": "p", "html": render_text(text, 0, len(text), *layers)})
        if anchor is not None:
            blocks[0]["anchor"] = FOUND
    return blocks


def found_span(text: str, start: int | None, end: int | None) -> tuple[int, int] | None:
    """The span ``[start, end)`` a reader was sent to, cut to the text; ``None`` when
    there is none to mark (no start, or nothing of it inside the text)."""
    if start is None:
        return None
    end = min(len(text), end if end is not None else start + 1)
    return (start, end) if start < end else None


def load_view(index: Index, doc_id: int, start: int | None = None,
              end: int | None = None) -> DocView | None:
    """The page of document ``doc_id``, with the span ``[start, end)`` marked (a quote a
    gap report cites, reached through ``/find``); ``None`` when the index has no such
    document."""
    rec = index.document(doc_id)
    if rec is None:
        return None
    found = found_span(rec.text, start, end)
    marked = Layer.of([Mark(*found, "found", "mark", (("title", FOUND_TITLE),))]
                      if found else [])
    duties = rec.duties
    for n, d in enumerate(duties, 1):
        d["n"] = n
        d["recurrence_label"] = labels.RECURRENCE.get(d["recurrence"] or "", "")
        d.update(rec.owners.get(d["rowid"], {"lead": [], "support": []}))
    outer = Layer.of(Mark(d["start"], d["end"], "duty", "span",
                          (("id", f"duty-{d['n']}"), ("data-duty", str(d["n"]))))
                     for d in duties if d["start"] is not None)
    blocks = _blocks(rec, marked, outer, _inner_marks(rec),
                     anchor=found[0] if found else None)

    meta = rec.meta
    t = lookup_abbr(meta["doc_type"]) if meta["doc_type"] else None
    citing = index.cited_by_document(doc_id)["cited_by"]
    ids = index.ids(c["path"] for c in citing)
    for c in citing:
        c["id"] = ids.get(c["path"])
    for f in rec.findings:
        f["label"] = labels.FINDING.get(f["kind"], "Vấn đề cần xem")
        f["detail"] = finding_detail(f)
    cited = cited_documents(rec.references)
    return DocView(doc_id, meta, t.name if t else None, blocks, rec.references, citing,
                   duties, rec.findings, rec.dates,
                   {"references": len(rec.references), "cited": len(cited),
                    "duties": len(duties), "findings": len(rec.findings),
                    "dates": len(rec.dates)}, found, cited)
