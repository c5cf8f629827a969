"""Prefect servers that vanban starts for itself, always on 127.0.0.1.

* :class:`LocalServer`: ``prefect server start`` with its SQLite database under the
  state dir, for ``vanban schedule`` (and ``run --workers``) when ``PREFECT_API_URL``
  is not set. Stopped on exit; dies with vanban even on SIGKILL (Linux).
* :func:`start_embedded`: Prefect's own temporary server for ``vanban run``, started
  up front so the run can time it and record its pid: a server orphaned by a killed
  run is stopped by the next run (:func:`reap_orphans`).

Import only after :func:`flows.settings.configure`.
"""
from __future__ import annotations

import atexit
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

_PR_SET_PDEATHSIG = 1
_EMBEDDED_APP = "prefect.server.api.server:create_app"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def wait_healthy(api_url: str, timeout: float, proc: subprocess.Popen[bytes] | None = None
                 ) -> None:
    """Poll ``<api>/health`` until it answers 200; raise if the process ends first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the Prefect server exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"the Prefect server at {api_url} was not healthy after {timeout:.0f} s")


class LocalServer:
    """``prefect server start --host 127.0.0.1 --port <free>`` under ``state``."""

    def __init__(self, state: Path, port: int | None = None) -> None:
        self.home = state / "prefect"
        self.port = port or free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.log = self.home / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120.0) -> str:
        self.home.mkdir(parents=True, exist_ok=True)
        db = self.home / "server.db"
        from flows.settings import server_env

        env = {**server_env(dict(os.environ)), "PREFECT_HOME": str(self.home),
               "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{db}",
               "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
        env.pop("PREFECT_API_URL", None)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                 "--port", str(self.port)],
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, preexec_fn=_die_with_parent)
        try:
            wait_healthy(self.api_url, timeout, self.proc)
        except Exception as exc:
            self.stop()
            tail = self.log.read_text("utf-8", "replace")[-2000:]
            raise RuntimeError(f"{exc}\n--- {self.log} ---\n{tail}") from None
        return self.api_url

    def stop(self, timeout: float = 15.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        except ProcessLookupError:
            pass

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def drain() -> None:
    """Send the logs and events still queued, before the server they go to stops."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        try:
            worker.drain_all(timeout=5)
        except Exception:  # a worker that never started, or a server already gone
            pass


def _pid_file(home: Path, owner: int) -> Path:
    return home / f"embedded-server.{owner}.pid"


def reap_orphans(home: Path) -> int:
    """Stop temporary servers left running by killed runs with the same Prefect home;
    return how many. A server whose run is alive is left alone."""
    n = 0
    for pid_file in home.glob("embedded-server.*.pid"):
        try:
            pid, owner = (int(x) for x in pid_file.read_text().split())
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except (OSError, ValueError):
            pid_file.unlink(missing_ok=True)
            continue
        ours = _EMBEDDED_APP.encode() in cmd and f"PREFECT_HOME={home}".encode() in env
        if not ours:
            pid_file.unlink(missing_ok=True)
        elif _ppid(pid) != owner:  # its run died and it was re-parented
            os.kill(pid, signal.SIGTERM)
            pid_file.unlink(missing_ok=True)
            n += 1
    return n


def _ppid(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def start_embedded(home: Path) -> float:
    """Start Prefect's temporary server now (not at the first API call); return the
    seconds it took. The flow then uses it exactly as it would have anyway."""
    from prefect.server.api.server import SubprocessASGIServer

    reap_orphans(home)
    t0 = time.perf_counter()
    server = SubprocessASGIServer()
    server.start()
    if server.server_process is not None:
        pid_file = _pid_file(home, os.getpid())
        pid_file.write_text(f"{server.server_process.pid} {os.getpid()}")
        atexit.register(pid_file.unlink, missing_ok=True)
    return time.perf_counter() - t0
