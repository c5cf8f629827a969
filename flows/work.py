"""The work of one document, run in a worker process. Plain Python, no Prefect.

:func:`process_document` never raises for a bad document: it quarantines it and
returns the reason, so a worker process stays usable and the parent decides how
the Prefect task ends. It raises only ``OSError`` while writing the output (disk
full, permissions): the one failure worth retrying.
"""
from __future__ import annotations

import atexit
import os
import pickle
import signal
import threading
import time
from pathlib import Path
from typing import Any

from pipeline.document.contract import to_json
from pipeline.document.facts import Extraction
from pipeline.outputs import (SetAside, attempt, clear_quarantine, save_document, set_aside,
                              write_atomic, write_json_atomic)
from pipeline.readers import sha256_file
from pipeline.reports.archive import Source, check_plan


_PR_SET_PDEATHSIG = 1  # prctl(2): the signal this process gets when its parent dies


def _exit_with_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:  # the run was killed (SIGKILL): do not linger
            os._exit(1)


def watch_parent(parent: int) -> None:
    """End this (worker) process when the run ``parent`` dies, SIGKILL included.

    The kernel sends SIGKILL to this process when its parent thread exits (Linux's
    PR_SET_PDEATHSIG); a thread that polls the parent's pid covers other systems. If the
    parent died before this ran (while the worker was still importing), this process
    exits now: it would otherwise be adopted by init and never notice."""
    try:
        import ctypes  # lazy: only worker processes need it

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def warm_up(parent: int) -> None:
    """Load spaCy, the rules and underthesea's models once per worker process, and
    end this process if the run ``parent`` that started it dies. SIGINT is the run's to
    handle (Ctrl-C reaches the whole process group): the run stops its workers itself."""
    watch_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        from extractors import words
        from extractors.nlp import get_nlp

        get_nlp()
        words.warm_up()
    except Exception:  # a broken model shows up as a per-document failure instead
        pass


def prefetch_one(path: str, sha: str, scratch: str) -> None:
    """Extract ``path`` ahead of its task, into ``<scratch>/<sha>.pickle`` (nothing else is
    written). ``<sha>.part`` says the work is under way; a file that changed meanwhile is
    not kept."""
    folder = Path(scratch)
    part = folder / f"{sha}.part"
    try:
        fd = os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError:  # taken by another worker, or the folder is gone (the run ended)
        return
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    try:
        result = attempt(path)
        if sha256_file(Path(path)) == sha:
            write_atomic(folder / f"{sha}.pickle",
                         pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # the task extracts it again and reports what goes wrong
        pass
    finally:
        part.unlink(missing_ok=True)


def _working(part: Path) -> bool:
    """A prefetch is under way: its marker names a live process (a worker that crashed
    on the document leaves its marker behind)."""
    try:
        pid = int(part.read_text() or 0)
    except (OSError, ValueError):
        return False
    return pid == 0 or Path(f"/proc/{pid}").exists()


def _prefetched(scratch: str | None, sha: str | None, wait: float = 300.0
                ) -> Extraction | SetAside | None:
    """The extraction :func:`prefetch_one` made of the file with this ``sha``, waiting while
    it is under way; None when there is none."""
    if not (scratch and sha):
        return None
    done, part = Path(scratch) / f"{sha}.pickle", Path(scratch) / f"{sha}.part"
    deadline = time.monotonic() + wait
    while not done.exists() and _working(part) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        data = done.read_bytes()
        done.unlink(missing_ok=True)
        return pickle.loads(data)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None


_indexes: dict[str, Any] = {}  # db URL → this process's open index (flows with PostgreSQL)
_index_lock = threading.Lock()  # one Index is used by one thread at a time


def worker_index(db: str) -> Any:
    """This worker process's index at ``db``, opened on first use and kept for the
    process's life: one connection per worker, not one per document."""
    index = _indexes.get(db)
    if index is None:
        from pipeline.index import open_index  # lazy: only runs that index in the workers

        if not _indexes:
            atexit.register(_close_indexes)
        index = _indexes[db] = open_index(db)
    return index


def _close_indexes() -> None:
    for db in list(_indexes):
        _drop_index(db)


def _drop_index(db: str) -> None:
    index = _indexes.pop(db, None)
    if index is not None:
        try:
            index.close()
        except Exception:
            pass


def index_here(db: str, key: str, result: Extraction) -> str | None:
    """Store one extraction in the index ``db`` under ``key``, one transaction; None when
    stored, else why not (the flow's index step stores it then). A failure closes this
    process's handle, so the next document opens a fresh one."""
    try:
        with _index_lock:
            index = worker_index(db)
            index.store(to_json(result), result.document.text, path=key,
                        blocks=result.document.blocks)
        return None
    except Exception as exc:  # never fail an extracted document for its indexing
        with _index_lock:
            _drop_index(db)
        return f"{type(exc).__name__}: {exc}".splitlines()[0][:300]


def process_document(path: str, out: str, stem: str, texts: str | None = None,
                     sha: str | None = None, scratch: str | None = None,
                     db: str | None = None, key: str | None = None) -> dict[str, Any]:
    """Extract ``path`` into ``<out>/<stem>.json``; a bad file goes to the quarantine.
    With ``texts``, the normalised text goes to ``<texts>/<stem>.txt`` first (the index
    step stores it). With ``sha`` and ``scratch``, an extraction made ahead of time
    (:func:`prefetch_one`) of that very content is used. With ``db`` (a database many
    processes write at once: PostgreSQL), the document is stored there too, under
    ``key`` (its :func:`~pipeline.index.store_path`), right after its outputs are
    written (:func:`index_here`).

    Returns ``{"ok": True, "tasks": n, "doc_type": ..., "seconds": s, "indexed": bool}``
    (``index_error`` when storing failed) or ``{"ok": False, "reason": ..., "kind": ...}``.
    """
    t0 = time.perf_counter()
    src, dst = Path(path), Path(out)
    result = _prefetched(scratch, sha) or attempt(src)
    if isinstance(result, SetAside):
        set_aside(dst, result, stem)
        return {"ok": False, "reason": result.reason, "kind": result.kind}
    if texts:  # OSError while writing: the caller retries
        write_atomic(Path(texts) / f"{stem}.txt", result.document.text)
        save_document(Path(texts).parent, stem, result.document)  # the cross-check reads it
    write_json_atomic(dst / f"{stem}.json", to_json(result))
    clear_quarantine(dst, src)
    meta = result.metadata
    done = {"ok": True, "tasks": len(result.tasks), "doc_type": meta.doc_type,
            "symbol": meta.symbol, "indexed": False}
    if db:
        error = index_here(db, key or path, result)
        done["indexed"] = error is None
        if error:
            done["index_error"] = error
    done["seconds"] = round(time.perf_counter() - t0, 3)
    return done


def check_one(plan: Source, reports: list[Source], out: str, state: str, as_of: str
              ) -> dict[str, Any]:
    """Cross-check one plan in a worker process (``pipeline.reports.archive.check_plan``)."""
    return check_plan(plan, reports, Path(out), Path(state), as_of)
