"""Cross-checking a whole archive: which plans to check, with which reports, and writing
their gap reports. Plain Python over the outputs of extraction (no Prefect): the flow
calls :func:`plan_links` once and :func:`check_plan` once per plan.

Outputs go to ``<out>/gaps/``: ``<plan>.json`` (``vanban.gaps/1``), ``<plan>.html`` and
``<plan>.xlsx``, and ``index.json``, which maps each plan's source path to its files and
bucket counts (the web app links plans to their reports through it). A plan is checked
again when it, or a report linked to it, changed, when its report was made for another
day (statuses move with the date), or when the code that makes gap reports changed
(:func:`fingerprint`); otherwise its gap report is kept.
"""
from __future__ import annotations

import dataclasses
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipeline.crosscheck.check import check_loaded
from pipeline.crosscheck.link import link, norm_symbol, plan_code, plan_symbols
from pipeline.crosscheck.model import BUCKETS, Loaded, Submission
from pipeline.document.contract import from_json
from pipeline.document.doctypes import lookup_abbr
from pipeline.document.facts import Extraction
from pipeline.document.version import GAP_REPORTS, code_version
from pipeline.outputs import load_document, write_json_atomic
from pipeline.readers import read_document
from pipeline.reports.registry import writer

GAPS = "gaps"
INDEX = "index.json"
FORMATS = ("html", "xlsx", "docx")
"""Written beside each plan's ``<plan>.json``; the index entry names each file."""


@dataclass(frozen=True)
class Source:
    """One extracted document of the archive, as the flow's manifest knows it."""

    path: str
    stem: str
    sha256: str


