"""``vanban index PATH…``: read, extract and store every file under some paths.

A file whose stored stamp (sha256 and code version) is what it would be stored with now
is skipped before it is read; the others go through the project's one read → extract →
set-aside step (:func:`pipeline.outputs.attempt`) and are stored one transaction each.
A file that cannot be read is counted in ``failed`` and the batch goes on; a full disk
stops it with a clear message (every next document would fail the same way).
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.document.contract import to_json
from pipeline.document.model import VanbanError
from pipeline.index import open_index
from pipeline.index.base import DEFAULT_DB, Index, StoreError, store_path
from pipeline.inbox import SetAside, scan
from pipeline.outputs import attempt
from pipeline.readers import SUPPORTED, sha256_file


@dataclass
class IndexSummary:
    new: int = 0
    changed: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        return {"new": self.new, "changed": self.changed, "skipped": self.skipped,
                "failed": len(self.failed)}

    def describe(self) -> str:
        seconds = f"{self.seconds:.1f}".replace(".", ",")
        lines = [f"{self.new} mới, {self.changed} đã sửa, {self.skipped} không đổi, "
                 f"{len(self.failed)} lỗi, trong {seconds} giây"]
        lines += [f"  lỗi: {p}: {why}" for p, why in self.failed]
        return "\n".join(lines)


_STATUS_VI = {"new": "mới", "changed": "đã sửa"}


def _index_one(index: Index, path: Path, name: str, code_version: str) -> str:
    """Store ``path`` under ``name``: "new", "changed" or "skipped" (unchanged); raises
    :class:`VanbanError` for a file that cannot be read, :class:`StoreError`."""
    if path.suffix.lower() not in SUPPORTED and path.suffix:
        raise VanbanError(str(path), f"định dạng '{path.suffix}' không được hỗ trợ",
                          kind="unsupported")
    if not path.is_file():
        raise VanbanError(str(path), "không tìm thấy tệp", kind="missing")
    stamp = index.stamp(name)
    if stamp and stamp.sha256 == sha256_file(path) and stamp.code_version == code_version:
        return "skipped"
    extraction = attempt(path)
    if isinstance(extraction, SetAside):
        raise VanbanError(extraction.path, extraction.reason, extraction.kind)
    doc = extraction.document
    _, status = index.store(to_json(extraction), doc.text, path=name,
                            code_version=code_version, blocks=doc.blocks)
    return status


def index_paths(paths: Iterable[str | Path], db: str | Path | Index = DEFAULT_DB,
                code_version: str | None = None,
                progress: Callable[[str], None] | None = None) -> IndexSummary:
    """Index every file under ``paths`` into ``db`` (an open :class:`Index`, or where to
    open one): skip unchanged files (same sha256 and code version, by default the
    index's own), extract and store the rest one transaction each; an unreadable file
    is counted in ``failed`` and the batch goes on."""
    index = db if isinstance(db, Index) else open_index(db)
    code_version = code_version or index.code_version
    summary = IndexSummary()
    t0 = time.perf_counter()
    own_files = index.files()
    try:
        found = scan([Path(p) for p in paths])
        summary.failed += [(store_path(Path(e.path)), e.reason) for e in found.set_aside]
        files = [f for f in found.files if os.path.abspath(f) not in own_files]
        for i, path in enumerate(files, 1):
            name = store_path(path)
            try:
                status = _index_one(index, path, name, code_version)
                if status == "skipped":
                    summary.skipped += 1
                    continue
                setattr(summary, status, getattr(summary, status) + 1)
                if progress:
                    progress(f"[{i}/{len(files)}] {_STATUS_VI.get(status, status)}: {name}")
            except VanbanError as err:
                summary.failed.append((name, err.reason))
            except StoreError as exc:
                if exc.full:  # every next document would fail the same way: stop
                    raise VanbanError(index.location, "ổ đĩa đã đầy (hoặc tệp đã tới giới hạn kích "
                                      "thước) khi ghi chỉ mục; đã lưu "
                                      f"{summary.new + summary.changed} văn bản, chỉ mục vẫn "
                                      "giữ nguyên mọi thứ đã có trước đó",
                                      kind="disk_full") from exc
                summary.failed.append((name, f"lỗi chỉ mục: {exc}"))
            except Exception as exc:  # an input we did not foresee: report it, go on
                summary.failed.append((name, f"lỗi nội bộ: {type(exc).__name__}: {exc}"))
            if progress and summary.failed and summary.failed[-1][0] == name:
                progress(f"[{i}/{len(files)}] lỗi: {name}: {summary.failed[-1][1]}")
    finally:
        if not isinstance(db, Index):
            index.close()
    summary.seconds = time.perf_counter() - t0
    return summary
