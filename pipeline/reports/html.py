"""A ``vanban.gaps/1`` report as one self-contained, printable HTML page in Vietnamese.

Sections, in the order of the contents list at the top: totals per status, statuses per
agency (an inline SVG chart, :mod:`pipeline.reports.chart`, and a table), the reports the
plan asks for, each agency's duties, the reports linked to the plan, the reports that
could not be linked. Printed, it is A4 with the margins of an administrative document
(Decree 30/2020), headings kept with what follows, table headers repeated on each page
and no row split. No script anywhere (the web app's CSP forbids them); one inline style.

Every string that comes from a document goes through :func:`html.escape`.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from html import escape
from urllib.parse import quote

from pipeline.crosscheck.model import Status
from pipeline.document import labels
from pipeline.document.collation import vi_key, vi_sorted
from pipeline.document.labels import vn_date
from pipeline.reports.base import GapReportWriter
from pipeline.reports.chart import status_chart

COLOURS = {Status.DONE_ON_TIME: "#d4edda", Status.DONE_LATE: "#fff3cd",
           Status.DONE_UNDATED: "#e2e3e5", Status.PENDING: "#d6e9f8",
           Status.OVERDUE: "#f8d7da", Status.NO_DEADLINE: "#ece4f3"}
"""A status bucket's background, in the HTML page and the XLSX sheet."""

MARK = "#ffe08a"
"""A duty's words in a quoted report passage."""


def colour(status: str | None) -> str:
    """A status's background (:data:`COLOURS`; grey for a status it does not know)."""
    return COLOURS.get(status, "#eeeeee")


CSS = """
@page{size:A4;margin:2cm 1.5cm 2cm 3cm;
 @bottom-right{content:"Trang " counter(page) "/" counter(pages);
  font:10pt "Times New Roman",Tinos,"Liberation Serif","DejaVu Serif",serif;color:#555}}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font:13pt/1.3 "Times New Roman",Tinos,"Liberation Serif","DejaVu Serif",serif;color:#111;
 max-width:46em;margin:1.5em auto;padding:0 1em}
h1{font-size:15pt;text-align:center;text-transform:uppercase;margin:0 0 .4em}
h2{font-size:14pt;margin:1.1em 0 .3em;border-bottom:1px solid #999;
 break-after:avoid;page-break-after:avoid}
.keep{break-inside:avoid;page-break-inside:avoid;break-after:avoid;page-break-after:avoid}
.keep p{margin:.2em 0 .3em}
table{border-collapse:collapse;width:100%;margin:.3em 0;table-layout:fixed}
thead{display:table-header-group}
tr{break-inside:avoid;page-break-inside:avoid}
th,td{border:1px solid #888;padding:2px 4px;vertical-align:top;text-align:left;
 overflow-wrap:break-word;line-height:1.15}
th{background:#eee;font-size:11.5pt;font-weight:bold}
td{font-size:12pt}td.t{font-size:13pt}
td.n,th.n{text-align:center}
.st{font-weight:bold;font-size:12pt}
.sm,.ev,.why,.cov,.src{font-size:11pt;font-weight:normal}
.cov{font-style:italic}
td.d,td.m{font-size:11pt}.pl{font-weight:bold}
.ev{margin:.25em 0 0;padding-left:.4em;border-left:2px solid #aaa}
.ev .q{font-style:italic}
mark{background:@@MARK@@;color:inherit}
.why{color:#444;margin-top:.15em}
.warn{border:1px solid #c66;background:#fff5f5;padding:.2em .8em;margin:.5em 0;
 break-inside:avoid}
.warn ul,.toc ol{margin:.2em 0}
.toc{border:1px solid #bbb;padding:.2em .8em;margin:.5em 0;break-inside:avoid}
.toc ol ol{columns:2;column-gap:1.5em;font-size:12pt}
.meta{margin:.2em 0 .5em}
figure{margin:.4em 0;break-inside:avoid}
svg.chart{display:block;max-width:100%}
col.c-pd{width:27mm}col.c-d{width:26mm}.nw{white-space:nowrap}col.c-st{width:31mm}col.c-o{width:55mm}
col.c-r{width:40mm}col.c-s{width:22mm}
#submissions tbody{break-inside:avoid;page-break-inside:avoid}
a{color:#0645ad}
.foot{font-size:11pt;color:#555;break-before:avoid;page-break-before:avoid}
@media print{body{max-width:none;margin:0;padding:0}a{color:inherit;text-decoration:none}}
"""

