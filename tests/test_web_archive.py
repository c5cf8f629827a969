"""What vbpl.vn and thuvienphapluat users expect of the archive (issue 21, items 3 and 4):
search sorted by date, a date range, the signer facet, title-only search and "không rõ
năm"; the original file and the normalised text for download; the results as CSV and
XLSX; the document page in Vietnamese with each cited document once.

Over a real index of the text-layer corpus (and the KH 580 reports), served by a real
uvicorn server and driven in headless Chromium (the ``browser`` fixture); downloads and
exports are fetched from that server with ``requests`` and read back (``csv``,
``openpyxl``). Expected values come from the index's own tables, not from the app.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import sqlite3
import unicodedata
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from starlette.testclient import TestClient

from conftest import copy_text_corpus, live_server, navigate
from pipeline.document import labels
from pipeline.index.ingest import index_paths
from pipeline.web import export as export_mod
from pipeline.web import search as search_mod
from pipeline.web.app import Settings, create_app

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
KH580 = "kh_580_ubnd-haiduong_2020.txt"
TT118 = "tt_118_btc_2025.txt"  # cites Luật Thi đua, khen thưởng 30 times, NĐ 152/2025 15
VIETNAMESE_NAME = "Quyết định thử nghiệm số 9 (bản chụp).txt"
GONE = "bc_tam_haiduong_2021.txt"  # indexed, then moved away by a test
SMALL = """ỦY BAN NHÂN DÂN                CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH HẢI DƯƠNG                     Độc lập - Tự do - Hạnh phúc
Số: {n}/QĐ-UBND                    Hải Dương, ngày 5 tháng 3 năm 2021

QUYẾT ĐỊNH
Về việc thử nghiệm tải tệp gốc

Điều 1. Giao Sở Tư pháp chủ trì thử nghiệm, hoàn thành trước ngày 30/6/2021.
"""
COLUMNS = ["Số, ký hiệu", "Loại", "Cơ quan ban hành", "Ngày ban hành", "Trích yếu",
           "Người ký", "Đường dẫn"]
ENGLISH = re.compile(r"\b(date_typo|invalid_date|deadline_before_issue|conflicting|"
                     r"citation|malformed|impossible|annual|monthly|quarterly|read as|"
                     r"unreadable|cited with|different dates|before the issue)\b", re.I)


# ---- the archive and its server --------------------------------------------------------

@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("archive")
    docs = root / "docs"
    docs.mkdir()
    copy_text_corpus(docs, reports=True)
    (docs / VIETNAMESE_NAME).write_text(SMALL.format(n=9), "utf-8")
    (docs / GONE).write_text(SMALL.format(n=10), "utf-8")
    db = root / "index.db"
    summary = index_paths([docs], db)
    assert not summary.failed, summary.failed
    return {"root": root, "docs": docs, "db": db}


@pytest.fixture(scope="module")
def server(archive):
    app = create_app(Settings(db=archive["db"], roots=(archive["docs"],)))
    with live_server(app) as url:
        yield url


def _sql(archive, sql: str, *args) -> list[tuple]:
    c = sqlite3.connect(f"file:{archive['db']}?mode=ro", uri=True)
    try:
        return c.execute(sql, args).fetchall()
    finally:
        c.close()


def _doc_id(archive, name: str) -> int:
    return _sql(archive, "SELECT id FROM documents WHERE path LIKE ?", f"%/{name}")[0][0]


def _api_all(server: str, **params) -> tuple[list[dict], dict]:
    """Every result of a search, page after page, and the first page's answer."""
    first = requests.get(f"{server}/api/search", params=params, timeout=30)
    assert first.status_code == 200, first.text
    data = first.json()
    results = list(data["results"])
    page = 2
    while len(results) < data["total"]:
        more = requests.get(f"{server}/api/search", params={**params, "page": page},
                            timeout=30).json()["results"]
        assert more
        results += more
        page += 1
    return results, data



def _hits(browser) -> list[tuple[int, str]]:
    """(document id, date) of each result on the page, in order."""
    from selenium.webdriver.common.by import By

    out = []
    for li in browser.find_elements(By.CSS_SELECTOR, "li.hit"):
        href = li.find_element(By.CSS_SELECTOR, "a.title").get_attribute("href")
        out.append((int(href.rsplit("/", 1)[1]), li.get_attribute("data-date")))
    return out


