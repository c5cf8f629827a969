"""The archive index (issue 4) on the real corpus: search, symbols, facets, citations,
re-indexing and migrations. Real SQLite files, no mocks. The two scanned PDFs (OCR, ~30 s)
are left out to keep the module fast; everything else in corpus/ is indexed once."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS, SCANNED, copy_text_corpus

from pipeline.index import Filters
from pipeline.index.ingest import index_paths
from pipeline.index.keys import name_key
from pipeline.index.query import parse_query
from pipeline.index.sqlite.facets import clear_match_cache, facet_table
from pipeline.index.sqlite.graph import cited_by, cited_by_document, cites, not_held
from pipeline.index.sqlite.schema import SCHEMA_VERSION, migrate, schema_version
from pipeline.index.sqlite.search import search
from pipeline.index.sqlite.store import connect, index_document

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
    c = connect(indexed[0])
    yield c
    c.close()


def _names(res: dict) -> list[str]:
    return [Path(r["path"]).name for r in res["results"]]


def test_everything_indexed(indexed, corpus_copy):
    db, counts = indexed
    n = len(list(corpus_copy.iterdir()))
    assert counts == {"new": n, "changed": 0, "skipped": 0, "failed": 0}
    c = connect(db)
    assert c.execute("SELECT count(*) FROM documents").fetchone()[0] == n
    assert c.execute("SELECT count(*) FROM texts").fetchone()[0] == n
    assert c.execute("SELECT count(*) FROM blocks").fetchone()[0] > n
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert schema_version(c) == SCHEMA_VERSION


@pytest.mark.parametrize("query", ["binh dang gioi", "bình đẳng giới", "BÌNH ĐẲNG GIỚI",
                                   '"bình đẳng giới"', "binh dang*"])
def test_gender_equality_finds_kh580_first(conn, query):
    res = search(conn, query)
    assert _names(res)[0] == KH580
    assert res["total"] >= 1


def test_phrase_tier_first_and_accents_as_typed(conn):
    res = search(conn, "bình đẳng giới", limit=50)
    tiers = [r["match"] for r in res["results"]]
    assert tiers[0] == "phrase"
    assert tiers == sorted(tiers, key=lambda t: t != "phrase")  # every phrase before any other
    # typed with accents: only exact-accent matches ("đảng" is not "đẳng"); without accents
    # đ folds to d and any accents match, so more documents
    loose = search(conn, "binh dang gioi")
    assert 0 < res["total"] < loose["total"] and not res["accents_ignored"]


def test_snippet_highlights_and_escapes(conn, tmp_path):
    res = search(conn, "bình đẳng giới", limit=1)
    assert "<mark>bình đẳng giới</mark>" in res["results"][0]["snippet"].lower()
    c = connect(tmp_path / "x.db")
    text = "Kế hoạch <script>alert(1)</script> về bình đẳng giới & \"quyền\" <b>phụ nữ</b>"
    index_document(c, {"source": {"path": "x.txt"}, "metadata": {"title": "<i>t</i>"}}, text)
    snip = search(c, "binh dang")["results"][0]["snippet"]
    assert "<script>" not in snip and "&lt;script&gt;" in snip and "&lt;b&gt;" in snip
    assert snip.count("<mark>") == 1 and "&amp;" in snip


@pytest.mark.parametrize("spelling", ["1696/QĐ-TTg", "1696/qd-ttg", "1696 / QĐ-TTg", "QĐ 1696",
                                      "quyet dinh 1696", "quyết định số 1696", "1696"])
def test_cited_by_any_spelling(conn, spelling):
    res = cited_by(conn, spelling)
    assert res["schema"] == "vanban.citedby/1"
    assert res["symbol"] == "1696/QĐ-TTg"
    assert res["held"] is None
    kh = [c for c in res["cited_by"] if Path(c["path"]).name == KH580]
    assert kh and kh[0]["symbol"] == "580/KH-UBND" and kh[0]["dates_cited"] == ["2015-07-02"]
    assert kh[0]["mentions"] == 1


@pytest.mark.parametrize("query", ["1696/QĐ-TTg", "quyet dinh 1696"])
def test_search_symbol_lists_citing_document(conn, query):
    assert KH580 in _names(search(conn, query))


@pytest.mark.parametrize("query", ["580/KH-UBND", "580/kh-ubnd", "KH 580", "ke hoach 580"])
def test_search_own_symbol_first(conn, query):
    res = search(conn, query)
    assert _names(res)[0] == KH580 and res["results"][0]["match"] == "symbol"


def test_cites_and_not_held(conn):
    res = cites(conn, "580/kh-ubnd")
    assert res["held"]["symbol"] == "580/KH-UBND"
    qd = [c for c in res["cites"] if c["symbol"] == "1696/QĐ-TTg"]
    assert qd and qd[0]["held"] is None and qd[0]["dates_cited"] == ["2015-07-02"]
    missing = {r["symbol"]: r for r in not_held(conn, 1000)}
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


def test_owner_and_duty_filters(conn):
    as_of = "2020-01-01"
    open_sql = conn.execute("SELECT count(DISTINCT doc_id) FROM tasks WHERE deadline >= ? "
                            "OR period_end >= ?", (as_of, as_of)).fetchone()[0]
    res = search(conn, "", Filters(open_duties=True, as_of=as_of), limit=100)
    assert res["total"] == open_sql == res["facets"]["open_duties"]["true"]
    owner = conn.execute("SELECT owner, count(DISTINCT doc_id) FROM task_owners "
                         "GROUP BY owner_key ORDER BY 2 DESC LIMIT 1").fetchone()
    res = search(conn, "", Filters(owner=owner[0].upper()), limit=100)
    assert res["total"] == owner[1] == len(res["results"])
    res = search(conn, "", Filters(has_findings=True), limit=100)
    assert res["total"] == conn.execute("SELECT count(DISTINCT doc_id) FROM findings").fetchone()[0]


@pytest.mark.parametrize("query", ['"', '""', '"bình', "NEAR(", "NEAR(a b, 3)", "*", "**", "-",
                                   "- -x", "a OR", "AND", "title:x", "{title}: x", "^x", "a + b",
                                   "')--", "x\"y", "\x00", "đ*", "1696/", "/QĐ", "quyết định số",
                                   "a" * 500, "bình \"đẳng\" giới*"])
def test_hostile_queries_do_not_raise(conn, query):
    res = search(conn, query)
    assert isinstance(res["total"], int)
    cited_by(conn, query)
    cites(conn, query)


def test_reindex_unchanged_then_changed(indexed, corpus_copy):
    db, _ = indexed
    n = len(list(corpus_copy.iterdir()))
    assert index_paths([corpus_copy], db).counts() == {"new": 0, "changed": 0, "skipped": n,
                                                       "failed": 0}
    target = corpus_copy / KH580
    original = target.read_text("utf-8")
    try:
        target.write_text(original + "\nPhụ lục: khảo sát zyxwvut.\n", "utf-8")
        assert index_paths([corpus_copy], db).counts() == {"new": 0, "changed": 1,
                                                           "skipped": n - 1, "failed": 0}
        c = connect(db)
        found = search(c, "zyxwvut")
        assert _names(found) == [KH580] and "<mark>zyxwvut</mark>" in found["results"][0]["snippet"]
        target.write_text(original, "utf-8")
        assert index_paths([corpus_copy], db).counts()["changed"] == 1
        assert search(c, "zyxwvut")["total"] == 0  # the old FTS rows went with the old text
        assert c.execute("SELECT count(*) FROM documents").fetchone()[0] == n
        ids = [i for (i,) in c.execute("SELECT id FROM documents")]
        for table in ("texts", "refs", "tasks", "findings", "blocks"):
            assert not c.execute(f"SELECT count(*) FROM {table} WHERE doc_id NOT IN "
                                 f"({','.join(map(str, ids))})").fetchone()[0]
        kh = c.execute("SELECT id, n_references FROM documents WHERE path LIKE ?",
                       (f"%{KH580}",)).fetchall()
        assert len(kh) == 1
        assert c.execute("SELECT count(*) FROM refs WHERE doc_id = ?",
                         (kh[0][0],)).fetchone()[0] == kh[0][1]
        c.execute("INSERT INTO fts_fold(fts_fold) VALUES ('integrity-check')")
        assert _names(search(c, "binh dang gioi"))[0] == KH580
    finally:
        target.write_text(original, "utf-8")


def test_bad_files_reported_batch_goes_on(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a_empty.txt").write_bytes(b"")
    (src / "b_broken.pdf").write_bytes(b"%PDF-1.4 not really")
    shutil.copy2(CORPUS / "qd_773_ttg_2018.txt", src / "c_qd.txt")
    s = index_paths([src], src / "i.db")  # the index's own files are not documents
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


def test_symbols_colliding_across_years_resolve_by_date(tmp_path):
    c = connect(tmp_path / "g.db")
    ref = {"text": "Kế hoạch số 10/KH-UBND", "doc_type": "KH", "number": "10",
           "symbol": "10/KH-UBND", "issuer": None}
    index_document(c, _doc("citing.txt", "5/BC-UBND", "2021-01-05", "UBND tỉnh A", [
        dict(ref, date="2020-02-03"), dict(ref, date=None, symbol=None, antecedent=0),
        dict(ref, symbol="10/kh-ubnd", date="2019-03-01")]), "Báo cáo 10/KH-UBND")
    index_document(c, _doc("p2019.txt", "10/KH-UBND", "2019-03-01", "UBND tỉnh A", []), "x")
    index_document(c, _doc("p2020.txt", "10/KH-UBND", "2020-02-03", "UBND tỉnh A", []), "y")
    res = cited_by(c, "10/KH-UBND")  # both held: each answers its own citations
    assert res["held"]["path"] == "p2020.txt" and res["cited_by"][0]["mentions"] == 2
    assert res["also"] == [{"symbol": "10/KH-UBND", "held": True, "cited_by": 1}]
    assert {c["held"]["path"] for c in cites(c, "citing.txt")["cites"]} == {"p2019.txt",
                                                                           "p2020.txt"}
    targets = dict(c.execute("SELECT r.date_eff, d.path FROM refs r JOIN documents d "
                             "ON d.id = r.target_id").fetchall())
    assert targets == {"2020-02-03": "p2020.txt", "2019-03-01": "p2019.txt"}
    assert c.execute("SELECT count(*) FROM refs WHERE target_id IS NULL").fetchone()[0] == 0
    p2019 = c.execute("SELECT id FROM documents WHERE path = 'p2019.txt'").fetchone()[0]
    by_doc = cited_by_document(c, p2019)
    assert by_doc["held"]["path"] == "p2019.txt"
    assert [(x["path"], x["mentions"], x["dates_cited"]) for x in by_doc["cited_by"]] == \
        [("citing.txt", 1, ["2019-03-01"])]


def test_cli_commands(indexed, tmp_path):
    from flows.cli.index import cited_by_cmd, index_cmd, search_cmd

    db = str(indexed[0])
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
    r = CliRunner().invoke(search_cmd, ["x", "--db", str(tmp_path / "none.db")])
    assert r.exit_code == 2
    assert r.stderr == (f"vanban: {tmp_path / 'none.db'}: chưa có chỉ mục ở đây "
                        "(hãy chạy `vanban index` trước)\n")
    src = tmp_path / "docs"
    src.mkdir()
    shutil.copy2(CORPUS / "qd_773_ttg_2018.txt", src)
    r = CliRunner().invoke(index_cmd, [str(src), "--db", str(tmp_path / "n.db")])
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


def test_query_terms_are_capped(indexed):
    """A query of 10,000 words (library, CLI and web share the parser) is cut to its first
    MAX_TERMS terms and MAX_QUERY_CHARS characters, and answers at once."""
    import time

    from pipeline.index import open_index
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
    index = open_index(indexed[0], readonly=True)
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
