"""A time limit for one document's extraction (``VANBAN_EXTRACT_SECONDS``).

Extraction is pure Python over one text, so the limit is a timer signal: when it fires,
the document's extraction stops with a :class:`~pipeline.document.model.VanbanError` that
sets it aside with its reason, and the process goes on with the next document. Signals
reach only the main thread of a process; elsewhere (a thread of a server) the limit is
not applied, and the run's worker processes, ``extract-all`` and ``index`` all extract in
their main thread.
"""
from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from pipeline.document.model import VanbanError


class _Expired(BaseException):
    """Raised by the timer inside the extraction; BaseException, so that no ``except
    Exception`` on the way swallows it."""


@contextmanager
def time_limit(seconds: float, path: str) -> Iterator[None]:
    """Run the block for at most ``seconds`` (0: no limit); past that, raise
    ``VanbanError(path, "trích xuất quá … giây, …", kind="timeout")``."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame) -> None:
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Expired:
        raise VanbanError(path, f"trích xuất quá {seconds:g} giây, giới hạn "
                          "VANBAN_EXTRACT_SECONDS", kind="timeout") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