def _fold(text: str) -> set[str]:
    """The words of ``text`` without accents (đ = d), lower case."""
    plain = unicodedata.normalize("NFKD", text.lower().replace("đ", "d"))
    return set(re.findall(r"\w+", "".join(c for c in plain if not unicodedata.combining(c))))


def _no_severe(browser) -> None:
    errors = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
    assert not errors, errors


# ---- sort, date range, facets --------------------------------------------------------

def test_sorting_by_date_changes_the_first_result(browser, server, archive):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get_log("browser")  # drain earlier tests' entries
    matching, _ = _api_all(server, q="ke hoach")
    dated = sorted(r["date"] for r in matching if r["date"])
    assert len(set(dated)) >= 3
    browser.get(server + "/?q=ke+hoach")
    relevance_first = _hits(browser)[0]
    firsts = []
    for label, first_date in (("Cũ nhất", dated[0]), ("Mới nhất", dated[-1])):
        Select(browser.find_element(By.NAME, "sort")).select_by_visible_text(label)
        navigate(browser, browser.find_element(By.CSS_SELECTOR, "form.search button").click)
        assert "sort=date_" in browser.current_url
        hits = _hits(browser)
        firsts.append(hits[0])
        assert hits[0][1] == first_date, (label, hits[:3])
        days = [d for _, d in hits if d]
        assert days == sorted(days, reverse=label == "Mới nhất")
        assert Select(browser.find_element(By.NAME, "sort")).first_selected_option.text == label
        # the pager keeps the order
        nxt = browser.find_elements(By.CSS_SELECTOR, "nav.pager a[rel=next]")
        if nxt:
            assert "sort=date_" in nxt[0].get_attribute("href")
    assert any(f != relevance_first for f in firsts)  # the first result changed
    # whole order: undated documents last, each way
    for sort, newest_first in (("date_asc", False), ("date_desc", True)):
        got, _ = _api_all(server, q="ke hoach", sort=sort)
        days = [r["date"] for r in got]
        known = [d for d in days if d]
        assert known == sorted(known, reverse=newest_first)
        assert days[:len(known)] == known  # no undated one before a dated one
    browser.save_screenshot(str(ARTIFACTS / "web-sorted.png"))
    _no_severe(browser)


def test_date_range_keeps_documents_within_it(browser, server, archive):
    from selenium.webdriver.common.by import By

    expected = {i for (i,) in _sql(archive, "SELECT id FROM documents WHERE date >= "
                                            "'2020-06-01' AND date <= '2020-12-31'")}
    assert 3 <= len(expected) < _sql(archive, "SELECT count(*) FROM documents")[0][0]
    browser.get(server + "/?from=01/06/2020&to=31/12/2020")  # as people write dates
    assert browser.find_element(By.NAME, "from").get_attribute("value") == "2020-06-01"
    assert browser.find_element(By.NAME, "to").get_attribute("value") == "2020-12-31"
    total = int(browser.find_element(By.CSS_SELECTOR, "p.total").get_attribute("data-total"))
    hits = _hits(browser)
    assert {i for i, _ in hits} == expected and total == len(expected)
    assert all("2020-06-01" <= d <= "2020-12-31" for _, d in hits)
    chips = browser.find_element(By.CSS_SELECTOR, "p.active-filters").text
    assert "Từ ngày: 01/06/2020" in chips and "Đến ngày: 31/12/2020" in chips
    # searching again from the form keeps the range (the date fields send yyyy-mm-dd)
    box = browser.find_element(By.NAME, "q")
    box.send_keys("bình đẳng giới")
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "form.search button").click)
    assert "from=2020-06-01" in browser.current_url and "to=2020-12-31" in browser.current_url
    hits = _hits(browser)
    assert hits and all("2020-06-01" <= d <= "2020-12-31" for _, d in hits)
    # a bad date: the app's 400, in Vietnamese
    browser.get(server + "/?from=31/02/2021")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Lỗi 400"
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "Ngày không hợp lệ" in main and "Từ ngày" in main and "31/02/2021" in main
    r = requests.get(f"{server}/api/search", params={"from": "2021-01-01", "to": "2020-01-01"},
                     timeout=30)
    assert r.status_code == 400 and "Khoảng ngày không hợp lệ" in r.json()["error"]


