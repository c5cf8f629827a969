"""Which reports answer a plan, and whose they are.

A report answers a plan when it cites one of the plan's symbols (the plan's own number, or
a self-citation such as an attachment's "Gửi kèm Công văn số …"); a draft plan with no
number is matched by title. A report's owner is its issuer (canonical); a group owner
named by a duty ("UBND các huyện") stands for its members among the known names.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from pipeline.crosscheck.model import LinkedBy, Loaded, load
from pipeline.document.facts import Extraction, Metadata
from pipeline.document.normalize import fold
from pipeline.outputs import iter_inputs

TITLE_MATCH = 90  # rapidfuzz token_sort_ratio on folded titles, for unnumbered plans
CITED_TITLE_MATCH = 85  # token_set_ratio of a citation's "về …" against a draft's title


def norm_symbol(s: str | None) -> str:
    """A symbol as compared: accent-folded, lower case, no spaces."""
    return re.sub(r"\s+", "", fold(s or ""))


def plan_symbols(plan: Loaded) -> set[str]:
    """The plan's own symbol, plus self-citations (same date, same issuer or type)."""
    meta = plan.meta
    out = {norm_symbol(meta.symbol)} - {""}
    date, issuer = meta.date, fold(meta.issuer or "")
    for r in plan.extraction.references:
        if r.symbol and date and r.date == date and (
                (issuer and issuer in fold(r.text or ""))
                or r.doc_type == meta.doc_type):
            out.add(norm_symbol(r.symbol))
    return out


def link(plan: Loaded, report: Loaded) -> tuple[LinkedBy, str | None] | None:
    """How ``report`` answers ``plan``: (``symbol``, the symbol it cites) or (``title``,
    the citation or None); None when it does not."""
    if plan.path == report.path:
        return None
    syms = plan_symbols(plan)
    for r in report.extraction.references:
        if r.symbol and norm_symbol(r.symbol) in syms:
            return LinkedBy.SYMBOL, r.symbol
    if not plan.meta.symbol:
        a, b = fold(plan.meta.title or ""), fold(report.meta.title or "")
        if a and b and fuzz.token_sort_ratio(a, b) >= TITLE_MATCH:
            return LinkedBy.TITLE, None
        for r in report.extraction.references:
            if cites_draft(plan, report, r):
                return LinkedBy.TITLE, r.symbol
    return None


def _code(symbol: str | None) -> str:
    """The part of a symbol after its number, folded: ``27/KH-STTTT`` → ``kh-stttt``."""
    tail = norm_symbol(symbol).split("/", 1)[-1]
    return tail


def cites_draft(plan: Loaded, report: Loaded, ref) -> bool:
    """A citation in ``report`` of ``plan`` kept as an unnumbered draft ("Số:   /KH-STTTT"):
    same type, the same issuer (by name or by the code of the symbol), a date not
    contradicting the plan's, and the cited title ("… về <title>") matching the plan's."""
    meta = plan.meta
    if not ref.symbol or (ref.doc_type and meta.doc_type and ref.doc_type != meta.doc_type):
        return False
    if meta.date and ref.date and not ref.date.startswith(meta.date[:7]):
        return False
    if report.meta.date and ref.date and ref.date > report.meta.date:
        return False
    title = fold(meta.title or "")
    if len(title) < 20:
        return False
    printed = plan_code(plan)
    same_issuer = bool(printed and printed == _code(ref.symbol))
    if not same_issuer and meta.issuer:
        owner = fold(owner_of(plan, meta.place))
        same_issuer = bool(owner) and owner in fold(ref.issuer or ref.text or "")
    if not same_issuer:
        return False
    cited = fold(ref.title or "")
    if not cited and report.doc is not None:  # the words after the citation: "về …"
        after = report.doc.text[ref.end:ref.end + 300]
        m = re.match(r"\s*(?:cua [^,;.]{0,80}?\s)?(?:ve viec|ve|v/v)\s+(.*)", fold(after))
        cited = m.group(1) if m else ""
    cited = re.split(r"[;:]|\.\s|, (?:so|ubnd|phong|trung tam)\b", cited)[0][:len(title) + 20]
    return bool(cited) and fuzz.token_set_ratio(title, cited) >= CITED_TITLE_MATCH


