"""A throwaway PostgreSQL cluster for the tests and benchmarks: Debian's ``postgresql``
binaries (``initdb``, ``pg_ctl``), a data folder in a temporary directory, a free port on
127.0.0.1, trust authentication, removed at the end.

PostgreSQL refuses to run as root: under root (CI, containers) the binaries run as the
``postgres`` system user the Debian package creates, through ``runuser``.

    with Cluster() as pg:            # or Cluster(durable=True) for the benchmarks
        url = pg.url                 # postgresql://vanban@127.0.0.1:PORT/vanban
        other = pg.create_database("prefect")
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "vanban"


def find_bin(name: str) -> str | None:
    """``name`` on PATH, else in the newest ``/usr/lib/postgresql/*/bin``."""
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.access(os.path.join(folder, name), os.X_OK):
            return os.path.join(folder, name)
    return None


def available() -> bool:
    return bool(find_bin("initdb") and find_bin("pg_ctl"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """One running cluster; :attr:`url` is its ``vanban`` database."""

    def __init__(self, base: Path | None = None, *, durable: bool = False) -> None:
        self._own_base = base is None
        self.base = Path(base or tempfile.mkdtemp(prefix="vanban-pg-"))
        self.data = self.base / "data"
        self.port = _free_port()
        self.durable = durable
        self._as: list[str] = []
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return self.database_url("vanban")

    def database_url(self, name: str) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{name}"

    def _run(self, *cmd: str) -> None:
        res = subprocess.run([*self._as, *cmd], capture_output=True, text=True, timeout=120)
        if res.returncode != 0:
            log = self.base / "server.log"
            tail = log.read_text("utf-8", "replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed ({res.returncode}):\n"
                               f"{res.stdout}{res.stderr}{tail}")

    def start(self) -> Cluster:
        initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
        if not (initdb and pg_ctl):
            raise RuntimeError("PostgreSQL is not installed (no initdb/pg_ctl): "
                               "apt-get install postgresql")
        self.base.mkdir(parents=True, exist_ok=True)
        if self._as:
            shutil.chown(self.base, "postgres", "postgres")
        self._run(initdb, "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-instructions")
        opts = [f"-p {self.port}", f"-k {self.base}", "-c listen_addresses=127.0.0.1",
                "-c max_connections=200", "-c shared_buffers=256MB"]
        if not self.durable:  # a test cluster: nothing to keep across a crash
            opts += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._run(pg_ctl, "-D", str(self.data), "-l", str(self.base / "server.log"),
                  "-o", " ".join(opts), "-w", "-t", "60", "start")
        self.create_database("vanban")
        return self

    def create_database(self, name: str) -> str:
        """Create database ``name``; return its URL."""
        psql = find_bin("psql") or "psql"
        self._run(psql, "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, "-d", "postgres",
                  "-v", "ON_ERROR_STOP=1", "-q", "-c", f'CREATE DATABASE "{name}"')
        return self.database_url(name)

    def stop(self) -> None:
        pg_ctl = find_bin("pg_ctl")
        if pg_ctl and (self.data / "postmaster.pid").exists():
            try:
                self._run(pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")
            except RuntimeError:
                pass
        if self._own_base:
            shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