def test_signer_facet_and_filter(browser, server, archive):
    from selenium.webdriver.common.by import By

    browser.get(server + "/")
    facet = browser.find_element(By.CSS_SELECTOR, "section.facet[data-facet=signer]")
    assert facet.find_element(By.TAG_NAME, "h3").text.lower() == "người ký"
    counts = dict(_sql(archive, "SELECT signer_name, count(*) FROM documents "
                                "WHERE signer_name IS NOT NULL GROUP BY signer_name"))
    link = facet.find_element(By.CSS_SELECTOR, "li a")
    name = link.text
    n = int(link.find_element(By.XPATH, "../span[@class='count']").text)
    assert counts[name] == n == max(counts.values())  # most documents first
    navigate(browser, link.click)
    assert "signer=" in browser.current_url
    ids = {i for i, _ in _hits(browser)}
    assert ids == {i for (i,) in _sql(archive, "SELECT id FROM documents WHERE signer_name = ?",
                                      name)}
    assert f"Người ký: {name}" in browser.find_element(By.CSS_SELECTOR, "p.active-filters").text


def test_unknown_year_entry_and_title_only(browser, server, archive):
    from selenium.webdriver.common.by import By

    browser.get(server + "/")
    unknown = browser.find_element(By.CSS_SELECTOR,
                                   "section.facet[data-facet=year] a[data-value=unknown]")
    assert unknown.text == "Không rõ năm"
    undated = {i for (i,) in _sql(archive, "SELECT id FROM documents WHERE year IS NULL")}
    assert int(unknown.find_element(By.XPATH, "../span[@class='count']").text) == len(undated)
    navigate(browser, unknown.click)
    hits = _hits(browser)
    assert {i for i, _ in hits} == undated and all(not d for _, d in hits)
    assert "Năm: không rõ" in browser.find_element(By.CSS_SELECTOR, "p.active-filters").text
    # title only: every result has the words in its trích yếu, fewer than in the text
    everywhere, _ = _api_all(server, q="bình đẳng giới")
    in_title, _ = _api_all(server, q="bình đẳng giới", title_only="1")
    assert 0 < len(in_title) < len(everywhere)
    words = _fold("bình đẳng giới")
    assert all(words <= _fold(r["title"] or "") for r in in_title)
    titled = {i for (i, t) in _sql(archive, "SELECT id, title FROM documents")
              if t and words <= _fold(t)}
    assert {r["id"] for r in in_title} == titled
    browser.get(server + "/?q=b%C3%ACnh+%C4%91%E1%BA%B3ng+gi%E1%BB%9Bi&title_only=1")
    assert browser.find_element(By.NAME, "title_only").is_selected()
    assert {i for i, _ in _hits(browser)} == titled


def test_accents_ignored_notice(browser, server):
    from selenium.webdriver.common.by import By

    data = requests.get(f"{server}/api/search", params={"q": "bính đẳng giới"}, timeout=30).json()
    assert data.get("accents_ignored") is True and data["total"] > 0
    browser.get(server + "/?q=" + quote("bính đẳng giới"))
    notice = browser.find_element(By.CSS_SELECTOR, "p.accents-ignored").text
    assert notice == "Không có kết quả đúng dấu đã gõ; kết quả dưới đây bỏ qua dấu."
    browser.get(server + "/?q=" + quote("bình đẳng giới"))
    assert not browser.find_elements(By.CSS_SELECTOR, "p.accents-ignored")


# ---- downloads -------------------------------------------------------------------------

