"""What a run shows: Prefect artifacts, the index step, and the closing summary.

Artifact keys are stable (``vanban-run-counts``, ``plan-<name>``) so each run adds
a new version of the same artifact in the Prefect UI instead of a new one.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pipeline.normalize import fold

PLAN_TYPES = frozenset({"KH", "CTr", "PA", "ĐA"})  # kế hoạch, chương trình, phương án, đề án
COUNTS_KEY = "vanban-run-counts"
_MAX_DUTIES = 200


def artifact_key(stem: str) -> str:
    """``plan-`` + the output name folded to what Prefect accepts (a-z, 0-9, -)."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(stem)).strip("-")
    return f"plan-{slug}"[:120]


def counts_table(summary: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [{"documents": k, "count": summary.get(k, 0)}
            for k in ("new", "changed", "skipped", "failed", "extracted")]
    rows.append({"documents": "plans with duties", "count": len(summary.get("plans", []))})
    return rows


def _cell(text: Any, limit: int = 160) -> str:
    s = "" if text is None else (", ".join(text) if isinstance(text, list) else str(text))
    s = " ".join(s.split()).replace("|", "\\|")
    return s if len(s) <= limit else s[: limit - 1] + "…"


def plan_markdown(doc: dict[str, Any], stem: str) -> str:
    """A plan's duties as a markdown table: item, lead, support, deadline, text."""
    meta = doc.get("metadata") or {}
    tasks = doc.get("tasks") or []
    lines = [f"# {meta.get('symbol') or stem}: {_cell(meta.get('title'), 200)}", "",
             f"{meta.get('issuer') or ''}, {meta.get('date') or 'no date'} — "
             f"{len(tasks)} duties (source: `{(doc.get('source') or {}).get('path')}`)", "",
             "| item | lead | support | deadline | duty |", "|---|---|---|---|---|"]
    for t in tasks[:_MAX_DUTIES]:
        deadline = t.get("deadline") or t.get("period") or t.get("recurrence")
        lines.append(f"| {_cell(t.get('section') or t.get('id'), 20)} | {_cell(t.get('lead'))} "
                     f"| {_cell(t.get('support'))} | {_cell(deadline, 40)} | {_cell(t.get('text'))} |")
    if len(tasks) > _MAX_DUTIES:
        lines.append(f"\n… and {len(tasks) - _MAX_DUTIES} more in `{stem}.json`.")
    return "\n".join(lines) + "\n"


def publish(summary: dict[str, Any], out: Path, plan_stems: list[str]) -> int:
    """Create the counts table and one markdown artifact per plan; return how many."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    create_table_artifact(counts_table(summary), key=COUNTS_KEY,
                          description=f"vanban run into {summary.get('out')}")
    n = 1
    for stem in plan_stems:
        path = out / f"{stem}.json"
        if not path.exists():
            continue
        doc = json.loads(path.read_text("utf-8"))
        create_markdown_artifact(plan_markdown(doc, stem), key=artifact_key(stem),
                                 description=f"duties of {stem}")
        n += 1
    return n


def index_outputs(out: Path, state: Path, entries: dict[str, dict[str, Any]],
                  db: Path | None = None) -> dict[str, int]:
    """Bring ``<out>/index.db`` up to date with the manifest (``pipeline.store``).

    Every document recorded as done whose index row is missing or older (other sha256
    or code version) is stored from its ``<stem>.json`` and the text the worker kept in
    ``<state>/texts/``, one transaction each. Idempotent: a run killed halfway through
    indexing is completed by the next run, even one that extracts nothing.
    """
    from pipeline import store

    conn = store.connect(db or out / "index.db")
    counts = {"indexed": 0, "current": 0, "missing_text": 0}
    try:
        have = {p: (sha, cv) for p, sha, cv in
                conn.execute("SELECT path, sha256, code_version FROM documents")}
        for path, e in entries.items():
            if e.get("status") != "ok":
                continue
            key = store.store_path(path)
            if have.get(key) == (e["sha256"], store.CODE_VERSION):
                counts["current"] += 1
                continue
            text_file = state / "texts" / f"{e['stem']}.txt"
            out_file = out / f"{e['stem']}.json"
            if not (text_file.exists() and out_file.exists()):
                counts["missing_text"] += 1
                continue
            result = json.loads(out_file.read_text("utf-8"))
            store.index_document(conn, result, text_file.read_text("utf-8"), path=key)
            counts["indexed"] += 1
    finally:
        conn.close()
    return counts


def describe(summary: dict[str, Any]) -> str:
    """The closing summary printed by ``vanban run``."""
    lines = [f"{summary.get('total', 0)} documents: {summary.get('new', 0)} new, "
             f"{summary.get('changed', 0)} changed, {summary.get('skipped', 0)} skipped "
             f"(unchanged), {summary.get('failed', 0)} failed "
             f"in {summary.get('seconds', 0):.1f} s"]
    lines.append(f"outputs: {summary.get('out')}/<name>.json")
    if summary.get("failures"):
        lines.append(f"set aside: {summary.get('out')}/quarantine/")
        lines += [f"  {f['path']}: {f['reason'].splitlines()[0]}" for f in summary["failures"]]
    idx = summary.get("index")
    if idx is None:
        lines.append("index: skipped (pipeline/store.py not there yet)")
    else:
        lines.append(f"index: {summary.get('out')}/index.db ({idx['indexed']} stored, "
                     f"{idx['current']} already current)")
    if summary.get("wall_seconds") is not None:
        server = summary.get("server_seconds")
        lines.append(f"wall time {summary['wall_seconds']:.1f} s" + (
            f", of which {server:.1f} s starting Prefect's temporary server"
            if server is not None else ""))
    return "\n".join(lines)