OUTLINE = re.compile(r"(?:[IVXLC]+|\d+)(?:\.(?:\d+|[a-zđ]))*")
"""A task id that is the plan's own numbering (``IV.7``, ``II.1.a``), not a made-up one."""

SECTIONS = (("tong-hop", "Tổng hợp"), ("theo-co-quan", "Theo cơ quan"),
            ("gui-bao-cao", "Tình hình gửi báo cáo"), ("nhiem-vu", "Nhiệm vụ từng cơ quan"),
            ("bao-cao-da-gan", "Báo cáo đã gắn"),
            ("bao-cao-khong-gan", "Báo cáo không gắn được"))


def _e(x: object) -> str:
    return escape("" if x is None else str(x))


def _nw(x: object) -> str:
    """``x`` escaped, not broken across lines when short (a date, a document's number):
    Chromium 156.0.8078.129 broke ``10/12/2020`` after ``202`` in a 23 mm column. A longer
    label (a report known by its title) wraps: kept whole it would widen the page, and the
    browser would shrink all of it to print."""
    if x in (None, ""):
        return ""
    return f'<span class="nw">{_e(x)}</span>' if len(str(x)) <= 24 else _e(x)


def _status_css() -> str:
    return "".join(f".{k}{{background:{colour(k)}}}" for k in labels.STATUS) + \
        "".join(f".{k}{{background:{c}}}" for k, c in
                (("on_time", colour("done_on_time")), ("late", colour("done_late")),
                 ("missing", colour("overdue"))))


# ── what a cell says ───────────────────────────────────────────────────────────────

def place(d: dict) -> str:
    """Where the duty sits in the plan (``Mục IV.12``): ``place``, else ``Mục`` and the
    task id when that id is the plan's own numbering, else nothing."""
    if d.get("place"):
        return str(d["place"])
    tid = str(d.get("task_id") or "")
    return f"Mục {tid}" if OUTLINE.fullmatch(tid) else ""


def evidence_href(ev: dict) -> str | None:
    """The archive's page at a quoted passage (``/find?path=…&start=…&end=…``, a route of
    the web app), or None when the report's path is not known."""
    path = ev.get("path")
    if not path:
        return None
    href = f"/find?path={quote(str(path), safe='/')}"
    for k in ("start", "end"):
        if isinstance(ev.get(k), int):
            href += f"&{k}={ev[k]}"
    return href


def highlight(text: str, marks: Iterable[Sequence] | None) -> str:
    """``text`` escaped, the spans ``marks`` (``[[start, end], …]``) in ``<mark>``;
    overlapping or out-of-range spans are merged or clipped."""
    spans = []
    for m in marks or ():
        try:
            s, e = max(0, int(m[0])), min(len(text), int(m[1]))
        except (TypeError, ValueError, IndexError):
            continue
        if s < e:
            spans.append((s, e))
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, at = [], 0
    for s, e in merged:
        out.append(escape(text[at:s]) + f"<mark>{escape(text[s:e])}</mark>")
        at = e
    return "".join(out) + escape(text[at:])


_CODES = {**labels.SUBMISSION, **labels.STATUS, **labels.COVERAGE}
_CODE = re.compile(r"\((" + "|".join(k for k in _CODES if k) + r")\)")
_SCORE = re.compile(r"\bBM25(\s+cao nhất)?\s+(\d+)\.(\d+)")


