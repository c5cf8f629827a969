"""A plan's duties as a gap report lists them: which duties (enforcement clauses left
out), their full sentence, their place in the plan's own numbering, and their owners
(a group expanded; the body a report is sent to never owes it; "các sở, ngành khác"
without the ones the duty names)."""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import replace

from pipeline.crosscheck.link import expand
from pipeline.document.facts import Task
from pipeline.document.model import Document
from pipeline.document.normalize import fold

_ROMAN = re.compile(r"^[IVXLC]+$")
_EVERYONE = re.compile(r"(?i)^các\s+(?:sở|ban|ngành|cấp|cơ quan|đơn vị)\b")
_RELATED = re.compile(r"(?i)\b(?:có\s+)?liên\s+quan\b")


_ATTENDANCE = re.compile(r"(?i)(?:^|[;:.]\s*)(?:\S+\s+){0,8}?(?:mời|cử)\b.{0,120}?\bdự\b|"
                         r"\b(?:(?:tham )?dự (?:hội nghị|cuộc họp|buổi làm việc|lễ)|dự họp|"
                         r"đúng thành phần)\b")  # not "tham dự các lớp tập huấn": a duty


def listed(tasks) -> list[Task]:
    """The duties a gap report lists: an enforcement clause ("Chánh Văn phòng … chịu
    trách nhiệm thi hành Quyết định này") and an invitation to attend ("Mời đại diện …
    dự Hội nghị", "dự Hội nghị đúng thành phần được mời") are not duties anyone reports
    on (a meeting's attendee list made 18 "overdue" duties)."""
    return [t for t in tasks if t.kind != "enforcement"
            and not _ATTENDANCE.search((t.text or "")[:300])]


def place(task_id: str, closing: int = 1) -> str:
    """A task id in the plan's own numbering: ``IV.12`` → ``Mục IV.12``; ``II.1.3.-1`` →
    ``Mục II.1.3, ý 1``; ``D2.3`` → ``Khoản 3 Điều 2``; ``end.2`` → ``Đoạn cuối, ý 2``
    (``Đoạn cuối`` when ``closing`` is 1); ``T3.19`` → ``Bảng 3, dòng 19``."""
    parts = task_id.replace("~", ".").split(".")
    if parts[0] == "end":
        return "Đoạn cuối" if closing <= 1 else f"Đoạn cuối, ý {parts[-1]}"
    if re.fullmatch(r"T\d+", parts[0]) and len(parts) == 2:
        return f"Bảng {parts[0][1:]}, dòng {parts[1]}"
    head: list[str] = []
    clause = None
    numbered: list[str] = []
    bullet = None
    for p in parts:
        if re.fullmatch(r"P\d+", p):
            head.append(f"Phần {p[1:]}")
        elif re.fullmatch(r"C[IVXLC]+", p):
            head.append(f"Chương {p[1:]}")
        elif re.fullmatch(r"D\d+", p):
            clause = p[1:]
        elif re.fullmatch(r"-\d+", p):
            bullet = p[1:]
        elif p:
            numbered.append(p)
    if clause is not None and numbered and _ROMAN.match(numbered[0]):
        out = f"Điều {clause}, mục " + ".".join(numbered)  # a scheme inside an article
    elif clause is not None:  # a decision's or a law's article: "điểm a khoản 1 Điều 32"
        bits = []
        if len(numbered) >= 2 and not _ROMAN.match(numbered[1]):
            bits.append(f"điểm {numbered[1]}")
        if numbered:
            bits.append(f"khoản {numbered[0]}")
        bits.append(f"Điều {clause}")
        out = " ".join(bits)
        out = out[0].upper() + out[1:]
    elif numbered:
        out = "Mục " + ".".join(numbered)
    else:
        out = ""
    if head and not clause:
        out = ", ".join(head + ([out[0].lower() + out[1:]] if out else []))
    if bullet:
        out = f"{out}, ý {bullet}" if out else f"Ý {bullet}"
    return out or "Phần mở đầu"


