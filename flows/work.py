"""The work of one document, run in a worker process. Plain Python, no Prefect.

:func:`process_document` never raises for a bad document: it quarantines it and
returns the reason, so a worker process stays usable and the parent decides how
the Prefect task ends. It raises only ``OSError`` while writing the output (disk
full, permissions): the one failure worth retrying.
"""
from __future__ import annotations

import json
import os
import time
import traceback
from pathlib import Path
from typing import Any

from pipeline.outputs import quarantine, safe_stem, write_json_atomic
from pipeline.reports.archive import Source, check_plan, save_doc
from pipeline.readers.registry import SUPPORTED, read_document
from pipeline.document.model import VanbanError


def _exit_with_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:  # the run was killed (SIGKILL): do not linger
            os._exit(1)


def watch_parent() -> None:
    """End this (worker) process if the run that started it dies (SIGKILL included)."""
    import threading

    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def warm_up() -> None:
    """Load spaCy, the rules and underthesea's models once per worker process, and
    end this process if the run that started it dies."""
    watch_parent()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        from extractors.nlp import _underthesea, get_nlp

        get_nlp()
        _underthesea()
    except Exception:  # a broken model shows up as a per-document failure instead
        pass


def _quarantine_files(out: Path, path: Path) -> list[Path]:
    stem = safe_stem(path)
    q = out / "quarantine"
    return [q / f"{stem}.reason.json", q / (stem + (path.suffix or ""))]


def _clear_quarantine(out: Path, path: Path) -> None:
    """A document that now reads fine leaves the quarantine (only its own entry)."""
    reason, copy = _quarantine_files(out, path)
    try:
        if json.loads(reason.read_text("utf-8")).get("path") == str(path):
            reason.unlink(missing_ok=True)
            copy.unlink(missing_ok=True)
    except (OSError, ValueError):
        pass


def process_document(path: str, out: str, stem: str, texts: str | None = None
                     ) -> dict[str, Any]:
    """Extract ``path`` into ``<out>/<stem>.json``; a bad file goes to the quarantine.
    With ``texts``, the normalised text goes to ``<texts>/<stem>.txt`` first (the index
    step stores it).

    Returns ``{"ok": True, "tasks": n, "doc_type": ..., "seconds": s}`` or
    ``{"ok": False, "reason": ..., "kind": ...}``.
    """
    t0 = time.perf_counter()
    src, dst = Path(path), Path(out)
    try:
        if src.suffix and src.suffix.lower() not in SUPPORTED:
            raise VanbanError(path, f"unsupported format '{src.suffix}' "
                              f"(vanban reads {', '.join(SUPPORTED)})", kind="unsupported")
        from extractors.extract import extract_document

        doc = read_document(src)
        result = extract_document(doc)
    except VanbanError as err:
        return _fail(src, dst, stem, err.reason, err.kind)
    except Exception as exc:  # a bug or an input nobody foresaw: this document only
        reason = f"internal error: {type(exc).__name__}: {exc}"
        if os.environ.get("VANBAN_DEBUG"):
            reason += "\n" + traceback.format_exc()
        return _fail(src, dst, stem, reason, "internal")
    if texts:  # OSError while writing: the caller retries
        Path(texts).mkdir(parents=True, exist_ok=True)
        _write_text_atomic(Path(texts) / f"{stem}.txt", doc.text)
        save_doc(Path(texts).parent, stem, doc)  # the cross-check reads it back
    write_json_atomic(dst / f"{stem}.json", result)
    _clear_quarantine(dst, src)
    meta = result.get("metadata") or {}
    return {"ok": True, "tasks": len(result.get("tasks") or []),
            "doc_type": meta.get("doc_type"), "symbol": meta.get("symbol"),
            "seconds": round(time.perf_counter() - t0, 3)}


def _write_text_atomic(target: Path, text: str) -> None:
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, target)


def _fail(src: Path, out: Path, stem: str, reason: str, kind: str) -> dict[str, Any]:
    quarantine(src, out, reason, kind)
    (out / f"{stem}.json").unlink(missing_ok=True)  # an older version's output is stale
    return {"ok": False, "reason": reason, "kind": kind}


def check_one(plan: Source, reports: list[Source], out: str, state: str, as_of: str
              ) -> dict[str, Any]:
    """Cross-check one plan in a worker process (``pipeline.reports.archive.check_plan``)."""
    return check_plan(plan, reports, Path(out), Path(state), as_of)
