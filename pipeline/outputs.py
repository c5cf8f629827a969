"""The one owner of an output folder (``outputs/`` by default): its layout, atomic writes,
and the single loop every command uses — read, extract, then write or set aside.

Layout of ``<out>/``::

    <stem>.json                  vanban.document/1 of each input (stem: see safe_stem)
    quarantine/<stem><ext>       a copy of an input that could not be read …
    quarantine/<stem>.reason.json  … and why (path, reason, kind, at)
    gaps/                        gap reports (pipeline.reports.archive)
    index.db                     the archive index (pipeline.index)

A file that cannot be read never stops a batch: :func:`attempt` turns every failure of
one document into a :class:`SetAside` with a one-line reason, and the caller goes on.
Nothing already written is removed by a failed write: every file is written to a
temporary name first and renamed over the old one.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import pickle
import shutil
import stat
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import extractors
from pipeline.document.contract import to_json
from pipeline.document.facts import Extraction
from pipeline.document.limits import Limits
from pipeline.document.model import Document, VanbanError
from pipeline.inbox import SetAside, os_error_vi, scan, still_a_file
from pipeline.readers import SUPPORTED, read_document
from pipeline.timelimit import time_limit

QUARANTINE = "quarantine"
MAX_STEM_BYTES = 120
"""File names are at most 255 bytes; a stem this long leaves room for every suffix."""


# ── layout ──────────────────────────────────────────────────────────────────────────

def iter_inputs(paths: Iterable[Path]) -> list[Path]:
    """The inputs under ``paths`` (:func:`pipeline.inbox.scan`), without the entries it
    sets aside."""
    return scan(paths).files


def safe_stem(path: Path) -> str:
    """A file-system-safe output name for ``path`` (no separators, no newlines), short
    enough for every file named after it (``<stem>.reason.json``, temporary names): a
    name longer than :data:`MAX_STEM_BYTES` keeps its start and gets a hash of the whole
    name. The user's own name stays in the output as data (``source.path``)."""
    stem = path.name
    for ch in "/\\\n\r\t\0":
        stem = stem.replace(ch, "_")
    stem = stem.replace("..", "_")
    stem = stem.rsplit(".", 1)[0] if "." in stem.strip(".") else stem
    if len(stem.encode("utf-8")) > MAX_STEM_BYTES:
        digest = hashlib.sha1(path.name.encode("utf-8", "surrogateescape")).hexdigest()[:10]
        cut = stem.encode("utf-8")[:MAX_STEM_BYTES - 11].decode("utf-8", "ignore")
        stem = f"{cut}-{digest}"
    return stem


def quarantine_files(out: Path, path: Path) -> tuple[Path, Path]:
    """Where ``path`` is set aside under ``out``: its reason file and its copy."""
    stem = safe_stem(path)
    q = out / QUARANTINE
    return q / f"{stem}.reason.json", q / (stem + (path.suffix or ""))


# ── atomic writes ───────────────────────────────────────────────────────────────────

def write_atomic(target: Path, data: str | bytes, *, durable: bool = False) -> None:
    """Write ``data`` to ``target`` so that a reader (or a killed writer) sees the old file
    or the new one, never half of one. ``durable`` also syncs it to disk first."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(target, "")
    try:
        with tmp.open("wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _temp_name(target: Path, suffix: str) -> Path:
    """A hidden name beside ``target`` for writing it; :func:`clean_temp_files` knows it."""
    name = target.name
    if len(name.encode("utf-8")) > 150:
        name = hashlib.sha1(name.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return target.with_name(f".{name}.{os.getpid()}.tmp{suffix}")


def write_json_atomic(target: Path, data: object) -> None:
    write_atomic(target, json.dumps(data, ensure_ascii=False, indent=2))


def write_with(target: Path, write: Callable[[Path], None]) -> None:
    """Atomically make ``target`` with a writer that takes a path (openpyxl, python-docx)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(target, target.suffix)
    try:
        write(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# ── the read documents a run keeps for the cross-check ─────────────────────────────

def document_file(state: Path, stem: str) -> Path:
    return state / "docs" / f"{stem}.pickle"


def save_document(state: Path, stem: str, doc: Document) -> None:
    """Keep a read document (its text and blocks) for the cross-check of this run."""
    write_atomic(document_file(state, stem), pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))


def load_document(state: Path, stem: str) -> tuple[Document, int] | None:
    """The kept document and when it was written (ns), or None when there is none or it
    was kept by another version of vanban."""
    kept = document_file(state, stem)
    try:
        written = kept.stat().st_mtime_ns
        return pickle.loads(kept.read_bytes()), written
    except (OSError, pickle.UnpicklingError, AttributeError, EOFError, ImportError):
        return None


# ── read, extract, write or set aside ──────────────────────────────────────────────

def check_supported(path: Path) -> None:
    if path.suffix and path.suffix.lower() not in SUPPORTED:
        raise VanbanError(str(path), f"định dạng '{path.suffix}' không được hỗ trợ "
                          f"(vanban đọc {', '.join(SUPPORTED)})", kind="unsupported")


