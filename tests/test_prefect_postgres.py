"""Prefect's server on PostgreSQL, as a team runs it past one machine (README, "Past one
machine: PostgreSQL"): ``prefect server start`` with PREFECT_API_DATABASE_CONNECTION_URL
``postgresql+asyncpg://…`` (a database of the session's throwaway cluster, tests/pgcluster.py),
then ``vanban run`` and ``vanban schedule`` with PREFECT_API_URL pointing at it. The flow
run, its task runs and the schedule's deployment are read back from PostgreSQL's own tables
with psycopg, not through Prefect."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, pg_database

FILES = ["kh_580_ubnd-haiduong_2020.txt", "qd_773_ttg_2018.txt", "tt_118_btc_2025.txt"]
FLOW = "vanban-run"


def _free_port() -> int:
    from flows.server import free_port

    return free_port()


def _env(**extra: str) -> dict[str, str]:
    """This environment without the Prefect and vanban settings of the test process."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PREFECT_") and k != "VANBAN_STATE_DIR"}
    return {**env, "PYTHONPATH": str(ROOT), "DO_NOT_TRACK": "1", **extra}


@pytest.fixture(scope="module")
def prefect_pg(pg_cluster, tmp_path_factory):
    """``prefect server start`` on 127.0.0.1 whose database is PostgreSQL: yields
    ``(api_url, database_url)``; stopped (its whole process group) at the end."""
    db_url = pg_database(pg_cluster, "prefect")
    home = tmp_path_factory.mktemp("prefect-server")
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = _env(PREFECT_HOME=str(home),
               PREFECT_API_DATABASE_CONNECTION_URL=db_url.replace("postgresql://",
                                                                  "postgresql+asyncpg://", 1),
               PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT="false")
    log = home / "server.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start",
                                 "--host", "127.0.0.1", "--port", str(port)],
                                env=env, stdout=sink, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        from flows.server import wait_healthy

        try:
            wait_healthy(api_url, 120, proc)
        except RuntimeError as exc:
            pytest.fail(f"{exc}\n{log.read_text('utf-8', 'replace')[-3000:]}")
        yield api_url, db_url
    finally:
        _stop_group(proc)


def _stop_group(proc: subprocess.Popen, timeout: float = 20) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _sql(db_url: str, query: str, *args) -> list[tuple]:
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        return conn.execute(query, args).fetchall()


def _inbox(root: Path, names: list[str]) -> Path:
    inbox = root / "inbox"
    inbox.mkdir()
    for n in names:
        shutil.copy2(CORPUS / n, inbox / n)
    return inbox


def _task_runs(db_url: str, flow_run_id, expected: int, timeout: float = 60) -> dict[str, str]:
    """The flow run's task runs as PostgreSQL has them, name → state type. The server
    records them from events, in batches: wait until ``expected`` are there."""
    deadline = time.monotonic() + timeout
    while True:
        rows = dict(_sql(db_url, "SELECT name, state_type::text FROM task_run "
                                 "WHERE flow_run_id = %s", flow_run_id))
        if len(rows) >= expected or time.monotonic() > deadline:
            return rows
        time.sleep(1)


