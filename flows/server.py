"""Prefect servers that vanban starts for itself, always on 127.0.0.1.

* :class:`LocalServer`: ``prefect server start`` with its SQLite database under the
  state dir, for ``vanban schedule`` (and ``run --workers``) when ``PREFECT_API_URL``
  is not set. Stopped on exit; dies with vanban even on SIGKILL (Linux).
* :class:`EmbeddedServer`: the temporary server of Prefect's embedded mode for
  ``vanban run``, launched by vanban so the run can overlap its start, time it and
  record its pid: a server orphaned by a killed run is stopped by the next run
  (:func:`reap_orphans`).

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
from typing import Any

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


def _stop(proc: subprocess.Popen[bytes] | None, timeout: float, group: bool = False) -> None:
    """SIGTERM (to the process group with ``group``), then SIGKILL after ``timeout``."""
    if proc is None or proc.poll() is not None:
        return
    send = (lambda sig: os.killpg(proc.pid, sig)) if group else proc.send_signal
    try:
        send(signal.SIGTERM)
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
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
        _stop(self.proc, timeout, group=True)  # its own session: the uvicorn workers too

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


class EmbeddedServer:
    """Prefect's temporary server for one ``vanban run``: the same uvicorn command
    Prefect's own ephemeral mode runs, launched *without waiting*, so the run imports
    Prefect and starts its worker processes while the server starts (7 s on 2 cores
    with an existing database, 16 s when it creates and migrates a new one).

    Sets ``PREFECT_API_URL`` for this process; :meth:`wait` blocks until the API
    answers. The server dies with the run (``PR_SET_PDEATHSIG``); a pid file lets the
    next run stop one that did not."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.proc: subprocess.Popen[bytes] | None = None
        self._t0 = 0.0

    def launch(self) -> EmbeddedServer:
        import importlib.util

        self.home.mkdir(parents=True, exist_ok=True)
        reap_orphans(self.home)
        spec = importlib.util.find_spec("prefect")  # without importing it
        assert spec is not None and spec.submodule_search_locations
        app_dir = str(Path(list(spec.submodule_search_locations)[0]).parent)
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
               "PREFECT__SERVER_FINAL": "1"}
        # vanban uses no blocks: do not register Prefect's 40-odd block types in a new db,
        # nor import every installed Prefect integration to see whether they changed
        # (prefect-dask brings in dask.distributed: 0.7 s of the start)
        env.setdefault("PREFECT_SERVER_REGISTER_BLOCKS_ON_START", "false")
        if env["PREFECT_SERVER_REGISTER_BLOCKS_ON_START"].lower() in ("false", "0"):
            env.setdefault("PREFECT_SERVER_MEMOIZE_BLOCK_AUTO_REGISTRATION", "false")
        env.pop("PREFECT_API_URL", None)
        self._t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", app_dir, "--factory", _EMBEDDED_APP,
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error",
             "--lifespan", "on"],
            # a session of its own: Ctrl-C in the terminal reaches the run, which records
            # that it stopped and then stops this server itself (it also dies with the run)
            env=env, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent,
            start_new_session=True)
        pid_file = _pid_file(self.home, os.getpid())
        pid_file.write_text(f"{self.proc.pid} {os.getpid()}")
        atexit.register(self.stop)  # before Prefect's own exit hooks: runs after them
        atexit.register(pid_file.unlink, missing_ok=True)
        os.environ["PREFECT_API_URL"] = self.api_url
        return self

    def wait(self, timeout: float | None = None) -> float:
        """Block until the API is healthy; return the seconds since :meth:`launch`."""
        if timeout is None:
            timeout = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS",
                                           90))
        wait_healthy(self.api_url, timeout, self.proc)
        return time.perf_counter() - self._t0

    def settle(self, flow_run_id: Any) -> tuple[float, int | None]:
        """Stop the server so that it records every task run of the flow run; return the
        seconds it took and how many task runs of the flow run it recorded as finished
        (None when its database is not a SQLite file).

        The server records task runs from events, in batches, every few seconds, behind
        the run. Instead of waiting for the next batch, the run sends the events it still
        holds and stops the server with SIGTERM: on the way down, Prefect's task-run
        recorder writes what it has received. Killing it instead loses the last batch.
        """
        t0 = time.perf_counter()
        drain()
        self.stop()
        return time.perf_counter() - t0, self.recorded(flow_run_id)

    def recorded(self, flow_run_id: Any) -> int | None:
        """How many task runs of the flow run the server's SQLite database has finished."""
        import sqlite3
        from contextlib import closing

        from prefect.settings import get_current_settings

        url = get_current_settings().server.database.connection_url
        url = url.get_secret_value() if url is not None else ""
        db = (self.home / "prefect.db" if not url else
              Path(url.split(":///", 1)[1]) if url.startswith("sqlite") and ":///" in url
              else None)
        if db is None or not db.is_file():
            return None
        try:
            with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)) as conn:
                (n,) = conn.execute(
                    "SELECT count(*) FROM task_run WHERE flow_run_id = ? AND state_type IN "
                    "('COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED')",
                    (str(flow_run_id),)).fetchone()
            return int(n)
        except sqlite3.Error:
            return None

    def stop(self) -> None:
        _stop(self.proc, 10.0)
