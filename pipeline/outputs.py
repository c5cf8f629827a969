"""Extract a set of files or folders to an output folder, one JSON per document.

A file that cannot be read is copied to ``<out>/quarantine/`` with a
``.reason.json`` beside it; the batch goes on. Nothing already written is removed.
"""
from __future__ import annotations

import json
import os
import shutil
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from pipeline.readers.registry import SUPPORTED
from pipeline.document.model import VanbanError


@dataclass
class Summary:
    ok: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def describe(self) -> str:
        lines = [f"{len(self.ok)} documents extracted, {len(self.failed)} set aside "
                 f"in {self.seconds:.1f} s"]
        lines += [f"  set aside: {p}: {why}" for p, why in self.failed]
        return "\n".join(lines)


def iter_inputs(paths: Iterable[Path]) -> list[Path]:
    """Files under ``paths`` in a stable order; hidden files and our own notes skipped."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith(".") or name in ("SOURCES.md", "README.md"):
                        continue
                    found.append(Path(root) / name)
        else:
            found.append(p)
    return found


def safe_stem(path: Path) -> str:
    """A file-system-safe output name for ``path`` (no separators, no newlines)."""
    stem = path.name
    for ch in "/\\\n\r\t\0":
        stem = stem.replace(ch, "_")
    stem = stem.replace("..", "_")
    return stem.rsplit(".", 1)[0] if "." in stem.strip(".") else stem


def quarantine(path: Path, out: Path, reason: str, kind: str) -> Path:
    qdir = out / "quarantine"
    qdir.mkdir(parents=True, exist_ok=True)
    target = qdir / safe_stem(path)
    if path.is_file():
        shutil.copyfile(path, target.with_name(target.name + (path.suffix or "")))
    info = {"path": str(path), "reason": reason, "kind": kind,
            "at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    reason_file = target.with_name(target.name + ".reason.json")
    reason_file.write_text(json.dumps(info, ensure_ascii=False, indent=2), "utf-8")
    return reason_file


def write_json_atomic(target: Path, data: dict) -> None:
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    os.replace(tmp, target)


def extract_one(path: Path) -> dict:
    from extractors.extract import extract_document
    from pipeline.readers.registry import read_document

    return extract_document(read_document(path))


def extract_batch(paths: list[Path], out: Path,
                  progress: Callable[[str], None] | None = None) -> Summary:
    out.mkdir(parents=True, exist_ok=True)
    summary = Summary()
    t0 = time.perf_counter()
    files = iter_inputs(paths)
    for i, path in enumerate(files, 1):
        try:
            if path.suffix.lower() not in SUPPORTED and path.suffix:
                raise VanbanError(str(path), f"unsupported format '{path.suffix}' "
                                  f"(vanban reads {', '.join(SUPPORTED)})", kind="unsupported")
            result = extract_one(path)
            write_json_atomic(out / f"{safe_stem(path)}.json", result)
            summary.ok.append(str(path))
            if progress:
                progress(f"[{i}/{len(files)}] {path}")
        except VanbanError as err:
            quarantine(path, out, err.reason, err.kind)
            summary.failed.append((str(path), err.reason))
            if progress:
                progress(f"[{i}/{len(files)}] {path}: set aside: {err.reason}")
        except Exception as exc:  # a bug or an input we did not foresee: keep going
            reason = f"internal error: {type(exc).__name__}: {exc}"
            quarantine(path, out, reason, "internal")
            summary.failed.append((str(path), reason))
            if progress:
                progress(f"[{i}/{len(files)}] {path}: set aside: {reason}")
                if os.environ.get("VANBAN_DEBUG"):
                    progress(traceback.format_exc())
    summary.seconds = time.perf_counter() - t0
    return summary
