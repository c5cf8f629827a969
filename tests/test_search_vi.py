"""Vietnamese queries against the real corpus index (issue 21, items 1 and 3).

Vietnamese words are several syllables: words typed one after another are found next to
each other first (the ``phrase`` tier), then anywhere (``text``), never mixed; accents
typed decide (``đẳng`` is not ``đảng``), accents left out match any; a number finds its
document in the spellings archivists type; the filters (signer, unknown year, date range,
title only) and orders (relevance, newest, oldest) the archive's users asked for. Each row
states a fact of the corpus texts (grep them) that a wrong search would get wrong. Real
indexes, no mocks, on each backend (SQLite and PostgreSQL, the same corpus); the facts a
row is checked against that need SQL are read from the SQLite index. The two scanned PDFs
(OCR) are left out, as in tests/test_index.py."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import build_index, copy_text_corpus, index_location

from pipeline.index import Filters, Index, open_index
from pipeline.index.keys import parse_symbol_spec
from pipeline.index.sqlite.conditions import spec_parts, spec_sql
from pipeline.index.query import Highlighter, parse_query
from pipeline.index.sqlite.store import connect

KH580 = "kh_580_ubnd-haiduong_2020.txt"  # bình đẳng giới; "cao đẳng"; cites QĐ 1696
TT118 = "tt_118_btc_2025.txt"  # "Trường Cao đẳng" + "giới" + "bình", not the phrase
QD773 = "qd_773_ttg_2018.txt"  # "ĐẢNG", người có công; held: 773/QĐ-TTg
ND55 = "nd_55_cp_2023.pdf"  # người có công; held: 55/2023/NĐ-CP
LUAT120 = "luat_120_qh15_2025.txt"  # phòng, chống ma túy; "án phạt"
DA06_8 = "bc_dt-da06-t08_bcd-lamdong_2025.docx"  # "thẻ đảng viên", "đảng viên"
DA06_9 = "bc_dt-da06-t09_bcd-lamdong_2025.docx"
PCMT25 = "bc_dt-pcmt2025_ubnd-lamdong_2025.docx"  # signed Nguyễn Minh, no date
TONGKET26 = "bc_dt-tongket-clqg-pcmt_ubnd-lamdong_2026.docx"  # signed Nguyễn Minh
KH_TONGKET = "kh_dt-tongket-clqg-pcmt_ubnd-lamdong_2025.doc"  # signed Nguyễn Minh
CD2003 = "cd_2003_vpcp_2025.pdf"
KH173 = "kh_173_ubnd-hanoi_2026.pdf"
QD_PN = "qd_dt-bvstbpn_ubnd-lamdong_2025.docx"  # "Ban Vì sự tiến bộ của phụ nữ"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return copy_text_corpus(tmp_path_factory.mktemp("corpus_vi"))


@pytest.fixture(scope="module")
def sqlite_db(corpus, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db_vi") / "index.db"
    build_index([corpus], str(path))
    return path


@pytest.fixture(scope="module")
def sql(sqlite_db):
    """The corpus's facts by SQL: the SQLite index (the same documents on either backend)."""
    c = connect(sqlite_db, readonly=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def db(request, backend, corpus, sqlite_db) -> str:
    """The corpus index on ``backend``: the SQLite file, or a PostgreSQL database."""
    if backend == "sqlite":
        return str(sqlite_db)
    location = index_location(request, backend, sqlite_db.parent)
    build_index([corpus], location)
    return location


@pytest.fixture(scope="module")
def index(db):
    ix = open_index(db, readonly=True)
    yield ix
    ix.close()


def search(index: Index, query: str, filters: Filters | None = None, **kw) -> dict:
    return index.search(query, filters, **kw)


def _names(res: dict) -> list[str]:
    return [Path(r["path"]).name for r in res["results"]]


def _tier(res: dict, tier: str) -> set[str]:
    return {Path(r["path"]).name for r in res["results"] if r["match"] == tier}


# ── the table: (query, first result, phrase tier exactly, absent, accents_ignored) ──
# first: the path of result #1 (None: not checked); phrase: the documents of the phrase
# tier (None: not checked); absent: documents that must not be listed at all.
ROWS = [
    # the archivist's report: only KH 580 has the phrase; "Cao đẳng" + "giới" ranks below,
    # "ĐẢNG" / "đảng viên" are other words
    ("bình đẳng giới", KH580, {KH580}, {QD773, DA06_8, DA06_9}, False),
    ("BÌNH ĐẲNG GIỚI", KH580, {KH580}, {QD773}, False),
    ("binh dang gioi", KH580, {KH580}, set(), False),  # no accents: any accents match
    ("giới bình đẳng", None, set(), {QD773}, False),  # the words, not in this order
    ("cao đẳng", None, {KH580, TT118}, {QD773, DA06_8}, False),  # đẳng: only these two
    ("cao đảng", None, set(), set(), False),  # the words exist apart, the phrase does not
    ("cao dang", None, {KH580, TT118}, set(), False),  # only "cao đẳng" folds so
    ("thẻ đảng", None, {DA06_8, DA06_9}, set(), False),  # "thẻ đảng viên"
    ("thẻ đảng viên", None, {DA06_8, DA06_9}, set(), False),
    ("án phạt", LUAT120, {LUAT120}, set(), False),
    ("án phát", None, {QD773, DA06_8, DA06_9}, set(), False),  # "Đề án phát …", not phạt
    ("chứng nhận", None, {TT118, LUAT120, DA06_9}, set(), False),
    ("chúng nhân", None, {DA06_8, DA06_9, PCMT25, TONGKET26}, set(), False),  # quần chúng nhân dân
    ("chung nhan", None, {TT118, LUAT120, DA06_8, DA06_9, PCMT25, TONGKET26}, set(), False),
    ("tiến bộ phụ nữ", KH580, {KH580, QD_PN}, set(), False),
    ("tien bo phu nu", KH580, {KH580, QD_PN}, set(), False),
    ("phòng, chống ma túy", None, {LUAT120, PCMT25, TONGKET26, KH_TONGKET, CD2003}, {KH580},
     False),
    ("phong chong ma tuy", None, {LUAT120, PCMT25, TONGKET26, KH_TONGKET, CD2003}, {KH580},
     False),
    # the old tone placement ("tuý") is the same word as the archive's "túy"
    ("ma tuý", None, {LUAT120, PCMT25, TONGKET26, KH_TONGKET, CD2003}, set(), False),
    ("tặng cờ", TT118, {TT118}, set(), False),
    ("trợ tiền", ND55, {ND55}, set(), False),
    # accents that exist nowhere: searched again without them, and said so
    ("bình đẵng giới", KH580, {KH580}, set(), True),
    ("binh đẳng gioi", KH580, {KH580}, set(), True),
]


@pytest.mark.parametrize("query,first,phrase,absent,ignored", ROWS)
def test_vietnamese_queries(index, query, first, phrase, absent, ignored):
    res = search(index, query, limit=50)
    names = _names(res)
    assert res["accents_ignored"] is ignored
    assert res["total"] == len(names) > 0
    if first:
        assert names[0] == first
    if phrase is not None:
        assert _tier(res, "phrase") == phrase
    assert not absent & set(names)
    tiers = [r["match"] for r in res["results"]]
    assert tiers == sorted(tiers, key=lambda t: t != "phrase")  # a tier, not a boost


def test_phrase_tier_is_strictly_above_even_with_lower_scores(index):
    """KH 580 has "cao đẳng" once in a long body: it still comes before a document that
    has both words apart, whatever their BM25."""
    res = search(index, "cao dang", limit=50)
    tiers = [r["match"] for r in res["results"]]
    n = tiers.count("phrase")
    assert n >= 2 and set(tiers[:n]) == {"phrase"} and "phrase" not in tiers[n:]


@pytest.mark.parametrize("query,first_two", [
    ("người có công", {QD773, ND55}),  # the two with it in the title
    ("nguoi co cong", {QD773, ND55}),
])
def test_phrase_ranked_by_title_first(index, query, first_two):
    assert set(_names(search(index, query))[:2]) == first_two


def test_accented_count_only_exact_matches(index):
    """Total and facets count only documents with the accents typed."""
    exact, loose = search(index, "đẳng"), search(index, "dang")
    assert exact["total"] == 2 and set(_names(exact)) == {KH580, TT118}
    assert loose["total"] > 8
    assert sum(exact["facets"]["doc_type"].values()) == 2
    assert search(index, "đảng")["total"] > 2 and KH580 in _names(search(index, "đảng"))


def test_snippet_marks_only_the_accents_typed():
    text = "Trường Cao đẳng; Đảng viên; chương trình bình đẳng giới; cao đảng"
    hl = Highlighter(parse_query("bình đẳng giới"))
    snip = hl.snippet(text)
    assert "<mark>bình đẳng giới</mark>" in snip and "<mark>Đảng</mark>" not in snip
    assert "<mark>cao đảng</mark>" not in Highlighter(parse_query("cao đẳng")).snippet(text)
    assert "<mark>Cao đẳng</mark>" in Highlighter(parse_query("cao đẳng")).snippet(text)
    loose = Highlighter(parse_query("bình đẳng giới"), exact=False).snippet(text)
    assert "<mark>Đảng</mark>" in loose  # accents ignored (the fallback): any accents


def test_phrase_snippet_found_past_the_opening(index):
    res = search(index, "cao đẳng")
    kh = next(r for r in res["results"] if Path(r["path"]).name == KH580)
    assert "<mark>cao đẳng</mark>" in kh["snippet"].lower()  # not the title's "ĐẲNG" alone


# ── a number in the spellings people type ──────────────────────────────────────────

@pytest.mark.parametrize("query", [
    "773/QĐ-TTg", "773/qd-ttg", "773 / QĐ - TTg", "773/QĐ–TTg", "số 773/QĐ-TTg", "Số: 773/QĐ-TTg",
    "Quyết định số 773/QĐ-TTg", "quyet dinh 773/qd-ttg", "QĐ 773", "qd 773", "QĐ773", "QĐ số 773",
    "quyết định 773", "quyet dinh so 773", "QĐ-TTg 773", "QĐ-TTg số 773", "773/QĐ",
    "“773/QĐ-TTg”", "773/QĐ-TTg.", "QĐ 773 năm 2018", "quyết định số 773/QĐ-TTg ngày 26/6/2018",
])
def test_held_number_any_spelling(index, query):
    res = search(index, query)
    assert _names(res)[0] == QD773 and res["results"][0]["match"] == "symbol", query


@pytest.mark.parametrize("query", ["QĐ 773 năm 2019", "quyết định 773 ngày 26/6/2019"])
def test_number_of_another_year_is_not_the_document(index, query):
    assert all(r["match"] != "symbol" for r in search(index, query)["results"])


@pytest.mark.parametrize("query", ["55/2023/NĐ-CP", "55/NĐ-CP", "nghị định 55/2023/NĐ-CP",
                                   "NĐ 55/2023", "nghi dinh so 55", "Nghị định số 55"])
def test_decree_with_and_without_its_year(index, query):
    res = search(index, query)
    assert _names(res)[0] == ND55 and res["results"][0]["match"] == "symbol"


@pytest.mark.parametrize("query", ["QĐ 1696", "quyết định 1696", "quyet dinh so 1696 nam 2015",
                                   "QĐ-TTg 1696", "qd1696", "1696/2015/QĐ-TTg"])
def test_cited_number_any_spelling(index, query):
    """1696/QĐ-TTg is not held; KH 580 cites it: listed as citing (not a text match)."""
    res = search(index, query)
    kh = [r for r in res["results"] if Path(r["path"]).name == KH580]
    assert kh and kh[0]["match"] == "cites"


@pytest.mark.parametrize("text,key,doc_type,number,year", [
    ("1696/QĐ-TTg", "1696/QD-TTG", None, None, None),
    ("1696 / QĐ - TTg", "1696/QD-TTG", None, None, None),
    ("Quyết định số 1696/QĐ-TTg", "1696/QD-TTG", None, None, None),
    ("QĐ-TTg 1696", "1696/QD-TTG", None, None, None),
    ("“1696/QĐ-TTg”.", "1696/QD-TTG", None, None, None),
    ("1696/QĐ-TTg ngày 02/7/2015", "1696/QD-TTG", None, None, 2015),
    ("QĐ 1696", None, "QĐ", "1696", None),
    ("QĐ1696", None, "QĐ", "1696", None),
    ("1696/QĐ", None, "QĐ", "1696", None),
    ("quyet dinh so 1696 nam 2015", None, "QĐ", "1696", 2015),
    ("NĐ 55/2023", None, "NĐ", "55", 2023),
    ("36-CT/TW", "36-CT/TW", None, None, None),
    ("chỉ thị 36", None, "CT", "36", None),
    ("1696", None, None, "1696", None),
])
def test_parse_symbol_spec(text, key, doc_type, number, year):
    spec = parse_symbol_spec(text)
    assert spec is not None
    assert (spec.key, spec.doc_type, spec.number, spec.year) == (key, doc_type, number, year)


@pytest.mark.parametrize("text,parts", [
    # a symbol without its year: itself, or with any year (two index reads, one union)
    ("93/NQ-CP", [("r.symbol_key = ?", ["93/NQ-CP"]),
                  ("r.symbol_key GLOB ?", ["93/[12][0-9][0-9][0-9]/NQ-CP"])]),
    # one condition, as spec_sql's: a year in the symbol, a year asked for, a number
    ("55/2023/NĐ-CP", None), ("1696/QĐ-TTg ngày 02/7/2015", None), ("QĐ 1696", None),
])
def test_spec_parts_union_is_spec_sql(text, parts):
    spec = parse_symbol_spec(text)
    assert spec_parts(spec, "r") == (parts or [spec_sql(spec, "r")])


@pytest.mark.parametrize("text", ["bình đẳng giới", "ma túy 2025", "năm 2020", "ubnd 580",
                                  "1696 1697", ""])
def test_not_a_symbol(text):
    assert parse_symbol_spec(text) is None


# ── the query parser: runs, phrases, accents ───────────────────────────────────────

@pytest.mark.parametrize("text,runs,accents,phrase_expr", [
    ("bình đẳng giới", [["bình", "đẳng", "giới"]], True, '"bình đẳng giới"'),
    ("binh dang gioi", [["binh", "dang", "gioi"]], False, '"binh dang gioi"'),
    ('"ủy ban" bình đẳng', [["bình", "đẳng"]], True, '"bình đẳng" AND "ủy ban"'),
    ("bình -nam giới", [], True, None),  # an excluded word ends a run
    ("thuế", [], True, None),  # one word: no phrase tier
    ("tuyen truyen* ma tuy", [["tuyen", "truyen"], ["ma", "tuy"]], False,
     '"tuyen truyen"* AND "ma tuy"'),
    ("ma tuý", [["ma", "túy"]], True, '"ma túy"'),  # tone placed as the archive places it
])
def test_parse_query_runs(text, runs, accents, phrase_expr):
    q = parse_query(text)
    assert [[t.text for t in r] for r in q.phrase_runs] == runs
    assert q.has_accents is accents
    assert q.fts(exact=accents, phrase=True) == (phrase_expr if runs else q.fts(exact=accents))


# ── filters, facets and orders ──────────────────────────────────────────────────────

def _dated(index: Index) -> list[tuple[str, str]]:
    """The documents with a full date, oldest first (no two share a date)."""
    rows = [(Path(r["path"]).name, r["date"]) for r in search(index, "", limit=100)["results"]
            if r["date"] and len(r["date"]) == 10]
    assert len({d for _, d in rows}) == len(rows) > 5
    return sorted(rows, key=lambda nd: nd[1])


def test_title_only(index):
    res = search(index, "bình đẳng giới", Filters(title_only=True))
    assert _names(res) == [KH580]  # TT 118 has the words in its body only
    res = search(index, "tiến bộ phụ nữ", Filters(title_only=True))
    assert _names(res) == [KH580, QD_PN]  # the phrase in the title, then the words
    assert [r["match"] for r in res["results"]] == ["phrase", "text"]
    assert search(index, "thẻ đảng", Filters(title_only=True))["total"] == 0
    assert set(_names(search(index, "người có công", Filters(title_only=True)))) == {QD773, ND55}


@pytest.mark.parametrize("signer", ["Nguyễn Minh", "NGUYỄN MINH", "nguyen minh", " Nguyễn  Minh "])
def test_signer_filter(index, signer):
    res = search(index, "", Filters(signer=signer), limit=50)
    assert set(_names(res)) == {PCMT25, TONGKET26, KH_TONGKET}
    assert res["facets"]["signer"] == {"Nguyễn Minh": 3}
    both = search(index, "ma túy", Filters(signer=signer))
    assert both["total"] == 3


@pytest.mark.parametrize("signer", ["Nguyễn Mính", "Nguyễn", "Minh"])
def test_signer_filter_is_the_name_as_typed(index, signer):
    assert search(index, "", Filters(signer=signer))["total"] == 0


def test_signer_facet_vietnamese_order_on_ties(index):
    from pipeline.document.collation import vi_key

    counts = search(index, "")["facets"]["signer"]
    assert counts["Nguyễn Minh"] == 3 and counts["Nguyễn Ngọc Phúc"] == 2
    items = list(counts.items())
    assert items == sorted(items, key=lambda kv: (-kv[1], vi_key(kv[0])))
    ones = [k for k, v in items if v == 1]
    assert ones.index("Đỗ Ngọc Huỳnh") < ones.index("Hồ Văn Mười")  # Đ after D, before H


def test_date_range(index):
    res = search(index, "", Filters(date_from="2020-01-01", date_to="2023-12-31"), limit=50)
    assert set(_names(res)) == {KH580, ND55}  # undated documents are in no range
    one = search(index, "", Filters(date_from="2020-03-02", date_to="2020-03-02"))
    assert _names(one) == [KH580]  # both ends included
    after = search(index, "", Filters(date_from="2025-10-07"), limit=50)
    assert set(_names(after)) == {n for n, d in _dated(index) if d >= "2025-10-07"}
    assert search(index, "", Filters(date_to="2019"), limit=50)["total"] == 1  # QĐ 773 (2018)
    assert search(index, "bình đẳng giới", Filters(date_from="2021-01-01"))["total"] == 1  # TT 118


@pytest.mark.parametrize("sort", ["date_desc", "date_asc"])
def test_sorted_by_date_undated_last_and_paged(index, sort):
    dated = [n for n, _ in _dated(index)]
    if sort == "date_desc":
        dated.reverse()
    res = search(index, "", limit=100, sort=sort)
    names = _names(res)
    assert names[:len(dated)] == dated  # by date, then the undated ones
    assert all(r["date"] is None or len(r["date"]) < 10 for r in res["results"][len(dated):])
    page = search(index, "", limit=3, offset=3, sort=sort)
    assert _names(page) == names[3:6]  # pages cut the same order
    words = search(index, "ke hoach", limit=100, sort=sort)
    with_dates = [r["date"] for r in words["results"] if r["date"] and len(r["date"]) == 10]
    assert with_dates == sorted(with_dates, reverse=sort == "date_desc")
    assert {r["match"] for r in words["results"]} <= {"phrase", "text"}


def test_sort_relevance_default_and_unknown_sort_refused(index):
    assert _names(search(index, "bình đẳng giới", sort="relevance"))[0] == KH580
    with pytest.raises(ValueError):
        search(index, "x", sort="newest")


def test_year_unknown_facet_and_filter(index, sql):
    unknown = sql.execute("SELECT count(*) FROM documents WHERE year IS NULL").fetchone()[0]
    assert unknown >= 5
    res = search(index, "", limit=50)
    years = res["facets"]["year"]
    assert years["unknown"] == unknown and list(years)[-1] == "unknown"
    assert sum(years.values()) == res["total"]  # every document counted once
    only = search(index, "", Filters(year_unknown=True), limit=50)
    assert only["total"] == unknown and only["facets"]["year"] == {"unknown": unknown}
    assert PCMT25 in _names(only) and KH580 not in _names(only)


def test_owner_facet_leaves_out_groups(index, sql):
    stored = {o for (o,) in sql.execute("SELECT DISTINCT owner FROM doc_owners")}
    groups = {"các đơn vị liên quan", "các sở, ban, ngành", "UBND các huyện, thị xã, thành phố",
              "các sở, ngành, địa phương", "UBND các xã, phường, đặc khu"}
    assert groups <= stored  # the corpus has them as owners …
    owners = search(index, "", owner_facet=True)["facets"]["owner"]
    assert not groups & set(owners)  # … the facet does not offer them
    assert owners["Sở Y tế"] >= 2 and owners["Công an tỉnh"] >= 2
    # still a filter: a group can be asked for by name
    assert search(index, "", Filters(owner="các sở, ban, ngành"))["total"] >= 1


def test_cli_search_speaks_vietnamese(db):
    from flows.cli.index import search_cmd

    r = CliRunner().invoke(search_cmd, ["bình đẳng giới", "--db", str(db), "--limit", "2"])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("2 văn bản\n") and "580/KH-UBND  02/03/2020" in r.output
    assert "Loại: " in r.output and "Năm: " in r.output and "Người ký: " in r.output
    assert "Cơ quan ban hành: " in r.output
    r = CliRunner().invoke(search_cmd, ["", "--db", str(db), "--year", "không rõ", "--limit",
                                        "1", "--sort", "date_asc"])
    assert r.exit_code == 0 and "không rõ năm" in r.output and "(không số)" in r.output
    for english in ("documents", "no number", "unknown", "doc_type", "issuer"):
        assert english not in r.output
    r = CliRunner().invoke(search_cmd, ["", "--db", str(db), "--signer", "nguyen minh",
                                        "--from", "01/01/2020", "--to", "2026-12-31"])
    assert r.exit_code == 0 and r.output.startswith("0 văn bản")  # his three are undated
    r = CliRunner().invoke(search_cmd, ["", "--db", str(db), "--from", "02/03/2020", "--to",
                                        "02/03/2020", "--json"])
    assert r.exit_code == 0 and '"total": 1' in r.output and KH580 in r.output
    r = CliRunner().invoke(search_cmd, ["bình đẵng giới", "--db", str(db), "--limit", "1"])
    assert "Không có kết quả đúng dấu đã gõ; kết quả dưới đây bỏ qua dấu" in r.output
    r = CliRunner().invoke(search_cmd, ["bình đẳng giới", "--db", str(db), "--title-only",
                                        "--sort", "date_desc", "--json"])
    assert r.exit_code == 0 and '"total": 1' in r.output
    for bad in (["--from", "31/02/2020"], ["--year", "năm ngoái"], ["--sort", "newest"],
                ["--from", "2021-01-01", "--to", "2020-01-01"]):
        r = CliRunner().invoke(search_cmd, ["x", "--db", str(db), *bad])
        assert r.exit_code == 2 and r.output.startswith("vanban: ") and "Error" not in r.output


@pytest.mark.parametrize("query,phrase", [
    ("bình đẳng giới", {KH580}),
    ("binh dang gioi", {KH580}),
    ("cao đảng", set()),  # the pairs' documents have "cao đẳng": each is read, none taken
    ("thẻ đảng", {DA06_8, DA06_9}),
    ("chứng nhận", {TT118, LUAT120, DA06_9}),  # not "chúng nhân" with both words apart
    ("án phát", {QD773, DA06_8, DA06_9}),  # not LUAT 120's "án phạt"
    ("xuất bản", {KH580, TT118}),  # not "xuất ban hành"
    ("phong chong ma tuy", {LUAT120, PCMT25, TONGKET26, KH_TONGKET, CD2003}),  # 3+ words
])
def test_large_phrase_tier_read_as_ranked(sql, monkeypatch, query, phrase):
    """Above RANK_ALL a phrase tier is read newest first (titles before) rather than
    enumerated; it keeps the same documents, and the total is unchanged (SQLite's search
    and its thresholds)."""
    import pipeline.index.sqlite.search as search_mod

    full = search_mod.search(sql, query, limit=50)
    monkeypatch.setattr(search_mod, "RANK_ALL", 0)
    monkeypatch.setattr(search_mod, "PHRASE_MISSES", 100)
    res = search_mod.search(sql, query, limit=50)
    assert res["total"] == full["total"] and res["facets"] == full["facets"]
    assert _tier(res, "phrase") == phrase
    tiers = [r["match"] for r in res["results"]]
    assert tiers == sorted(tiers, key=lambda t: t != "phrase")
    assert set(_names(res)) == set(_names(full))


def test_every_result_carries_its_signer(index, sql):
    """Each result names its signer (``signer_name``, None when unknown), on both backends:
    the web export reads it from the results instead of one document record per row."""
    res = search(index, "", limit=100)
    assert res["results"] and all("signer_name" in r for r in res["results"])
    want = dict(sql.execute("SELECT path, signer_name FROM documents"))
    assert {r["path"]: r["signer_name"] for r in res["results"]} == \
        {r["path"]: want[r["path"]] for r in res["results"]}
    kh580 = search(index, "580/KH-UBND")["results"][0]
    assert kh580["signer_name"] == "Lương Văn Cầu"
    assert any(r["signer_name"] is None for r in res["results"]) == \
        any(v is None for v in want.values())
