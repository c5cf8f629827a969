"""The ``vanban-run`` Prefect flow: inboxes → new and changed documents → outputs.

One Prefect task per document, mapped; then one task that cross-checks every plan
due (one per plan on Dask). The CPU-bound work runs in a ``ProcessPoolExecutor`` of
spawned worker processes (warmed up once each); the Prefect tasks run in a thread
pool and only wait on it. Measured on 2 cores, this
costs a fraction of Prefect's ``ProcessPoolTaskRunner``, which pickles the task
context and starts a task engine in the worker for every document. Under a
``DaskTaskRunner`` the tasks do the work themselves in the Dask workers.
"""
from __future__ import annotations

from flows.settings import configure

configure()  # before prefect is imported

import contextvars
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote, unmapped

from flows import precheck, report
from flows.state import (
    Item,
    Manifest,
    Plan,
    RunLock,
    build_plan,
    code_version,
)
from flows import pool as workers_pool
from flows.pool import WorkerPool
from flows.work import check_one, process_document
from pipeline.crosscheck.model import BUCKETS
from pipeline.reports import archive as gaprun
from pipeline.outputs import clean_temp_files, quarantine


class _NoCompletedNotice(logging.Filter):
    """Drop the task engine's "Finished in state Completed()" line, one per task run:
    the task run's state says it, and sending it cost the run 4 ms and the embedded
    server 7 ms of CPU per task run (measured on 1,000). Failures, retries and the
    tasks' own messages still reach the API."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno == logging.INFO and isinstance(record.msg, str)
                    and record.msg.startswith("Finished in state Completed"))


logging.getLogger("prefect.task_runs").addFilter(_NoCompletedNotice())

Progress = Callable[[str, int, int, str], None]  # (event, done, total, detail)
_progress: Progress | None = None


def set_progress(callback: Progress | None) -> None:
    """Let a caller in the same process (the CLI) follow the run."""
    global _progress
    _progress = callback


def _notify(event: str, done: int, total: int, detail: str = "") -> None:
    if _progress is not None:
        _progress(event, done, total, detail)


class DocumentFailed(Exception):
    """A document that could not be read; it is in the quarantine."""

    def __init__(self, reason: str, kind: str) -> None:
        super().__init__(reason, kind)
        self.reason, self.kind = reason, kind

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}"


def _retry_on_io(task: Any, task_run: Any, state: Any) -> bool:
    """Retry only transient I/O errors, never a bad document."""
    try:
        state.result()
    except DocumentFailed:
        return False
    except OSError:
        return True
    except Exception:
        return False
    return False


@task(name="scan-inboxes", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def scan_inboxes(inboxes: list[str], out: str, manifest: Manifest) -> Plan:
    """Hash every input file, compare with the manifest: new / changed / skipped."""
    plan = build_plan([Path(i) for i in inboxes], Path(out), manifest)
    manifest.save()  # reserved output names survive a crash from here on
    for entry in plan.set_aside:  # its reason only: nothing of a link's target is copied
        quarantine(Path(entry.path), Path(out), entry.reason, entry.kind)
    return plan


@task(name="extract", task_run_name="extract-{stem}", retries=2, retry_delay_seconds=1,
      retry_condition_fn=_retry_on_io, cache_policy=NO_CACHE)
def extract_document(path: str, out: str, stem: str, texts: str, sha: str | None = None,
                     db: str | None = None, key: str | None = None) -> dict[str, Any]:
    """Extract one document into ``<out>/<stem>.json`` (a bad one is quarantined); a
    local run takes the extraction its workers made ahead (:func:`flows.pool.prefetch`).
    With ``db`` (PostgreSQL), the worker that extracted it also stores it in the index
    under ``key``, one transaction."""
    pool = workers_pool.current()
    if pool is not None:
        result = pool.run(process_document, path, out, stem, texts, sha,
                          str(Path(texts).parent / workers_pool.PREFETCH), db, key)
    else:  # a Dask worker: this process is the worker
        result = process_document(path, out, stem, texts, None, None, db, key)
    if not result["ok"]:
        raise DocumentFailed(result["reason"], result["kind"])
    return result


@task(name="index", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def index_documents(out: str, state: str, entries: dict[str, dict[str, Any]],
                    in_process: bool = False, db: str | None = None
                    ) -> dict[str, int] | None:
    """Bring the index ``db`` (default ``<out>/index.db``) up to date with the manifest:
    in a process of its own, or ``in_process`` when only a few documents are left to
    store (starting that process costs more than their indexing). With PostgreSQL the
    workers have stored what they extracted; this only catches up what is missing."""
    logger = get_run_logger()
    try:
        import pipeline.index  # noqa: F401
    except ImportError:
        logger.warning("index step skipped: pipeline/store.py does not exist yet")
        return None
    counts = (report.index_outputs(Path(out), Path(state), entries, db) if in_process else
              report.index_in_child(Path(out), Path(state), entries, db))
    if counts["missing_text"]:
        logger.warning("%d documents not indexed: their text was not kept (made by an "
                       "older vanban); delete %s to redo them", counts["missing_text"],
                       Path(state) / "manifest.json")
    return counts


@task(name="link-reports", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def link_reports(out: str, sources: list[gaprun.Source], state: str | None = None
                 ) -> dict[str, list[str]]:
    """Every plan with duties → the reports that answer it, over the whole archive (in a
    worker process when there is a local pool: its rules and gazetteers are loaded
    there, and loading them here cost a small run 0.6 s)."""
    pool = workers_pool.current()
    if pool is not None:
        return pool.run(gaprun.plan_links, sources, Path(out), Path(state) if state else None)
    return gaprun.plan_links(sources, Path(out), Path(state) if state else None)


def _not_checked(plan: gaprun.Source, exc: Exception) -> dict[str, str]:
    return {"path": plan.path, "error": f"check: {type(exc).__name__}: {exc}"}


def _check_and_publish(plan: gaprun.Source, reports: list[gaprun.Source], out: str,
                       state: str, as_of: str, attempts: int = 3) -> dict[str, Any]:
    """Cross-check one plan (in a worker process when there is a local pool), retrying
    only I/O errors, then publish its keyed markdown artifact."""
    for attempt in range(attempts):
        try:
            pool = workers_pool.current()
            if pool is not None:
                entry = pool.run(check_one, plan, reports, out, state, as_of)
            else:  # a Dask worker: this process is the worker
                entry = check_one(plan, reports, out, state, as_of)
            break
        except OSError:
            if attempt == attempts - 1:
                raise
            time.sleep(1)
    report.publish_plan(entry, Path(out), plan.path)
    return entry


@task(name="check", task_run_name="check-{label}", cache_policy=NO_CACHE)
def check_plans(label: str, due: list[tuple[gaprun.Source, list[gaprun.Source]]], out: str,
                state: str, as_of: str) -> list[dict[str, Any]]:
    """Cross-check plans, write their gap reports to ``<out>/gaps/`` and publish each
    plan's keyed markdown artifact as soon as it is checked.

    In a local run this is one task run for every plan due: the plans go to the worker
    processes side by side, from threads that carry this task run's context (for the
    artifacts). A task run per plan cost Prefect about 35 ms of CPU per plan (15 in
    this process, 20 in the server) while the cores were busy checking and indexing.
    On Dask each plan is a task run of its own, mapped over the cluster. One plan's
    failure never stops the others: it comes back as ``{"path", "error"}``.
    """
    def one(plan: gaprun.Source, reports: list[gaprun.Source]) -> dict[str, Any]:
        try:
            entry = _check_and_publish(plan, reports, out, state, as_of)
        except Exception as exc:
            return _not_checked(plan, exc)
        _notify("checked", next(done), len(due), plan.path)
        return {"path": plan.path, "entry": entry}

    done = itertools.count(1)
    if workers_pool.current() is None or len(due) == 1:
        return [one(plan, reports) for plan, reports in due]
    with ThreadPoolExecutor(min(_THREADS, len(due)), thread_name_prefix="vanban-check"
                            ) as threads:
        futures = [threads.submit(contextvars.copy_context().run, one, plan, reports)
                   for plan, reports in due]
        return [f.result() for f in futures]


@task(name="publish-artifacts", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def publish_artifacts(summary: dict[str, Any]) -> int:
    """The keyed tables of counts: documents, and duties per plan and bucket."""
    return report.publish(summary)


def _drain_remote_workers(ctx: Any) -> None:
    """Have every Dask worker send the task-run events it still holds before the cluster
    is shut down; otherwise the last tasks may stay "Running" on the server (the events
    of a process that exits are lost)."""
    from flows.server import drain

    client = getattr(getattr(ctx, "task_runner", None), "_client", None)
    if client is None:
        return
    try:
        client.run(drain)
    except Exception as exc:  # observability only: never fail the run for it
        get_run_logger().warning("could not flush the Dask workers' events: %s", exc)


def _cross_check(out: str, state: Path, entries: dict[str, dict[str, Any]], as_of: str,
                 summary: dict[str, Any], local: bool = True) -> None:
    """Link reports to plans, check the plans whose inputs changed, keep the others."""
    sources = [gaprun.Source(p, e["stem"], e["sha256"]) for p, e in sorted(entries.items())
               if e.get("status") == "ok" and e.get("sha256")]
    by_stem = {s.stem: s for s in sources}
    links = link_reports(out, sources, str(state))
    index = gaprun.load_index(Path(out))
    index = gaprun.prune(Path(out), index, {by_stem[p].path for p in links})
    due = [(by_stem[p], [by_stem[r] for r in rs]) for p, rs in sorted(links.items())
           if not gaprun.is_current(index, by_stem[p], [by_stem[r] for r in rs], as_of,
                                    Path(out))]
    _notify("checking", 0, len(due), "")
    # Local: one task run for all the plans due (the worker pool runs them side by
    # side). Dask: a task run per plan. quote(): Prefect would otherwise walk every
    # report of every plan looking for futures (a plan with 100 reports cost 20 ms of
    # the run's CPU instead of 10). Not on Dask: it ships the quote (a named tuple) as a
    # bare tuple, and prefect-dask walks the parameters anyway.
    batches = ([due] if due else []) if local else [[d] for d in due]
    if local:
        futures = [check_plans.submit("plans", quote(b), out, str(state), as_of) for b in batches]
    else:
        futures = check_plans.map([p.stem for p, _ in due], batches, unmapped(out),
                                  unmapped(str(state)), unmapped(as_of))
    failures: list[dict[str, str]] = []
    checked: list[str] = []
    for batch, fut in zip(batches, futures, strict=True):
        try:
            results = fut.result()
        except Exception as exc:  # the task itself failed: none of its plans is checked
            results = [_not_checked(p, exc) for p, _ in batch]
        for res in results:
            if "entry" in res:
                index[res["path"]] = res["entry"]
                checked.append(res["path"])
            else:  # one plan's check must not stop the others
                failures.append({"path": res["path"], "reason": res["error"]})
                index.pop(res["path"], None)
        if not local:
            _notify("checked", len(checked) + len(failures), len(due), batch[0][0].path)
    gaprun.save_index(Path(out), index)
    totals = {b: sum(e["counts"].get(b, 0) for e in index.values()) for b in BUCKETS}
    summary["check_task_runs"] = len(futures)
    summary["gaps"] = {"dir": str(Path(out) / gaprun.GAPS), "plans": len(index),
                       "checked": checked, "current": len(links) - len(due),
                       "duties": totals, "failures": failures,
                       "by_plan": [{"path": p, **{k: e[k] for k in
                                                 ("symbol", "html", "duties", "counts",
                                                  "reports", "missing_submissions")}}
                                   for p, e in sorted(index.items())]}


def _run_tasks(plan: Plan, out: str, manifest: Manifest,
               summary: dict[str, Any], db: str | None = None) -> list[str]:
    """Submit one task per due document; record each in the manifest as it ends. With
    ``db`` (PostgreSQL) each worker stores what it extracted; ``summary["indexed_by_workers"]``
    counts them."""
    from pipeline.index.base import store_path  # light: no database driver

    todo = plan.todo
    texts = str(manifest.state / "texts")
    # the key is made here, not in the worker: a Dask worker may run in another folder
    futures = extract_document.map([i.path for i in todo], unmapped(out),
                                   [i.stem for i in todo], unmapped(texts),
                                   [i.sha256 for i in todo], unmapped(db),
                                   [store_path(i.path) if db else None for i in todo])
    by_id = {f.task_run_id: item for f, item in zip(futures, todo)}
    written: list[str] = []
    done = 0
    for fut in as_completed(list(futures)):
        item: Item = by_id[fut.task_run_id]
        done += 1
        try:
            res = fut.result()
            manifest.record(item, "ok", doc_type=res.get("doc_type"), tasks=res["tasks"])
            written.append(item.stem)
            if res.get("indexed"):
                summary["indexed_by_workers"] = summary.get("indexed_by_workers", 0) + 1
            elif res.get("index_error"):
                summary.setdefault("index_errors", []).append(
                    {"path": item.path, "reason": res["index_error"]})
            _notify("done", done, len(todo), item.path)
        except DocumentFailed as err:
            manifest.record(item, "failed", reason=err.reason, kind=err.kind)
            summary["failures"].append({"path": item.path, "reason": err.reason})
            _notify("failed", done, len(todo), f"{item.path}: {err.reason}")
        except Exception as exc:  # I/O retries spent, or the worker crashed on it
            reason = (f"tiến trình đọc văn bản dừng đột ngột khi đọc tệp này "
                      f"({type(exc).__name__})" if isinstance(exc, BrokenProcessPool) else
                      f"không ghi được kết quả: {type(exc).__name__}: {exc}")
            if isinstance(exc, BrokenProcessPool):
                quarantine(Path(item.path), Path(out), reason, "crash")
                manifest.record(item, "failed", reason=reason, kind="crash")
            summary["failures"].append({"path": item.path, "reason": reason})
            _notify("failed", done, len(todo), f"{item.path}: {reason}")
        manifest.save(force=False)
    manifest.save()
    return written


def is_server_db(db: str | os.PathLike | None) -> bool:
    """``db`` is a database server's URL (``postgresql://``), not an index file."""
    return isinstance(db, str) and db.lower().startswith(("postgresql://", "postgres://"))


