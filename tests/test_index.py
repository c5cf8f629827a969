"""The archive index (issue 4) on the real corpus: search, symbols, facets, citations,
re-indexing and migrations. Real indexes, no mocks: the tests that take ``index`` or ``db``
run on each backend (SQLite and PostgreSQL, the same corpus), their SQL facts read from the
SQLite index (``conn``); those of SQLite's own files, FTS5 tables and migrations take only
``conn``. The two scanned PDFs (OCR, ~30 s) are left out to keep the module fast;
everything else in corpus/ is indexed once per backend."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS, SCANNED, build_index, copy_text_corpus, index_location

from pipeline.index import Filters, Index, open_index
from pipeline.index.ingest import index_paths
from pipeline.index.keys import name_key
from pipeline.index.query import parse_query
from pipeline.index.sqlite.facets import clear_match_cache, facet_table
from pipeline.index.sqlite import search as sqlite_search
from pipeline.index.sqlite.schema import SCHEMA_VERSION, migrate, schema_version
from pipeline.index.sqlite.store import connect

KH580 = "kh_580_ubnd-haiduong_2020.txt"


@pytest.fixture(scope="module")
def corpus_copy(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    copy_text_corpus(root)
    return root


@pytest.fixture(scope="module")
def indexed(corpus_copy, tmp_path_factory) -> tuple[Path, dict]:
    db = tmp_path_factory.mktemp("db") / "index.db"
    summary = index_paths([corpus_copy], db)
    assert not summary.failed, summary.failed
    return db, summary.counts()


@pytest.fixture
def conn(indexed):
    """The SQLite index: its own tests, and the facts by SQL for either backend's."""
    c = connect(indexed[0])
    yield c
    c.close()


@pytest.fixture(scope="module")
def db(request, backend, indexed, corpus_copy) -> tuple[str, dict]:
    """The corpus index on ``backend`` and the counts of indexing it."""
    if backend == "sqlite":
        return str(indexed[0]), indexed[1]
    location = index_location(request, backend, indexed[0].parent)
    return location, build_index([corpus_copy], location)


@pytest.fixture
def index(db):
    ix = open_index(db[0])
    yield ix
    ix.close()


def search(index: Index | sqlite3.Connection, query: str, filters: Filters | None = None,
           **kw) -> dict:
    if isinstance(index, sqlite3.Connection):
        return sqlite_search.search(index, query, filters, **kw)
    return index.search(query, filters, **kw)


def cites(index: Index, symbol: str) -> dict:
    return index.cites(symbol)


def cited_by(index: Index, symbol: str) -> dict:
    return index.cited_by(symbol)


def not_held(index: Index, limit: int = 100) -> list[dict]:
    return index.not_held(limit)


def _names(res: dict) -> list[str]:
    return [Path(r["path"]).name for r in res["results"]]


def test_everything_indexed(db, index, corpus_copy):
    n = len(list(corpus_copy.iterdir()))
    assert db[1] == {"new": n, "changed": 0, "skipped": 0, "failed": 0}
    stamps = index.stamps()
    assert len(stamps) == n and {Path(p).name for p in stamps} == \
        {p.name for p in corpus_copy.iterdir()}
    docs = [index.document(i) for i in index.ids(stamps).values()]
    assert all(d.text for d in docs) and sum(len(d.blocks) for d in docs) > n


def test_sqlite_file(indexed, corpus_copy):
    n = len(list(corpus_copy.iterdir()))
    c = connect(indexed[0])
    assert c.execute("SELECT count(*) FROM documents").fetchone()[0] == n
    assert c.execute("SELECT count(*) FROM texts").fetchone()[0] == n
    assert c.execute("SELECT count(*) FROM blocks").fetchone()[0] > n
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert schema_version(c) == SCHEMA_VERSION


@pytest.mark.parametrize("query", ["binh dang gioi", "bình đẳng giới", "BÌNH ĐẲNG GIỚI",
                                   '"bình đẳng giới"', "binh dang*"])
def test_gender_equality_finds_kh580_first(index, query):
    res = search(index, query)
    assert _names(res)[0] == KH580
    assert res["total"] >= 1


