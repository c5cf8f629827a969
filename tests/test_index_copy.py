"""``vanban index --db … --from outputs/index.db``: an SQLite archive copied into another
index (PostgreSQL, or another SQLite file) without extracting again, the answers equal."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import copy_text_corpus

QUERIES = ["kế hoạch", "ma túy", "bình đẳng giới", '"phòng, chống"', "1696/QĐ-TTg",
           "chuyen doi so", "bao cao*", "Lâm Đồng"]
CITED = ["1696/QĐ-TTg", "11-NQ/TW", "55/2023/NĐ-CP", "116/2021/NĐ-CP", "580/KH-UBND"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """The corpus's text-layer documents indexed into an SQLite file (paths absolute)."""
    from pipeline.index.ingest import index_paths

    base = tmp_path_factory.mktemp("copy")
    (base / "docs").mkdir()
    docs = copy_text_corpus(base / "docs")
    db = base / "index.db"
    summary = index_paths([docs], db)
    assert not summary.failed and summary.new >= 10
    return db


def _vanban(*args: str) -> tuple[int, str]:
    from flows.cli import main

    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return res.exit_code, res.output


def _ids_as_paths(index, value):
    """An answer with every document id replaced by that document's path: the ids of two
    indexes of the same documents need not be equal."""
    paths = {v: k for k, v in index.ids(index.stamps()).items()}

    def walk(x, key=None):
        if isinstance(x, dict):
            return {k: walk(v, k) for k, v in x.items()}
        if isinstance(x, list):
            return [walk(v) for v in x]
        if key in ("id", "doc_id", "target_id") and isinstance(x, int):
            return paths.get(x, x)
        return x
    return walk(value)


def _answers(index) -> dict:
    out = {}
    for q in QUERIES:
        out[f"search {q}"] = index.search(q, limit=50, owner_facet=True)
        out[f"date {q}"] = index.search(q, limit=50, sort="date_desc")
    for path in sorted(index.stamps()):
        out[f"cites {path}"] = index.cites(path)
    for s in CITED:
        out[f"cited-by {s}"] = index.cited_by(s)
    out["not-held"] = index.not_held(50)
    return _ids_as_paths(index, out)


def _records(index) -> dict:
    """Every document's page data, keyed by path (the time it was stored left out)."""
    recs = {}
    for path, doc_id in index.ids(index.stamps()).items():
        r = index.document(doc_id)
        meta = {k: v for k, v in r.meta.items() if k not in ("id", "indexed_at")}
        duties = [{k: v for k, v in d.items() if k != "rowid"} for d in r.duties]
        owners = [r.owners.get(d["rowid"]) for d in r.duties]
        refs = [{k: v for k, v in x.items() if k != "target_id"} for x in r.references]
        recs[path] = (meta, r.spans, r.text, refs, r.dates, duties, owners, r.findings,
                      [tuple(b) for b in r.blocks])
    return recs


def _compare(source: Path, target_db: str) -> None:
    from pipeline.index import open_index
    from pipeline.index.sqlite.store import index_code_version

    with open_index(source, readonly=True) as a, open_index(target_db, readonly=True) as b:
        sa, sb = a.stamps(), b.stamps()
        assert sa.keys() == sb.keys()
        for path, stamp in sa.items():
            assert sb[path].sha256 == stamp.sha256
            # this extraction's stamp becomes the target's own current one (so nothing is
            # re-extracted there); any other is kept as it was
            want = b.code_version if stamp.code_version == index_code_version() \
                else stamp.code_version
            assert sb[path].code_version == want
        assert _answers(a) == _answers(b)
        assert _records(a) == _records(b)


def test_copy_into_another_sqlite_file(archive, tmp_path):
    target = tmp_path / "copy.db"
    code, out = _vanban("index", "--db", str(target), "--from", str(archive))
    assert code == 0, out
    n = len(_stamps(archive))
    assert f"Đã chép {n} văn bản từ {archive} sang" in out
    assert "(0 đã có sẵn, 0 lỗi)" in out
    _compare(archive, str(target))
    # again: everything is there already, nothing stored twice
    code, out = _vanban("index", "--db", str(target), "--from", str(archive), "-q")
    assert code == 0, out
    assert "Đã chép 0 văn bản" in out and f"({n} đã có sẵn, 0 lỗi)" in out