def reason_text(reason: str | None) -> str:
    """The cross-check's reason as a reader reads it: the ranking's name and the status
    codes it carries in Vietnamese (``BM25 11.4`` → ``điểm tương đồng 11,4``)."""
    text = _SCORE.sub(lambda m: f"điểm tương đồng{m[1] or ''} {m[2]},{m[3]}", reason or "")
    text = re.sub(r"\bBM25\b", "điểm tương đồng", text)
    text = _CODE.sub(lambda m: f"({_CODES[m[1]]})", text)
    return re.sub(r"\s*\(\s*\)", "", text)  # an empty list of words


def _due(d: dict) -> str:
    date = d.get("deadline") or d.get("due")
    if not date:
        return '<div class="due">không có thời hạn</div>'
    src = d.get("due_source")
    if src is None and not d.get("deadline"):
        src = "plan_reporting_deadline"  # a due date the duty does not give is inferred
    note = labels.DUE_SOURCE.get(src) if src in ("plan_reporting_deadline", "period_end") else None
    return (f'<div class="due">Hạn {_nw(vn_date(date))}'
            + (f'<div class="src">({_e(note)})</div>' if note else "") + "</div>")


def _evidence(ev: dict) -> str:
    text = str(ev.get("text") or "")
    where = ", ".join(x for x in (_nw(ev.get("report")), _e(ev.get("place") or ev.get("section")))
                      if x)
    href = evidence_href(ev)
    if href and where:
        where = f'<a href="{escape(href)}">{where}</a>'
    return (f'<div class="ev"><span class="q">“{highlight(text, ev.get("marks"))}”</span>'
            + (f" — {where}" if where else "") + "</div>")


def _duty_row(owner: str, d: dict) -> str:
    st = str(d.get("status") or "")
    cov = d.get("coverage")
    evidence = "".join(_evidence(ev) for ev in d.get("evidence") or [])
    why = reason_text(d.get("reason"))
    return (f'<tr class="duty" data-owner="{_e(owner)}" data-status="{_e(st)}">'
            f'<td class="m"><div class="pl">{_e(place(d))}</div>{_due(d)}</td>'
            f'<td class="t">{_e(d.get("text"))}{evidence}</td>'
            f'<td class="st {_e(st)}">{_e(labels.STATUS.get(st, st))}'
            f'<div class="cov">{_e(labels.COVERAGE.get(cov, cov))}</div>'
            + (f'<div class="why">{_e(why)}</div>' if why else "") + "</td></tr>")


# ── sections ───────────────────────────────────────────────────────────────────────

def _thead(*cells: str, cls: tuple[str, ...] = ()) -> str:
    ths = "".join(f'<th class="{c}">{t}</th>' if c else f"<th>{t}</th>"
                  for t, c in zip(cells, cls or ("",) * len(cells)))
    return f"<thead><tr>{ths}</tr></thead>"


def _counted(counts: Counter) -> str:
    return ", ".join(f"{counts[k]} {labels.STATUS_COUNTED.get(k, k)}"
                     for k in labels.STATUS if counts.get(k))


def _totals(duties: list[dict]) -> str:
    c = Counter(d.get("status") for d in duties)
    head = _thead(*(_e(v) for v in labels.STATUS.values()), "Tổng số",
                  cls=("n",) * (len(labels.STATUS) + 1))
    cells = "".join(f'<td class="n {k}"><b>{c.get(k, 0)}</b></td>' for k in labels.STATUS)
    return (f'<table id="buckets">{head}<tbody><tr>{cells}<td class="n"><b>{len(duties)}'
            "</b></td></tr></tbody></table>")