def test_phrase_tier_first_and_accents_as_typed(index):
    res = search(index, "bình đẳng giới", limit=50)
    tiers = [r["match"] for r in res["results"]]
    assert tiers[0] == "phrase"
    assert tiers == sorted(tiers, key=lambda t: t != "phrase")  # every phrase before any other
    # typed with accents: only exact-accent matches ("đảng" is not "đẳng"); without accents
    # đ folds to d and any accents match, so more documents
    loose = search(index, "binh dang gioi")
    assert 0 < res["total"] < loose["total"] and not res["accents_ignored"]


def test_snippet_highlights_and_escapes(index, new_location):
    res = search(index, "bình đẳng giới", limit=1)
    assert "<mark>bình đẳng giới</mark>" in res["results"][0]["snippet"].lower()
    text = "Kế hoạch <script>alert(1)</script> về bình đẳng giới & \"quyền\" <b>phụ nữ</b>"
    with open_index(new_location()) as other:
        other.store({"source": {"path": "x.txt"}, "metadata": {"title": "<i>t</i>"}}, text)
        snip = search(other, "binh dang")["results"][0]["snippet"]
    assert "<script>" not in snip and "&lt;script&gt;" in snip and "&lt;b&gt;" in snip
    assert snip.count("<mark>") == 1 and "&amp;" in snip


@pytest.mark.parametrize("spelling", ["1696/QĐ-TTg", "1696/qd-ttg", "1696 / QĐ-TTg", "QĐ 1696",
                                      "quyet dinh 1696", "quyết định số 1696", "1696"])
def test_cited_by_any_spelling(index, spelling):
    res = cited_by(index, spelling)
    assert res["schema"] == "vanban.citedby/1"
    assert res["symbol"] == "1696/QĐ-TTg"
    assert res["held"] is None
    kh = [c for c in res["cited_by"] if Path(c["path"]).name == KH580]
    assert kh and kh[0]["symbol"] == "580/KH-UBND" and kh[0]["dates_cited"] == ["2015-07-02"]
    assert kh[0]["mentions"] == 1


@pytest.mark.parametrize("query", ["1696/QĐ-TTg", "quyet dinh 1696"])
def test_search_symbol_lists_citing_document(index, query):
    assert KH580 in _names(search(index, query))


@pytest.mark.parametrize("query", ["580/KH-UBND", "580/kh-ubnd", "KH 580", "ke hoach 580"])
def test_search_own_symbol_first(index, query):
    res = search(index, query)
    assert _names(res)[0] == KH580 and res["results"][0]["match"] == "symbol"


def test_cites_and_not_held(index):
    res = cites(index, "580/kh-ubnd")
    assert res["held"]["symbol"] == "580/KH-UBND"
    qd = [c for c in res["cites"] if c["symbol"] == "1696/QĐ-TTg"]
    assert qd and qd[0]["held"] is None and qd[0]["dates_cited"] == ["2015-07-02"]
    missing = {r["symbol"]: r for r in not_held(index, 1000)}
    assert missing["1696/QĐ-TTg"]["cited_by"] == 1
    assert all(r["mentions"] >= r["cited_by"] >= 1 for r in missing.values())


def _sql_counts(c: sqlite3.Connection, column: str, where: str, params: list) -> dict[str, int]:
    rows = c.execute(f"SELECT {column}, count(*) FROM documents WHERE {where} "
                     f"AND {column} IS NOT NULL GROUP BY 1", params).fetchall()
    return {str(k): n for k, n in rows}


