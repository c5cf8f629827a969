"""Which reports answer a plan, and whose they are.

A report answers a plan when it cites one of the plan's symbols (the plan's own number, or
a self-citation such as an attachment's "Gửi kèm Công văn số …"); a draft plan with no
number is matched by title. A report's owner is its issuer (canonical); a group owner
named by a duty ("UBND các huyện") stands for its members among the known names.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from rapidfuzz import fuzz

from pipeline.crosscheck.model import LinkedBy, Loaded, load
from pipeline.document.normalize import fold
from pipeline.outputs import iter_inputs

TITLE_MATCH = 90  # rapidfuzz token_sort_ratio on folded titles, for unnumbered plans


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
    return None


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
