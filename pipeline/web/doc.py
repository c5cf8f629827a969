"""What the web page shows of one indexed document: its text with the extracted facts
marked by their spans, its references, what cites it, its duties and findings.

Plain Python over the :class:`~pipeline.index.Index` interface (no web framework here),
so it is tested directly. The text is rendered to HTML by
:func:`pipeline.web.marks.render_text`, which escapes every document character. Duties
are the outer level of marks; references, dates, findings and header fields the inner
level, in that order of precedence where they overlap.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from pipeline.document.doctypes import lookup_abbr
from pipeline.index import DocumentRecord, Index
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


def _ref_marks(refs: list[dict]) -> list[Mark]:
    out = []
    for r in refs:
        if r["start"] is None:
            continue
        title = r["text"]
        if r["target_id"] is not None:
            out.append(Mark(r["start"], r["end"], "ref held", "a",
                            (("href", f"/doc/{r['target_id']}"), ("title", title),
                             ("data-ref", str(r["seq"])))))
        else:
            key = r["symbol"] or title
            out.append(Mark(r["start"], r["end"], "ref", "a",
                            (("href", "/cited-by?symbol=" + quote(key, safe="")),
                             ("title", "Chưa có trong kho: " + title),
                             ("data-ref", str(r["seq"])))))
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
    return DocView(doc_id, meta, t.name if t else None, blocks, rec.references, citing,
                   duties, rec.findings, rec.dates,
                   {"references": len(rec.references), "duties": len(duties),
                    "findings": len(rec.findings), "dates": len(rec.dates)}, found)