def test_vanban_run_is_recorded_in_postgresql(prefect_pg, tmp_path: Path) -> None:
    api_url, db_url = prefect_pg
    inbox, out, state = _inbox(tmp_path, FILES), tmp_path / "out", tmp_path / "state"
    res = subprocess.run([sys.executable, "-m", "flows.cli", "run", str(inbox), "--out",
                          str(out), "--state-dir", str(state), "--no-progress"],
                         cwd=ROOT, env=_env(PREFECT_API_URL=api_url), capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Cảnh báo" not in res.stdout and "Traceback" not in res.stderr, res.stdout + res.stderr
    assert f"{len(FILES)} văn bản: {len(FILES)} mới, 0 đã sửa, 0 không đổi, 0 để riêng" \
        in res.stdout, res.stdout
    assert sorted(p.name for p in out.glob("*.json")) == sorted(f"{Path(n).stem}.json"
                                                                for n in FILES)
    # the run used the server it was given: no server of its own under the state folder
    assert not list((state / "prefect").glob("*.db")), list(state.rglob("*"))

    runs = _sql(db_url, "SELECT r.id, r.state_type::text FROM flow_run r JOIN flow f "
                        "ON f.id = r.flow_id WHERE f.name = %s AND r.parameters::text LIKE %s",
                FLOW, f"%{tmp_path}%")
    assert len(runs) == 1, runs
    (flow_run_id, flow_state), = runs
    assert flow_state == "COMPLETED"
    # scan, index, link-reports, publish-artifacts, check-plans and one task per document
    tasks = _task_runs(db_url, flow_run_id, 5 + len(FILES))
    assert {f"extract-{Path(n).stem}" for n in FILES} <= set(tasks), tasks
    assert "check-plans" in tasks and len(tasks) == 5 + len(FILES), tasks
    assert set(tasks.values()) == {"COMPLETED"}, tasks
    logs = _sql(db_url, "SELECT count(*) FROM log WHERE flow_run_id = %s", flow_run_id)
    assert logs[0][0] > 0


@pytest.mark.skipif(bool(os.environ.get("VANBAN_SKIP_SLOW_TESTS")),
                    reason="slow (30-70 s: a Dask cluster on two cores) and "
                           "VANBAN_SKIP_SLOW_TESTS is set")
def test_vanban_run_with_workers_is_recorded_in_postgresql(prefect_pg, tmp_path: Path) -> None:
    """``vanban run --workers 2`` (Dask) against the PostgreSQL server: each document's and
    each plan's task run recorded there."""
    pytest.importorskip("prefect_dask", reason="needs `pip install prefect-dask`")
    import json

    api_url, db_url = prefect_pg
    inbox, out, state = _inbox(tmp_path, FILES), tmp_path / "out", tmp_path / "state"
    res = subprocess.run([sys.executable, "-m", "flows.cli", "run", str(inbox), "--out",
                          str(out), "--state-dir", str(state), "--no-progress", "--workers",
                          "2"], cwd=ROOT, env=_env(PREFECT_API_URL=api_url),
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"{len(FILES)} văn bản: {len(FILES)} mới" in res.stdout, res.stdout
    (flow_run_id,), = _sql(db_url, "SELECT id FROM flow_run WHERE parameters::text LIKE %s",
                           f"%{tmp_path}%")
    plans = json.loads((out / "gaps" / "index.json").read_text("utf-8"))
    want = {f"extract-{Path(n).stem}" for n in FILES}
    want |= {f"check-{Path(e['html']).stem}" for e in plans.values()}  # one per plan on Dask
    deadline = time.monotonic() + 60
    while True:
        tasks = _task_runs(db_url, flow_run_id, len(want))
        got = {n: s for n, s in tasks.items() if n.startswith(("extract-", "check-"))}
        if (set(got) == want and set(got.values()) == {"COMPLETED"}) \
                or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert set(got) == want and set(got.values()) == {"COMPLETED"}, tasks


@pytest.mark.skipif(bool(os.environ.get("VANBAN_SKIP_SLOW_TESTS")),
                    reason="slow (up to 90 s: the next minute of the cron) and "
                           "VANBAN_SKIP_SLOW_TESTS is set")
def test_vanban_schedule_serves_on_the_postgresql_server(prefect_pg, tmp_path: Path) -> None:
    """``vanban schedule`` with PREFECT_API_URL starts no server of its own: its deployment
    and the run the cron made are in PostgreSQL; the run's line is printed."""
    api_url, db_url = prefect_pg
    inbox, out, state = _inbox(tmp_path, FILES[:1]), tmp_path / "out", tmp_path / "state"
    name = "vanban-pg"
    log = tmp_path / "schedule.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "schedule", str(inbox),
                                 "--cron", "* * * * *", "--out", str(out), "--name", name,
                                 "--state-dir", str(state)],
                                cwd=ROOT, env=_env(PREFECT_API_URL=api_url), stdout=sink,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        want = out / f"{Path(FILES[0]).stem}.json"
        deadline = time.monotonic() + 150  # the next minute, then the run
        while time.monotonic() < deadline and "lượt chạy " not in log.read_text("utf-8"):
            assert proc.poll() is None, log.read_text("utf-8")
            time.sleep(1)
        text = log.read_text("utf-8")
        assert want.exists(), text
        assert "đang khởi động máy chủ Prefect" not in text, text  # it used ours
        runs = [x for x in text.splitlines() if x.startswith("lượt chạy ")]
        assert runs and ": xong: 1 văn bản, 0 để riêng" in runs[0], text
        deployed = _sql(db_url, "SELECT d.id, s.schedule FROM deployment d JOIN "
                                "deployment_schedule s ON s.deployment_id = d.id "
                                "WHERE d.name = %s", name)
        assert len(deployed) == 1 and deployed[0][1]["cron"] == "* * * * *", deployed
        done = _sql(db_url, "SELECT state_type::text FROM flow_run WHERE deployment_id = %s "
                            "AND state_type = 'COMPLETED'", deployed[0][0])
        assert done, _sql(db_url, "SELECT name, state_type::text FROM flow_run")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            pytest.fail("vanban schedule did not end within 30 s of SIGTERM")
    # stopping it paused the schedule on the server: no burst of late runs at the next start
    assert _sql(db_url, "SELECT paused FROM deployment WHERE name = %s", name) == [(True,)]
