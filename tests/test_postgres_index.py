"""The PostgreSQL index (pipeline/index/postgres/) against a real throwaway cluster: chosen
by URL, migrated once by many openers, one copy per path whatever the writers do, storage
errors as StoreError, and the same answers as SQLite (search, facets, citations) on the
corpus. No mocks: tests/pgcluster.py's cluster (conftest's ``pg_cluster``)."""
from __future__ import annotations

import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import pg_database

from pipeline.document.model import VanbanError
from pipeline.index import StoreError, open_index

ROOT = Path(__file__).resolve().parent.parent


def _result(path: str, symbol: str | None = None, date: str | None = None,
            title: str = "Kế hoạch", refs: list[dict] | None = None, **meta) -> dict:
    return {"source": {"path": path, "sha256": f"sha-{path}-{symbol}"},
            "metadata": {"symbol": symbol, "date": date, "title": title, **meta},
            "references": refs or [], "tasks": [], "findings": [], "dates": []}


@pytest.fixture
def url(pg_cluster, request) -> str:
    return pg_database(pg_cluster, request.node.name)


def test_url_opens_postgres_and_location_hides_the_password(url):
    with open_index(url) as ix:
        assert type(ix).__name__ == "PostgresIndex"
        assert ix.location == url and ix.files() == frozenset()
    secret = url.replace("vanban@", "vanban:secret@")
    with open_index(secret) as ix:  # trust authentication: the password is not checked
        assert "secret" not in ix.location
        assert ix.location == url


