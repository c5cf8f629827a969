"""A ``vanban.gaps/1`` report as a DOCX draft official report in the layout of Decree
30/2020/NĐ-CP (:mod:`pipeline.reports.decree30`): header, title, a summary with counts by
status, one table of every duty (full text, due date with the inferred one marked, result,
full evidence), the reports not received, "Nơi nhận" and a signature block to sign."""
from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import IO

from pipeline.document import labels
from pipeline.document.collation import vi_key
from pipeline.document.labels import vn_date
from pipeline.reports.base import SavingWriter

HEADERS = ["STT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Kết quả", "Minh chứng"]
WIDTHS_CM = [1.2, 4.6, 2.2, 2.4, 1.8, 3.8]  # 16 cm: the line between the margins


def counts_sentence(duties: list[dict]) -> str:
    """``14 hoàn thành đúng hạn, 2 hoàn thành quá hạn, 82 quá hạn`` (buckets with a count)."""
    c = Counter(d.get("status") for d in duties)
    return ", ".join(f"{c[k]} {v}" for k, v in labels.STATUS_COUNTED.items() if c.get(k))


def _summary(gaps: dict) -> list[str]:
    """The opening paragraphs: counts by status, reports received and not, warnings."""
    from pipeline.reports import decree30 as d30

    plan, duties = gaps.get("plan") or {}, gaps.get("duties") or []
    owners = {d.get("owner") for d in duties}
    day = f"Tính đến ngày {vn_date(gaps['as_of'])}" if gaps.get("as_of") else "Đến nay"
    out = [f"{day}, {d30.plan_name(plan)} giao "
           f"{len(duties)} lượt nhiệm vụ cho {len(owners)} cơ quan, đơn vị chủ trì (mỗi nhiệm "
           f"vụ tính riêng cho từng đơn vị); trong đó: {counts_sentence(duties) or 'chưa có'}."]
    reports = gaps.get("reports") or []
    if reports:
        out.append("Các báo cáo đã nhận gắn với kế hoạch: " + "; ".join(
            d30.report_label(r.get("report"))
            + (f" ngày {vn_date(r['date'])}" if r.get("date") else "")
            + (f" của {r.get('owner') or r.get('issuer')}" if r.get("owner") or r.get("issuer")
               else "") for r in reports) + ".")
    else:
        out.append("Chưa nhận được báo cáo nào gắn với kế hoạch.")
    subs = gaps.get("submissions") or []
    miss = sum(1 for s in subs if s.get("status") == "missing")
    late = sum(1 for s in subs if s.get("status") == "late")
    if subs:
        out.append(f"Về báo cáo định kỳ theo kế hoạch: {len(subs)} lượt phải gửi, "
                   f"{miss} lượt chưa nhận, {late} lượt gửi muộn.")
    if gaps.get("unmatched_reports"):
        out.append("Văn bản không gắn được với kế hoạch: "
                   + ", ".join(gaps["unmatched_reports"]) + ".")
    if any(d30.due_note(d30.due_of(d)[1]) for d in duties):
        out.append("Nhiệm vụ không ghi thời hạn riêng được tính đến hạn gửi báo cáo của "
                   "kế hoạch hoặc hết thời gian thực hiện; thời hạn đó được ghi chú bên cạnh.")
    out += [f"Lưu ý: {w}" for w in gaps.get("warnings") or []]
    return out


def _row(i: int, d: dict) -> list:
    from pipeline.reports import decree30 as d30

    place = d30.place_label(d)
    duty = ([[(place, "i")]] if place else []) + [d.get("text") or ""]
    due, source = d30.due_of(d)
    note = d30.due_note(source)
    deadline = [vn_date(due, "Không có")] + ([[(f"({note})", "i")]] if note else [])
    result = [[(labels.STATUS.get(d.get("status"), d.get("status") or ""), "b")]]
    if d.get("coverage") in labels.COVERAGE:
        result.append(f"({labels.COVERAGE[d['coverage']]})")
    parts = d30.evidence_parts(d)
    proof = [p for q, w in parts for p in ([[(f"“{q}”", "i")]] + ([f"({w})"] if w else []))]
    return [str(i), duty, d.get("owner") or "", deadline, result,
            proof or [d30.vn_reason(d.get("reason"))]]


def _submissions(doc, subs: list[dict]) -> None:
    """Per owner (Vietnamese order), the periodic reports not received or received late."""
    from pipeline.reports import decree30 as d30

    by: dict[str, list[str]] = defaultdict(list)
    for s in subs:
        if s.get("status") in ("missing", "late"):
            got = (f", {d30.report_label(s['report'])} ngày {vn_date(s.get('received'))}"
                   if s.get("report") else "")
            by[s.get("owner") or ""].append(
                f"{s.get('what') or 'báo cáo'} hạn {vn_date(s.get('due'))} "
                f"({labels.SUBMISSION.get(s['status'], '')}{got})")
    if not by:
        d30.paragraph(doc, "Các báo cáo định kỳ theo kế hoạch đã được gửi đúng hạn."
                      if subs else "Kế hoạch không yêu cầu báo cáo định kỳ có thời hạn.")
        return
    for owner in sorted(by, key=vi_key):
        d30.paragraph(doc, [("- ", ""), (f"{owner}: ", "b"), ("; ".join(by[owner]) + ".", "")])


def save_docx(gaps: dict, out: Path | IO[bytes]) -> None:
    """The draft report saved to a path or a stream."""
    # python-docx (≈0.07 s) is imported when a report is made, not with the archive
    from pipeline.reports import decree30 as d30

    plan = gaps.get("plan") or {}
    issuer = plan.get("issuer")
    subject = f"Tình hình thực hiện {d30.plan_name(plan)}"
    if plan.get("title"):
        subject += f" về {d30.about(plan['title'])}"
    doc = d30.new_document(subject, issuer or "")
    d30.national_header(doc, d30.body_name(issuer),
                        f"Số:        /BC-{d30.symbol_code(plan.get('symbol'))}",
                        d30.place_of(issuer))
    d30.title(doc, "BÁO CÁO", subject)
    d30.paragraph(doc, [("I. TỔNG HỢP CHUNG", "b")])
    for text in _summary(gaps):
        d30.paragraph(doc, text)
    d30.paragraph(doc, [("II. KẾT QUẢ THỰC HIỆN TỪNG NHIỆM VỤ", "b")])
    rows = [_row(i, d) for i, d in enumerate(d30.in_order(gaps.get("duties") or []), 1)]
    d30.table(doc, HEADERS, WIDTHS_CM, rows)
    d30.paragraph(doc, "", after=0)
    d30.paragraph(doc, [("III. TÌNH HÌNH GỬI BÁO CÁO ĐỊNH KỲ", "b")])
    _submissions(doc, gaps.get("submissions") or [])
    d30.paragraph(doc, [("IV. ĐỀ XUẤT", "b")])
    d30.paragraph(doc, "Đề nghị các cơ quan, đơn vị có nhiệm vụ chưa hoàn thành, quá hạn khẩn "
                       "trương thực hiện và gửi báo cáo kết quả theo quy định./.")
    d30.closing(doc, ["- Như trên;", "- Lưu: VT."], d30.authority(issuer))
    doc.save(out)


class DocxWriter(SavingWriter):
    name, suffix = "docx", ".docx"

    def save(self, gaps: dict, target: Path | IO[bytes]) -> None:
        save_docx(gaps, target)
