"""Checks every reader makes before parsing a file it may be handed directly."""
from __future__ import annotations

from pathlib import Path

from pipeline.document.limits import Limits
from pipeline.document.model import VanbanError

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
        raise VanbanError(name, f"cannot open: {exc.strerror or exc}") from exc
    if size == 0:
        raise VanbanError(name, "empty file", kind="empty")
    if size > limits.max_file_mb * MB:
        raise VanbanError(name, f"refused: file is {size / MB:.0f} MB "
                          f"(limit {limits.max_file_mb:g})", kind="too_large")
    return head