def _per_owner(by_owner: dict[str, list[dict]], ids: dict[str, str]) -> str:
    """Agency × status counts, with a column for each status some duty has."""
    seen = {d.get("status") for ds in by_owner.values() for d in ds}
    cols = [k for k in labels.STATUS if k in seen]
    head = _thead("Cơ quan, đơn vị", *(_e(labels.STATUS_SHORT[k]) for k in cols), "Tổng",
                  cls=("", *("n",) * (len(cols) + 1)))
    rows = []
    for o in vi_sorted(by_owner):
        c = Counter(d.get("status") for d in by_owner[o])
        rows.append(f'<tr><td><a href="#{ids[o]}">{_e(o)}</a></td>'
                    + "".join(f'<td class="n">{c.get(k, 0) or "–"}</td>' for k in cols)
                    + f'<td class="n"><b>{len(by_owner[o])}</b></td></tr>')
    return (f'<table id="owners"><colgroup><col class="c-o"></colgroup>{head}<tbody>'
            + "".join(rows) + "</tbody></table>")


def _submissions(subs: list[dict]) -> str:
    """The reports the plan asks for, an agency's rows in one row group (never split)."""
    if not subs:
        return "<p>Kế hoạch không có yêu cầu báo cáo có thời hạn.</p>"
    groups: dict[str, list[dict]] = defaultdict(list)
    for s in subs:
        groups[str(s.get("owner") or "")].append(s)
    bodies = []
    for owner in vi_sorted(groups):
        rows = sorted(groups[owner], key=lambda s: (s.get("due") or "9", vi_key(s.get("what"))))
        cells = []
        for s in rows:
            st = s.get("status")
            doc = ", ".join(_nw(x) for x in (s.get("report"), vn_date(s.get("received"), ""))
                            if x) or "—"
            cells.append(f"<td>{_e(s.get('what'))}</td><td class=\"d\">"
                         f"{_nw(vn_date(s.get('due')))}</td><td>{doc}</td>"
                         f"<td class=\"{_e(st or '')}\">{_e(labels.SUBMISSION.get(st, st))}</td>")
        head = f'<td rowspan="{len(rows)}">{_e(owner)}</td>'
        bodies.append("<tbody>" + "".join(
            f"<tr>{head if i == 0 else ''}{c}</tr>" for i, c in enumerate(cells)) + "</tbody>")
    return ('<table id="submissions"><colgroup><col class="c-o"><col><col class="c-d">'
            '<col class="c-r"><col class="c-s"></colgroup>'
            + _thead("Cơ quan, đơn vị", "Báo cáo", "Hạn", "Văn bản, ngày nhận", "Tình trạng")
            + "".join(bodies) + "</table>")


def _owner_section(owner: str, anchor: str, duties: list[dict]) -> str:
    rows = "".join(_duty_row(owner, d) for d in duties)
    intro = f"{len(duties)} nhiệm vụ: {_counted(Counter(d.get('status') for d in duties))}."
    return (f'<section class="agency" id="{anchor}"><div class="keep"><h2>{_e(owner)}</h2>'
            f'<p class="sm">{_e(intro)}</p></div>'
            '<table class="owner"><colgroup><col class="c-pd"><col><col class="c-st">'
            '</colgroup>' + _thead("Mục, thời hạn", "Nhiệm vụ; căn cứ trong báo cáo", "Tình trạng")
            + f"<tbody>{rows}</tbody></table></section>")


def _reports(reports: list[dict]) -> str:
    if not reports:
        return "<p>Không có báo cáo nào gắn được với kế hoạch.</p>"
    reports = sorted(reports, key=lambda r: (vi_key(r.get("owner") or r.get("issuer")),
                                             r.get("date") or "", vi_key(r.get("report"))))
    rows = []
    for r in reports:
        how = labels.LINKED_BY.get(r.get("linked_by"), r.get("linked_by") or "")
        if r.get("consolidated"):
            how = f"{how}; báo cáo tổng hợp" if how else "báo cáo tổng hợp"
        rows.append(f"<tr><td>{_e(r.get('report'))}</td><td class=\"d\">"
                    f"{_nw(vn_date(r.get('date')))}</td>"
                    f"<td>{_e(r.get('owner') or r.get('issuer'))}</td><td>{_e(how)}</td></tr>")
    return ('<table id="reports"><colgroup><col class="c-st"><col class="c-d"><col><col>'
            "</colgroup>" + _thead("Văn bản", "Ngày", "Cơ quan ban hành", "Cách gắn với kế hoạch")
            + "<tbody>" + "".join(rows) + "</tbody></table>")


