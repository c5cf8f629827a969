"""The Prefect flow (issue 6), real runs, no mocks: incremental runs counted by the run
itself, a bad file quarantined while the rest go on, SIGKILL mid-run then a rerun that
ends like an uninterrupted run. Prefect runs embedded, its home in a temp dir.

The schedule test starts a Prefect server and waits for a cron run (about 80 s); set
``VANBAN_SKIP_SLOW_TESTS=1`` to leave it out while iterating. The Dask test needs
prefect-dask, which the test extra installs.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT

# Prefect reads its environment once, at import: point its home at a temp dir first.
_STATE = Path(tempfile.mkdtemp(prefix="vanban-flows-state-"))
_ENV = dict(os.environ)  # its Prefect settings are undone after this module
os.environ["VANBAN_STATE_DIR"] = str(_STATE)

from flows import report
from flows.main import vanban_run

FILES = ["kh_580_ubnd-haiduong_2020.txt", "qd_773_ttg_2018.txt",
         "qd_dt-bvstbpn_ubnd-lamdong_2025.docx", "bc_dt-pcmt2025_ubnd-lamdong_2025.docx"]
MORE = ["bc_dt-da06-t09_bcd-lamdong_2025.docx", "luat_120_qh15_2025.txt",
        "tt_118_btc_2025.txt", "bc_dt-tongket-clqg-pcmt_ubnd-lamdong_2026.docx"]
COUNTS = ("new", "changed", "skipped", "failed", "extracted")


@pytest.fixture(scope="module", autouse=True)
def _prefect_home():
    """Stop the temporary server this module started and remove its home afterwards."""
    yield
    from prefect.server.api.server import SubprocessASGIServer

    from flows.server import drain

    drain()
    SubprocessASGIServer().stop()
    shutil.rmtree(_STATE, ignore_errors=True)
    for key in [k for k in os.environ if k.startswith(("PREFECT_", "VANBAN_"))]:
        if key in _ENV:
            os.environ[key] = _ENV[key]
        else:
            del os.environ[key]


def _inbox(root: Path, names: list[str]) -> Path:
    inbox = root / "inbox"
    inbox.mkdir(parents=True)
    for n in names:
        shutil.copy2(CORPUS / n, inbox / n)
    return inbox


def _counts(summary: dict) -> dict[str, int]:
    return {k: summary[k] for k in COUNTS}


def _outputs(out: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text("utf-8")) for p in sorted(out.glob("*.json"))}


def _index_rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute("SELECT path, sha256, symbol, n_tasks, n_references "
                                   "FROM documents"))


def _task_states(flow_run_id, expected: int, timeout: float = 30) -> dict[str, str]:
    """The task runs' states as the server has them (it records them in batches)."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from flows.server import drain

    drain()
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_task_runs(flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=[flow_run_id])))
            states = {r.name: r.state.type.value for r in runs if r.state}
            done = [s for n, s in states.items() if n.startswith("extract-")
                    and s in ("COMPLETED", "FAILED")]
            if len(done) >= expected or time.monotonic() > deadline:
                return states
            time.sleep(0.5)


