"""What the web page shows of one indexed document: its text with the extracted facts
marked by their spans, its references, what cites it, its duties and findings.

Plain Python over the index (no web framework here), so it is tested directly. The text
is rendered to HTML by :func:`render_text`: every document character is escaped; the
only tags are the ones made here. Duties are the outer level (a ``<span class="duty">``
per duty span), references, dates, findings and header fields the inner level; where an
inner span crosses a duty's edge it is closed and opened again, so the HTML is always
well nested. Inner spans that overlap each other keep the one listed first (references
before dates before findings before header fields).
"""
from __future__ import annotations

import bisect
import html
import json
import sqlite3
from collections.abc import Iterable
from itertools import pairwise
from dataclasses import dataclass, field

from pipeline.document.doctypes import lookup_abbr
from pipeline.index.graph import cited_by_document

META_LABELS = {"symbol": "Số, ký hiệu", "date": "Ngày ban hành", "doc_type": "Loại văn bản",
               "title": "Trích yếu", "recipients": "Nơi nhận", "signer": "Người ký",
               "issuer": "Cơ quan ban hành", "place": "Địa danh", "number": "Số"}
DATE_KINDS = {"day": "ngày", "month": "tháng", "quarter": "quý", "year": "năm",
              "half": "nửa năm", "range": "khoảng thời gian"}


@dataclass(frozen=True)
class Mark:
    """One span to mark: ``tag`` and ``attrs`` of the element, ``kind`` its CSS class."""

    start: int
    end: int
    kind: str
    tag: str = "mark"
    attrs: tuple[tuple[str, str], ...] = ()

    def open(self, extra_class: str = "") -> str:
        cls = self.kind + (f" {extra_class}" if extra_class else "")
        attrs = "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in self.attrs)
        return f'<{self.tag} class="{cls}"{attrs}>'

    def close(self) -> str:
        return f"</{self.tag}>"


def prune(marks: Iterable[Mark]) -> list[Mark]:
    """Non-empty, non-overlapping marks in text order; on overlap the earlier-listed wins."""
    starts: list[int] = []  # kept marks, sorted by start (they do not overlap)
    kept: list[Mark] = []
    for m in marks:
        if m.end <= m.start:
            continue
        i = bisect.bisect_left(starts, m.start)
        if (i < len(kept) and kept[i].start < m.end) or (i and kept[i - 1].end > m.start):
            continue
        starts.insert(i, m.start)
        kept.insert(i, m)
    return kept


@dataclass(frozen=True)
class Layer:
    """Marks of one level, pruned (:func:`prune`), with their start offsets for look-ups."""

    marks: tuple[Mark, ...]
    starts: tuple[int, ...]

    @classmethod
    def of(cls, marks: Iterable[Mark]) -> Layer:
        kept = prune(marks)
        return cls(tuple(kept), tuple(m.start for m in kept))

    def within(self, start: int, end: int) -> list[Mark]:
        """The marks that overlap ``[start, end)``, in text order."""
        i = max(0, bisect.bisect_right(self.starts, start) - 1)
        j = bisect.bisect_left(self.starts, end)
        return [m for m in self.marks[i:j] if m.end > start]


def render_text(text: str, start: int, end: int, outer: Layer, inner: Layer) -> str:
    """HTML of ``text[start:end]`` with the ``outer`` marks (duties) around the ``inner`` ones."""
    outer_marks = outer.within(start, end)
    inner_marks = inner.within(start, end)
    cuts = {start, end}
    for m in outer_marks + inner_marks:
        cuts.update(p for p in (m.start, m.end) if start < p < end)
    points = sorted(cuts)
    out: list[str] = []
    cur_o: Mark | None = None
    cur_i: Mark | None = None
    oi = ii = 0
    for a, b in pairwise(points):
        while oi < len(outer_marks) and outer_marks[oi].end <= a:
            oi += 1
        while ii < len(inner_marks) and inner_marks[ii].end <= a:
            ii += 1
        o = outer_marks[oi] if oi < len(outer_marks) and outer_marks[oi].start <= a else None
        i = inner_marks[ii] if ii < len(inner_marks) and inner_marks[ii].start <= a else None
        if o is not cur_o or i is not cur_i:
            if cur_i is not None:
                out.append(cur_i.close())
            if o is not cur_o:
                if cur_o is not None:
                    out.append(cur_o.close())
                if o is not None:
                    out.append(o.open())
            if i is not None:
                # a piece after the first of a mark split by a duty edge is marked "cont"
                out.append(i.open("cont" if i.start < a else ""))
            cur_o, cur_i = o, i
        out.append(html.escape(text[a:b], quote=False))
    if cur_i is not None:
        out.append(cur_i.close())
    if cur_o is not None:
        out.append(cur_o.close())
    return "".join(out)


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


_DOC_FIELDS = ("id", "path", "format", "pages", "doc_type", "number", "symbol", "issuer",
               "issuer_parent", "place", "date", "title", "signer_name", "signer_position",
               "signer_authority", "recipients", "spans", "n_references", "n_tasks",
               "n_findings", "indexed_at", "sha256")


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
                            (("href", "/cited-by?symbol=" + _q(key)),
                             ("title", "Chưa có trong kho: " + title),
                             ("data-ref", str(r["seq"])))))
    return out


