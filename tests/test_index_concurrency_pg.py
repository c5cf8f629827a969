"""Acceptance: many writers on one PostgreSQL index while the web app reads it.

Four ``vanban index`` processes store documents into one database at once, two of them
given the same files (the same paths), while ``vanban serve`` (a real uvicorn process)
answers searches in a loop. Nothing may fail anywhere, no path may have two rows, and
every document is there at the end, each counted "new" by exactly one writer.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from tests.conftest import ROOT, copy_text_corpus

QUERIES = ["kế hoạch", "ma túy", "bình đẳng giới", "1696/QĐ-TTg", "chuyen doi so",
           "bao cao*", '"phòng, chống"', ""]
_SUMMARY = re.compile(r"^(\d+) mới, (\d+) đã sửa, (\d+) không đổi, (\d+) lỗi", re.M)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("VANBAN_DB", None)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _vanban(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flows.cli", *args], cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


class Reader(threading.Thread):
    """Searches the web app in a loop until stopped; keeps every failure."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.answers = 0
        self.totals: list[int] = []

    def run(self) -> None:
        i = 0
        while not self.stop.is_set():
            q = quote(QUERIES[i % len(QUERIES)])
            pages = [f"/api/search?q={q}", f"/?q={q}"]
            if i % 4 == 0:
                pages += ["/not-held", "/api/cited-by?symbol=" + quote("1696/QĐ-TTg")]
            for page in pages:
                try:
                    status, body = _get(self.base + page)
                except Exception as exc:  # connection refused, reset, timeout
                    self.errors.append(f"{page}: {type(exc).__name__}: {exc}")
                    continue
                if status != 200:
                    self.errors.append(f"{page}: HTTP {status}: {body[:300]!r}")
                    continue
                self.answers += 1
                if page.startswith("/api/search"):
                    self.totals.append(json.loads(body)["total"])
            i += 1


