"""One local Prefect server per state folder, kept alive between runs and reused.

Starting Prefect's server costs a run 4–7 s (10–16 s the first time, when it creates its
database); a rerun after one changed file has 2–3 s of work. So ``vanban run`` starts
the server once, detached (:mod:`flows.keeper`), and the next runs on the same state
folder find it and use it, as users of ``prefect server start`` do. It serves Prefect's
UI too: the runs, task runs and artifacts stay visible there between runs. It stops
itself after ``VANBAN_SERVER_IDLE`` minutes without a run (default 30; never under a
running run), or with ``vanban server stop``. ``VANBAN_SERVER_IDLE=0`` gives the old
behaviour: a temporary server started and stopped with each run.

``kept-server.json`` in Prefect's home names the server (pid, port); a file lock
serialises the runs that find no server, so two runs started at once share one.

Import only after :func:`flows.settings.configure`.
"""
from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from flows.keeper import INFO, INUSE, USED
from flows.server import free_port, wait_healthy

IDLE_ENV = "VANBAN_SERVER_IDLE"
DEFAULT_IDLE_MINUTES = 30.0
_LAUNCH = "kept-server.lock"
_held: list[int] = []  # this process's shared lock on kept-server.inuse


def idle_minutes() -> float:
    raw = os.environ.get(IDLE_ENV, "").strip().replace(",", ".")
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_IDLE_MINUTES
    except ValueError:
        return DEFAULT_IDLE_MINUTES


@dataclass(frozen=True)
class Kept:
    """A kept server: its process and API URL, and whether this run started it."""

    pid: int
    port: int
    started: bool = False
    idle_seconds: float = DEFAULT_IDLE_MINUTES * 60

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _alive(pid: int) -> bool:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"flows.keeper" in cmd


def find(home: Path) -> Kept | None:
    """The server kept for ``home``, if its process is alive (it may still be starting)."""
    try:
        info = json.loads((home / INFO).read_text("utf-8"))
        kept = Kept(int(info["pid"]), int(info["port"]),
                    idle_seconds=float(info.get("idle_seconds", DEFAULT_IDLE_MINUTES * 60)))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return kept if _alive(kept.pid) else None


def touch(home: Path) -> None:
    (home / USED).touch()


def hold(home: Path) -> None:
    """Hold the shared lock that keeps the server up for this process's lifetime (it
    waits while a server is stopping itself)."""
    if _held:
        return
    fd = os.open(home / INUSE, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_SH)
    _held.append(fd)


def _launch(home: Path, idle_seconds: float) -> Kept:
    from flows.settings import EMBEDDED_ONLY

    port = free_port()
    env = {**os.environ, "PREFECT_UI_ENABLED": "1", "PREFECT_SERVER_LOGGING_LEVEL": "WARNING"}
    for key, value in EMBEDDED_ONLY.items():  # no event feed or automations (CPU per task)
        env.setdefault(key, value)
    # vanban uses no blocks: do not register Prefect's block types in a new database
    env.setdefault("PREFECT_SERVER_REGISTER_BLOCKS_ON_START", "false")
    env.setdefault("PREFECT_SERVER_MEMOIZE_BLOCK_AUTO_REGISTRATION", "false")
    env.pop("PREFECT_API_URL", None)
    env.pop("PREFECT__SERVER_EPHEMERAL", None)
    with (home / "server.log").open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "flows.keeper", str(home), str(port), str(idle_seconds)],
            env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives the run, and its Ctrl-C
            cwd=str(Path(__file__).resolve().parent.parent))
    kept = Kept(proc.pid, port, started=True, idle_seconds=idle_seconds)
    tmp = home / f"{INFO}.{os.getpid()}"
    tmp.write_text(json.dumps({"pid": kept.pid, "port": port, "idle_seconds": idle_seconds,
                               "started": time.strftime("%Y-%m-%dT%H:%M:%S")}), "utf-8")
    os.replace(tmp, home / INFO)
    return kept


def acquire(home: Path, idle_minutes_: float | None = None) -> Kept:
    """The kept server for ``home``: the running one, else a new one launched now (not
    waited for: see :func:`ready`). Sets ``PREFECT_API_URL`` for this process."""
    idle = (idle_minutes() if idle_minutes_ is None else idle_minutes_) * 60
    home.mkdir(parents=True, exist_ok=True)
    hold(home)
    fd = os.open(home / _LAUNCH, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        kept = find(home) or _launch(home, idle)
        touch(home)
    finally:
        os.close(fd)
    os.environ["PREFECT_API_URL"] = kept.api_url
    return kept


def ready(kept: Kept, timeout: float = 120.0) -> None:
    """Block until the kept server answers (a new one creates its database first)."""
    wait_healthy(kept.api_url, timeout)


def stop(home: Path, timeout: float = 15.0) -> Kept | None:
    """Stop the server kept for ``home``; return it, or None when there was none."""
    kept = find(home)
    if kept is None:
        (home / INFO).unlink(missing_ok=True)
        return None
    try:
        os.kill(kept.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(kept.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(kept.pid):
            os.kill(kept.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    (home / INFO).unlink(missing_ok=True)
    return kept