def index_location(db: str | os.PathLike | None, out: Path) -> str:
    """The run's index: ``db``, else ``VANBAN_DB``, else ``<out>/index.db``."""
    db = db or os.environ.get("VANBAN_DB") or out / "index.db"
    if is_server_db(db) and str(db).lower().startswith("postgres://"):
        db = "postgresql://" + str(db).split("://", 1)[1]
    return str(db)


def shown_db(db: str) -> str:
    """``db`` for the summary: a URL without its password."""
    if not is_server_db(db):
        return db
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(db)
    if parts.password is None:
        return db
    netloc = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{netloc[-1]}"))


def _note_index(state: Path, where: str) -> None:
    """Add the index this run brought up to date to ``last_run.json``: a run into another
    index (``--db``) is not "nothing changed" (``vanban run`` compares it)."""
    from pipeline.outputs import write_json_atomic

    data = precheck.read_last(state)
    if data is not None:
        data["db"] = where
        write_json_atomic(state / precheck.LAST_RUN, data)


# At most this many documents extracted: the index step runs in the flow's process (a
# process of its own costs 1–1.5 s to start; its point is a GIL of its own for big runs).
_FEW = 8

# Threads that wait on the worker processes: enough to keep every worker fed, few
# enough not to fight over the GIL (measured: 8 threads cost more per task than 4).
_THREADS = max(4, (os.cpu_count() or 1) + 2)


