"""The ``vanban`` command meets the mistakes and habits of a user: real processes, no mocks.

Ctrl-C stops ``vanban schedule`` within 5 s; dates are accepted the way Vietnamese write
them; a usage mistake is one Vietnamese line and exit 2; ``check --docx`` says what it wrote.
"""
from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT

VANBAN = [sys.executable, "-m", "flows.cli"]
PLAN = "corpus/kh_580_ubnd-haiduong_2020.txt"
REPORT = "corpus/bc_dt-da06-t08_bcd-lamdong_2025.docx"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*VANBAN, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def _read_until(proc: subprocess.Popen, needle: str, seconds: float) -> str:
    """What the process printed (stdout and stderr together) until ``needle``."""
    seen = b""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + seconds
    while needle.encode() not in seen:
        left = deadline - time.monotonic()
        if left <= 0 or proc.poll() is not None and not sel.select(0):
            break
        for _ in sel.select(min(left, 1.0)):
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            seen += chunk
    return seen.decode("utf-8", "replace")


@pytest.mark.parametrize("target", ["group", "process", "sigterm"])
def test_ctrl_c_stops_schedule_within_5_s(tmp_path: Path, target: str) -> None:
    """Ctrl-C (SIGINT to the group or the process) and SIGTERM (a service manager)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for k in ("VANBAN_STATE_DIR", "PREFECT_API_URL", "PREFECT_HOME"):
        env.pop(k, None)
    # 00:00 on 1 January: it will not fire while the test runs
    cmd = [*VANBAN, "schedule", str(inbox), "--cron", "0 0 1 1 *", "--out",
           str(tmp_path / "out"), "--state-dir", str(tmp_path / "state")]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        head = _read_until(proc, "Ctrl-C để dừng", 120)
        assert "đang phục vụ lịch" in head and "Asia/Ho_Chi_Minh" in head, head
        time.sleep(3)  # serving: Prefect's runner is polling
        t0 = time.monotonic()
        if target == "group":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGTERM if target == "sigterm" else signal.SIGINT)
        proc.wait(timeout=5)
        took = time.monotonic() - t0
        rest = proc.stdout.read().decode("utf-8", "replace")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert took < 5
    name, code = ("SIGTERM", 143) if target == "sigterm" else ("Ctrl-C", 130)
    assert proc.returncode == code, rest
    assert f"vanban: đã dừng lịch chạy ({name})." in rest.splitlines(), rest
    assert "Traceback" not in rest, rest


@pytest.mark.parametrize("day", ["07/12/2026", "2026-12-07", "7/12/2026"])
def test_as_of_both_ways(day: str) -> None:
    res = run("check", "--plan", PLAN, REPORT, "--as-of", day)
    assert res.returncode == 0, res.stderr
    assert "(tính đến 07/12/2026)" in res.stdout.splitlines()[0], res.stdout


def test_as_of_on_search_and_remind(tmp_path: Path) -> None:
    res = run("search", "x", "--db", str(tmp_path / "none.db"), "--from", "31/02/2020")
    assert res.returncode == 2
    assert res.stderr.startswith("vanban: --from: “31/02/2020” không phải một ngày"), res.stderr
    res = run("remind", "X", "--out", str(tmp_path), "--as-of", "07/12/2026")
    assert "--as-of" not in res.stderr, res.stderr  # the date passed; the gaps are missing
    assert "chưa có báo cáo" in res.stderr


MISTAKES = [  # arguments, words the one line must hold
    (["nosuchcmd"], ["không có lệnh", "nosuchcmd"]),
    (["serch", "x"], ["không có lệnh", "search"]),
    (["check", "--nope"], ["không có tùy chọn --nope"]),
    (["check"], ["thiếu tùy chọn --plan"]),
    (["text"], ["thiếu tham số FILE"]),
    (["text", "a", "b"], ["thừa tham số: b"]),
    (["check", "--plan"], ["tùy chọn --plan cần một giá trị"]),
    (["check", "--plan", PLAN, "--as-of", "12/31/2026"], ["--as-of", "không phải một ngày"]),
    (["check", "--plan", PLAN, "--as-of", "hôm qua"], ["--as-of", "dd/mm/yyyy"]),
    (["remind", "--within", "abc"], ["--within", "không phải số nguyên"]),
    (["eval", "--kind", "nope"], ["--kind", "không có; chọn"]),
    (["extract-all", "/no/such/dir"], ["không tồn tại"]),
    (["schedule", "corpus", "--cron", "0 7 * * 1-5", "--timezone", "Mars/Base"],
     ["--timezone", "múi giờ"]),
    (["schedule", "corpus", "--cron", "every day"], ["--cron", "cron"]),
]


@pytest.mark.parametrize("args,words", MISTAKES, ids=[" ".join(a) for a, _ in MISTAKES])
def test_usage_mistake_is_one_line_exit_2(args: list[str], words: list[str],
                                          tmp_path: Path) -> None:
    if args[0] == "schedule":
        args = [*args, "--state-dir", str(tmp_path / "state")]
    res = run(*args)
    lines = res.stderr.splitlines()
    assert res.returncode == 2, res.stderr
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("vanban: "), lines[0]
    for w in words:
        assert w in lines[0], lines[0]
    for english in ("Usage:", "Try ", "Error:", "No such", "Missing", "Invalid value"):
        assert english not in lines[0], lines[0]


def test_check_docx_says_what_it_does_and_what_it_wrote(tmp_path: Path) -> None:
    target = tmp_path / "khoang trong.docx"
    res = run("check", "--plan", PLAN, REPORT, "--as-of", "07/12/2026", "--docx", str(target))
    assert res.returncode == 0, res.stderr
    assert target.stat().st_size > 0
    lines = res.stderr.splitlines()
    assert f"vanban: đọc kế hoạch {PLAN}…" in lines, res.stderr
    assert any(line.startswith("vanban: đọc báo cáo 1/1: ") for line in lines), res.stderr
    assert lines[-1] == f"vanban: đã ghi: {target}", res.stderr


def test_an_unreachable_prefect_api_url_is_one_line(tmp_path: Path) -> None:
    """PREFECT_API_URL set to a server that is not there: one Vietnamese line, not
    Prefect's traceback of httpx errors."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "kh.txt").write_text((ROOT / PLAN).read_text("utf-8"), "utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_API_URL": "http://127.0.0.1:9/api"}
    env.pop("PREFECT_HOME", None)
    res = subprocess.run([*VANBAN, "run", str(inbox), "--out", str(tmp_path / "out"),
                          "--state-dir", str(tmp_path / "state"), "--no-progress"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 1, res.stdout + res.stderr
    assert res.stderr == ("vanban: không kết nối được máy chủ Prefect ở http://127.0.0.1:9/api "
                          "(PREFECT_API_URL); hãy khởi động nó, hoặc bỏ biến này để vanban tự "
                          "dùng máy chủ của mình\n"), res.stderr
