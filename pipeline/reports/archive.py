"""Cross-checking a whole archive: which plans to check, with which reports, and writing
their gap reports. Plain Python over the outputs of extraction (no Prefect): the flow
calls :func:`plan_links` once and :func:`check_plan` once per plan.

Outputs go to ``<out>/gaps/``: ``<plan>.json`` (``vanban.gaps/1``), ``<plan>.html`` and
``<plan>.xlsx``, and ``index.json``, which maps each plan's source path to its files and
bucket counts (the web app links plans to their reports through it). A plan is checked
again when it, or a report linked to it, changed, or when its report was made for
another day (statuses move with the date); otherwise its gap report is kept.
"""
from __future__ import annotations

import json
import pickle
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipeline.outputs import write_json_atomic
from pipeline.crosscheck.check import Loaded, check_loaded, link
from pipeline.document.doctypes import lookup_abbr

BUCKETS = ("done_on_time", "done_late", "pending", "overdue")
GAPS = "gaps"
INDEX = "index.json"


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


def is_plan(data: dict) -> bool:
    """An administrative document that assigns duties and is not itself a report; laws,
    decrees and circulars (normative) are not checked against reports."""
    meta = data.get("metadata") or {}
    if not data.get("tasks"):
        return False
    code = meta.get("doc_type")
    if code == "BC":
        return False
    t = lookup_abbr(code) if code else None
    return t is None or t.klass == "admin"


def plan_links(sources: list[Source], out: Path) -> dict[str, list[str]]:
    """Plan stem → stems of the reports that answer it (by citation, or by title for an
    unnumbered plan), over every extracted document. Reports are looked up by the
    symbols they cite, so this grows with plans + reports, not their product."""
    from pipeline.crosscheck.check import _sym, plan_symbols

    # linking needs only the metadata and references: no document is loaded
    stubs = {s.stem: Loaded(s.path, None, d) for s in sources if (d := _data(out, s.stem))}
    reports = [(stem, st) for stem, st in stubs.items() if st.is_report]
    citing: dict[str, list[str]] = {}
    for stem, rep in reports:
        for key in {_sym(r.get("symbol")) for r in rep.data.get("references", [])} - {""}:
            citing.setdefault(key, []).append(stem)
    out_links: dict[str, list[str]] = {}
    for stem, st in stubs.items():
        if st.is_report or not is_plan(st.data):
            continue
        if st.meta.get("symbol"):  # by citation: only reports citing one of its symbols
            cands = {r for key in plan_symbols(st) for r in citing.get(key, ())}
        else:  # an unnumbered plan: by title, against every report
            cands = {r for r, _ in reports}
        out_links[stem] = [r for r, rep in reports if r in cands and link(st, rep)]
    return out_links


def doc_file(state: Path, stem: str) -> Path:
    return state / "docs" / f"{stem}.pickle"


def save_doc(state: Path, stem: str, doc: object) -> None:
    """Keep a read document for the cross-check (written by the extraction worker)."""
    target = doc_file(state, stem)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(target)


def _loaded(src: Source, out: Path, state: Path) -> Loaded:
    data = _data(out, src.stem)
    if data is None:
        raise FileNotFoundError(out / f"{src.stem}.json")
    kept = doc_file(state, src.stem)
    try:
        written = kept.stat().st_mtime_ns
        doc = pickle.loads(kept.read_bytes())
    except (OSError, pickle.UnpicklingError, AttributeError, EOFError, ImportError):
        from pipeline.readers.registry import read_document  # kept by an older run: read it again

        written, doc = 0, read_document(src.path)
    # the content's identity for the passage cache of a long-lived process (a Dask
    # worker): the source's hash, and when this run's extraction wrote the document
    return Loaded(src.path, doc, data, key=(str(out), src.stem, src.sha256, written))


def fingerprint(plan: Source, reports: list[Source], as_of: str) -> dict:
    """What a gap report was made from: when it is unchanged the report is current."""
    return {"as_of": as_of, "plan": plan.sha256,
            "reports": {r.stem: r.sha256 for r in reports}}


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
    from pipeline.reports.html import render_html
    from pipeline.reports.xlsx import write_xlsx

    gaps = check_loaded(_loaded(plan, out, state), [_loaded(r, out, state) for r in reports],
                        as_of)
    folder = out / GAPS
    folder.mkdir(parents=True, exist_ok=True)
    write_json_atomic(folder / f"{plan.stem}.json", gaps)
    html = folder / f"{plan.stem}.html"
    tmp = html.with_name(html.name + ".tmp")
    tmp.write_text(render_html(gaps), "utf-8")
    tmp.replace(html)
    write_xlsx(gaps, folder / f"{plan.stem}.xlsx")
    meta = gaps["plan"]
    return {"stem": plan.stem, "symbol": meta.get("symbol"), "title": meta.get("title"),
            "html": html.name, "json": f"{plan.stem}.json", "xlsx": f"{plan.stem}.xlsx",
            "duties": len(gaps["duties"]), "counts": bucket_counts(gaps),
            "reports": len(gaps.get("links") or []),
            "missing_submissions": sum(1 for s in gaps.get("submissions") or []
                                       if s.get("status") == "missing"),
            "made_from": fingerprint(plan, reports, as_of)}


def save_index(out: Path, index: dict[str, dict]) -> None:
    (out / GAPS).mkdir(parents=True, exist_ok=True)
    write_json_atomic(out / GAPS / INDEX, index)


def prune(out: Path, index: dict[str, dict], plans: set[str]) -> dict[str, dict]:
    """Drop the gap reports of plans that are gone (file removed, or no longer a plan)."""
    keep = {}
    for path, e in index.items():
        if path in plans:
            keep[path] = e
            continue
        for key in ("html", "json", "xlsx"):
            if e.get(key):
                (out / GAPS / e[key]).unlink(missing_ok=True)
    return keep