@pytest.mark.parametrize("query,fts,filters,where,params", [
    ("ma túy", '"ma" AND "tuy"', Filters(), "1", []),
    ("kế hoạch", '"ke" AND "hoach"', Filters(doc_type="bc"), "doc_type = ?", ["BC"]),
    ("ubnd", '"ubnd"', Filters(year=2025), "year = ?", [2025]),
    ("", None, Filters(issuer="ubnd tinh lam dong"), "issuer = ?", ["UBND tỉnh Lâm Đồng"]),
])
def test_facets_equal_direct_sql(conn, query, fts, filters, where, params):
    res = search(conn, query, filters, owner_facet=True)
    if fts:
        where += " AND id IN (SELECT rowid FROM fts_fold WHERE fts_fold MATCH ?)"
        params = params + [fts]
    total = conn.execute(f"SELECT count(*) FROM documents WHERE {where}", params).fetchone()[0]
    assert res["total"] == total > 0
    for facet in ("doc_type", "issuer", "year"):
        expect = _sql_counts(conn, facet, where, params)
        if facet == "year":  # documents without a year are counted as "unknown"
            unknown = conn.execute(f"SELECT count(*) FROM documents WHERE {where} AND "
                                   "year IS NULL", params).fetchone()[0]
            expect.update({"unknown": unknown} if unknown else {})
        assert res["facets"][facet] == expect, facet
    with_findings = conn.execute(f"SELECT count(*) FROM documents WHERE {where} AND id IN "
                                 "(SELECT doc_id FROM findings)", params).fetchone()[0]
    assert res["facets"]["has_findings"].get("true", 0) == with_findings
    from pipeline.index.sqlite.facets import is_group_owner

    owners = {k: n for k, n, name in conn.execute(
        "SELECT owner_key, count(DISTINCT doc_id), min(owner) FROM task_owners WHERE doc_id "
        f"IN (SELECT id FROM documents WHERE {where}) GROUP BY owner_key", params).fetchall()
        if not is_group_owner(name)}  # groups ("các sở, ngành") are left out
    shown = {name_key(k): n for k, n in res["facets"]["owner"].items()}
    assert len(shown) == min(100, len(owners))
    assert all(owners[k] == n for k, n in shown.items())


@pytest.mark.parametrize("query,filters", [
    ("ma túy", Filters()), ("kế hoạch", Filters(doc_type="bc")), ("ubnd", Filters(year=2025)),
    ("", Filters(issuer="ubnd tinh lam dong")), ("bình đẳng giới", Filters(signer="nguyen minh")),
    ("", Filters(open_duties=True, as_of="2020-01-01")), ("", Filters(year_unknown=True))])
def test_facets_equal_the_sqlite_index(index, conn, query, filters):
    """Either backend counts what the SQLite index counts (checked against SQL above)."""
    res = search(index, query, filters, owner_facet=True, limit=100)
    expect = search(conn, query, filters, owner_facet=True, limit=100)
    assert res["total"] == expect["total"] and res["facets"] == expect["facets"]
    assert sorted(_names(res)) == sorted(_names(expect))


def test_owner_and_duty_filters(index, conn):
    as_of = "2020-01-01"
    open_sql = conn.execute("SELECT count(DISTINCT doc_id) FROM tasks WHERE deadline >= ? "
                            "OR period_end >= ?", (as_of, as_of)).fetchone()[0]
    res = search(index, "", Filters(open_duties=True, as_of=as_of), limit=100)
    assert res["total"] == open_sql == res["facets"]["open_duties"]["true"]
    owner = conn.execute("SELECT owner, count(DISTINCT doc_id) FROM task_owners "
                         "GROUP BY owner_key ORDER BY 2 DESC LIMIT 1").fetchone()
    res = search(index, "", Filters(owner=owner[0].upper()), limit=100)
    assert res["total"] == owner[1] == len(res["results"])
    res = search(index, "", Filters(has_findings=True), limit=100)
    assert res["total"] == conn.execute("SELECT count(DISTINCT doc_id) FROM findings").fetchone()[0]


@pytest.mark.parametrize("query", ['"', '""', '"bình', "NEAR(", "NEAR(a b, 3)", "*", "**", "-",
                                   "- -x", "a OR", "AND", "title:x", "{title}: x", "^x", "a + b",
                                   "')--", "x\"y", "\x00", "đ*", "1696/", "/QĐ", "quyết định số",
                                   "a" * 500, "bình \"đẳng\" giới*"])
def test_hostile_queries_do_not_raise(index, query):
    res = search(index, query)
    assert isinstance(res["total"], int)
    cited_by(index, query)
    cites(index, query)