def test_downloads_original_and_text(browser, server, archive):
    from selenium.webdriver.common.by import By

    dispositions = {}
    for name, ctype in ((KH580, "text/plain; charset=utf-8"), ("cd_2003_vpcp_2025.pdf",
                                                                  "application/pdf"),
                        ("bc_dt-da06-t08_bcd-lamdong_2025.docx",
                         "application/vnd.openxmlformats-officedocument.wordprocessingml"
                         ".document"),
                        (VIETNAMESE_NAME, "text/plain; charset=utf-8")):
        doc = _doc_id(archive, name)
        browser.get(f"{server}/doc/{doc}")
        link = browser.find_element(By.CSS_SELECTOR, "dd.downloads a.download-original")
        assert link.text == "Bản gốc"
        r = requests.get(link.get_attribute("href"), timeout=30)
        assert r.status_code == 200
        assert r.content == (archive["docs"] / name).read_bytes()
        assert r.headers["content-type"] == ctype
        cd = dispositions[name] = r.headers["content-disposition"]
        assert cd.startswith("attachment; ") and cd.isascii()
        assert f"filename*=UTF-8''{quote(name, safe='')}" in cd
        text = browser.find_element(By.CSS_SELECTOR, "dd.downloads a.download-text")
        r = requests.get(text.get_attribute("href"), timeout=30)
        assert r.status_code == 200 and r.headers["content-type"] == "text/plain; charset=utf-8"
        stored = _sql(archive, "SELECT text FROM texts WHERE doc_id = ?", doc)[0][0]
        assert r.content.decode("utf-8") == stored
        stem = Path(name).stem
        assert f"filename*=UTF-8''{quote(stem, safe='')}.chuan-hoa.txt" in \
            r.headers["content-disposition"]
    # RFC 5987: the exact Vietnamese name in filename*, a plain ASCII one in filename
    assert dispositions[VIETNAMESE_NAME] == (
        'attachment; filename="Quyet_dinh_thu_nghiem_so_9__ban_chup_.txt"; '
        "filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20th%E1%BB%AD%20nghi%E1%BB%87m"
        "%20s%E1%BB%91%209%20%28b%E1%BA%A3n%20ch%E1%BB%A5p%29.txt")


def test_original_no_longer_there_is_a_vietnamese_404(browser, server, archive, tmp_path):
    from selenium.webdriver.common.by import By

    doc = _doc_id(archive, GONE)
    src = archive["docs"] / GONE
    moved = tmp_path / GONE
    shutil.move(src, moved)
    try:
        browser.get(f"{server}/doc/{doc}/original")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Lỗi 404"
        main = browser.find_element(By.TAG_NAME, "main").text
        assert "Tệp gốc không còn ở đường dẫn" in main and GONE in main
        # the normalised text is still there
        assert requests.get(f"{server}/doc/{doc}/text", timeout=30).status_code == 200
        # a file put back with other bytes is not the original any more
        src.write_text(SMALL.format(n=11), "utf-8")
        r = requests.get(f"{server}/doc/{doc}/original", timeout=30)
        assert r.status_code == 404 and "đã thay đổi sau khi lập chỉ mục" in r.text
    finally:
        src.unlink(missing_ok=True)
        shutil.move(moved, src)
    assert requests.get(f"{server}/doc/{doc}/original", timeout=30).status_code == 200


def test_original_only_from_inside_the_roots(archive, tmp_path):
    """Outside the configured folders nothing is served: a root elsewhere, or a link in
    the folder to a file outside it put where a document was."""
    doc = _doc_id(archive, KH580)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    c = TestClient(create_app(Settings(db=archive["db"], roots=(elsewhere,))),
                   base_url="http://127.0.0.1")
    r = c.get(f"/doc/{doc}/original")
    assert r.status_code == 403 and "nằm ngoài các thư mục" in r.text
    assert "content-disposition" not in r.headers
    c = TestClient(create_app(Settings(db=archive["db"], roots=(archive["docs"],))),
                   base_url="http://127.0.0.1")
    src = archive["docs"] / GONE
    secret = tmp_path / "secret.txt"
    secret.write_bytes(src.read_bytes())  # same bytes, outside the folder
    moved = tmp_path / "kept.txt"
    shutil.move(src, moved)
    src.symlink_to(secret)
    try:
        r = c.get(f"/doc/{_doc_id(archive, GONE)}/original")
        assert r.status_code == 403 and r.content != secret.read_bytes()
    finally:
        src.unlink()
        shutil.move(moved, src)
    for bad, status in (("/doc/99999/original", 404), ("/doc/abc/original", 400),
                        ("/doc/99999/text", 404), ("/doc/%C2%B2/text", 400)):
        r = c.get(bad)
        assert r.status_code == status, bad
        assert "content-disposition" not in r.headers
        assert ("Không có văn bản số" if status == 404 else "Tham số không hợp lệ") in r.text


# ---- export ----------------------------------------------------------------------------

def _export_links(browser, server, query: str) -> dict[str, str]:
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/?{query}")
    csv_link = browser.find_element(By.CSS_SELECTOR, "p.export a.export-csv")
    xlsx_link = browser.find_element(By.CSS_SELECTOR, "p.export a.export-xlsx")
    assert (csv_link.text, xlsx_link.text) == ("Tải CSV", "Tải Excel")
    return {"csv": csv_link.get_attribute("href"), "xlsx": xlsx_link.get_attribute("href")}


