"""What a run shows: Prefect artifacts, the index step, and the closing summary.

Artifact keys are stable (``vanban-run-counts``, ``plan-<name>``) so each run adds
a new version of the same artifact in the Prefect UI instead of a new one.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from pipeline.crosscheck.model import BUCKETS
from pipeline.document.labels import STATUS_COUNTED, STATUS_EN
from pipeline.document.normalize import fold
from pipeline.reports.markdown import gap_markdown

COUNTS_KEY = "vanban-run-counts"
GAPS_KEY = "vanban-gap-counts"


def artifact_key(stem: str) -> str:
    """``plan-`` + the output name folded to what Prefect accepts (a-z, 0-9, -)."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(stem)).strip("-")
    return f"plan-{slug}"[:120]


def counts_table(summary: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [{"documents": k, "count": summary.get(k, 0)}
            for k in ("new", "changed", "skipped", "failed", "extracted")]
    gaps = summary.get("gaps") or {}
    rows.append({"documents": "plans cross-checked", "count": gaps.get("plans", 0)})
    rows += [{"documents": f"duties {STATUS_EN[b]}", "count": n}
             for b, n in (gaps.get("duties") or {}).items()]
    return rows


def gap_table(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per plan: its duties in each bucket, reports linked, submissions missing."""
    return [{"plan": p.get("symbol") or Path(p["path"]).name, "duties": p["duties"],
             **{b: p["counts"].get(b, 0) for b in BUCKETS},
             "reports": p["reports"], "missing submissions": p["missing_submissions"],
             "gap report": p["html"]}
            for p in (summary.get("gaps") or {}).get("by_plan", [])]


def _create(kind: str, data: Any, key: str, description: str) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import ArtifactCreate
    from prefect.utilities.context import get_task_and_flow_run_ids

    # Inside a flow or task run this is the run's own client; Prefect's
    # ``acreate_*_artifact`` in a fresh event loop built a new client (and TLS context)
    # for every call instead: ≈ 30 ms of CPU each, most of the publishing time.
    task_run_id, flow_run_id = get_task_and_flow_run_ids()
    get_client(sync_client=True).create_artifact(ArtifactCreate(
        type=kind, key=key, description=description, data=data,
        task_run_id=task_run_id, flow_run_id=flow_run_id))


def publish_plan(entry: dict[str, Any], out: Path, path: str) -> bool:
    """The keyed markdown artifact of one checked plan (called by its check task, so it
    is sent while other plans are being checked). Observability only: a failure is
    logged, never raised."""
    try:
        html = entry["html"]
        data = json.loads((out / "gaps" / Path(html).with_suffix(".json").name)
                          .read_text("utf-8"))
        _create("markdown", gap_markdown(data, html), artifact_key(Path(html).stem),
                f"duties and their status: {path}")
        return True
    except Exception as exc:
        import logging

        logging.getLogger("vanban.flows").warning("no Prefect artifact for %s: %s",
                                                   entry.get("html"), exc)
        return False


def publish(summary: dict[str, Any]) -> int:
    """The keyed tables of counts: documents, and duties per plan and bucket."""
    _create("table", json.dumps(counts_table(summary), ensure_ascii=False), COUNTS_KEY,
            f"vanban run into {summary.get('out')}")
    n = 1
    if (summary.get("gaps") or {}).get("by_plan"):
        _create("table", json.dumps(gap_table(summary), ensure_ascii=False), GAPS_KEY,
                "duties per plan and status bucket")
        n += 1
    return n


def index_outputs(out: Path, state: Path, entries: dict[str, dict[str, Any]],
                  db: str | Path | None = None) -> dict[str, int]:
    """Bring the index ``db`` (a file or a ``postgresql://`` URL; default
    ``<out>/index.db``) up to date with the manifest (:mod:`pipeline.index`).

    Every document recorded as done whose index row is missing or older (other sha256
    or code version) is stored from its ``<stem>.json``, the text the worker kept in
    ``<state>/texts/`` and its blocks when the read document is still kept in
    ``<state>/docs/``, one transaction each. Idempotent: a run killed halfway through
    indexing is completed by the next run, even one that extracts nothing; with
    PostgreSQL, where the workers store what they extract, it stores only what they
    could not.
    """
    # deliberately lazy: this runs in a child process of its own (index_in_child), and
    # importing this module should not load the index (numpy, the database driver)
    from pipeline.index import Stamp, open_index, store_path
    from pipeline.outputs import load_document

    index = open_index(db or out / "index.db")
    counts = {"indexed": 0, "current": 0, "missing_text": 0}
    try:
        have = index.stamps()
        for path, e in entries.items():
            if e.get("status") != "ok":
                continue
            key = store_path(path)
            if have.get(key) == Stamp(e["sha256"], index.code_version):
                counts["current"] += 1
                continue
            text_file = state / "texts" / f"{e['stem']}.txt"
            out_file = out / f"{e['stem']}.json"
            if not (text_file.exists() and out_file.exists()):
                counts["missing_text"] += 1
                continue
            result = json.loads(out_file.read_text("utf-8"))
            text = text_file.read_text("utf-8")
            kept = load_document(state, e["stem"])
            blocks = kept[0].blocks if kept and kept[0].text == text else None
            index.store(result, text, path=key, blocks=blocks)
            counts["indexed"] += 1
    finally:
        index.close()
    return counts


def index_in_child(out: Path, state: Path, entries: dict[str, dict[str, Any]],
                   db: str | Path | None = None) -> dict[str, int]:
    """:func:`index_outputs` in a spawned process of its own, which ends with the run.

    Indexing is CPU-bound Python. In the flow's process it shared one GIL with the
    threads of Prefect's task engine while the plans were checked: at corpus ×100 it
    took 98 s there against 68 s with no Prefect around it.
    """
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from flows.work import watch_parent

    with ProcessPoolExecutor(1, mp_context=get_context("spawn"),
                             initializer=watch_parent, initargs=(os.getpid(),)) as pool:
        return pool.submit(index_outputs, out, state, entries, db).result()


_STAGES = {"scan": "quét", "extract": "trích xuất", "check": "rà soát", "index": "chỉ mục",
           "publish": "công bố"}
_MAX_AGENCIES = 10


def _s(seconds: float) -> str:
    return f"{seconds:.1f}".replace(".", ",") + " giây"


def describe(summary: dict[str, Any]) -> str:
    """The closing summary printed by ``vanban run``, in Vietnamese: the counts, then
    what needs a person (documents newly set aside and why, agencies with duties newly
    overdue since the last run), then where the outputs are and the timings."""
    out = summary.get("out")
    lines = [f"{summary.get('total', 0)} văn bản: {summary.get('new', 0)} mới, "
             f"{summary.get('changed', 0)} đã sửa, {summary.get('skipped', 0)} không đổi, "
             f"{summary.get('failed', 0)} để riêng, trong {_s(summary.get('seconds', 0))}"]
    lines.append(f"Kết quả: {out}/<tên>.json")
    fresh = summary.get("new_set_aside")
    if fresh is None:  # called without the comparison: every failure of this run
        fresh = summary.get("failures") or []
    agencies = summary.get("newly_overdue") or []
    if fresh or agencies:
        lines.append("Cần người xem:")
    if fresh:
        lines.append(f"  {len(fresh)} văn bản mới bị để riêng ({out}/quarantine/):")
        lines += [f"    {f['path']}: {f['reason'].splitlines()[0]}" for f in fresh]
    if agencies:
        n = sum(c for _, c in agencies)
        since = ("quá hạn (chưa có lần chạy trước để so)" if summary.get("first_check")
                 else "mới quá hạn từ lần chạy trước")
        lines.append(f"  {len(agencies)} đơn vị có {n} nhiệm vụ {since}:")
        lines += [f"    {owner}: {c}" for owner, c in agencies[:_MAX_AGENCIES]]
        if len(agencies) > _MAX_AGENCIES:
            rest = agencies[_MAX_AGENCIES:]
            lines.append(f"    và {len(rest)} đơn vị khác ({sum(c for _, c in rest)} nhiệm vụ)")
    gaps = summary.get("gaps")
    if gaps:
        d = gaps["duties"]
        lines.append(f"Nhiệm vụ của {gaps['plans']} kế hoạch: "
                     + ", ".join(f"{d.get(b, 0)} {STATUS_COUNTED[b]}" for b in BUCKETS)
                     + f" ({len(gaps['checked'])} kế hoạch rà soát lại, "
                       f"{gaps['current']} giữ nguyên)")
        lines.append(f"Báo cáo tình hình thực hiện: {gaps['dir']}/<kế hoạch>.html "
                     "(.json, .xlsx, .docx)")
        lines += [f"  chưa rà soát được: {f['path']}: {f['reason']}" for f in gaps["failures"]]
    idx = summary.get("index")
    if idx is None:
        lines.append("Chỉ mục: bỏ qua (chưa có pipeline/store.py)")
    else:
        where = summary.get("index_db") or f"{out}/index.db"
        by_workers = summary.get("indexed_by_workers") or 0
        if by_workers:  # PostgreSQL: stored as extracted; the index step found them current
            lines.append(f"Chỉ mục: {where} ({by_workers} văn bản lưu ngay khi trích xuất, "
                         f"{idx['indexed']} lưu ở bước chỉ mục, "
                         f"{max(0, idx['current'] - by_workers)} đã có)")
        else:
            lines.append(f"Chỉ mục: {where} ({idx['indexed']} văn bản lưu mới, "
                         f"{idx['current']} đã có)")
        late = summary.get("index_errors") or []
        if late:  # stored by the index step instead; the first reason says why
            lines.append(f"  {len(late)} văn bản không lưu được ngay khi trích xuất, để bước "
                         f"chỉ mục lưu: {late[0]['reason']}")
    if summary.get("wall_seconds") is not None:
        server = summary.get("server_seconds")
        lines.append(f"Tổng thời gian {_s(summary['wall_seconds'])}" + (
            f", trong đó {_s(server)} khởi động máy chủ Prefect"
            if server is not None else ""))
    if summary.get("prefect_ui"):
        idle = f"{summary.get('server_idle_minutes', 30):g}".replace(".", ",")
        lines.append(f"Prefect: {summary['prefect_ui']} (các lần chạy; máy chủ tự tắt sau "
                     f"{idle} phút không dùng, hoặc `vanban server stop`)")
    recorded, expected = summary.get("recorded_task_runs"), summary.get("task_runs")
    if recorded is not None and expected and recorded < expected:
        lines.append(f"Cảnh báo: máy chủ tạm của Prefect mới ghi nhận {recorded}/{expected} "
                     "tác vụ của lần chạy là đã xong; các tác vụ còn lại vẫn hiện "
                     "'Running' trong giao diện của nó")
    timings = summary.get("timings")
    if timings:
        lines.append("Theo bước: " + ", ".join(f"{_STAGES.get(k, k)} {_s(v)}"
                                               for k, v in timings.items()))
    return "\n".join(lines)