def test_four_writers_and_the_web_app(pg_url, tmp_path):
    import psycopg

    from pipeline.index import open_index, store_path
    from pipeline.index.sqlite import SQLiteIndex

    docs = tmp_path / "docs"
    docs.mkdir()
    copy_text_corpus(docs)
    for p in sorted(docs.glob("*.txt")):  # more documents: the text files read fast
        for k in (1, 2):
            shutil.copy2(p, docs / f"{p.stem}_ban{k}{p.suffix}")
    files = sorted(str(p) for p in docs.iterdir())
    # the schema first, as `vanban index` would make it: the web app opens it read-only
    with open_index(pg_url) as index:
        assert not isinstance(index, SQLiteIndex)
    shared = files[:4]  # given to writers 0 and 1: the same paths, stored at once
    rest = files[4:]
    groups = [shared + rest[0::4], shared + rest[1::4], rest[2::4], rest[3::4]]

    port = _free_port()
    web = _vanban("serve", "--db", pg_url, "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    writers: list[subprocess.Popen] = []
    reader = Reader(base)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert web.poll() is None, web.stdout.read()
            try:
                if _get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "vanban serve did not answer"
            time.sleep(0.2)
        reader.start()
        writers = [_vanban("index", "--db", pg_url, *g) for g in groups]
        outputs = [w.communicate(timeout=600)[0] for w in writers]
        time.sleep(1.0)  # a few more answers over the finished index
        reader.stop.set()
        reader.join(120)
        with open_index(pg_url, readonly=True) as index:
            direct = {q: index.search(q, limit=0)["total"] for q in QUERIES}
        web_final = {q: json.loads(_get(f"{base}/api/search?q={quote(q)}")[1])["total"]
                     for q in QUERIES}
    finally:
        reader.stop.set()
        for w in writers:
            if w.poll() is None:
                w.kill()
        web.terminate()
        try:
            web_out = web.communicate(timeout=20)[0]
        except subprocess.TimeoutExpired:
            web.kill()
            web_out = web.communicate()[0]

    for w, out in zip(writers, outputs, strict=True):
        assert w.returncode == 0, out
        assert "Traceback" not in out and "failed:" not in out, out
    counts = [tuple(int(x) for x in _SUMMARY.search(out).groups()) for out in outputs]
    assert all(failed == 0 for *_, failed in counts), outputs
    # each path is new to exactly one writer; the other writer of a shared path stored it
    # again ("changed") or found it stored already ("unchanged")
    assert sum(new for new, *_ in counts) == len(files), outputs
    assert sum(sum(c[:3]) for c in counts) == len(files) + len(shared), outputs

    print(f"writers (new, changed, unchanged, failed): {counts}; web answers: "
          f"{reader.answers}, search totals seen: {sorted(set(reader.totals))}")
    assert not reader.errors, reader.errors[:5]
    assert reader.answers >= 10, reader.answers
    assert "Traceback" not in web_out and "ERROR" not in web_out, web_out[-3000:]

    want = {store_path(f) for f in files}
    with psycopg.connect(pg_url) as conn:
        dup = conn.execute("SELECT path, count(*) FROM documents GROUP BY path "
                           "HAVING count(*) > 1").fetchall()
        assert dup == []
        n_docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        n_texts = conn.execute("SELECT count(*) FROM texts").fetchone()[0]
        orphans = conn.execute("SELECT count(*) FROM texts t WHERE NOT EXISTS "
                               "(SELECT 1 FROM documents d WHERE d.id = t.doc_id)").fetchone()[0]
    assert n_docs == n_texts == len(files) and orphans == 0
    with open_index(pg_url, readonly=True) as index:
        assert set(index.stamps()) == want
        everything = index.search("", limit=0)["total"]
    assert everything == len(files)
    assert reader.totals and max(reader.totals) <= len(files)
    # once the writers were done, the web app answered what the index holds
    assert web_final == direct, (web_final, direct)


# ── vanban run: the workers store what they extract ────────────────────────────────────

RUN_FILES = ["kh_580_ubnd-haiduong_2020.txt", "qd_773_ttg_2018.txt", "tt_118_btc_2025.txt",
             "qd_dt-bvstbpn_ubnd-lamdong_2025.docx"]


def _run(args: list[str], state: Path, **env: str) -> subprocess.CompletedProcess:
    full = {**{k: v for k, v in _env().items()
               if k not in ("VANBAN_STATE_DIR", "PREFECT_HOME", "PREFECT_API_URL")}, **env}
    return subprocess.run([sys.executable, "-m", "flows.cli", "run", *args, "--state-dir",
                           str(state), "--no-progress"], cwd=ROOT, env=full,
                          capture_output=True, text=True, timeout=600)


def _page_data(index) -> dict:
    """Every stored document's page data by path (ids and store times left out)."""
    recs = {}
    for path, doc_id in index.ids(index.stamps()).items():
        r = index.document(doc_id)
        meta = {k: v for k, v in r.meta.items() if k not in ("id", "indexed_at")}
        duties = [{k: v for k, v in d.items() if k != "rowid"} for d in r.duties]
        refs = [{k: v for k, v in x.items() if k != "target_id"} for x in r.references]
        recs[path] = (meta, r.text, refs, r.dates, duties, r.findings,
                      [tuple(b) for b in r.blocks])
    return recs


def test_run_workers_store_what_they_extract(pg_url, tmp_path):
    """``vanban run --db postgresql://…``: each document is stored by the worker that
    extracted it (the summary says so, no index file is written); an unchanged rerun
    does nothing; a run into another index (``VANBAN_DB``) is not "nothing changed": its
    index step fills that index from the outputs, and both hold the same documents."""
    from pipeline.index import open_index, store_path
    from pipeline.readers import sha256_file
    from tests.conftest import CORPUS

    inbox, out, state = tmp_path / "inbox", tmp_path / "out", tmp_path / "state"
    inbox.mkdir()
    for name in RUN_FILES:
        shutil.copy2(CORPUS / name, inbox / name)

    first = _run([str(inbox), "--out", str(out), "--db", pg_url], state)
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"Chỉ mục: {pg_url} ({len(RUN_FILES)} văn bản lưu ngay khi trích xuất, " \
           "0 lưu ở bước chỉ mục, 0 đã có)" in first.stdout, first.stdout
    assert not (out / "index.db").exists()
    files = sorted(inbox.iterdir())
    with open_index(pg_url, readonly=True) as index:
        stamps = index.stamps()
        assert {p: s.sha256 for p, s in stamps.items()} == \
            {store_path(f): sha256_file(f) for f in files}
        assert all(s.code_version == index.code_version for s in stamps.values())
        pg_pages = _page_data(index)
    assert all(page[-1] for page in pg_pages.values()), "every document's blocks stored"

    again = _run([str(inbox), "--out", str(out), "--db", pg_url], state)
    assert again.returncode == 0 and "Không có gì thay đổi" in again.stdout, again.stdout

    other = tmp_path / "other.db"
    moved = _run([str(inbox), "--out", str(out)], state, VANBAN_DB=str(other))
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert f"Chỉ mục: {other} ({len(RUN_FILES)} văn bản lưu mới, 0 đã có)" in moved.stdout, \
        moved.stdout
    with open_index(other, readonly=True) as index:
        assert _page_data(index) == pg_pages


def test_run_on_dask_workers_store_what_they_extract(pg_url, tmp_path):
    """``vanban run --workers 2 --db postgresql://…``: on Dask too, each worker process
    stores what it extracts (nothing of the index goes through a shared file)."""
    import importlib.util

    import pytest

    from pipeline.index import open_index, store_path
    from tests.conftest import CORPUS

    if importlib.util.find_spec("prefect_dask") is None:
        pytest.skip("prefect-dask is not installed")
    if os.environ.get("VANBAN_SKIP_SLOW_TESTS"):
        pytest.skip("VANBAN_SKIP_SLOW_TESTS: a Dask cluster and a Prefect server (~40 s)")
    inbox, out, state = tmp_path / "inbox", tmp_path / "out", tmp_path / "state"
    inbox.mkdir()
    names = RUN_FILES[:3]
    for name in names:
        shutil.copy2(CORPUS / name, inbox / name)
    res = _run([str(inbox), "--out", str(out), "--db", pg_url, "--workers", "2"], state)
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"({len(names)} văn bản lưu ngay khi trích xuất, 0 lưu ở bước chỉ mục" \
        in res.stdout, res.stdout
    assert not (out / "index.db").exists()
    with open_index(pg_url, readonly=True) as index:
        assert set(index.stamps()) == {store_path(p) for p in inbox.iterdir()}
