"""The citation graph's cited documents (issue 21, item 2): one document cited under several
spellings is one document — ``116/2021/NĐ-CP`` and ``116/NĐ-CP`` of the same date —, not
when the dates differ or another document of that number is known; the not-held list says
type, number, issuer, date and title and counts citing documents; ``cited_by`` answers
either spelling. Real indexes on each backend (SQLite and PostgreSQL): two real reports of
the corpus that cite Decree 116 in the two spellings, and small indexes of stored
extraction results."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS, build_index, index_location
from starlette.testclient import TestClient

from pipeline.index import Index, open_index
from pipeline.web.app import Settings, create_app

NO_YEAR = "bc_dt-pcmt2025_ubnd-lamdong_2025.docx"  # "Nghị định số 116/NĐ-CP ngày 21/12/2021"
WITH_YEAR = "bc_dt-tongket-clqg-pcmt_ubnd-lamdong_2026.docx"  # "… 116/2021/NĐ-CP ngày 21/12/2021"
KH580 = "kh_580_ubnd-haiduong_2020.txt"


# ------------------------------------------------------------ the corpus: Decree 116

@pytest.fixture(scope="module")
def corpus_db(request, backend, tmp_path_factory) -> str:
    docs = tmp_path_factory.mktemp("docs")
    for name in (NO_YEAR, WITH_YEAR, KH580):
        shutil.copy2(CORPUS / name, docs / name)
    db = index_location(request, backend, tmp_path_factory.mktemp("db"))
    build_index([docs], db)
    return db


@pytest.fixture
def index(corpus_db):
    ix = open_index(corpus_db, readonly=True)
    yield ix
    ix.close()


def cites(index: Index, symbol: str) -> dict:
    return index.cites(symbol)


def cited_by(index: Index, symbol: str) -> dict:
    return index.cited_by(symbol)


def not_held(index: Index, limit: int = 100) -> list[dict]:
    return index.not_held(limit)


def test_corpus_cites_decree_116_in_both_spellings(index):
    """The premise: the two reports spell it differently, with the same date."""
    spelled = set()
    for path, doc_id in index.ids(index.stamps()).items():
        spelled |= {(Path(path).name, r["symbol"], r["date"])
                    for r in index.document(doc_id).references
                    if re.match(r"116\b", r["symbol"] or "")}
    assert spelled == {(NO_YEAR, "116/NĐ-CP", "2021-12-21"),
                       (WITH_YEAR, "116/2021/NĐ-CP", "2021-12-21")}


def test_not_held_lists_decree_116_once(index):
    rows = [r for r in not_held(index, 1000) if "116" in (r["number"] or "")]
    assert len(rows) == 1, rows
    (row,) = rows
    assert row["number"] == "116/2021/NĐ-CP"  # the spelling with the year is shown
    assert row["spellings"] == ["116/2021/NĐ-CP", "116/NĐ-CP"]
    assert (row["type_name"], row["issuer"], row["date"]) == ("Nghị định", "Chính phủ",
                                                              "2021-12-21")
    assert row["cited_by"] == 2 and row["mentions"] == 4  # two mentions in each report


@pytest.mark.parametrize("asked", ["116/NĐ-CP", "116/2021/NĐ-CP", "116/2021/nd-cp",
                                   "116 / NĐ - CP", "NĐ 116", "nghị định số 116"])
def test_cited_by_either_spelling_finds_both_reports(index, asked):
    res = cited_by(index, asked)
    assert res["symbol"] == "116/2021/NĐ-CP" and res["held"] is None
    citing = {Path(c["path"]).name: c for c in res["cited_by"]}
    assert set(citing) == {NO_YEAR, WITH_YEAR}
    assert citing[NO_YEAR]["cited_as"] == ["116/NĐ-CP"]
    assert citing[WITH_YEAR]["cited_as"] == ["116/2021/NĐ-CP"]
    assert all(c["dates_cited"] == ["2021-12-21"] for c in citing.values())
    assert "also" not in res


def test_a_year_asked_for_must_agree(index):
    assert cited_by(index, "116/2020/NĐ-CP")["cited_by"] == []


def test_not_held_page_row(corpus_db):
    client = TestClient(create_app(Settings(db=corpus_db)), base_url="http://127.0.0.1")
    r = client.get("/not-held")
    assert r.status_code == 200
    rows = [row for row in re.findall(r"<tr class=\"cited\">(.*?)</tr>", r.text, re.S)
            if "116/" in row]
    assert len(rows) == 1, rows
    cells = [" ".join(re.sub(r"<[^>]+>", " ", c).split())
             for c in re.findall(r"<td[^>]*>(.*?)</td>", rows[0], re.S)]
    assert cells == ["Nghị định", "116/2021/NĐ-CP còn viết: 116/NĐ-CP", "Chính phủ",
                     "21/12/2021", "", "2", "4"]
    assert 'href="/cited-by?symbol=116/2021/N%C4%90-CP"' in rows[0]
    page = client.get("/cited-by", params={"symbol": "116/NĐ-CP"}).text
    assert NO_YEAR in page and WITH_YEAR in page


def test_not_held_command_speaks_vietnamese(corpus_db):
    from flows.cli.index import cited_by_cmd, cites_cmd, not_held_cmd

    out = CliRunner().invoke(not_held_cmd, ["--db", str(corpus_db), "--limit", "500"]).output
    lines = [ln for ln in out.splitlines() if "116/" in ln]
    assert lines[0].split() == ["2", "văn", "bản", "trích", "dẫn,", "4", "lần", "Nghị", "định",
                                "số", "116/2021/NĐ-CP", "ngày", "21/12/2021", "của", "Chính",
                                "phủ"]
    assert lines[1].split() == ["còn", "viết:", "116/NĐ-CP"] and len(lines) == 2
    out += CliRunner().invoke(cited_by_cmd, ["116/NĐ-CP", "--db", str(corpus_db)]).output
    out += CliRunner().invoke(cites_cmd, [KH580, "--db", str(corpus_db)]).output
    english = re.findall(r"\b(?:cited|documents?|mentions?|held|also|not|index|number)\b",
                         out)
    assert english == [], out
    data = json.loads(CliRunner().invoke(not_held_cmd, ["--db", str(corpus_db), "--json"])
                      .output)
    assert data["schema"] == "vanban.notheld/1"


# ------------------------------------------------------- small indexes: which spellings merge

def _doc(path: str, symbol: str | None, date: str, refs: list[tuple[str, str | None]],
         doc_type: str = "BC") -> dict:
    def ref(symbol: str, date: str | None) -> dict:
        number, kind = re.match(r"(\d+)(?:/\d{4})?[/-]([^-/]+)", symbol).groups()
        return {"text": symbol, "symbol": symbol, "number": number, "date": date,
                "doc_type": kind}
    meta = {"doc_type": doc_type, "symbol": symbol, "date": date, "issuer": "UBND tỉnh A",
            "number": symbol.split("/")[0] if symbol else None}
    return {"source": {"path": path}, "metadata": meta, "references": [ref(*r) for r in refs]}


def _index(location: str, docs: list[dict]) -> Index:
    index = open_index(location)
    for d in docs:
        index.store(d, " ".join(r["text"] for r in d["references"]) or "x")
    return index


@pytest.fixture
def small(new_location):
    """``small(docs)``: a new index on this test's backend holding ``docs``; closed after."""
    opened: list[Index] = []

    def make(docs: list[dict]) -> Index:
        opened.append(_index(new_location(), docs))
        return opened[-1]
    yield make
    for index in opened:
        index.close()