def _expected_rows(archive, results: list[dict]) -> list[list[str]]:
    signers = dict(_sql(archive, "SELECT id, signer_name FROM documents"))
    return [[r["symbol"] or "", labels.doc_type(r["doc_type"]), r["issuer"] or "",
             labels.vn_date(r["date"], ""), r["title"] or "", signers[r["id"]] or "",
             r["path"]] for r in results]


def test_export_csv_and_xlsx_hold_every_result(browser, server, archive):
    from openpyxl import load_workbook

    links = _export_links(browser, server, "q=&doc_type=&sort=date_asc")  # every document
    assert "sort=date_asc" in links["csv"]
    results, data = _api_all(server, sort="date_asc")
    assert data["total"] > 20  # more than one page: the export holds them all
    expected = _expected_rows(archive, results)

    r = requests.get(links["csv"], timeout=60)
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == (
        "attachment; filename=\"ket-qua-tim-kiem.csv\"; filename*=UTF-8''ket-qua-tim-kiem.csv")
    assert r.content.startswith(b"\xef\xbb\xbf")  # Excel reads the Vietnamese right
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))
    assert rows[0] == COLUMNS
    assert rows[1:] == expected

    r = requests.get(links["xlsx"], timeout=60)
    assert r.status_code == 200
    assert r.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "filename*=UTF-8''ket-qua-tim-kiem.xlsx" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["Kết quả tìm kiếm"]
    got = [list(row) for row in ws.iter_rows(values_only=True)]
    assert got[0] == COLUMNS
    assert len(got) - 1 == data["total"]
    for row, want, res in zip(got[1:], expected, results, strict=True):
        day = row[3]
        if res["date"]:
            assert isinstance(day, dt.datetime) and day.date().isoformat() == res["date"]
        else:
            assert day is None
        assert [c or "" for i, c in enumerate(row) if i != 3] == \
            [c for i, c in enumerate(want) if i != 3]
    assert ws["D2"].number_format == "dd/mm/yyyy"
    info = dict(wb["Điều kiện tìm kiếm"].iter_rows(values_only=True))
    assert info["Từ khóa"] == "(không có: mọi văn bản)" and info["Sắp xếp"] == "Cũ nhất"
    assert info["Số văn bản khớp"] == info["Số văn bản trong tệp"] == data["total"]
    assert "Ghi chú" not in info


def test_export_is_cut_at_the_cap_and_says_so(browser, server, archive, monkeypatch):
    from openpyxl import load_workbook
    from selenium.webdriver.common.by import By

    monkeypatch.setattr(search_mod, "EXPORT_MAX", 5)
    monkeypatch.setattr(export_mod, "EXPORT_MAX", 5)
    links = _export_links(browser, server, "from=2020-01-01&to=2020-12-31&sort=date_desc")
    note = browser.find_element(By.CSS_SELECTOR, "p.export .export-cut").text
    total = int(browser.find_element(By.CSS_SELECTOR, "p.total").get_attribute("data-total"))
    assert total > 5 and note == f"(chỉ 5 văn bản đầu tiên theo thứ tự đang xếp trong {total} " \
                                 "văn bản)"
    results, _ = _api_all(server, sort="date_desc", **{"from": "2020-01-01", "to": "2020-12-31"})
    rows = list(csv.reader(io.StringIO(requests.get(links["csv"], timeout=60)
                                       .content.decode("utf-8-sig"), newline="")))
    assert rows[1:] == _expected_rows(archive, results[:5])
    wb = load_workbook(io.BytesIO(requests.get(links["xlsx"], timeout=60).content))
    assert wb["Kết quả tìm kiếm"].max_row == 6
    info = dict(wb["Điều kiện tìm kiếm"].iter_rows(values_only=True))
    assert info["Số văn bản khớp"] == total and info["Số văn bản trong tệp"] == 5
    assert info["Ghi chú"].startswith("Chỉ xuất 5 văn bản đầu tiên")
    assert info["Từ ngày"] == "01/01/2020" and info["Sắp xếp"] == "Mới nhất"


# ---- the document page -----------------------------------------------------------------