def test_sqlite_users_never_import_psycopg(tmp_path):
    code = ("import sys; from pipeline.index import open_index;"
            f"open_index({str(tmp_path / 'i.db')!r}).close();"
            "print('psycopg' in sys.modules, 'pipeline.index.postgres' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["False", "False"]


def test_store_replace_stamps_ids_document(url):
    with open_index(url) as ix:
        assert ix.stamps() == {} and ix.stamp("a.txt") is None
        r = _result("a.txt", "12/KH-UBND", "2020-03-01", "Kế hoạch bình đẳng giới",
                    doc_type="KH", number="12")
        r["tasks"] = [{"text": "Báo cáo", "lead": ["Sở Tư pháp"], "support": ["Sở Nội vụ"],
                       "deadline": "2030-01-01"}]
        r["findings"] = [{"kind": "k", "message": "m", "text": "t", "start": 0, "end": 1}]
        assert ix.store(r, "Kế hoạch bình đẳng giới\x00") == (1, "new")
        assert ix.store(r, "Kế hoạch bình đẳng giới") == (1, "changed")
        assert ix.store(_result("b.txt"), "Khác") == (2, "new")
        assert ix.stamp("a.txt").sha256 == "sha-a.txt-12/KH-UBND"
        assert ix.stamp("a.txt").code_version == ix.code_version
        assert set(ix.stamps()) == {"a.txt", "b.txt"}
        assert ix.ids(["a.txt", "nowhere.txt"]) == {"a.txt": 1}
        doc = ix.document(1)
        assert doc.text == "Kế hoạch bình đẳng giới" and doc.meta["symbol"] == "12/KH-UBND"
        assert [d["text"] for d in doc.duties] == ["Báo cáo"]
        assert list(doc.owners.values()) == [{"lead": ["Sở Tư pháp"], "support": ["Sở Nội vụ"]}]
        assert [f["kind"] for f in doc.findings] == ["k"]
        assert ix.document(99) is None
    with open_index(url, readonly=True) as ro:
        assert set(ro.stamps()) == {"a.txt", "b.txt"}


def test_readonly_open_of_a_database_without_the_index_is_refused(url):
    with pytest.raises(VanbanError) as e:
        open_index(url, readonly=True)
    assert e.value.kind == "missing"


def test_unreachable_server_is_a_store_error():
    with pytest.raises(StoreError) as e:
        open_index("postgresql://vanban@127.0.0.1:1/none")
    assert str(e.value).startswith("không kết nối được máy chủ PostgreSQL (không có máy chủ "
                                   "nào nghe ở địa chỉ này) ("), str(e.value)


def test_a_database_that_is_not_there_is_named_in_vietnamese(pg_cluster):
    url = pg_cluster.database_url("khong_co_csdl_nay")
    with pytest.raises(StoreError) as e:
        open_index(url)
    assert str(e.value).startswith("máy chủ PostgreSQL không có cơ sở dữ liệu này ("), \
        str(e.value)
    assert '"khong_co_csdl_nay" does not exist' in str(e.value)  # the server's own words kept


def test_an_older_schema_is_upgraded_and_a_newer_one_refused(url):
    import psycopg

    from pipeline.index.postgres.schema import SCHEMA_VERSION, migrate

    with psycopg.connect(url, autocommit=True) as conn:
        assert migrate(conn, upto=2) == [1, 2]
        conn.execute("INSERT INTO documents(id, path, sha256, code_version, title, indexed_at) "
                     "VALUES (1, 'old.txt', 's', 'c', 'Ba từ đây', 'now')")
        conn.execute("INSERT INTO texts(doc_id, text) VALUES (1, 'Bốn từ ở đây')")
    with pytest.raises(VanbanError) as e:
        open_index(url, readonly=True)
    assert e.value.kind == "schema"
    open_index(url).close()  # a writable open upgrades: the word counts are filled in
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT n_tokens, n_title_tokens FROM texts").fetchone() == (7, 3)
        conn.execute("INSERT INTO schema_version(version, description) VALUES (%s, 'later')",
                     (SCHEMA_VERSION + 1,))
    for readonly in (False, True):
        with pytest.raises(RuntimeError, match="vanban mới hơn"):
            open_index(url, readonly=readonly)


def test_word_columns_are_compressed(url):
    """Migration 8: the word arrays and strings of texts are stored compressed (lz4 on a
    server that has it), not plain as 7 left them."""
    import psycopg

    open_index(url).close()
    with psycopg.connect(url, autocommit=True) as conn:
        rows = dict(conn.execute(
            "SELECT attname, attstorage::text || attcompression::text FROM pg_attribute "
            "WHERE "
            "attrelid = 'texts'::regclass AND attname IN ('terms', 'words', 'folded', "
            "'lowered', 'title_folded', 'title_lowered')").fetchall())
    assert len(rows) == 6
    assert all(v[0] == "x" for v in rows.values()), rows
    assert len({v for v in rows.values()}) == 1, rows  # lz4 on all, or on none


def test_storage_errors_are_store_errors():
    import psycopg
    from psycopg import errors

    from pipeline.index.postgres.db import storage_errors

    with pytest.raises(StoreError) as e, storage_errors():
        raise errors.DiskFull("could not extend file: No space left on device")
    assert e.value.full and isinstance(e.value.__cause__, errors.DiskFull)
    with pytest.raises(StoreError) as e, storage_errors():
        raise errors.AdminShutdown("terminating connection due to administrator command")
    assert not e.value.full
    assert str(e.value) == ("máy chủ PostgreSQL đã dừng hoặc cắt kết nối (terminating "
                            "connection due to administrator command)")
    cases = [(errors.DiskFull("could not extend file: No space left on device"),
              "ổ đĩa của máy chủ PostgreSQL đã đầy hoặc máy chủ hết bộ nhớ"),
             (errors.TooManyConnections("sorry, too many clients already"),
              "máy chủ PostgreSQL đã hết chỗ cho kết nối mới"),
             (psycopg.OperationalError("connection failed: FATAL: password authentication "
                                       "failed for user \"vanban\""),
              "máy chủ PostgreSQL từ chối đăng nhập (sai mật khẩu)"),
             (psycopg.OperationalError("server closed the connection unexpectedly"),
              "mất kết nối tới máy chủ PostgreSQL"),
             (errors.StringDataRightTruncation("value too long"),
              "máy chủ PostgreSQL không nhận dữ liệu này"),
             (psycopg.OperationalError("something new"), "lỗi của máy chủ PostgreSQL")]
    for exc, reason in cases:
        with pytest.raises(StoreError) as e, storage_errors():
            raise exc
        assert str(e.value) == f"{reason} ({exc})", exc


def _open_and_close(url: str) -> None:
    open_index(url).close()


def test_many_openers_migrate_once(url):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        pool.map(_open_and_close, [url] * 8)
    import psycopg

    with psycopg.connect(url) as conn:
        versions = [v for (v,) in conn.execute("SELECT version FROM schema_version "
                                                "ORDER BY version")]
    from pipeline.index.postgres.schema import SCHEMA_VERSION

    assert versions == list(range(1, SCHEMA_VERSION + 1))


def _writer(args: tuple[str, int]) -> list[tuple[int, str]]:
    url, worker = args
    out = []
    with open_index(url) as ix:
        for round_ in range(3):
            for n in range(12):  # every worker stores every path: the same documents at once
                refs = [{"text": f"Kế hoạch {m}/KH-UBND", "symbol": f"{m}/KH-UBND",
                         "doc_type": "KH", "number": str(m)} for m in range(12) if m != n]
                r = _result(f"doc{n}.txt", f"{n}/KH-UBND", "2020-01-01", refs=refs)
                r["source"]["sha256"] = f"w{worker}r{round_}"
                out.append(ix.store(r, f"Văn bản số {n} của worker {worker}"))
    return out


def test_four_writers_at_once_never_fail_and_never_duplicate(url):
    open_index(url).close()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        results = pool.map(_writer, [(url, w) for w in range(4)])
    assert sum(len(r) for r in results) == 4 * 3 * 12
    with open_index(url, readonly=True) as ix:
        ids = ix.ids([f"doc{n}.txt" for n in range(12)])
        assert len(ids) == 12 and len(ix.stamps()) == 12
        assert {i for r in results for i, _ in r} == set(ids.values())
        assert sum(s == "new" for r in results for _, s in r) == 12
        import psycopg

        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT count(*) FROM texts").fetchone()[0] == 12
            assert conn.execute("SELECT count(*) FROM refs").fetchone()[0] == 12 * 11
            # each document is one writer's whole: its row, text and references agree
            for sha, text, n_refs in conn.execute(
                    "SELECT d.sha256, t.text, (SELECT count(*) FROM refs r WHERE "
                    "r.doc_id = d.id) FROM documents d JOIN texts t ON t.doc_id = d.id"):
                assert text.endswith(f"worker {sha[1]}") and n_refs == 11
            # stored at the same time as what they cite, every reference is still linked
            assert conn.execute("SELECT count(*) FROM refs WHERE target_id IS NULL"
                                ).fetchone()[0] == 0
        cited = ix.cited_by("5/KH-UBND")
        assert len(cited["cited_by"]) == 11 and cited["held"]["path"] == "doc5.txt"


# ─────────────────────── the same answers as SQLite, on the corpus ───────────────────────

@pytest.fixture(scope="module")
def both(pg_cluster, tmp_path_factory):
    """The text corpus indexed into SQLite and into PostgreSQL, both open read-only."""
    from conftest import build_index, copy_text_corpus

    corpus = copy_text_corpus(tmp_path_factory.mktemp("corpus_pg"))
    lite = str(tmp_path_factory.mktemp("lite") / "index.db")
    url = pg_database(pg_cluster, "same_answers")
    assert build_index([corpus], lite) == build_index([corpus], url)
    a, b = open_index(lite, readonly=True), open_index(url, readonly=True)
    yield a, b
    a.close()
    b.close()


QUERIES = ["bình đẳng giới", "BÌNH ĐẲNG GIỚI", "binh dang gioi", "giới bình đẳng", "cao đẳng",
           "cao đảng", "cao dang", "thẻ đảng", "thẻ đảng viên", "án phạt", "án phát",
           "chứng nhận", "chúng nhân", "chung nhan", "tiến bộ phụ nữ", "phòng, chống ma túy",
           "phong chong ma tuy", "ma tuý", "tặng cờ", "trợ tiền", "bình đẵng giới",
           "binh đẳng gioi", "xuất bản", '"người có công"', "tuyen truyen*", "truyền*",
           "ke hoach -gioi", "kế hoạch -\"bình đẳng giới\"", "1696/QĐ-TTg", "QĐ 1696", "1696",
           "55/NĐ-CP", "55/2023/NĐ-CP", "116/NĐ-CP", "580/KH-UBND", "quyet dinh so 773",
           "", "zzzz không có", "ma", "Ủy ban nhân dân"]
FILTERS = [
    {}, {"sort": "date_desc"}, {"sort": "date_asc", "offset": 2, "limit": 3},
    {"filters": {"title_only": True}}, {"filters": {"year_unknown": True}},
    {"filters": {"date_from": "2020-01-01", "date_to": "2025-12"}},
    {"filters": {"signer": "nguyen minh"}}, {"filters": {"doc_type": "Báo cáo"}},
    {"filters": {"has_findings": True}, "owner_facet": True},
    {"filters": {"open_duties": True, "as_of": "2025-06-01"}},
    {"filters": {"owner": "Sở Y tế"}, "limit": 2, "offset": 1},
]


@pytest.mark.parametrize("kw", FILTERS, ids=lambda kw: ",".join(
    f"{k}={v}" for k, v in kw.items()) or "plain")
def test_search_answers_as_sqlite(both, kw):
    from pipeline.index import Filters

    a, b = both
    kw = dict(kw)
    kw["filters"] = Filters(**kw.get("filters", {}))
    kw.setdefault("limit", 50)
    for q in QUERIES:
        assert b.search(q, **kw) == a.search(q, **kw), q


def test_citations_answer_as_sqlite(both):
    a, b = both
    paths = sorted(a.stamps())
    assert sorted(b.stamps()) == paths
    ids = a.ids(paths)
    assert b.ids(paths) == ids
    symbols = {r["symbol"] for r in a.search("", limit=100)["results"] if r["symbol"]}
    cited = {r["symbol"] for r in a.not_held(1000)} | {s for r in a.not_held(1000)
                                                        for s in r["spellings"]}
    asked = sorted(symbols | cited | {"116/NĐ-CP", "116/2021/NĐ-CP", "QĐ 1696", "1696",
                                      "580/kh-ubnd", "Luật Phòng, chống ma túy", "x"})
    assert len(asked) > 20
    for s in asked:
        assert b.cited_by(s) == a.cited_by(s), s
        assert b.cites(s) == a.cites(s), s
    for p in paths:
        assert b.cites(p) == a.cites(p), p
        assert b.cited_by_document(ids[p]) == a.cited_by_document(ids[p]), p
        da, db = a.document(ids[p]), b.document(ids[p])
        for d in (da, db):  # stored at other moments
            d.meta.pop("indexed_at")
        assert db == da, p
    assert b.not_held(1000) == a.not_held(1000)
    assert b.not_held(3) == a.not_held(3)


def test_a_write_anywhere_makes_cached_searches_stale(url):
    with open_index(url) as writer, open_index(url) as reader:
        writer.store(_result("a.txt", title="Kế hoạch bình đẳng giới"), "bình đẳng giới ở đây")
        first = reader.search("bình đẳng giới")
        assert first["total"] == 1 and reader.search("bình đẳng giới") == first  # cached
        writer.store(_result("a.txt", title="Khác"), "không còn nữa")  # same count, same ids
        assert reader.search("bình đẳng giới")["total"] == 0
        writer.store(_result("b.txt", title="Bình đẳng giới"), "bình đẳng giới")
        res = reader.search("binh dang gioi", facets=True)
        assert [r["path"] for r in res["results"]] == ["b.txt"]
        assert res["results"][0]["match"] == "phrase" and res["facets"]["year"] == {"unknown": 1}


def test_a_search_reads_one_snapshot_while_writers_commit(url):
    """Every query of one read sees the index as it was when the read began: a writer's
    commit in between changes neither the state that keys the caches nor the counts, so
    no word can have more matching documents than the index has (BM25's logarithm failed
    on that in the web app while four writers stored). The write's generation is raised
    in its own transaction: the next read sees both."""
    from pipeline.index.postgres.facets import state
    from pipeline.index.postgres.search import search

    with open_index(url) as writer, open_index(url, readonly=True) as reader:
        writer.store(_result("a.txt", title="Kế hoạch"), "kế hoạch một")
        with reader.snapshot() as db:
            before = state(db)
            assert search(db, "kế hoạch")["total"] == 1
            for k in range(3):  # committed while the read goes on
                writer.store(_result(f"n{k}.txt", title="Kế hoạch"), "kế hoạch mới")
            assert state(db) == before
            res = search(db, "kế hoạch", facets=True)
            assert res["total"] == 1 and [r["path"] for r in res["results"]] == ["a.txt"]
            assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
        with reader.snapshot() as db:
            after = state(db)
        assert after[1] == before[1] + 3 and after[2] == 4
        assert reader.search("kế hoạch")["total"] == 4


def test_an_accented_phrase_is_sampled_as_sqlite_samples_it(url, tmp_path):
    """A phrase typed with its accents, of more candidates (its word pairs as written) than
    the sample: the newest 8 are read and, when most have the phrase, the pairs stand for
    it (SQLite's close superset, same total); the search counts the phrase as it checks it
    (the ranking reads no text again)."""
    docs = [(f"old{i}.txt", "người có nhà và có công việc") for i in range(3)] + \
        [(f"new{i}.txt", "chính sách người có công ở đây") for i in range(9)]
    totals = []
    for location in (str(tmp_path / "i.db"), url):
        with open_index(location) as index:
            for path, text in docs:
                index.store(_result(path, title="Báo cáo"), text)
            res = index.search('"người có công"')
            totals.append(res["total"])
            assert {r["path"] for r in res["results"]} >= {f"new{i}.txt" for i in range(9)}
            assert index.search('"người có nhà"')["total"] == 3  # few: each one read
    assert totals == [12, 12]


def test_garbled_long_words_and_keys_are_stored(url):
    """PostgreSQL's index entries have a size limit (~2,700 bytes) SQLite's have not: a
    document with a 5,000-letter word, reference title or symbol is still stored."""
    import random
    import string

    rnd = random.Random(7)

    def garble(n: int) -> str:
        return "".join(rnd.choice(string.ascii_letters) for _ in range(n))

    with open_index(url) as ix:
        r = _result("w.txt", "12/" + garble(5000), issuer=garble(5000))
        r["references"] = [{"text": "x", "symbol": "12/" + garble(5000)},
                           {"text": "Luật", "title": garble(5000), "doc_type": "Luật"}]
        r["tasks"] = [{"text": "làm", "lead": [garble(5000)]}]
        assert ix.store(r, f"một {garble(5000)} hai ba")[1] == "new"
        assert ix.search("một hai")["total"] == 1 and ix.search("hai ba")["total"] == 1
        assert len(ix.not_held()) == 2