def _stamps(db) -> dict:
    from pipeline.index import open_index

    with open_index(db, readonly=True) as i:
        return i.stamps()


def test_copy_keeps_an_old_stamp(archive, tmp_path):
    """A document stored by another extraction keeps that stamp in the copy: the next
    ``vanban index`` of it does it again there, as it would in the source."""
    import shutil
    import sqlite3

    src = tmp_path / "old.db"
    shutil.copy2(archive, src)
    with sqlite3.connect(src) as c:
        c.execute("UPDATE documents SET code_version = 'old' WHERE id = "
                  "(SELECT min(id) FROM documents)")
        path = c.execute("SELECT path FROM documents ORDER BY id LIMIT 1").fetchone()[0]
    target = tmp_path / "copy.db"
    code, out = _vanban("index", "--db", str(target), "--from", str(src), "-q")
    assert code == 0, out
    assert _stamps(target)[path].code_version == "old"


def test_copy_mistakes_are_one_line(archive, tmp_path):
    code, out = _vanban("index", "--db", str(archive), "--from", str(archive))
    assert code == 2 and "cùng một tệp" in out
    code, out = _vanban("index", "--db", str(tmp_path / "x.db"), "--from",
                        str(tmp_path / "missing.db"))
    assert code == 2 and "vanban:" in out and "Traceback" not in out
    code, out = _vanban("index", "--db", str(tmp_path / "x.db"))
    assert code == 2 and "--from" in out
    code, out = _vanban("index", "--db", str(tmp_path / "x.db"), "--from",
                        "postgresql://u:secret@127.0.0.1:1/x")
    assert code == 2 and "tệp chỉ mục SQLite" in out and "secret" not in out, out
    assert not (tmp_path / "x.db").exists()


def test_copy_into_postgresql(archive, pg_url, monkeypatch):
    from pipeline.index import open_index
    from pipeline.index.sqlite import SQLiteIndex

    with open_index(pg_url) as target:  # a server's database, not a file named so
        assert not isinstance(target, SQLiteIndex)
    code, out = _vanban("index", "--db", pg_url, "--from", str(archive))
    assert code == 0, out
    n = len(_stamps(archive))
    assert f"Đã chép {n} văn bản từ {archive} sang" in out, out
    _compare(archive, pg_url)
    # VANBAN_DB is the default --db; a second copy finds everything there
    monkeypatch.setenv("VANBAN_DB", pg_url)
    code, out = _vanban("index", "--from", str(archive), "-q")
    assert code == 0 and f"({n} đã có sẵn, 0 lỗi)" in out, out
    code, out = _vanban("search", "bình đẳng giới", "--json")
    assert code == 0 and '"total": ' in out, out
    # the copies count as current: indexing the same files again stores nothing
    code, out = _vanban("index", str(archive.parent / "docs"), "-q")
    assert code == 0 and out.startswith(f"0 mới, 0 đã sửa, {n} không đổi, 0 lỗi"), out


def test_db_option_takes_a_file_or_a_postgresql_url(archive, tmp_path, monkeypatch):
    """Every --db: a file or a postgresql:// URL, VANBAN_DB when not given; anything else
    is a one-line usage mistake, and a URL's password is never printed."""
    code, out = _vanban("search", "x", "--db", "mysql://u@h/x")
    assert code == 2 and "postgresql://" in out, out
    code, out = _vanban("index", str(archive.parent / "docs"), "--db", str(tmp_path))
    assert code == 2 and "thư mục" in out, out
    code, out = _vanban("search", "x", "--db", "postgresql://u:secret@127.0.0.1:1/x")
    assert code == 2 and out.startswith("vanban: postgresql://u:***@127.0.0.1:1/x"), out
    assert "secret" not in out and "Traceback" not in out
    monkeypatch.setenv("VANBAN_DB", str(archive))
    code, out = _vanban("search", "kế hoạch")
    assert code == 0 and out.startswith(f"{_total(archive, 'kế hoạch')} văn bản"), out
    code, out = _vanban("cites", "580/KH-UBND")
    assert code == 0 and "580/KH-UBND" in out, out


def _total(db, q: str) -> int:
    from pipeline.index import open_index

    with open_index(db, readonly=True) as i:
        return i.search(q, limit=0)["total"]