@pytest.mark.parametrize("a, b, third, merged", [
    (("116/2021/NĐ-CP", "2021-12-21"), ("116/NĐ-CP", "2021-12-21"), None, True),
    (("116/2021/NĐ-CP", "2021-12-21"), ("116/NĐ-CP", "2021-12-17"), None, False),  # dates differ
    (("116/2021/NĐ-CP", None), ("116/NĐ-CP", "2021-12-17"), None, True),  # the year agrees
    (("116/2021/NĐ-CP", None), ("116/NĐ-CP", "2020-12-17"), None, False),  # it does not
    # another Decree 116 is known (of 2019): which one the undated spelling means is unknown
    (("116/2021/NĐ-CP", None), ("116/NĐ-CP", "2021-12-17"), ("116/NĐ-CP", "2019-03-05"), False),
    (("116/NĐ-CP", None), ("116/2021/NĐ-CP", "2021-12-21"), None, True),  # the only one
    (("116/NĐ-CP", None), ("116/2021/NĐ-CP", "2021-12-21"), ("116/2019/NĐ-CP", None), False),
    (("1696/QĐ-TTg", "2015-07-02"), ("1696/QĐ-TTg", "2019-03-05"), None, False),  # two years
    (("1696/QĐ-TTg", "2015-07-02"), ("1696/QĐ-TTg", "2015-12-24"), None, True),  # a conflict
    (("1696/QĐTTg", "2015-07-02"), ("1696/QĐ-TTg", "2015-07-02"), None, True),  # dash left out
    (("11/NQ-TW", None), ("11-NQ/TW", "2007-04-27"), None, True),  # Party symbol misspelt
    (("35/2022/NĐ-CP", None), ("35/2023/NĐ-CP", None), None, False),  # years printed differ
    (("116/NĐ-CP", "2021-12-21"), ("116/NĐ-BCA", "2021-12-21"), None, False),  # other issuer
])
def test_spellings_merge_only_when_they_agree(small, a, b, third, merged):
    docs = [_doc("a.txt", "1/BC-UBND", "2025-01-10", [a]),
            _doc("b.txt", "2/BC-UBND", "2025-01-11", [b])]
    if third:
        docs.append(_doc("c.txt", "3/BC-UBND", "2025-01-12", [third]))
    c = small(docs)
    rows = not_held(c)
    assert len(rows) == len(docs) - merged, rows
    assert max(r["cited_by"] for r in rows) == (2 if merged else 1)
    if merged and a[0] != b[0]:
        (row,) = [r for r in rows if r["cited_by"] == 2]
        assert {a[0], b[0]} <= set(row["spellings"])
    for asked in (a[0], b[0]):  # either spelling: both citing documents, or its own only
        citing = {x["path"] for x in cited_by(c, asked)["cited_by"]}
        spelled_so = {d["source"]["path"] for d in docs
                      if any(r["symbol"] == asked for r in d["references"])}
        assert (citing == {"a.txt", "b.txt"}) if merged else \
            (len(citing) == 1 and citing <= spelled_so), citing


