"""The Prefect server `vanban run` keeps per state folder (flows/kept.py, flows/keeper.py),
and the documents its workers extract before the flow (flows/pool.py, flows/work.py).

Real processes throughout: `vanban run` and `vanban server` as a user runs them, a real
Prefect server, real file locks.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import CORPUS

ROOT = Path(__file__).resolve().parent.parent
FILES = ["kh_580_ubnd-haiduong_2020.txt", "qd_773_ttg_2018.txt"]
_UI = re.compile(r"^Prefect: (http://127\.0\.0\.1:\d+) ", re.M)


def _env(idle: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("VANBAN_STATE_DIR", "PREFECT_HOME", "PREFECT_API_URL")}
    return {**env, "PYTHONPATH": str(ROOT), "VANBAN_SERVER_IDLE": idle}


def _vanban(args: list[str], env: dict[str, str], timeout: float = 240
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _inbox(tmp: Path) -> Path:
    inbox = tmp / "inbox"
    inbox.mkdir()
    for name in FILES:
        shutil.copy(CORPUS / name, inbox / name)
    return inbox


def _keeper(state: Path) -> dict:
    return json.loads((state / "prefect" / "kept-server.json").read_text("utf-8"))


def _gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            if stat.rsplit(")", 1)[1].split()[0] == "Z":
                return True
        except OSError:
            return True
        time.sleep(0.2)
    return False


def _flow_runs(ui: str) -> list[dict]:
    req = urllib.request.Request(f"{ui}/api/flow_runs/filter", method="POST", data=b"{}",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def test_runs_share_the_kept_server_until_it_is_stopped(tmp_path: Path) -> None:
    inbox, out, state = _inbox(tmp_path), tmp_path / "out", tmp_path / "state"
    env = _env("30")
    args = ["run", str(inbox), "--out", str(out), "--state-dir", str(state), "--no-progress"]
    try:
        first = _vanban(args, env)
        assert first.returncode == 0, first.stdout + first.stderr
        ui = _UI.search(first.stdout).group(1)
        pid = _keeper(state)["pid"]
        assert "khởi động máy chủ Prefect" in first.stdout  # this run started it

        status = _vanban(["server", "status", "--state-dir", str(state)], env)
        assert f"Máy chủ Prefect đang chạy: {ui} (tiến trình {pid};" in status.stdout

        (inbox / FILES[0]).write_text((CORPUS / FILES[0]).read_text("utf-8") + "\nThêm.\n",
                                      "utf-8")
        second = _vanban(args, env)
        assert second.returncode == 0, second.stdout + second.stderr
        assert "0 mới, 1 đã sửa, 1 không đổi" in second.stdout, second.stdout
        assert _UI.search(second.stdout).group(1) == ui  # the same server, not started again
        assert "khởi động máy chủ Prefect" not in second.stdout
        assert _keeper(state)["pid"] == pid
        runs = _flow_runs(ui)  # both runs are in its history, and done
        assert sorted(r["state_type"] for r in runs) == ["COMPLETED", "COMPLETED"], runs
    finally:
        stopped = _vanban(["server", "stop", "--state-dir", str(state)], env)
    assert stopped.stdout.startswith("Đã tắt máy chủ Prefect http://127.0.0.1:"), stopped.stdout
    assert _gone(pid, 15)
    assert not (state / "prefect" / "kept-server.json").exists()
    again = _vanban(["server", "stop", "--state-dir", str(state)], env)
    assert again.stdout.startswith("Không có máy chủ Prefect nào đang chạy"), again.stdout


def test_two_runs_started_together_start_one_server(tmp_path: Path) -> None:
    state = tmp_path / "state"
    env = _env("30")
    procs = []
    for name in ("a", "b"):
        inbox = tmp_path / name
        inbox.mkdir()
        shutil.copy(CORPUS / FILES[0], inbox / FILES[0])
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "flows.cli", "run", str(inbox), "--out",
             str(tmp_path / f"out-{name}"), "--state-dir", str(state), "--no-progress"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    try:
        outputs = [p.communicate(timeout=240)[0] for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outputs
        urls = {_UI.search(o).group(1) for o in outputs}
        assert len(urls) == 1, outputs
        keepers = subprocess.run(["pgrep", "-f", f"flows.keeper {state}/prefect "],
                                 capture_output=True, text=True).stdout.split()
        assert len(keepers) == 1, keepers
    finally:
        _vanban(["server", "stop", "--state-dir", str(state)], env)


def test_an_idle_server_stops_itself_but_never_under_a_run(tmp_path: Path) -> None:
    """The keeper stops after VANBAN_SERVER_IDLE minutes without a run; a run holds a
    shared lock on kept-server.inuse for its lifetime, and while one does the server stays,
    however old the last use."""
    inbox, out, state = _inbox(tmp_path), tmp_path / "out", tmp_path / "state"
    env = _env("0.05")  # 3 s
    run = _vanban(["run", str(inbox), "--out", str(out), "--state-dir", str(state),
                   "--no-progress"], env)
    assert run.returncode == 0, run.stdout + run.stderr
    home = state / "prefect"
    pid = _keeper(state)["pid"]
    fd = os.open(home / "kept-server.inuse", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # as a long run would
        time.sleep(6)  # twice the idle time
        assert not _gone(pid, 0.1), "the server stopped under a run"
    finally:
        os.close(fd)
    assert _gone(pid, 20), "the idle server did not stop"
    assert not (home / "kept-server.json").exists()
    assert "Không có máy chủ" in _vanban(["server", "status", "--state-dir", str(state)],
                                         env).stdout


def test_a_prefetched_extraction_is_the_same_as_one_made_in_the_task(tmp_path: Path) -> None:
    from flows.work import prefetch_one, process_document
    from pipeline.readers import sha256_file

    src = tmp_path / "in" / FILES[0]
    src.parent.mkdir()
    shutil.copy(CORPUS / FILES[0], src)
    sha = sha256_file(src)
    scratch = tmp_path / "prefetch"
    scratch.mkdir()
    prefetch_one(str(src), sha, str(scratch))
    assert [p.name for p in scratch.iterdir()] == [f"{sha}.pickle"]
    early = process_document(str(src), str(tmp_path / "a"), "kh", None, sha, str(scratch))
    assert not list(scratch.iterdir())  # taken
    direct = process_document(str(src), str(tmp_path / "b"), "kh")
    assert early["ok"] and direct["ok"] and early["tasks"] == direct["tasks"] > 0
    assert ((tmp_path / "a" / "kh.json").read_bytes() == (tmp_path / "b" / "kh.json").read_bytes())


def test_a_prefetch_of_other_content_or_by_a_dead_worker_is_not_used(tmp_path: Path) -> None:
    from flows.work import prefetch_one, process_document
    from pipeline.readers import sha256_file

    src = tmp_path / FILES[0]
    shutil.copy(CORPUS / FILES[0], src)
    old_sha = sha256_file(src)
    scratch = tmp_path / "prefetch"
    scratch.mkdir()
    prefetch_one(str(src), old_sha, str(scratch))
    src.write_text("ỦY BAN NHÂN DÂN\nSố: 1/KH-UBND\nKẾ HOẠCH\nVề một việc khác\n", "utf-8")
    new_sha = sha256_file(src)
    # a worker that died on the document leaves its marker: not waited for
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    (scratch / f"{new_sha}.part").write_text(dead)
    t0 = time.monotonic()
    res = process_document(str(src), str(tmp_path / "out"), "kh", None, new_sha, str(scratch))
    assert time.monotonic() - t0 < 30
    data = json.loads((tmp_path / "out" / "kh.json").read_text("utf-8"))
    assert res["ok"] and data["metadata"]["symbol"] == "1/KH-UBND", data["metadata"]
    assert (scratch / f"{old_sha}.pickle").exists()  # the old content's is left alone


@pytest.mark.parametrize("value, minutes", [("", 30.0), ("0", 0.0), ("0,5", 0.5),
                                            ("abc", 30.0), ("-3", 0.0)])
def test_the_idle_setting(monkeypatch, value: str, minutes: float) -> None:
    from flows import kept

    monkeypatch.setenv("VANBAN_SERVER_IDLE", value)
    assert kept.idle_minutes() == minutes


def test_schedule_serves_on_the_kept_server_and_leaves_it_for_the_next_run(
        tmp_path: Path) -> None:
    """`vanban schedule` uses the server `vanban run` keeps (one history for both); Ctrl-C
    stops the schedule, not the server, which then idles out as after a run."""
    inbox, out, state = tmp_path / "inbox", tmp_path / "out", tmp_path / "state"
    inbox.mkdir()
    shutil.copy(CORPUS / FILES[1], inbox / FILES[1])
    env = _env("30")
    proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "schedule", str(inbox),
                             "--out", str(out), "--state-dir", str(state),
                             "--cron", "* * * * *"], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 150  # the next minute, then the run
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("lượt chạy "):
                break
        assert lines and lines[-1].startswith("lượt chạy ") and ": xong: 1 văn bản" in lines[-1], lines
        pid = _keeper(state)["pid"]
        os.killpg(proc.pid, signal.SIGINT)
        rest = proc.communicate(timeout=10)[0]
        assert "vanban: đã dừng lịch chạy (Ctrl-C)." in rest, rest
        assert not _gone(pid, 1), "Ctrl-C on the schedule stopped the kept server"
        ui = f"http://127.0.0.1:{_keeper(state)['port']}"
        assert [r["state_type"] for r in _flow_runs(ui)] == ["COMPLETED"]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        _vanban(["server", "stop", "--state-dir", str(state)], env)