def plan_code(plan: Loaded) -> str | None:
    """The symbol's code a draft prints after its blank number ("Số:   /KH-STTTT" →
    ``kh-stttt``), from the header of its text."""
    doc = plan.doc
    if doc is None:
        return None
    m = re.search(r"(?i)\bsố\s*:?\s*/\s*([A-ZĐ][\wĐđ.&-]*)", doc.text[:1500])
    return norm_symbol(m.group(1)) if m else None


def link_folder(paths: Iterable[str | Path], skipped: list[str] | None = None) -> list[dict]:
    """Every plan → report link among the files under ``paths`` (no pairs named); files
    that cannot be read are left out (and named in ``skipped`` when given)."""
    docs = []
    for p in iter_inputs([Path(x) for x in paths]):
        try:
            docs.append(load(p))
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the scan
            if skipped is not None:
                skipped.append(f"{p}: {exc}")
    out = []
    for plan in docs:
        if plan.is_report:
            continue
        for rep in docs:
            if rep.is_report and (how := link(plan, rep)):
                out.append({"plan": plan.path, "plan_symbol": plan.meta.symbol,
                            "report": rep.path, "report_symbol": rep.meta.symbol,
                            "how": how[0].value, "cites": how[1]})
    return out


def owner_of(report: Loaded, home: str | None) -> str:
    # extractors.owners loads spaCy (0.6 s): imported when a check runs, not with this
    # module (the web app and the flow's parent process import the gap-report archive)
    from extractors.owners import canonical_agency

    return canonical_agency(report.meta.issuer or "", on=report.meta.date, home=home)


def _group_match(group: str, name: str) -> bool:
    """``UBND các tỉnh, thành phố …`` holds ``UBND tỉnh Lâm Đồng`` (levels listed)."""
    m = re.match(r"(?i)(UBND|Ủy ban nhân dân|Công an)\s+các\s+(.*)", group)
    if not m:
        return False
    levels = [x.strip() for x in re.split(r",|\bvà\b", m.group(2)) if x.strip()]
    head = "Công an" if m.group(1).lower().startswith("công") else "UBND"
    return any(name.lower().startswith(f"{head} {lv.split()[0]} ".lower())
               for lv in levels if lv)


def expand(lead: str, known: list[str]) -> list[str]:
    """Members of a group owner among ``known`` names; the name itself otherwise."""
    from extractors.owners import expand_group, group_members  # lazy: see owner_of

    if not (group_members(lead) or re.match(r"(?i)(?:các|UBND các|Công an các)\s", lead)):
        return [lead]
    members = expand_group(lead, known) or [k for k in known if _group_match(lead, k)]
    return members or [lead]


# ── consolidated reports ───────────────────────────────────────────────────────────

_COMPILE = re.compile(
    r"(?i)((?:Sở|Bộ|Ban|Văn phòng|Công an|Thanh tra|Ủy ban|UBND|Cục|Vụ|Trung tâm|Hội)"
    r"[^.;:()\n]{2,90}?)\s*(?:\([^)]{0,80}\)\s*)?(?:,\s*)?(?:có trách nhiệm\s+|chủ trì,?\s+|"
    r"là cơ quan thường trực,?\s+|làm đầu mối,?\s+)?(?:theo dõi,?\s+|đôn đốc,?\s+|"
    r"hướng dẫn,?\s+|kiểm tra,?\s+|và\s+)*tổng hợp(?:,|\s)")
_SENT_TO = re.compile(
    r"(?i)gửi\s+(?:báo cáo\s+)?(?:kết quả\s+)?(?:về|cho|tới)\s+((?:Sở|Bộ|Ban|Văn phòng|Công an|"
    r"Thanh tra|Cục|Vụ|Trung tâm)[^.;:()\n,]{2,70}?)\s*(?:\([^)]{0,80}\)\s*)?(?:,\s*)?"
    r"(?:để\s+)?(?:theo dõi,?\s+)?tổng hợp")