def test_counted_by_citing_document_not_by_mention(small):
    c = small([
        _doc("a.txt", "1/BC-UBND", "2025-01-10", [("116/NĐ-CP", "2021-12-21")] * 3
             + [("116/2021/NĐ-CP", None)]),
        _doc("b.txt", "2/BC-UBND", "2025-01-11", [("116/2021/NĐ-CP", "2021-12-21")])])
    (row,) = not_held(c)
    assert (row["cited_by"], row["mentions"]) == (2, 5)
    (entry,) = cites(c, "a.txt")["cites"]  # one cited document, both spellings
    assert entry["mentions"] == 4 and entry["spellings"] == ["116/2021/NĐ-CP", "116/NĐ-CP"]
    assert entry["symbol"] == "116/2021/NĐ-CP"


@pytest.mark.parametrize("symbol, doc_type, type_name, issuer", [
    ("116/2021/NĐ-CP", "NĐ", "Nghị định", "Chính phủ"),
    ("1696/QĐ-TTg", "QĐ", "Quyết định", "Thủ tướng Chính phủ"),
    ("12/2020/TT-BTC", "TT", "Thông tư", "Bộ Tài chính"),
    ("580/KH-UBND", "KH", "Kế hoạch", "Ủy ban nhân dân"),
    ("77/2013/NQ-HĐND", "NQ", "Nghị quyết", "Hội đồng nhân dân"),
    ("13-KL/TW", "KL", "Kết luận", "Trung ương Đảng"),
    ("10-NQ/TU", "NQ", "Nghị quyết", "Tỉnh ủy"),
    ("73/2021/QH14", "Luật", "Luật", "Quốc hội"),
    ("458/LĐTBXH-BĐG", "CV", "Công văn", "Bộ Lao động - Thương binh và Xã hội"),
    ("15/BC-CAT-PC06", "BC", "Báo cáo", "Công an tỉnh"),
    ("42/QĐ-TTg", None, "Quyết định", "Thủ tướng Chính phủ"),  # no type word: the code's
])
def test_not_held_rows_say_type_and_issuer(small, symbol, doc_type, type_name, issuer):
    doc = _doc("a.txt", "1/BC-UBND", "2025-01-10", [(symbol, "2021-12-21")])
    doc["references"][0]["doc_type"] = doc_type
    (row,) = not_held(small([doc]))
    assert (row["type_name"], row["number"], row["issuer"], row["date"]) == \
        (type_name, symbol, issuer, "2021-12-21")


def test_not_held_order_most_citing_then_vietnamese(small):
    cited = [("5/ĐA-UBND", None), ("6/DA-UBND", None), ("5/KH-UBND", None), ("5/CT-UBND", None),
             ("5/QĐ-UBND", None)]
    docs = [_doc("a.txt", "1/BC-UBND", "2025-01-10", cited),
            _doc("b.txt", "2/BC-UBND", "2025-01-11", [("5/QĐ-UBND", None)])]
    rows = not_held(small(docs))
    assert [(r["type_name"], r["cited_by"]) for r in rows] == [
        ("Quyết định", 2), ("Chỉ thị", 1), ("Dự án", 1), ("Đề án", 1), ("Kế hoạch", 1)]
    assert [r["type_name"] for r in not_held(small(docs[:1]), 2)] == \
        ["Chỉ thị", "Dự án"]


@pytest.mark.parametrize("order", ["held first", "citing first"])
@pytest.mark.parametrize("cited_date, resolves", [("2021-12-21", True), ("2021-12-17", False),
                                                  (None, True)])
def test_a_held_decree_answers_the_spelling_without_year(small, order, cited_date,
                                                         resolves):
    held = _doc("nd116.txt", "116/2021/NĐ-CP", "2021-12-21", [], doc_type="NĐ")
    citing = _doc("a.txt", "1/BC-UBND", "2025-01-10", [("116/NĐ-CP", cited_date)])
    c = small([held, citing] if order == "held first" else [citing, held])
    res = cited_by(c, "116/NĐ-CP")
    assert ((res["held"] or {}).get("path") == "nd116.txt"
            and [x["path"] for x in res["cited_by"]] == ["a.txt"]) is resolves, res
    assert (not_held(c) == []) is resolves
    (entry,) = cites(c, "a.txt")["cites"]
    assert (entry["held"] is not None) is resolves
