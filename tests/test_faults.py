"""Faults: two runs on the same outputs, SIGKILL while indexing, a full disk. Real
processes, a real SQLite index; afterwards the index opens and holds what it held."""
from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT

from flows.state import RunLock
from pipeline.index.ingest import index_paths
from pipeline.index.sqlite.search import search
from pipeline.index.sqlite.store import connect

A = ["kh_580_ubnd-haiduong_2020.txt", "qd_773_ttg_2018.txt"]
B = ["luat_120_qh15_2025.txt", "tt_118_btc_2025.txt", "bc_dt-da06-t08_bcd-lamdong_2025.docx",
     "bc_dt-da06-t09_bcd-lamdong_2025.docx", "qd_dt-bvstbpn_ubnd-lamdong_2025.docx",
     "bc_dt-pcmt2025_ubnd-lamdong_2025.docx"]


def _copy(root: Path, names: list[str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for n in names:
        shutil.copy2(CORPUS / n, root / n)
    return root


def _cli(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flows.cli", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _snapshot(db: Path) -> list[tuple]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return sorted(c.execute("SELECT path, sha256, symbol, n_tasks, n_references, "
                                "(SELECT count(*) FROM tasks t WHERE t.doc_id = d.id), "
                                "(SELECT count(*) FROM refs r WHERE r.doc_id = d.id) "
                                "FROM documents d"))


@pytest.fixture
def indexed_a(tmp_path) -> tuple[Path, list[tuple]]:
    db = tmp_path / "index.db"
    summary = index_paths([_copy(tmp_path / "a", A)], db)
    assert summary.new == 2
    return db, _snapshot(db)


def test_a_second_run_on_the_same_outputs_is_refused_clearly(tmp_path):
    """While one run holds the outputs, another stops at once with a clear message and
    writes nothing; once the first is done the next run goes ahead."""
    inbox, out = _copy(tmp_path / "inbox", A[:1]), tmp_path / "out"
    env = {**os.environ, "VANBAN_STATE_DIR": str(tmp_path / "prefect")}
    with RunLock(out / ".state"):  # another run, holding the lock
        p = _cli("run", str(inbox), "--out", str(out), "--no-progress", env=env)
        stdout, stderr = p.communicate(timeout=300)
        assert p.returncode != 0
        assert f"một lần chạy vanban khác đang dùng {out / '.state'}" in stdout + stderr
        assert not list(out.glob("*.json")) and not (out / "index.db").exists()
    p = _cli("run", str(inbox), "--out", str(out), "--no-progress", env=env)
    stdout, stderr = p.communicate(timeout=300)
    assert p.returncode == 0, stderr[-2000:]
    assert (out / "kh_580_ubnd-haiduong_2020.json").exists()


def test_two_indexers_at_once_interleave_safely(tmp_path, indexed_a):
    db, before = indexed_a
    one = _cli("index", str(_copy(tmp_path / "b1", B[:3])), "--db", str(db), "-q")
    two = _cli("index", str(_copy(tmp_path / "b2", B[3:])), "--db", str(db), "-q")
    for p in (one, two):
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-2000:]
    after = _snapshot(db)
    assert set(before) <= set(after) and len(after) == len(A) + len(B)
    assert all(r[3] == r[5] and r[4] == r[6] for r in after)  # every document whole


def test_sigkill_while_indexing_loses_nothing(tmp_path, indexed_a):
    db, before = indexed_a
    more = _copy(tmp_path / "b", B)
    p = _cli("index", str(more), "--db", str(db))
    deadline = time.monotonic() + 300
    for line in p.stdout:  # kill it once the first new document is stored
        if "] mới: " in line or time.monotonic() > deadline:
            break
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=30)
    after = _snapshot(db)  # opens, passes integrity_check
    assert set(before) <= set(after)
    assert len(A) < len(after) < len(A) + len(B)  # killed halfway
    assert all(r[3] == r[5] and r[4] == r[6] for r in after)  # no half-stored document
    c = connect(db, readonly=True)
    assert search(c, "bình đẳng giới")["results"][0]["path"].endswith(A[0])
    c.close()
    rerun = _cli("index", str(more), "--db", str(db), "-q")
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    assert len(_snapshot(db)) == len(A) + len(B)


def _file_size_limit(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG, not a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_full_disk_gives_a_clear_error_and_keeps_the_index(tmp_path, indexed_a):
    db, before = indexed_a
    more = _copy(tmp_path / "b", B)
    limit = db.stat().st_size + 64 * 1024  # the write-ahead log cannot grow past 64 KB
    p = _cli("index", str(more), "--db", str(db), "-q", preexec_fn=_file_size_limit(limit))
    stdout, stderr = p.communicate(timeout=600)
    assert p.returncode == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "ổ đĩa đã đầy" in lines[0] and str(db) in lines[0]
    assert "Traceback" not in stderr
    after = _snapshot(db)  # the index opens and holds what it held, whole documents only
    assert set(before) <= set(after) and len(after) < len(A) + len(B)
    assert all(r[3] == r[5] and r[4] == r[6] for r in after)
    assert f"đã lưu {len(after) - len(before)} văn bản, chỉ mục vẫn giữ nguyên" in lines[0]
    rerun = _cli("index", str(more), "--db", str(db), "-q")
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
