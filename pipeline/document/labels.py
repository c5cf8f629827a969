"""The words people read for the codes vanban writes: statuses, coverage and submissions of
a gap report, document types, recurrences and findings. One place, so that the HTML, XLSX
and DOCX reports, the terminal and the web app say the same thing.

Plain dicts keyed by the values the JSON holds (``"done_on_time"``, ``"monthly"`` …); a
``StrEnum`` member of the same value finds the same entry. This is the bottom layer: any
stage may import it.
"""
from __future__ import annotations

from pipeline.document.doctypes import lookup_abbr

STATUS = {"done_on_time": "Hoàn thành đúng hạn", "done_late": "Hoàn thành quá hạn",
          "done_undated": "Đã thực hiện, chưa rõ ngày",
          "pending": "Chưa hoàn thành, còn hạn", "overdue": "Chưa hoàn thành, quá hạn",
          "no_deadline": "Chưa hoàn thành, không có thời hạn"}
"""A duty's status (the Government Office's four buckets, and two where a date is
unknown), as a report heading writes it."""

STATUS_SHORT = {"done_on_time": "Đúng hạn", "done_late": "Quá hạn (đã xong)",
                "done_undated": "Chưa rõ ngày", "pending": "Còn hạn", "overdue": "Quá hạn",
                "no_deadline": "Không thời hạn"}
"""The same, short enough for a chart's legend or a narrow column."""

STATUS_COUNTED = {"done_on_time": "hoàn thành đúng hạn", "done_late": "hoàn thành quá hạn",
                  "done_undated": "đã thực hiện chưa rõ ngày",
                  "pending": "chưa hoàn thành còn hạn", "overdue": "quá hạn",
                  "no_deadline": "chưa hoàn thành không có thời hạn"}
"""The same buckets after a count, in running text ("3 quá hạn")."""

STATUS_EN = {"done_on_time": "done on time", "done_late": "done late",
             "done_undated": "done, undated", "pending": "pending", "overdue": "overdue",
             "no_deadline": "no deadline"}
"""The same buckets in English, for the Prefect UI's artifacts."""

COVERAGE = {"addressed": "đã báo cáo thực hiện", "partial": "thực hiện một phần",
            "not_addressed": "báo cáo không đề cập", "no_report": "không có báo cáo"}
"""How far an owner's reports speak of a duty."""

SUBMISSION = {"on_time": "đúng hạn", "late": "muộn", "missing": "chưa nhận",
              None: "chưa rõ ngày"}
"""A report asked for by a date: received on time, late, not received (None: undated)."""

DUE_SOURCE = {"stated": "theo kế hoạch", "period_end": "hết thời gian thực hiện",
              "plan_reporting_deadline": "suy ra từ hạn gửi báo cáo"}
"""Where a duty's due date comes from; the inferred one is marked wherever a date shows."""

LINKED_BY = {"symbol": "dẫn số hiệu kế hoạch", "title": "trùng loại, cơ quan ban hành và tên"}
"""How a report was linked to the plan."""

RECURRENCE = {"monthly": "hằng tháng", "quarterly": "hằng quý", "semiannual": "6 tháng một lần",
              "annual": "hằng năm"}
"""A duty's cycle (``Task.recurrence``)."""

FINDING = {"date_typo": "Ngày viết sai quy cách", "invalid_date": "Ngày không có thật",
           "deadline_before_issue": "Thời hạn trước ngày ban hành",
           "conflicting_citation_dates": "Một văn bản được dẫn với nhiều ngày khác nhau",
           "doubtful_number": "Số, ký hiệu đọc không rõ",
           "unreadable_page": "Trang đọc không trọn vẹn"}
"""What a finding on a document is (``Finding.kind``)."""


def doc_type(abbr: str | None) -> str:
    """``KH`` → ``Kế hoạch`` (from ``pipeline/data/doc_types.tsv``); an unknown code as is."""
    t = lookup_abbr(abbr) if abbr else None
    return t.name.capitalize() if t else (abbr or "")


def vn_date(iso: str | None, missing: str = "—") -> str:
    """ISO date → ``dd/mm/yyyy`` as Vietnamese documents print it (``2020-03`` → ``03/2020``);
    ``missing`` for none; anything else as it is."""
    if not iso:
        return missing
    parts = iso.split("-")
    return "/".join(reversed(parts)) if all(p.isdigit() for p in parts) else iso