@flow(name="vanban-run", task_runner=ThreadPoolTaskRunner(max_workers=_THREADS),
      persist_result=False, validate_parameters=False)
def vanban_run(inboxes: list[str], out: str = "outputs", workers: int | None = None,
               state_dir: str | None = None, as_of: str | None = None,
               db: str | None = None) -> dict[str, Any]:
    """Read new and changed documents under ``inboxes`` into ``out``, index them and
    cross-check every plan against the reports that answer it.

    ``state_dir`` (default ``<out>/.state``) holds the manifest; ``as_of`` (default today)
    is the date statuses are judged on; ``db`` is the index (default ``VANBAN_DB``, else
    ``<out>/index.db``): with a ``postgresql://`` URL each worker stores the documents it
    extracts, and the index step only catches up what is missing. Returns the counts:
    new / changed / skipped / failed / extracted, the failures, the gap report counts
    and the timings.
    """
    import datetime as _dt

    as_of = as_of or _dt.date.today().isoformat()
    t0 = time.perf_counter()
    logger = get_run_logger()
    out_dir = Path(out).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    state = Path(state_dir).resolve() if state_dir else out_dir / ".state"
    db = index_location(db, out_dir)
    shared = is_server_db(db)  # PostgreSQL: many writers at once, no shared file needed
    summary: dict[str, Any] = {"out": str(out_dir), "failures": [],
                               "index_db": shown_db(db)}
    with RunLock(state):
        clean_temp_files(out_dir, out_dir / "gaps", state, state / "texts", state / "docs")
        manifest = Manifest(state, code_version())
        plan = scan_inboxes(inboxes, str(out_dir), manifest)
        summary.update(total=len(plan.items), new=plan.count("new"),
                       changed=plan.count("changed"), skipped=plan.count("skipped"))
        summary["failures"] += [{"path": e.path, "reason": e.reason} for e in plan.set_aside]
        _notify("planned", 0, len(plan.todo), "")
        logger.info("%d documents: %d new, %d changed, %d unchanged", len(plan.items),
                    summary["new"], summary["changed"], summary["skipped"])
        ctx = FlowRunContext.get()
        local = ctx is None or isinstance(ctx.task_runner, ThreadPoolTaskRunner)
        written: list[str] = []
        n = workers or os.cpu_count() or 1
        pool = workers_pool.current()
        if not local and pool is not None:  # started for a local run that is not one
            pool.close()
            workers_pool.replace(None)
        elif local and pool is None:
            workers_pool.replace(WorkerPool(min(n, max(1, len(plan.todo)))))
        timings = summary["timings"] = {"scan": round(time.perf_counter() - t0, 2)}
        try:
            t = time.perf_counter()
            if plan.todo:
                written = _run_tasks(plan, str(out_dir), manifest, summary,
                                     db if shared else None)
            summary["failed"] = len(summary["failures"])
            summary["extracted"] = len(written)
            timings["extract"] = round(time.perf_counter() - t, 2)
            # Indexing (its own process, waited on by a thread here) and cross-checking
            # (the worker processes; it reads the documents, not the index) side by side.
            t = time.perf_counter()
            with ThreadPoolExecutor(1, thread_name_prefix="vanban-index") as side:
                left = len(written) - summary.get("indexed_by_workers", 0)
                indexed = side.submit(contextvars.copy_context().run, index_documents,
                                      str(out_dir), str(state), manifest.entries,
                                      left <= _FEW, db)
                _cross_check(str(out_dir), state, manifest.entries, as_of, summary, local)
                timings["check"] = round(time.perf_counter() - t, 2)
                summary["index"] = indexed.result()
                timings["index"] = round(time.perf_counter() - t, 2)
            if not local:
                _drain_remote_workers(ctx)
            if summary["gaps"]["failures"]:  # a plan not checked: the next run is due
                (state / precheck.LAST_RUN).unlink(missing_ok=True)
            else:  # what this run was made from: a rerun with the same finds no work
                precheck.write_last(state, {i.path: i.sha256 for i in plan.items},
                                    [{"path": e.path, "reason": e.reason}
                                     for e in plan.set_aside], as_of, out_dir, summary["gaps"])
                _note_index(state, summary["index_db"])
        finally:
            pool = workers_pool.current()
            if pool is not None:
                pool.close()
                workers_pool.replace(None)
            workers_pool.clear_prefetch(state)
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    t1 = time.perf_counter()
    publish_artifacts(summary)
    summary["timings"]["publish"] = round(time.perf_counter() - t1, 2)
    # this flow run's task runs: scan, index, link, publish, one per document, and the
    # checks: one for all the plans due (local), or one per plan (Dask)
    summary["task_runs"] = 4 + len(plan.todo) + summary["check_task_runs"]
    return summary