def _unmatched(items: list) -> str:
    if not items:
        return "<p>Không có.</p>"
    return ('<ul id="unmatched">' + "".join(f"<li>{_e(u)}</li>" for u in vi_sorted(map(str, items)))
            + "</ul>")


def _warnings(warnings: list) -> str:
    if not warnings:
        return ""
    return ('<div class="warn" role="note"><b>Lưu ý khi đọc báo cáo này</b><ul>'
            + "".join(f"<li>{_e(w)}</li>" for w in warnings) + "</ul></div>")


def _contents(owners: list[str], ids: dict[str, str]) -> str:
    items = []
    for anchor, title in SECTIONS:
        sub = ""
        if anchor == "nhiem-vu" and owners:
            sub = "<ol>" + "".join(f'<li><a href="#{ids[o]}">{_e(o)}</a></li>'
                                   for o in owners) + "</ol>"
        items.append(f'<li><a href="#{anchor}">{_e(title)}</a>{sub}</li>')
    return f'<nav class="toc" aria-label="Mục lục"><b>Mục lục</b><ol>{"".join(items)}</ol></nav>'


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{_e(title)}</h2>{body}</section>'


def render_html(gaps: dict) -> str:
    """The whole page."""
    plan = gaps.get("plan") or {}
    name = plan.get("symbol") or "(chưa có số)"
    duties = gaps.get("duties") or []
    by_owner: dict[str, list[dict]] = defaultdict(list)
    for d in duties:
        by_owner[str(d.get("owner") or "")].append(d)
    owners = vi_sorted(by_owner)
    ids = {o: f"cq-{i + 1}" for i, o in enumerate(owners)}
    reports = gaps.get("reports") or []
    chart = status_chart(duties, colour)
    summary = (f"{len(duties)} nhiệm vụ của {len(owners)} cơ quan, đơn vị; "
               f"{len(reports)} báo cáo gắn được với kế hoạch.")
    body = "".join([
        _section("tong-hop", "Tổng hợp theo tình trạng", f"<p>{_e(summary)}</p>{_totals(duties)}"),
        _section("theo-co-quan", "Tổng hợp theo cơ quan, đơn vị",
                 (f"<figure>{chart}</figure>" if chart else "") + _per_owner(by_owner, ids)),
        _section("gui-bao-cao", "Tình hình gửi báo cáo",
                 _submissions(gaps.get("submissions") or [])),
        '<div id="nhiem-vu">' + "".join(_owner_section(o, ids[o], by_owner[o])
                                        for o in owners) + "</div>",
        _section("bao-cao-da-gan", "Báo cáo đã gắn với kế hoạch", _reports(reports)),
        _section("bao-cao-khong-gan", "Báo cáo không gắn được với kế hoạch",
                 _unmatched(gaps.get("unmatched_reports") or [])),
    ])
    css = CSS.replace("@@MARK@@", MARK) + _status_css()
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tình hình thực hiện {_e(name)}</title><style>{css}</style></head>
<body>
<h1>Báo cáo tình hình thực hiện nhiệm vụ</h1>
<p class="meta"><b>Kế hoạch:</b> {_e(name)} ngày {_e(vn_date(plan.get('date')))} của \
{_e(plan.get('issuer'))} — {_e(plan.get('title'))}<br><b>Tính đến ngày:</b> \
{_e(vn_date(gaps.get('as_of')))}</p>
{_warnings(gaps.get('warnings') or [])}{_contents(owners, ids)}{body}
<p class="foot">Lập tự động bởi vanban; mỗi nhận định kèm lý do để cán bộ kiểm tra lại.</p>
</body></html>
"""


class HtmlWriter(GapReportWriter):
    name, suffix = "html", ".html"

    def render(self, gaps: dict) -> str:
        return render_html(gaps)