def full_text(task: Task, doc: Document | None) -> str:
    """The duty's sentence from its start: a duty found after its subject ("Các sở,
    ngành …, theo chức năng, nhiệm vụ được giao, xây dựng …") is shown from the subject,
    not mid-sentence. Table rows are kept as extracted."""
    text = (task.text or "").strip()
    if doc is None or task.source == "table":
        return text
    block = next((b for b in doc.blocks if b.start <= task.start < b.end), None)
    if block is None or task.start - block.start <= 0:
        return text
    before = doc.text[block.start:task.start]
    if not before.strip() or len(before) > 400:
        return text
    cut = max(before.rfind(". "), before.rfind("; "), before.rfind(": "))
    lead = before[cut + 2:] if cut >= 0 else before
    lead = re.sub(r"^\s*(?:[-+•–*]|[a-zđ]\)|\d+(?:\.\d+)*\s*[.)-])\s*", "", lead)
    if not lead.strip():
        return text
    end = min(task.end, len(doc.text))
    whole = (lead + doc.text[task.start:end]).strip()
    return whole if len(whole) >= len(text) else text


def owners_of(task: Task, known: list[str], canonical) -> list[str]:
    """The owners of a duty among ``known`` names: its leads, a group expanded to its
    members; "… khác" without the bodies the duty names itself; never the body the
    report or product is sent to (it does not owe itself)."""
    named = {canonical(x) for x in (*task.lead, *task.support)}
    out: list[str] = []
    for lead in task.lead:
        members = expand(lead, known)
        if members == [lead] and _EVERYONE.match(lead) and not _RELATED.search(lead):
            # "các cấp, các ngành, địa phương", "các cơ quan, đơn vị": every body the
            # plan names (the gazetteer cannot list them; the plan does)
            members = [k for k in known
                       if not re.match(r"(?i)(?:các|những|một số)\s", k)] or [lead]
        if members and (len(members) > 1 or members[0] != lead):
            if re.search(r"(?i)\bkhác\b", lead):
                members = [m for m in members if m not in named]
        out += members
    to = canonical(task.receiver) if task.receiver else None
    addressee = _addressee(task)
    kept = [o for o in dict.fromkeys(out)
            if o != to and not (addressee and fold(o).startswith(addressee))]
    # "các cơ quan có liên quan" beside named owners adds nobody to write to; alone, it
    # is all the plan says (a class of bodies, "UBND các huyện", always stays)
    named_only = [o for o in kept if not re.match(r"(?:các|những|một số)\s", o)]
    return named_only or kept


def _addressee(task: Task) -> str | None:
    """Folded name of the body a reporting duty sends to ("gửi báo cáo về Sở X")."""
    t = fold(task.text or "")
    m = re.search(r"gui (?:bao cao |ket qua )*(?:ve|cho|toi) ((?:so|bo|ban|van phong|cong an)"
                  r" [^,;(.]{2,40})", t)
    return " ".join(m.group(1).split()[:4]) if m else None


def current_cycle(task: Task, as_of: str, issued: str | None) -> Task:
    """A recurring duty as of ``as_of``: "báo cáo trước ngày 20/11 hằng năm" in a plan of
    19/11/2025 is due 20/11/2026 when checked at the end of 2026 — the latest cycle not
    after ``as_of`` (the first one after the plan when none has come yet)."""
    step = {"annual": 12, "monthly": 1}.get(task.recurrence or "")
    if not step or not task.deadline or len(task.deadline) != 10:
        return task
    y, m, d = (int(x) for x in task.deadline.split("-"))

    def shifted(k: int) -> str | None:
        mm = m - 1 + k * step
        yy, mm = y + mm // 12, mm % 12 + 1
        try:
            return _dt.date(yy, mm, d).isoformat()
        except ValueError:  # 31/x or 29/2: the month's last day
            nxt = _dt.date(yy + (mm == 12), mm % 12 + 1, 1)
            return (nxt - _dt.timedelta(days=1)).isoformat()

    after = issued or ""
    k = 0
    while (cur := shifted(k)) and cur <= after:
        k += 1  # the first cycle after the plan was issued
    while (nxt := shifted(k + 1)) and nxt <= as_of and k < 1200:
        k += 1
    cur = shifted(k)
    return task if cur == task.deadline else replace(task, deadline=cur)
