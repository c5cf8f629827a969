"""The local worker processes of a run, and the documents they start on early. No Prefect.

The CPU-bound work of a local run (reading, extraction, the cross-check) runs in spawned
worker processes, each loading the NLP models once. The CLI starts them *before* it
imports Prefect (:func:`prestart`), and hands them the first documents to extract at
once (:func:`prefetch`): the run's server starts, and Prefect loads, while the workers
are already reading. A prefetched extraction is kept under ``<state>/prefetch/`` keyed
by the file's SHA-256, never in the outputs; the document's Prefect task then takes it
instead of extracting again (:func:`flows.work.process_document`), so each document is
still one task run of the flow, which writes its outputs.
"""
from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from flows.work import prefetch_one, warm_up

PREFETCH = "prefetch"
"""The folder under the state dir that holds prefetched extractions."""


class RunStopped(Exception):
    """The run was asked to stop (SIGTERM, Ctrl-C) while this work was under way."""


class WorkerPool:
    """Spawned worker processes, replaced if one dies (a crash in a C library)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._lock = threading.Lock()
        self._gen = 0
        self._pool: ProcessPoolExecutor | None = None  # started on first use
        self._stopping = False

    def _new(self) -> ProcessPoolExecutor:
        if self._stopping:
            raise RunStopped("the run is stopping: no new worker processes")
        pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"),
                                   initializer=warm_up, initargs=(os.getpid(),))
        for _ in range(self.workers):  # start them all now, from this thread
            pool.submit(time.sleep, 0)
        return pool

    def start(self) -> WorkerPool:
        """Start the processes now (each loads the NLP models) instead of at first use."""
        with self._lock:
            if self._pool is None:
                self._pool = self._new()
        return self

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Queue ``fn(*args)`` without waiting (its future is returned)."""
        with self._lock:
            if self._pool is None:
                self._pool = self._new()
            return self._pool.submit(fn, *args)

    def run(self, fn: Callable[..., Any], *args: Any, attempts: int = 3) -> Any:
        for attempt in range(attempts):
            with self._lock:
                if self._pool is None:
                    self._pool = self._new()
                pool, gen = self._pool, self._gen
            try:
                return pool.submit(fn, *args).result()
            except BrokenProcessPool:
                if self._stopping:
                    raise RunStopped("the run was stopped") from None
                with self._lock:
                    if gen == self._gen:  # first to notice: replace it
                        self._pool.shutdown(wait=False, cancel_futures=True)
                        self._pool, self._gen = self._new(), self._gen + 1
                if attempt == attempts - 1:
                    raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def stop(self) -> None:
        """End the worker processes now, whatever they are doing, and start no more: the
        run is being stopped (SIGTERM, Ctrl-C). Safe to call from a signal handler."""
        self._stopping = True
        pool = self._pool
        if pool is None:
            return
        procs = list((getattr(pool, "_processes", None) or {}).values())
        for p in procs:
            if p.is_alive():
                p.kill()
        pool.shutdown(wait=False, cancel_futures=True)



_pool: WorkerPool | None = None


def current() -> WorkerPool | None:
    """This process's worker pool, if one is started."""
    return _pool


def replace(pool: WorkerPool | None) -> None:
    global _pool
    _pool = pool


def stop_workers() -> None:
    """Stop this process's worker processes at once (the CLI's SIGTERM/SIGINT handler)."""
    if _pool is not None:
        _pool.stop()


def prestart(workers: int | None = None) -> WorkerPool:
    """Start the local worker processes before the run; the next :func:`flows.main.vanban_run`
    in this process uses them unless it runs on Dask."""
    global _pool
    if _pool is None:
        _pool = WorkerPool(workers or os.cpu_count() or 1).start()
    return _pool


def prefetch_limit(workers: int) -> int:
    """How many documents the workers start on before the flow: about what they read
    while a new server starts (10–16 s), not a whole big inbox."""
    return max(16, 8 * workers)


def prefetch(files: list[tuple[str, str]], state: Path) -> int:
    """Queue the extraction of ``files`` (path, sha256) on the started pool, ahead of the
    flow's tasks; return how many were queued. Leftovers of an earlier run are removed."""
    pool = _pool
    if pool is None or not files:
        return 0
    scratch = state / PREFETCH
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True, exist_ok=True)
    files = files[:prefetch_limit(pool.workers)]
    for path, sha in files:
        pool.submit(prefetch_one, path, sha, str(scratch))
    return len(files)


def clear_prefetch(state: Path) -> None:
    shutil.rmtree(state / PREFETCH, ignore_errors=True)