def compilers(plan: Loaded) -> set[str]:
    """The bodies the plan names to compile its owners' reports ("Sở Nội vụ … tổng hợp,
    báo cáo UBND tỉnh", "gửi về Sở X để tổng hợp"), canonical names."""
    from extractors.owners import canonical_agency  # lazy: see owner_of

    doc = plan.doc
    text = doc.text if doc is not None else " ".join(t.text or "" for t in plan.extraction.tasks)
    home = plan.meta.place
    out = set()
    for rx in (_COMPILE, _SENT_TO):
        for m in rx.finditer(text):
            name = re.split(r"(?i)\s+(?:chủ trì|phối hợp|có trách nhiệm|là cơ quan)\b",
                            m.group(1))[0].strip(" ,")
            if 4 <= len(name) <= 90 and not re.match(r"(?i)(?:các|những)\s", name):
                out.add(canonical_agency(name, home=home))
    for t in plan.extraction.tasks:
        if t.receiver:
            out.add(canonical_agency(t.receiver, home=home))
    return out - {""}


def is_consolidated(report: Loaded, owner: str, plan_owner: str, compiling: set[str],
                    owners: list[str]) -> bool:
    """A report that answers for every owner: by the plan's issuer, or by a body the plan
    names to compile that speaks of other owners' work (names two or more of them, or
    calls itself a compilation: "tổng hợp", "của các sở, ngành")."""
    if same_body(owner, plan_owner):
        return True
    if owner not in compiling:
        return False
    if re.search(r"\btong hop\b|cac so,? (?:ban,? )?nganh", fold(report.meta.title or "")):
        return True
    body = fold(report.doc.text) if report.doc is not None else ""
    named = sum(1 for o in owners if o != owner and short_name(o) and short_name(o) in body)
    return named >= 2


def same_body(a: str, b: str) -> bool:
    """Two spellings of one body: equal once folded and without the province ("Sở Thông
    tin và truyển thông tỉnh Phú Thọ", a typo in the plan, is "Sở Thông tin và Truyền
    thông")."""
    return a == b or (bool(short_name(a)) and short_name(a) == short_name(b))


def short_name(name: str) -> str:
    """An owner's name as reports write it, folded, without the province ("Sở Y tế")."""
    return fold(re.sub(r"\s+(?:tỉnh|thành phố)\s+.*$", "", name)).strip()


# ── earlier reports a report cites ─────────────────────────────────────────────────

@dataclass
class CitedReport(Loaded):
    """A report not among the files, known from a later report of the same issuer that
    cites it ("Kết quả 6 tháng đầu năm đã được Sở báo cáo tại Báo cáo số 96/BC-STTTT ngày
    09/6/2020"): its symbol, date and the words around the citation (its kind)."""

    via: Loaded | None = None
    span: tuple[int, int] = (0, 0)


def cited_reports(report: Loaded) -> list[CitedReport]:
    """The issuer's own earlier reports that ``report`` cites: type BC, the same code after
    the number as its own symbol (``…/BC-STTTT``), dated before it."""
    own = report.meta.symbol
    if not own or report.doc is None:
        return []
    code = norm_symbol(own).split("/", 1)[-1]
    out = []
    for r in report.extraction.references:
        if not r.symbol or norm_symbol(r.symbol) == norm_symbol(own) or r.doc_type != "BC" \
                or norm_symbol(r.symbol).split("/", 1)[-1] != code or not r.date \
                or (report.meta.date and r.date >= report.meta.date):
            continue
        text = report.doc.text
        context = text[max(0, r.start - 160):r.end]
        meta = Metadata(doc_type="BC", symbol=r.symbol, number=r.number, date=r.date,
                        issuer=report.meta.issuer, title=context)
        out.append(CitedReport(report.path, Extraction(report.extraction.source, meta),
                               via=report, span=(r.start, r.end)))
    return out
