"""Checks every reader makes before parsing a file it may be handed directly."""
from __future__ import annotations

from pathlib import Path

from pipeline.document.limits import Limits
from pipeline.document.model import VanbanError, os_error_vi

MB = 1024 * 1024


def open_checked(path: Path, limits: Limits, head_bytes: int) -> bytes:
    """The first ``head_bytes`` of ``path``, after refusing a file that cannot be
    opened, is empty, or is larger than ``limits.max_file_mb``."""
    name = str(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(head_bytes)
    except OSError as exc:
        raise VanbanError(name, f"không mở được: {os_error_vi(exc)}") from exc
    if size == 0:
        raise VanbanError(name, "tệp rỗng", kind="empty")
    if size > limits.max_file_mb * MB:
        raise VanbanError(name, f"từ chối: tệp {size / MB:.0f} MB, vượt giới hạn "
                          f"{limits.max_file_mb:g} MB (VANBAN_MAX_FILE_MB)", kind="too_large")
    return head