def _q(s: str) -> str:
    from urllib.parse import quote

    return quote(s, safe="")


def load_view(conn: sqlite3.Connection, doc_id: int) -> DocView | None:
    """The page of document ``doc_id``; ``None`` when the index has no such document."""
    row = conn.execute(f"SELECT {', '.join(_DOC_FIELDS)} FROM documents WHERE id = ?",
                       (doc_id,)).fetchone()
    if row is None:
        return None
    meta = dict(zip(_DOC_FIELDS, row, strict=True))
    meta["recipients"] = json.loads(meta["recipients"] or "[]")
    spans = json.loads(meta.pop("spans") or "{}")
    text = conn.execute("SELECT text FROM texts WHERE doc_id = ?", (doc_id,)).fetchone()[0]
    refs = [dict(zip(("seq", "text", "doc_type", "symbol", "date", "issuer", "start", "end",
                      "target_id"), r, strict=True)) for r in conn.execute(
        'SELECT seq, text, doc_type, symbol, date, issuer, start, "end", target_id FROM refs '
        "WHERE doc_id = ? ORDER BY seq", (doc_id,))]
    dates = [dict(zip(("start", "end", "text", "value", "kind", "cue"), r, strict=True))
             for r in conn.execute('SELECT start, "end", text, value, kind, cue FROM dates '
                                   "WHERE doc_id = ? ORDER BY seq", (doc_id,))]
    duties = [dict(zip(("rowid", "task_id", "section", "text", "deadline", "period_start",
                        "period_end", "recurrence", "start", "end"), r, strict=True))
              for r in conn.execute(
        'SELECT id, task_id, section, text, deadline, period_start, period_end, recurrence, '
        'start, "end" FROM tasks WHERE doc_id = ? ORDER BY seq', (doc_id,))]
    owners: dict[int, dict[str, list[str]]] = {}
    for task_rowid, role, owner in conn.execute(
            "SELECT task_rowid, role, owner FROM task_owners WHERE doc_id = ? ORDER BY rowid",
            (doc_id,)):
        owners.setdefault(task_rowid, {"lead": [], "support": []})[role].append(owner)
    for n, d in enumerate(duties, 1):
        d["n"] = n
        d.update(owners.get(d["rowid"], {"lead": [], "support": []}))
    findings = [dict(zip(("kind", "message", "text", "start", "end"), r, strict=True))
                for r in conn.execute('SELECT kind, message, text, start, "end" FROM findings '
                                      "WHERE doc_id = ? ORDER BY seq", (doc_id,))]

    outer = Layer.of(Mark(d["start"], d["end"], "duty", "span",
                  (("id", f"duty-{d['n']}"), ("data-duty", str(d["n"]))))
             for d in duties if d["start"] is not None)
    marks = _ref_marks(refs)
    marks += [Mark(d["start"], d["end"], "date", "mark",
                   (("title", f"{DATE_KINDS.get(d['kind'] or '', d['kind'] or '')}: "
                              f"{d['value']}" + (f" ({d['cue']})" if d["cue"] else "")),))
              for d in dates if d["start"] is not None and d["value"]]
    marks += [Mark(f["start"], f["end"], "finding", "mark", (("title", f["message"] or ""),))
              for f in findings if f["start"] is not None]
    marks += [Mark(s[0], s[1], "meta", "mark", (("title", META_LABELS.get(k, k)),))
              for k, s in spans.items() if isinstance(s, list) and len(s) == 2
              and k not in ("recipients", "signer")]
    inner = Layer.of(marks)

    blocks: list[dict] = []
    table: dict | None = None
    for kind, start, end, tbl, r, c in conn.execute(
            'SELECT kind, start, "end", tbl, "row", col FROM blocks WHERE doc_id = ? '
            "ORDER BY seq", (doc_id,)):
        body = render_text(text, start, end, outer, inner)
        if kind == "table_cell":
            if table is None or table["tbl"] != tbl:
                table = {"kind": "table", "tbl": tbl, "rows": []}
                blocks.append(table)
            while len(table["rows"]) <= (r or 0):
                table["rows"].append([])
            table["rows"][r or 0].append(body)
        else:
            table = None
            blocks.append({"kind": "p", "html": body})
    if not blocks and text:
        blocks.append({"kind": "p", "html": render_text(text, 0, len(text), outer, inner)})

    t = lookup_abbr(meta["doc_type"]) if meta["doc_type"] else None
    citing = cited_by_document(conn, doc_id)["cited_by"]
    ids = {p: i for p, i in conn.execute(
        "SELECT path, id FROM documents WHERE path IN (SELECT value FROM json_each(?))",
        (json.dumps([c["path"] for c in citing]),))}
    for c in citing:
        c["id"] = ids.get(c["path"])
    return DocView(doc_id, meta, t.name if t else None, blocks, refs, citing, duties,
                   findings, dates, {"references": len(refs), "duties": len(duties),
                                     "findings": len(findings), "dates": len(dates)})