def _data(out: Path, stem: str) -> dict | None:
    try:
        return json.loads((out / f"{stem}.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None


def is_plan(ex: Extraction) -> bool:
    """An administrative document that assigns duties and is not itself a report; laws,
    decrees and circulars (normative) are not checked against reports."""
    if not ex.tasks:
        return False
    code = ex.metadata.doc_type
    if code == "BC":
        return False
    t = lookup_abbr(code) if code else None
    return t is None or t.klass == "admin"


def plan_links(sources: list[Source], out: Path, state: Path | None = None
               ) -> dict[str, list[str]]:
    """Plan stem → stems of the reports that answer it (by citation, or by title for an
    unnumbered plan), over every extracted document. Reports are looked up by the
    symbols they cite, so this grows with plans + reports, not their product. With
    ``state`` (where extraction keeps the read documents), an unnumbered draft is also
    linked to a report citing it by number and title: only those two are read."""
    # linking needs only the metadata and references: no document is loaded
    stubs = {s.stem: Loaded(s.path, from_json(d)) for s in sources if (d := _data(out, s.stem))}
    if state is not None:
        _with_documents(stubs, state)
    reports = [(stem, st) for stem, st in stubs.items() if st.is_report]
    citing: dict[str, list[str]] = {}
    for stem, rep in reports:
        for key in {norm_symbol(r.symbol) for r in rep.extraction.references} - {""}:
            citing.setdefault(key, []).append(stem)
    out_links: dict[str, list[str]] = {}
    for stem, st in stubs.items():
        if st.is_report or not is_plan(st.extraction):
            continue
        if st.meta.symbol:  # by citation: only reports citing one of its symbols
            cands = {r for key in plan_symbols(st) for r in citing.get(key, ())}
        else:  # an unnumbered plan: by title, against every report
            cands = {r for r, _ in reports}
        out_links[stem] = [r for r, rep in reports if r in cands and link(st, rep)]
    return out_links


def _with_documents(stubs: dict[str, Loaded], state: Path) -> None:
    """Give unnumbered plans, and the reports citing a symbol of their printed code
    ("Số:   /KH-STTTT"), their read documents (the citation's "về …" is in the text)."""
    drafts = [stem for stem, st in stubs.items()
              if not st.meta.symbol and not st.is_report and is_plan(st.extraction)]
    codes = set()
    for stem in drafts:
        if kept := load_document(state, stem):
            stubs[stem] = Loaded(stubs[stem].path, dataclasses.replace(
                stubs[stem].extraction, document=kept[0]))
            if code := plan_code(stubs[stem]):
                codes.add(code)
    for stem, st in stubs.items():
        if st.is_report and any(norm_symbol(r.symbol).split("/", 1)[-1] in codes
                                for r in st.extraction.references if r.symbol):
            if kept := load_document(state, stem):
                stubs[stem] = Loaded(st.path, dataclasses.replace(st.extraction,
                                                                   document=kept[0]))


def load_source(src: Source, out: Path, state: Path) -> Loaded:
    """A document of the archive for the check: its extraction from ``<out>/<stem>.json``
    and the read document the extraction worker kept (``pipeline.outputs``)."""
    data = _data(out, src.stem)
    if data is None:
        raise FileNotFoundError(out / f"{src.stem}.json")
    kept = load_document(state, src.stem)
    if kept is None:  # none kept, or kept by an older vanban: read it again (the
        # extraction is the one in <stem>.json, so only the document is needed)
        doc, written = read_document(src.path), 0
    else:
        doc, written = kept
    # the content's identity for the passage cache of a long-lived process (a Dask
    # worker): the source's hash, and when this run's extraction wrote the document
    return Loaded(src.path, from_json(data, doc), key=(str(out), src.stem, src.sha256, written))


def fingerprint(plan: Source, reports: list[Source], as_of: str) -> dict:
    """What a gap report was made from: when it is unchanged the report is current. The
    code that makes gap reports counts too (``pipeline.document.version.GAP_REPORTS``)."""
    return {"as_of": as_of, "plan": plan.sha256,
            "reports": {r.stem: r.sha256 for r in reports},
            "code": code_version(GAP_REPORTS)}


def load_index(out: Path) -> dict[str, dict]:
    try:
        return json.loads((out / GAPS / INDEX).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def is_current(index: dict[str, dict], plan: Source, reports: list[Source], as_of: str,
               out: Path) -> bool:
    e = index.get(plan.path)
    return bool(e and e.get("made_from") == fingerprint(plan, reports, as_of)
                and (out / GAPS / e.get("html", "")).is_file())


def bucket_counts(gaps: dict) -> dict[str, int]:
    c = Counter(d["status"] for d in gaps["duties"])
    return {b: c.get(b, 0) for b in BUCKETS}


def check_plan(plan: Source, reports: list[Source], out: Path, state: Path,
               as_of: str) -> dict:
    """Check ``plan`` against ``reports`` and write its gap reports; returns its entry of
    ``gaps/index.json`` (files, counts, missing submissions, what it was made from)."""
    gaps = check_loaded(load_source(plan, out, state),
                        [load_source(r, out, state) for r in reports], as_of)
    folder = out / GAPS
    write_json_atomic(folder / f"{plan.stem}.json", gaps)
    files = {}
    for name in FORMATS:
        w = writer(name)
        files[name] = f"{plan.stem}{w.suffix}"
        w.write(gaps, folder / files[name])
    meta = gaps["plan"]
    return {"stem": plan.stem, "symbol": meta.get("symbol"), "title": meta.get("title"),
            "html": files["html"], "json": f"{plan.stem}.json", "xlsx": files["xlsx"],
            "docx": files["docx"],
            "duties": len(gaps["duties"]), "counts": bucket_counts(gaps),
            "reports": len(gaps.get("reports") or []),
            "missing_submissions": sum(1 for s in gaps.get("submissions") or []
                                       if s.get("status") == Submission.MISSING),
            "made_from": fingerprint(plan, reports, as_of)}


def save_index(out: Path, index: dict[str, dict]) -> None:
    write_json_atomic(out / GAPS / INDEX, index)


def prune(out: Path, index: dict[str, dict], plans: set[str]) -> dict[str, dict]:
    """Drop the gap reports of plans that are gone (file removed, or no longer a plan)."""
    keep = {}
    for path, e in index.items():
        if path in plans:
            keep[path] = e
            continue
        for key in ("json", *FORMATS):
            if e.get(key):
                (out / GAPS / e[key]).unlink(missing_ok=True)
    return keep
