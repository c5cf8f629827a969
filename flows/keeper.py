"""The process behind :class:`flows.kept.KeptServer`: one Prefect server for a state
folder, kept between runs, that stops itself once nobody has used it for a while.

    python -m flows.keeper HOME PORT IDLE_SECONDS

It serves Prefect's API and UI (``prefect.server.api.server:create_app``, the app
``prefect server start`` serves) with uvicorn in this process, on 127.0.0.1:PORT, with
its SQLite database under HOME (Prefect's home). A thread watches two files in HOME:

* ``kept-server.used``, touched by every run as it starts and ends: the server is idle
  when it is older than IDLE_SECONDS;
* ``kept-server.inuse``, which every run holds a shared ``flock`` on for its lifetime:
  the server never stops under a run, however long the run.

When idle and no run holds the lock, it takes the lock exclusively (a run starting now
waits for it, then finds no server and starts one), stops uvicorn (Prefect's services
write what they still hold on the way down), removes ``kept-server.json`` and exits.
"""
from __future__ import annotations

import fcntl
import json
import os
import sys
import threading
import time
from pathlib import Path

INFO = "kept-server.json"
USED = "kept-server.used"
INUSE = "kept-server.inuse"
_APP = "prefect.server.api.server:create_app"


def idle_for(home: Path) -> float:
    try:
        return time.time() - (home / USED).stat().st_mtime
    except OSError:
        return float("inf")


def still_ours(home: Path) -> bool:
    """False once ``kept-server.json`` names another process (or is gone)."""
    try:
        return int(json.loads((home / INFO).read_text("utf-8"))["pid"]) == os.getpid()
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _watch(server: object, home: Path, idle: float, held: list[int]) -> None:
    poll = max(0.2, min(30.0, idle / 4))
    while True:
        time.sleep(poll)
        if not still_ours(home):
            break
        if idle_for(home) < idle:
            continue
        fd = os.open(home / INUSE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # a run holds it: not idle, however old the stamp
            os.close(fd)
            continue
        held.append(fd)  # kept until this process exits: runs wait, then start anew
        break
    server.should_exit = True  # type: ignore[attr-defined]


def main(argv: list[str]) -> int:
    home, port, idle = Path(argv[0]), int(argv[1]), float(argv[2])
    import uvicorn

    config = uvicorn.Config(_APP, factory=True, host="127.0.0.1", port=port,
                            log_level="error", lifespan="on")
    server = uvicorn.Server(config)
    held: list[int] = []
    threading.Thread(target=_watch, args=(server, home, idle, held), daemon=True,
                     name="vanban-idle").start()
    try:
        server.run()
    finally:
        if still_ours(home):
            (home / INFO).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