def test_reindex_unchanged_then_changed(db, backend, corpus_copy):
    db = db[0]
    n = len(list(corpus_copy.iterdir()))
    assert index_paths([corpus_copy], db).counts() == {"new": 0, "changed": 0, "skipped": n,
                                                       "failed": 0}
    target = corpus_copy / KH580
    original = target.read_text("utf-8")
    try:
        target.write_text(original + "\nPhụ lục: khảo sát zyxwvut.\n", "utf-8")
        assert index_paths([corpus_copy], db).counts() == {"new": 0, "changed": 1,
                                                           "skipped": n - 1, "failed": 0}
        with open_index(db) as index:
            found = search(index, "zyxwvut")
            assert _names(found) == [KH580]
            assert "<mark>zyxwvut</mark>" in found["results"][0]["snippet"]
        target.write_text(original, "utf-8")
        assert index_paths([corpus_copy], db).counts()["changed"] == 1
        with open_index(db) as index:
            assert search(index, "zyxwvut")["total"] == 0  # the old text's words went with it
            assert len(index.stamps()) == n
            kh = [i for p, i in index.ids(index.stamps()).items() if p.endswith(KH580)]
            assert len(kh) == 1
            doc = index.document(kh[0])
            assert len(doc.references) == doc.meta["n_references"] > 0
            assert _names(search(index, "binh dang gioi"))[0] == KH580
        if backend == "sqlite":  # no rows left of the old version; FTS5 consistent
            c = connect(db)
            ids = [i for (i,) in c.execute("SELECT id FROM documents")]
            for table in ("texts", "refs", "tasks", "findings", "blocks"):
                assert not c.execute(f"SELECT count(*) FROM {table} WHERE doc_id NOT IN "
                                     f"({','.join(map(str, ids))})").fetchone()[0]
            c.execute("INSERT INTO fts_fold(fts_fold) VALUES ('integrity-check')")
            c.close()
    finally:
        target.write_text(original, "utf-8")