def test_second_run_extracts_nothing_and_a_changed_file_is_redone(tmp_path: Path) -> None:
    inbox, out = _inbox(tmp_path, FILES), tmp_path / "out"
    first = vanban_run([str(inbox)], str(out))
    assert _counts(first) == {"new": 4, "changed": 0, "skipped": 0, "failed": 0,
                              "extracted": 4}
    assert sorted(_outputs(out)) == sorted(f"{Path(n).stem}.json" for n in FILES)
    assert first["index"]["indexed"] == 4
    plans = {"kh_580_ubnd-haiduong_2020", "qd_773_ttg_2018", "qd_dt-bvstbpn_ubnd-lamdong_2025"}
    assert {Path(p).stem for p in first["gaps"]["checked"]} == plans
    gaps = json.loads((out / "gaps" / "kh_580_ubnd-haiduong_2020.json").read_text("utf-8"))
    assert gaps["schema"] == "vanban.gaps/1" and len(gaps["duties"]) > 25
    assert (out / "gaps" / "kh_580_ubnd-haiduong_2020.html").is_file()
    assert sum(first["gaps"]["duties"].values()) == sum(
        e["duties"] for e in first["gaps"]["by_plan"])

    mtimes = {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")}
    second = vanban_run([str(inbox)], str(out))
    assert _counts(second) == {"new": 0, "changed": 0, "skipped": 4, "failed": 0,
                               "extracted": 0}
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")} == mtimes
    assert second["gaps"]["checked"] == [] and second["gaps"]["current"] == 3

    changed = inbox / "qd_773_ttg_2018.txt"
    changed.write_text(changed.read_text("utf-8") + "\nNơi nhận: Lưu VT.\n", "utf-8")
    third = vanban_run([str(inbox)], str(out))
    assert _counts(third) == {"new": 0, "changed": 1, "skipped": 3, "failed": 0,
                              "extracted": 1}
    redone = {n for n, t in mtimes.items() if (out / n).stat().st_mtime_ns != t}
    assert redone == {"qd_773_ttg_2018.json"}
    assert third["index"]["indexed"] == 1
    rows = _index_rows(out / "index.db")
    assert len(rows) == 4 and len({r[0] for r in rows}) == 4
    assert [Path(p).name for p in third["gaps"]["checked"]] == ["qd_773_ttg_2018.txt"]

    # a report answering KH 580 arrives: KH 580 alone is checked again, and now has it
    shutil.copy2(ROOT / "tests" / "fixtures" / "reports" / "bc_198_snv-haiduong_2020.txt", inbox)
    fourth = vanban_run([str(inbox)], str(out))
    assert _counts(fourth)["extracted"] == 1
    assert [Path(p).name for p in fourth["gaps"]["checked"]] == ["kh_580_ubnd-haiduong_2020.txt"]
    gaps = json.loads((out / "gaps" / "kh_580_ubnd-haiduong_2020.json").read_text("utf-8"))
    assert [lk["report"] for lk in gaps["reports"]] == ["198/BC-SNV"]


def test_a_bad_file_fails_only_its_own_task(tmp_path: Path) -> None:
    inbox, out = _inbox(tmp_path, FILES[:2]), tmp_path / "out"
    (inbox / "broken.pdf").write_bytes(b"this is not a PDF at all")
    (inbox / "empty.txt").write_bytes(b"")
    # and one plan whose gap report cannot be written: its check fails, not the other's
    (out / "gaps" / "qd_773_ttg_2018.xlsx").mkdir(parents=True)
    state = vanban_run([str(inbox)], str(out), return_state=True)
    assert state.is_completed()
    summary = state.result()
    assert _counts(summary) == {"new": 4, "changed": 0, "skipped": 0, "failed": 2,
                                "extracted": 2}
    gaps = summary["gaps"]
    assert [Path(p).name for p in gaps["checked"]] == ["kh_580_ubnd-haiduong_2020.txt"]
    (failed,) = gaps["failures"]
    assert Path(failed["path"]).name == "qd_773_ttg_2018.txt"
    assert "IsADirectoryError" in failed["reason"], failed
    assert sorted(_outputs(out)) == ["kh_580_ubnd-haiduong_2020.json", "qd_773_ttg_2018.json"]
    q = out / "quarantine"
    assert (q / "broken.pdf").read_bytes() == b"this is not a PDF at all"
    assert json.loads((q / "broken.reason.json").read_text("utf-8"))["kind"] == "unreadable"
    assert json.loads((q / "empty.reason.json").read_text("utf-8"))["kind"] == "empty"

    states = _task_states(state.state_details.flow_run_id, expected=4)
    assert states["extract-broken"] == "FAILED" and states["extract-empty"] == "FAILED"
    assert states["extract-kh_580_ubnd-haiduong_2020"] == "COMPLETED"
    assert states["extract-qd_773_ttg_2018"] == "COMPLETED"

    from prefect.artifacts import Artifact

    table = Artifact.get("vanban-run-counts")
    assert table is not None and table.type == "table"
    rows = {r["documents"]: r["count"] for r in json.loads(table.data)}
    assert rows["failed"] == 2 and rows["extracted"] == 2
    plan = Artifact.get("plan-kh-580-ubnd-haiduong-2020")
    assert plan is not None and plan.type == "markdown" and "580/KH-UBND" in plan.data

    again = vanban_run([str(inbox)], str(out))  # a known bad file is not retried
    assert _counts(again) == {"new": 0, "changed": 0, "skipped": 4, "failed": 0,
                              "extracted": 0}


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _cli_env(**extra: str) -> dict[str, str]:
    """The environment for a `vanban run` child with its own ``--state-dir``: without the
    Prefect home (and API) this test process set for itself."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("VANBAN_STATE_DIR", "PREFECT_HOME", "PREFECT_API_URL")}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def _wait_for_first_output(proc: subprocess.Popen, out: Path, seconds: float = 150) -> None:
    """Wait until a running ``vanban run`` has written its first document."""
    deadline = time.monotonic() + seconds
    while not list(out.glob("*.json")) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read().decode()
        time.sleep(0.05)
    assert list(out.glob("*.json")), f"no output within {seconds:.0f} s"


def _cli(args: list[str], state: Path) -> list[str]:
    return [sys.executable, "-c", "from flows.cli.run import run; run()", *args,
            "--state-dir", str(state)]


def _more_decisions(inbox: Path, n: int) -> list[str]:
    """``n`` decisions made from QĐ 773/QĐ-TTg, each with its own number: more documents
    than the workers read ahead of the flow (``prefetch_limit``), so a run is still
    extracting some time after its first output appears."""
    text = (CORPUS / "qd_773_ttg_2018.txt").read_text("utf-8")
    names = []
    for i in range(n):
        name = f"qd_{900 + i}_ttg_2018.txt"
        (inbox / name).write_text(text.replace("773", str(900 + i)), "utf-8")
        names.append(name)
    return names


def test_sigkill_mid_run_then_rerun_ends_like_an_uninterrupted_run(tmp_path: Path) -> None:
    from flows.pool import prefetch_limit

    inbox = _inbox(tmp_path, FILES + MORE)
    everything = FILES + MORE + _more_decisions(inbox, prefetch_limit(os.cpu_count() or 1) + 8)
    out, ref = tmp_path / "out", tmp_path / "ref"
    state = tmp_path / "cli-state"
    env = _cli_env()

    proc = subprocess.Popen(_cli([str(inbox), "--out", str(out)], state), cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    _wait_for_first_output(proc, out)
    kids = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_at_kill = len(list(out.glob("*.json")))
    assert done_at_kill < len(everything), "the run finished before it was killed"

    home = state / "prefect"
    orphans = [int(p.read_text().split()[0]) for p in home.glob("embedded-server.*.pid")]
    rerun = subprocess.run(_cli([str(inbox), "--out", str(out)], state), cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=240)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"{len(everything)} văn bản:" in rerun.stdout and "0 để riêng" in rerun.stdout

    vanban_run([str(inbox)], str(ref))  # the uninterrupted run, same inputs
    assert _outputs(out) == _outputs(ref)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([*(f"{Path(n).stem}.json" for n in everything),
                            ".state", "gaps", "index.db"] + [p.name for p in out.glob("index.db-*")])
    assert _outputs(out / "gaps") == _outputs(ref / "gaps")
    assert _index_rows(out / "index.db") == _index_rows(ref / "index.db")
    manifest = json.loads((out / ".state" / "manifest.json").read_text("utf-8"))
    assert {e["status"] for e in manifest["entries"].values()} == {"ok"}

    # nothing of the killed run is left running: workers exit, the server is reaped
    time.sleep(2.5)
    assert not [k for k in kids if _alive(k)]
    assert not [p for p in orphans if _alive(p)]


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        kids = _children(todo.pop())
        found += kids
        todo += kids
    return found


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_ends_the_run_within_seconds_with_no_worker_left(
        tmp_path: Path, signum: int) -> None:
    """SIGTERM (a service manager) or SIGINT to the whole process group (Ctrl-C) while the
    workers are extracting: the run ends within 10 s, says so in one line, leaves no
    process behind, and the next run finishes the work."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    text = (CORPUS / "kh_580_ubnd-haiduong_2020.txt").read_text("utf-8")
    for i in range(40):  # enough work that the run is still extracting when stopped
        (inbox / f"kh_{i:02}.txt").write_text(text + f"\nBản {i}.\n", "utf-8")
    out, state = tmp_path / "out", tmp_path / "cli-state"
    proc = subprocess.Popen(_cli([str(inbox), "--out", str(out)], state), cwd=ROOT,
                            env=_cli_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    _wait_for_first_output(proc, out)
    family = _descendants(proc.pid)
    assert len(family) >= 2, "the workers should be running"
    t0 = time.monotonic()
    if signum == signal.SIGINT:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    else:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("the run did not end within 10 s of the signal")
    took = time.monotonic() - t0
    output = proc.stdout.read().decode()
    assert len(list(out.glob("*.json"))) < 40, "the run finished before it was stopped"
    assert proc.returncode == 128 + signum, output
    assert "vanban: đã dừng lần chạy" in output, output
    assert "Traceback" not in output, output
    time.sleep(1.5)
    left = [k for k in family + _descendants(proc.pid) if _alive(k)]
    assert left == [], f"still running after {took:.1f} s: {left}"

    rerun = subprocess.run(_cli([str(inbox), "--out", str(out)], state), cwd=ROOT,
                           env=_cli_env(), capture_output=True, text=True, timeout=400)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert len(list(out.glob("*.json"))) == 40


def test_the_cli_run_leaves_every_task_run_recorded_on_its_server(tmp_path: Path) -> None:
    """`vanban run` stops its temporary server so that it records every task run of the
    run (it records them from events, in batches, behind the run: the last batch is
    written as it stops)."""
    inbox, out, state = _inbox(tmp_path, FILES), tmp_path / "out", tmp_path / "cli-state"
    env = _cli_env()
    run = subprocess.run(_cli([str(inbox), "--out", str(out), "--no-progress"], state),
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Cảnh báo" not in run.stdout and "Traceback" not in run.stderr, run.stdout + run.stderr
    plans = json.loads((out / "gaps" / "index.json").read_text("utf-8"))
    assert plans, "no plan was checked"
    # scan, index, link-reports, publish-artifacts, check-plans + one per document
    expected = 5 + len(FILES)
    with sqlite3.connect(state / "prefect" / "prefect.db") as db:
        (flow_run,) = db.execute("SELECT id FROM flow_run").fetchall()
        names = [n for (n,) in db.execute(
            "SELECT name FROM task_run WHERE flow_run_id = ? AND state_type = 'COMPLETED'",
            flow_run)]
        task_logs = [m for (m,) in db.execute(
            "SELECT message FROM log WHERE task_run_id IS NOT NULL")]
        flow_logs = [m for (m,) in db.execute("SELECT message FROM log WHERE task_run_id "
                                               "IS NULL AND flow_run_id = ?", flow_run)]
        artifacts = {k for (k,) in db.execute("SELECT key FROM artifact WHERE key LIKE "
                                              "'plan-%'")}
        events = db.execute("SELECT count(*) FROM events").fetchone()[0]
    assert len(names) == expected, sorted(names)
    assert [n for n in names if n.startswith("check-")] == ["check-plans"]
    # what the temporary server leaves out: the per-task "Finished" line and the event
    # feed (task runs are recorded all the same); the flow's own log and one markdown
    # artifact per plan are there
    assert not [m for m in task_logs if m.startswith("Finished in state Completed")]
    assert any(m.startswith("Finished in state Completed") for m in flow_logs), flow_logs
    assert events == 0
    assert artifacts == {report.artifact_key(Path(e["html"]).stem) for e in plans.values()}


@pytest.mark.parametrize(("recorded", "warned"), [(None, False), (9, False), (8, True)])
def test_the_summary_warns_when_the_server_missed_task_runs(recorded, warned) -> None:
    summary = {"total": 1, "task_runs": 9, "recorded_task_runs": recorded, "wall_seconds": 3.0}
    text = report.describe(summary)
    assert ("ghi nhận 8/9 tác vụ" in text) is warned, text


@pytest.mark.parametrize(("level", "message", "kept"), [
    (logging.INFO, "Finished in state Completed()", False),
    (logging.INFO, "Finished in state Completed('All states completed.')", False),
    (logging.ERROR, "Finished in state Failed('Task run encountered an exception')", True),
    (logging.INFO, "Task run failed with exception: OSError() - Retry 1/2 will start "
                   "1 second(s) from now", True),
    (logging.WARNING, "3 documents not indexed: their text was not kept", True),
])
def test_only_the_completed_notice_of_a_task_run_is_left_out(level: int, message: str,
                                                              kept: bool) -> None:
    record = logging.LogRecord("prefect.task_runs", level, __file__, 1, message, None, None)
    assert bool(logging.getLogger("prefect.task_runs").filter(record)) is kept


def test_workers_run_on_dask_against_a_server_the_test_starts(tmp_path: Path) -> None:
    pytest.importorskip("prefect_dask", reason="needs `pip install prefect-dask`")
    import urllib.request

    from flows.server import LocalServer

    inbox, out = _inbox(tmp_path, FILES[:3]), tmp_path / "out"
    with LocalServer(tmp_path / "server-state") as server:
        env = _cli_env(PREFECT_API_URL=server.api_url)
        res = subprocess.run(_cli([str(inbox), "--out", str(out), "--workers", "2"],
                                  tmp_path / "st"), cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=300)
        assert res.returncode == 0, res.stdout + res.stderr
        assert "3 văn bản: 3 mới, 0 đã sửa, 0 không đổi, 0 để riêng" in res.stdout
        # the plans were checked on the Dask workers too (their reports not quoted there)
        assert "Nhiệm vụ của 3 kế hoạch:" in res.stdout and "chưa rà soát" not in res.stdout
        # on Dask each plan is checked in a task run of its own
        plans = json.loads((out / "gaps" / "index.json").read_text("utf-8"))
        want = {f"extract-{Path(n).stem}": "COMPLETED" for n in FILES[:3]}
        want |= {f"check-{Path(e['html']).stem}": "COMPLETED" for e in plans.values()}
        deadline = time.monotonic() + 60  # the server records task runs from events, in
        while True:                       # batches: the last states may arrive a bit later
            req = urllib.request.Request(f"{server.api_url}/task_runs/filter", method="POST",
                                         data=b'{"limit": 100}',
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as r:
                runs = json.loads(r.read())
            states = {t["name"]: t["state"]["type"] for t in runs
                      if t["name"].startswith(("extract-", "check-"))}
            if states == want or time.monotonic() > deadline:
                break
            time.sleep(1)
    assert states == want
    assert sorted(_outputs(out)) == sorted(f"{Path(n).stem}.json" for n in FILES[:3])


@pytest.mark.skipif(bool(os.environ.get("VANBAN_SKIP_SLOW_TESTS")),
                    reason="slow (about 80 s) and VANBAN_SKIP_SLOW_TESTS is set")
def test_schedule_every_minute_makes_a_run(tmp_path: Path) -> None:
    inbox, out, state = _inbox(tmp_path, FILES[:1]), tmp_path / "out", tmp_path / "st"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for k in ("VANBAN_STATE_DIR", "PREFECT_API_URL", "PREFECT_HOME"):
        env.pop(k, None)
    cmd = [sys.executable, "-c", "from flows.cli.schedule import schedule; schedule()",
           str(inbox), "--cron", "* * * * *", "--out", str(out), "--state-dir", str(state)]
    log = tmp_path / "schedule.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=sink,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90 + 60  # 90 s for the run, 60 s for the server
        while time.monotonic() < deadline and not (out / "kh_580_ubnd-haiduong_2020.json").exists():
            assert proc.poll() is None, log.read_text("utf-8")
            time.sleep(1)
        assert (out / "kh_580_ubnd-haiduong_2020.json").exists()
        # the run's line: when it was due (Vietnam time) and how it ended
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "lượt chạy " not in log.read_text("utf-8"):
            time.sleep(1)
        runs = [x for x in log.read_text("utf-8").splitlines() if x.startswith("lượt chạy ")]
        assert runs and ": xong: 1 văn bản, 0 để riêng" in runs[0], log.read_text("utf-8")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# --- issue 22: find the work before paying for Prefect -------------------------------------

_ENGLISH = ("duties", "done", "overdue", "documents", "plans", "skipped", "changed",
            "failed", "wall time", "gap report", "set aside", "index:")


def _cli_run(inbox: Path, out: Path, state: Path) -> subprocess.CompletedProcess:
    return subprocess.run(_cli([str(inbox), "--out", str(out), "--no-progress"], state),
                          cwd=ROOT, env=_cli_env(), capture_output=True, text=True,
                          timeout=240)


def _flow_runs(state: Path) -> int:
    db = state / "prefect" / "prefect.db"
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM flow_run").fetchone()[0]


def test_an_empty_folder_is_one_line_and_no_prefect_server(tmp_path: Path) -> None:
    inbox, out, state = tmp_path / "inbox", tmp_path / "out", tmp_path / "cli-state"
    inbox.mkdir()
    t0 = time.monotonic()
    res = _cli_run(inbox, out, state)
    seconds = time.monotonic() - t0
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout == f"Thư mục {inbox} không có văn bản nào.\n", res.stdout
    assert res.stderr == ""
    # no Prefect home, no server database, no pid file of a temporary server
    assert not (state / "prefect").exists(), list(state.rglob("*"))
    assert not out.exists()
    assert seconds < 10, seconds  # ≈ 0.5 s; the bound only catches a server start


def test_an_unchanged_rerun_says_so_and_a_change_names_what_needs_a_person(
        tmp_path: Path) -> None:
    inbox, out, state = _inbox(tmp_path, FILES), tmp_path / "out", tmp_path / "cli-state"
    first = _cli_run(inbox, out, state)
    assert first.returncode == 0, first.stdout + first.stderr
    text = first.stdout.replace(str(tmp_path), "")
    assert f"{len(FILES)} văn bản: {len(FILES)} mới, 0 đã sửa, 0 không đổi, 0 để riêng" in text
    assert "Nhiệm vụ của" in text and "quá hạn" in text and "Báo cáo tình hình thực hiện" in text
    low = text.lower()
    assert not [w for w in _ENGLISH if w in low], text
    assert _flow_runs(state) == 1

    again = _cli_run(inbox, out, state)
    assert again.returncode == 0, again.stdout + again.stderr
    (line,) = again.stdout.splitlines()
    assert line.startswith("Không có gì thay đổi từ lần chạy trước"), line
    assert f"{out.resolve() / 'gaps'}/" in line, line
    assert _flow_runs(state) == 1, "the unchanged rerun started a flow run"

    # one new bad file: only it is read, and the summary names it with its reason
    (inbox / "broken.pdf").write_bytes(b"this is not a PDF at all")
    third = _cli_run(inbox, out, state)
    assert third.returncode == 0, third.stdout + third.stderr
    assert f"{len(FILES) + 1} văn bản: 1 mới, 0 đã sửa, {len(FILES)} không đổi, 1 để riêng" \
        in third.stdout, third.stdout
    assert "Cần người xem:" in third.stdout
    assert "1 văn bản mới bị để riêng" in third.stdout
    assert (f"{inbox / 'broken.pdf'}: không mở được PDF: không phải tệp PDF (không có phần "
            "đầu %PDF-)") in third.stdout, third.stdout
    assert _flow_runs(state) == 2

    # known bad files are not news: the next rerun has nothing to do
    fourth = _cli_run(inbox, out, state)
    assert fourth.stdout.startswith("Không có gì thay đổi"), fourth.stdout
    assert _flow_runs(state) == 2


def test_the_summary_names_agencies_with_duties_newly_overdue() -> None:
    from flows import precheck

    before = {("kh.txt", "1"): "Sở Y tế", ("kh.txt", "2"): "Sở Tư pháp"}
    after = {**before, ("kh.txt", "3"): "Sở Tư pháp", ("kh.txt", "4"): "Sở Tư pháp",
             ("qd.txt", "1"): "Công an tỉnh"}
    newly = precheck.newly_overdue(before, after)
    assert newly == [("Sở Tư pháp", 2), ("Công an tỉnh", 1)]
    summary = {"total": 2, "skipped": 2, "out": "/o", "newly_overdue": newly,
               "new_set_aside": [], "gaps": {"dir": "/o/gaps", "plans": 2, "checked": ["kh.txt"],
                                             "current": 1, "failures": [],
                                             "duties": {"overdue": 4, "pending": 1}},
               "index": {"indexed": 0, "current": 2}, "wall_seconds": 3.2,
               "server_seconds": 2.0, "timings": {"scan": 0.1, "check": 0.5}}
    text = report.describe(summary)
    assert "Cần người xem:" in text
    assert "2 đơn vị có 3 nhiệm vụ mới quá hạn từ lần chạy trước:" in text
    assert "    Sở Tư pháp: 2\n    Công an tỉnh: 1" in text
    assert "4 quá hạn" in text and "1 chưa hoàn thành còn hạn" in text
    low = text.lower()
    assert not [w for w in _ENGLISH if w in low], text