def test_document_page_says_findings_and_recurrences_in_vietnamese(browser, server, archive):
    from selenium.webdriver.common.by import By

    kh580 = _doc_id(archive, KH580)
    kinds = {k for (k,) in _sql(archive, "SELECT kind FROM findings WHERE doc_id = ?", kh580)}
    assert {"date_typo", "invalid_date"} <= kinds
    browser.get(f"{server}/doc/{kh580}")
    items = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "ul.findings li")]
    labels_shown = {t.split(":", 1)[0] for t in items}
    assert labels_shown == {labels.FINDING[k] for k in kinds}
    assert "Ngày viết sai quy cách: “22/72016”, có thể là ngày 22/07/2016" in items
    assert "Ngày không có thật: “24/15/2015”: không có tháng 15" in items
    body = browser.find_element(By.ID, "findings").text
    assert not ENGLISH.search(body), ENGLISH.findall(body)

    annual = _sql(archive, "SELECT doc_id, count(*) FROM tasks WHERE recurrence = 'annual' "
                           "GROUP BY doc_id ORDER BY count(*) DESC LIMIT 1")
    assert annual, "the corpus has a yearly duty"
    doc, n = annual[0]
    browser.get(f"{server}/doc/{doc}")
    recs = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "table.duties td.due .rec")]
    assert recs.count("hằng năm") == n and "annual" not in recs
    duties = browser.find_element(By.ID, "duties").text
    assert not ENGLISH.search(duties), ENGLISH.findall(duties)


def test_duty_text_column_is_the_wide_one(browser, server, archive):
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/doc/{_doc_id(archive, KH580)}")
    table = browser.find_element(By.CSS_SELECTOR, "table.duties")
    head = table.find_elements(By.CSS_SELECTOR, "thead th")
    widths = {th.text: th.size["width"] for th in head}
    total = table.size["width"]
    assert widths["Nhiệm vụ"] >= 0.45 * total, widths
    for narrow in ("Chủ trì", "Phối hợp", "Thời hạn"):
        assert widths[narrow] < widths["Nhiệm vụ"] / 2, widths
    browser.execute_script("arguments[0].scrollIntoView()", table)
    browser.save_screenshot(str(ARTIFACTS / "web-duties.png"))


def test_each_cited_document_is_listed_once(browser, server, archive):
    from selenium.webdriver.common.by import By

    browser.get_log("browser")  # drain earlier tests' entries (their 400 and 404 pages)
    doc = _doc_id(archive, TT118)
    refs = _sql(archive, "SELECT symbol, text FROM refs WHERE doc_id = ?", doc)
    browser.get(f"{server}/doc/{doc}")
    items = browser.find_elements(By.CSS_SELECTOR, "#references li.cited")
    heading = browser.find_element(By.CSS_SELECTOR, "#references h2").text
    assert heading == f"Văn bản được trích dẫn ({len(items)})"
    toc = browser.find_element(By.CSS_SELECTOR, "nav.toc a[href='#references']").text
    assert toc == heading
    mentions = [int(li.get_attribute("data-mentions")) for li in items]
    assert sum(mentions) == len(refs) > len(items)  # every mention counted, once each
    texts = [li.text for li in items]
    nd152 = [t for t in texts if "152/2025/NĐ-CP" in t]
    n152 = sum(1 for s, _ in refs if s and "152/2025" in s)
    assert len(nd152) == 1 and nd152[0].endswith(f"— {n152} lần nhắc đến") and n152 > 1
    # "Luật Thi đua, khen thưởng", "… ngày 15 tháng 6 năm 2022", "… ngày 15/6/2022": one law
    law = [t for t in texts if t.startswith("Luật Thi đua, khen thưởng")]
    n_law = sum(1 for _, t in refs if t.startswith("Luật Thi đua, khen thưởng"))
    assert len(law) == 1 and law[0].endswith(f"— {n_law} lần nhắc đến")
    # each symbol once in the list
    symbols = [m.group(0) for t in texts for m in [re.search(r"\d+/\d{4}/[A-ZĐ-]+", t)] if m]
    assert len(symbols) == len(set(symbols))
    # the count links to the first mention in the text
    first = items[0].find_element(By.CSS_SELECTOR, ".mentions a")
    target = first.get_attribute("href").split("#", 1)[1]
    assert browser.find_element(By.ID, target).tag_name == "a"
    browser.execute_script("arguments[0].scrollIntoView()",
                           browser.find_element(By.ID, "references"))
    browser.save_screenshot(str(ARTIFACTS / "web-cited.png"))
    _no_severe(browser)