def test_bad_files_reported_batch_goes_on(request, backend, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a_empty.txt").write_bytes(b"")
    (src / "b_broken.pdf").write_bytes(b"%PDF-1.4 not really")
    shutil.copy2(CORPUS / "qd_773_ttg_2018.txt", src / "c_qd.txt")
    # SQLite: the index's own files, in the folder indexed, are not documents
    s = index_paths([src], index_location(request, backend, src, "i.db"))
    assert (s.new, len(s.failed)) == (1, 2)
    assert {Path(p).name for p, _ in s.failed} == {"a_empty.txt", "b_broken.pdf"}


def test_old_schema_is_upgraded(tmp_path):
    db = tmp_path / "old.db"
    c = sqlite3.connect(db, isolation_level=None)
    assert migrate(c, upto=1) == [1]
    c.execute("INSERT INTO documents(id, path, sha256, code_version, doc_type, title, year, "
              "indexed_at) VALUES (7, 'old.txt', 'x', 'old', 'KH', 'Kế hoạch cũ', 2019, 'then')")
    c.execute("INSERT INTO texts VALUES (7, 'Kế hoạch về bình đẳng giới năm 2019')")
    c.execute("INSERT INTO tasks(doc_id, seq, text, deadline) VALUES (7, 0, 'Làm', '2019-12-31')")
    c.execute("INSERT INTO task_owners VALUES (1, 7, 'lead', 'Sở Tư pháp', 'so tu phap')")
    c.close()
    c = connect(db)
    assert schema_version(c) == SCHEMA_VERSION
    assert [v for (v,) in c.execute("SELECT version FROM schema_version")] == \
        list(range(1, SCHEMA_VERSION + 1))
    assert _names(search(c, "binh dang gioi")) == ["old.txt"]
    assert c.execute("SELECT max_deadline FROM documents").fetchone()[0] == "2019-12-31"
    res = search(c, "", Filters(owner="Sở Tư pháp", open_duties=True, as_of="2019-06-01"))
    assert res["total"] == 1


def _doc(path: str, symbol: str, date: str, issuer: str, refs: list[dict]) -> dict:
    return {"source": {"path": path}, "references": refs,
            "metadata": {"doc_type": symbol.split("/")[1].split("-")[0], "number":
                         symbol.split("/")[0], "symbol": symbol, "date": date, "issuer": issuer}}


def test_symbols_colliding_across_years_resolve_by_date(new_location):
    index = open_index(new_location())
    ref = {"text": "Kế hoạch số 10/KH-UBND", "doc_type": "KH", "number": "10",
           "symbol": "10/KH-UBND", "issuer": None}
    index.store(_doc("citing.txt", "5/BC-UBND", "2021-01-05", "UBND tỉnh A", [
        dict(ref, date="2020-02-03"), dict(ref, date=None, symbol=None, antecedent=0),
        dict(ref, symbol="10/kh-ubnd", date="2019-03-01")]), "Báo cáo 10/KH-UBND")
    index.store(_doc("p2019.txt", "10/KH-UBND", "2019-03-01", "UBND tỉnh A", []), "x")
    index.store(_doc("p2020.txt", "10/KH-UBND", "2020-02-03", "UBND tỉnh A", []), "y")
    res = cited_by(index, "10/KH-UBND")  # both held: each answers its own citations
    assert res["held"]["path"] == "p2020.txt" and res["cited_by"][0]["mentions"] == 2
    assert res["also"] == [{"symbol": "10/KH-UBND", "held": True, "cited_by": 1}]
    assert {c["held"]["path"] for c in cites(index, "citing.txt")["cites"]} == {"p2019.txt",
                                                                               "p2020.txt"}
    ids = index.ids(["citing.txt", "p2019.txt", "p2020.txt"])
    path_of = {i: p for p, i in ids.items()}
    # each mention resolved by its date; the second ("Kế hoạch trên") by the first's
    assert [path_of.get(r["target_id"]) for r in index.document(ids["citing.txt"]).references] \
        == ["p2020.txt", "p2020.txt", "p2019.txt"]
    by_doc = index.cited_by_document(ids["p2019.txt"])
    assert by_doc["held"]["path"] == "p2019.txt"
    assert [(x["path"], x["mentions"], x["dates_cited"]) for x in by_doc["cited_by"]] == \
        [("citing.txt", 1, ["2019-03-01"])]
    index.close()


def test_cli_commands(db, new_location, tmp_path):
    from flows.cli.index import cited_by_cmd, index_cmd, search_cmd

    db = db[0]
    r = CliRunner().invoke(search_cmd, ["binh dang gioi", "--db", db, "--json", "--limit", "3"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["schema"] == "vanban.search/1" and Path(data["results"][0]["path"]).name == KH580
    assert set(data["facets"]) >= {"doc_type", "issuer", "year"}
    r = CliRunner().invoke(cited_by_cmd, ["quyet dinh 1696", "--db", db, "--json"])
    assert r.exit_code == 0 and KH580 in r.output
    assert json.loads(r.output)["schema"] == "vanban.citedby/1"
    r = CliRunner().invoke(search_cmd, ["bình đẳng", "--db", db, "--type", "KH"])
    assert r.exit_code == 0 and "580/KH-UBND" in r.output
    nowhere = new_location()
    r = CliRunner().invoke(search_cmd, ["x", "--db", nowhere])  # no index there
    assert r.exit_code == 2
    assert r.stderr.startswith("vanban: ") and r.stderr.endswith(
        ": chưa có chỉ mục ở đây (hãy chạy `vanban index` trước)\n"), r.stderr
    src = tmp_path / "docs"
    src.mkdir()
    shutil.copy2(CORPUS / "qd_773_ttg_2018.txt", src)
    r = CliRunner().invoke(index_cmd, [str(src), "--db", new_location()])
    assert r.exit_code == 0 and "1 mới, 0 đã sửa, 0 không đổi, 0 lỗi, trong " in r.output
    assert "] mới: " in r.output


def test_large_match_sets_rank_titles_then_newest(conn, monkeypatch):
    import pipeline.index.sqlite.search as search_mod

    full = search(conn, "ubnd", limit=100)
    monkeypatch.setattr(search_mod, "RANK_ALL", 2)
    res = search(conn, "ubnd", limit=100)
    assert res["total"] == full["total"] and res["facets"] == full["facets"]
    assert sorted(_names(res)) == sorted(_names(full))  # the same documents, other order
    scores = [r["score"] for r in res["results"]]
    titled = [s for s in scores if s > 0]
    assert scores[:len(titled)] == titled  # title matches first, then the rest (score 0)
    ids = [r["id"] for r in res["results"][len(titled):]]
    assert ids == sorted(ids, reverse=True)
    assert _names(search(conn, "kế hoạch bình đẳng giới"))[0] == KH580


@pytest.mark.parametrize("query", [
    "ma tuy", "bình đẳng giới", '"bình đẳng giới"', '"phòng, chống ma túy"', "tuyen truyen*",
    '"ke hoach"', "binh* -\"ma tuy\"", "ke hoach -tuy", '"ủy ban nhân dân tỉnh"', "1696/QĐ-TTg",
    '"cai nghien"*', "nghị định -\"ủy ban nhân dân tỉnh\""])
def test_document_level_index_agrees_with_positions(conn, query):
    """fts_terms (no positions) answers which documents match exactly as fts_fold does."""
    from pipeline.index.sqlite import search as s

    q = parse_query(query)
    plan = s._Plan(q, None, Filters(), exact=False)
    table = facet_table(conn)
    clear_match_cache()
    via_terms = s.text_ids(conn, plan, table).tolist()
    full = [r for (r,) in conn.execute("SELECT rowid FROM fts_fold WHERE fts_fold MATCH ? "
                                       "ORDER BY rowid", (q.fts(),))]
    assert via_terms == full and full
    if q.phrase_runs:  # the phrase tier too: the runs as phrases
        via_terms = s.text_ids(conn, plan, table, phrase=True).tolist()
        full = [r for (r,) in conn.execute("SELECT rowid FROM fts_fold WHERE fts_fold "
                                           "MATCH ? ORDER BY rowid", (q.fts(phrase=True),))]
        assert via_terms == full


def test_long_phrase_superset_when_not_checked(conn, monkeypatch):
    """Above VERIFY_MAX candidates a phrase of 3+ words is the AND of its word pairs."""
    from pipeline.index.sqlite import search as s

    monkeypatch.setattr(s, "VERIFY_MAX", 0)
    clear_match_cache()
    q = parse_query('"ủy ban nhân dân"')
    plan = s._Plan(q, None, Filters(), exact=False)
    approx = set(s.text_ids(conn, plan, facet_table(conn)).tolist())
    full = {r for (r,) in conn.execute("SELECT rowid FROM fts_fold WHERE fts_fold MATCH ?",
                                       (q.fts(),))}
    assert full <= approx and len(approx - full) <= 1


@pytest.mark.parametrize("text", ["Bình Đẳng Giới", "ỦY BAN NHÂN DÂN", "quyết định số 1696/QĐ-TTg",
                                  "İstanbul ß ǅ", "😀 中文 Ωmega", "Ä\u0301 combining", ""])
def test_fast_fold_is_fold_position_for_position(text):
    from pipeline.document.normalize import fold
    from pipeline.index.query import fast_fold

    folded = fast_fold(text)
    assert len(folded) == len(text)
    if all(len(fold(c)) == 1 for c in text):
        assert folded == fold(text)


def test_query_terms_are_capped(db):
    """A query of 10,000 words (library, CLI and web share the parser) is cut to its first
    MAX_TERMS terms and MAX_QUERY_CHARS characters, and answers at once."""
    import time

    from pipeline.index.query import MAX_QUERY_CHARS, MAX_TERMS

    words = " ".join(f"w{i}" for i in range(10_000))
    q = parse_query(words)
    assert len(q.terms) == MAX_TERMS == 32 and q.shortened
    assert q.text == " ".join(f"w{i}" for i in range(32))
    assert len(parse_query("x" * 5000).text) == MAX_QUERY_CHARS == 1000
    assert parse_query('"' + "a " * 2000 + '"').shortened
    assert not parse_query("bình đẳng giới -nam").shortened
    # a phrase counts as one term; its words are cut with the characters
    assert len(parse_query(" ".join(['"a b c"'] * 40)).terms) == 32
    index = open_index(db[0], readonly=True)
    try:
        t = time.perf_counter()
        res = index.search(words)
        assert time.perf_counter() - t < 1.0
        assert res["shortened"] is True and res["total"] == 0
        assert res["query"] == q.text
        t = time.perf_counter()
        res = index.search('"' + " ".join(["binh dang gioi"] * 400) + '" ' + words)
        assert time.perf_counter() - t < 1.0 and res["shortened"] is True
        ok = index.search("binh dang gioi")
        assert ok["shortened"] is False and _names(ok)[0] == KH580
    finally:
        index.close()
