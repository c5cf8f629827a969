"""A ``vanban.gaps/1`` report as one self-contained, printable HTML page in Vietnamese.

Every string that comes from a document goes through :func:`html.escape`.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from html import escape

from pipeline.crosscheck.model import Status
from pipeline.document import labels
from pipeline.document.labels import vn_date
from pipeline.reports.base import GapReportWriter

COLOURS = {Status.DONE_ON_TIME: "#d4edda", Status.DONE_LATE: "#fff3cd",
           Status.DONE_UNDATED: "#e2e3e5", Status.PENDING: "#d6e9f8",
           Status.OVERDUE: "#f8d7da", Status.NO_DEADLINE: "#ece4f3"}
"""A status bucket's background, in the HTML page and the XLSX sheet."""

CSS = """
body{font-family:"Times New Roman",serif;margin:2em;color:#111}
h1{font-size:1.4em;text-align:center;text-transform:uppercase}
h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;margin:.5em 0;font-size:.92em}
th,td{border:1px solid #888;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#eee}
.st{white-space:nowrap;font-weight:bold}
.done_on_time{background:#d4edda}.done_late{background:#fff3cd}
.pending{background:#d6e9f8}.overdue{background:#f8d7da}
td.d{white-space:nowrap}.missing{background:#f8d7da}.late{background:#fff3cd}
.on_time{background:#d4edda}
blockquote{margin:0;font-style:italic;color:#333}
.where{font-size:.85em;color:#555}.reason{font-size:.85em;color:#444}
@media print{body{margin:1cm}h2{page-break-after:avoid}tr{page-break-inside:avoid}}
"""


def _e(x: object) -> str:
    return escape("" if x is None else str(x))


def _counts(duties: list[dict]) -> str:
    c = Counter(d["status"] for d in duties)
    cells = "".join(f'<td class="{k}">{_e(v)}: <b>{c.get(k, 0)}</b></td>'
                    for k, v in labels.STATUS.items())
    return f'<table id="buckets"><tr>{cells}<td>Tổng: <b>{len(duties)}</b></td></tr></table>'


def _by_owner(duties: list[dict]) -> str:
    rows = defaultdict(Counter)
    for d in duties:
        rows[d["owner"]][d["status"]] += 1
    head = "".join(f"<th>{_e(v)}</th>" for v in labels.STATUS.values())
    body = "".join(
        f"<tr><td>{_e(o)}</td>" + "".join(f"<td>{c.get(k, 0)}</td>" for k in labels.STATUS)
        + "</tr>" for o, c in sorted(rows.items()))
    return f'<table id="owners"><tr><th>Cơ quan, đơn vị</th>{head}</tr>{body}</table>'


def _evidence(d: dict) -> str:
    parts = []
    for ev in d.get("evidence") or []:
        text = ev.get("text") or ""
        if len(text) > 400:
            text = text[:400] + "…"
        where = f"{ev.get('report')}, mục {ev.get('section') or '—'}, ký tự {ev.get('start')}–" \
                f"{ev.get('end')}"
        parts.append(f"<blockquote>“{_e(text)}”</blockquote><div class=\"where\">{_e(where)}</div>")
    reason = f'<div class="reason">{_e(d.get("reason"))}</div>' if d.get("reason") else ""
    return "".join(parts) + reason


def _owner_table(owner: str, duties: list[dict]) -> str:
    rows = []
    for d in duties:
        rows.append(
            f'<tr class="duty" data-owner="{_e(owner)}" data-status="{_e(d["status"])}">'
            f"<td>{_e(d.get('task_id'))}</td><td>{_e(d.get('text'))}</td>"
            f"<td class=\"d\">{_e(vn_date(d.get('deadline') or d.get('due')))}</td>"
            f'<td class="st {_e(d["status"])}">{_e(labels.STATUS.get(d["status"], d["status"]))}'
            f"<br><small>{_e(labels.COVERAGE.get(d['coverage'], d['coverage']))}</small></td>"
            f"<td>{_evidence(d)}</td></tr>")
    return (f"<h2>{_e(owner)}</h2><table class=\"owner\"><tr><th>Mục</th><th>Nhiệm vụ</th>"
            f"<th>Thời hạn</th><th>Tình trạng</th><th>Căn cứ trong báo cáo</th></tr>"
            + "".join(rows) + "</table>")


def _submissions(subs: list[dict]) -> str:
    if not subs:
        return "<p>Kế hoạch không có yêu cầu báo cáo có thời hạn.</p>"
    rows = "".join(
        f"<tr><td>{_e(s['owner'])}</td><td>{_e(s['what'])}</td><td class=\"d\">"
        f"{_e(vn_date(s['due']))}</td><td>{_e(s.get('report') or '—')}</td><td class=\"d\">"
        f"{_e(vn_date(s.get('received')))}</td><td class=\"{_e(s['status'])}\">"
        f"{_e(labels.SUBMISSION.get(s['status'], s['status']))}</td></tr>" for s in subs)
    return ("<table id=\"submissions\"><tr><th>Cơ quan, đơn vị</th><th>Báo cáo</th><th>Hạn</th>"
            "<th>Văn bản</th><th>Ngày nhận</th><th>Tình trạng</th></tr>" + rows + "</table>")


def render_html(gaps: dict) -> str:
    """The whole page."""
    plan = gaps.get("plan") or {}
    name = plan.get("symbol") or "(chưa có số)"
    by_owner: dict[str, list[dict]] = defaultdict(list)
    for d in gaps["duties"]:
        by_owner[d["owner"]].append(d)
    owners = "".join(_owner_table(o, ds) for o, ds in by_owner.items())
    unmatched = ""
    if gaps.get("unmatched_reports"):
        unmatched = "<h2>Báo cáo không gắn được với kế hoạch</h2><ul>" + "".join(
            f"<li>{_e(u)}</li>" for u in gaps["unmatched_reports"]) + "</ul>"
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>Tình hình thực hiện {_e(name)}</title><style>{CSS}</style></head>
<body>
<h1>Báo cáo tình hình thực hiện nhiệm vụ</h1>
<p><b>Kế hoạch:</b> {_e(name)} ngày {_e(vn_date(plan.get('date')))} của {_e(plan.get('issuer'))}
— {_e(plan.get('title'))}<br><b>Tính đến ngày:</b> {_e(vn_date(gaps.get('as_of')))}</p>
<h2>Tổng hợp theo tình trạng</h2>{_counts(gaps['duties'])}
<h2>Tổng hợp theo cơ quan, đơn vị</h2>{_by_owner(gaps['duties'])}
<h2>Tình hình gửi báo cáo</h2>{_submissions(gaps.get('submissions') or [])}
{owners}{unmatched}
<p class="where">Lập tự động bởi vanban; mỗi nhận định kèm lý do để cán bộ kiểm tra lại.</p>
</body></html>
"""


class HtmlWriter(GapReportWriter):
    name, suffix = "html", ".html"

    def render(self, gaps: dict) -> str:
        return render_html(gaps)