def read_and_extract(path: str | Path, limits: Limits | None = None) -> Extraction:
    """Read ``path`` and extract it; raises :class:`VanbanError` for a bad document,
    including one whose extraction takes longer than ``limits.extract_seconds``."""
    path = Path(path)
    limits = limits or Limits.from_env()
    check_supported(path)
    moved = still_a_file(path)
    if moved is not None:
        raise VanbanError(moved.path, moved.reason, moved.kind)
    doc = read_document(path, limits)
    with time_limit(limits.extract_seconds, str(path)):
        return extractors.extract(doc)


def attempt(path: str | Path) -> Extraction | SetAside:
    """:func:`read_and_extract`, with every failure of this one document (a bad input, or
    a bug it triggers) turned into a :class:`SetAside`."""
    try:
        return read_and_extract(path)
    except VanbanError as err:
        return SetAside(str(path), err.reason, err.kind)
    except OSError as err:  # the file itself: permissions, a disk error, gone meanwhile
        if err.filename is not None and Path(err.filename) == Path(path):
            return SetAside(str(path), f"không đọc được: {os_error_vi(err)}",
                            "unreadable")
        return SetAside(str(path), f"lỗi nội bộ: {type(err).__name__}: {err}", "internal")
    except Exception as exc:  # a bug or an input nobody foresaw: this document only
        reason = f"lỗi nội bộ: {type(exc).__name__}: {exc}"
        if os.environ.get("VANBAN_DEBUG"):
            reason += "\n" + traceback.format_exc()
        return SetAside(str(path), reason, "internal")


def quarantine(path: Path, out: Path, reason: str, kind: str) -> Path:
    """Set ``path`` aside in ``<out>/quarantine/``: a ``.reason.json`` saying why, and a
    copy of the file when it is a regular file (never what a link points to, a pipe or a
    device: nothing from outside the inbox ends up in the outputs)."""
    reason_file, copy = quarantine_files(out, path)
    reason_file.parent.mkdir(parents=True, exist_ok=True)
    info = {"path": str(path), "reason": reason, "kind": kind,
            "at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    try:
        _copy_regular(path, copy)
    except OSError as err:
        info["copy"] = f"không sao chép được: {os_error_vi(err)}"
    write_atomic(reason_file, json.dumps(info, ensure_ascii=False, indent=2))
    return reason_file


def _copy_regular(path: Path, copy: Path) -> None:
    """Copy ``path`` if it is a regular file, opened without following a link."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return
    except OSError as err:
        if err.errno == errno.ELOOP:  # a symbolic link: not ours to copy
            return
        raise
    with os.fdopen(fd, "rb") as src:
        if not stat.S_ISREG(os.fstat(src.fileno()).st_mode):
            return
        tmp = _temp_name(copy, "")
        try:
            with tmp.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            os.replace(tmp, copy)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def clear_quarantine(out: Path, path: Path) -> None:
    """A document that now reads fine leaves the quarantine (only its own entry)."""
    reason, copy = quarantine_files(out, path)
    try:
        if json.loads(reason.read_text("utf-8")).get("path") == str(path):
            reason.unlink(missing_ok=True)
            copy.unlink(missing_ok=True)
    except (OSError, ValueError):
        pass


def set_aside(out: Path, failure: SetAside, stem: str | None = None) -> None:
    """Quarantine a failed document; an older output of it is stale and goes."""
    path = Path(failure.path)
    quarantine(path, out, failure.reason, failure.kind)
    (out / f"{stem or safe_stem(path)}.json").unlink(missing_ok=True)


@dataclass
class Summary:
    ok: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def describe(self) -> str:
        seconds = f"{self.seconds:.1f}".replace(".", ",")
        lines = [f"{len(self.ok)} văn bản đã trích xuất, {len(self.failed)} để riêng, "
                 f"trong {seconds} giây"]
        lines += [f"  để riêng: {p}: {why}" for p, why in self.failed]
        return "\n".join(lines)


def extract_batch(paths: list[Path], out: Path,
                  progress: Callable[[str], None] | None = None) -> Summary:
    """``vanban extract-all``: every file under ``paths`` to ``<out>/<stem>.json``."""
    out.mkdir(parents=True, exist_ok=True)
    summary = Summary()
    t0 = time.perf_counter()
    found = scan(paths, exclude=[out])
    for entry in found.set_aside:
        quarantine(Path(entry.path), out, entry.reason, entry.kind)
        summary.failed.append((entry.path, entry.reason))
        if progress:
            progress(f"{entry.path}: set aside: {entry.reason}")
    files = found.files
    for i, path in enumerate(files, 1):
        result = attempt(path)
        if isinstance(result, SetAside):
            quarantine(path, out, result.reason, result.kind)
            summary.failed.append((str(path), result.reason))
            note = f": set aside: {result.reason}"
        else:
            write_json_atomic(out / f"{safe_stem(path)}.json", to_json(result))
            summary.ok.append(str(path))
            note = ""
        if progress:
            progress(f"[{i}/{len(files)}] {path}{note}")
    summary.seconds = time.perf_counter() - t0
    return summary


def clean_temp_files(*folders: Path) -> int:
    """Remove the temporary files a killed writer left in ``folders``; return how many."""
    n = 0
    for folder in folders:
        for tmp in folder.glob(".*.tmp*"):
            tmp.unlink(missing_ok=True)
            n += 1
    return n
