"""`vanban serve`: the read-only web app over a real index of the corpus.

HTTP-level checks use Starlette's TestClient against the real app and a real SQLite index;
the browser test drives Debian's headless Chromium through chromedriver against a real
uvicorn server and saves screenshots under tests/artifacts/ (`make test` installs
Chromium and sets VANBAN_REQUIRE_BROWSER=1, so there it fails instead of skipping).
"""
from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from pipeline.index.ingest import index_paths
from pipeline.index.sqlite.store import connect
from pipeline.web.app import Settings, create_app

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
REPORTS = ROOT / "tests" / "fixtures" / "reports"
ARTIFACTS = ROOT / "tests" / "artifacts"
SCANNED = {"kh_996_tctlntw-c04-bca_2026.pdf", "cv_5240_bca-v01_2025.pdf"}
HOSTILE = """ỦY BAN NHÂN DÂN                CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH HẢI DƯƠNG                     Độc lập - Tự do - Hạnh phúc
Số: 77/KH-UBND                     Hải Dương, ngày 5 tháng 3 năm 2021

KẾ HOẠCH
Thử nghiệm <script>alert('xss')</script> "><img src=x onerror=alert(1)>

Căn cứ Kế hoạch số 580/KH-UBND ngày 02/3/2020 của UBND tỉnh Hải Dương;
1. Sở Tư pháp chủ trì tuyên truyền <b>bình đẳng giới</b> <iframe src="javascript:alert(2)">, hoàn thành trước ngày 30/6/2021.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, Path]:
    """An index of the text-layer corpus, the KH 580 reports and one hostile plan; a gap
    report folder with KH 580's report."""
    root = tmp_path_factory.mktemp("web")
    docs = root / "docs"
    docs.mkdir()
    for p in sorted(CORPUS.iterdir()):
        if p.suffix in (".txt", ".docx", ".doc", ".pdf") and p.name not in SCANNED:
            shutil.copy2(p, docs / p.name)
    for p in sorted(REPORTS.iterdir()):
        shutil.copy2(p, docs / p.name)
    (docs / "kh_77_hostile_2021.txt").write_text(HOSTILE, "utf-8")
    db = root / "index.db"
    summary = index_paths([docs], db)
    assert not summary.failed, summary.failed
    gaps = root / "gaps"
    gaps.mkdir()
    (gaps / "kh_580_ubnd-haiduong_2020.html").write_text(
        "<!doctype html><meta charset=utf-8><title>KH 580</title><h1>Rà soát</h1>", "utf-8")
    return db, gaps


@pytest.fixture(scope="module")
def client(site) -> TestClient:
    db, gaps = site
    return TestClient(create_app(Settings(db=db, gaps=gaps)), base_url="http://127.0.0.1")


def _doc_id(db: Path, name: str) -> int:
    c = connect(db, readonly=True)
    try:
        return c.execute("SELECT id FROM documents WHERE path LIKE ?", (f"%{name}",)).fetchone()[0]
    finally:
        c.close()


@pytest.mark.parametrize("q", ["binh dang gioi", "bình đẳng giới"])
def test_search_page_finds_kh580_first(client, q):
    r = client.get("/", params={"q": q})
    assert r.status_code == 200
    first = re.search(r'<li class="hit"[^>]*>\s*<a class="title" href="/doc/(\d+)">([^<]*)<', r.text)
    assert first and "580/KH-UBND" in first.group(2)
    assert "<mark>" in r.text
    assert r.headers["content-security-policy"].startswith("default-src 'none'")
    assert "script-src" not in r.headers["content-security-policy"]


def test_facet_counts_match_sql(client, site):
    r = client.get("/api/search", params={"q": "ke hoach"})
    data = r.json()
    assert data["schema"] == "vanban.search/1"
    c = connect(site[0], readonly=True)
    by_type = dict(c.execute("SELECT d.doc_type, count(*) FROM documents d WHERE d.id IN "
                             "(SELECT rowid FROM fts_fold WHERE fts_fold MATCH 'ke AND hoach') "
                             "AND d.doc_type IS NOT NULL GROUP BY d.doc_type"))
    c.close()
    assert data["facets"]["doc_type"] == by_type
    page = client.get("/", params={"q": "ke hoach"}).text
    for abbr, n in by_type.items():
        assert re.search(rf'data-value="{abbr}">[^<]*</a> <span class="count">{n}</span>', page)


def test_filter_links_narrow_the_results(client):
    page = client.get("/", params={"q": "ke hoach", "doc_type": "KH"}).text
    total = int(re.search(r'data-total="(\d+)"', page).group(1))
    assert total >= 2
    assert "Đang lọc" in page
    api = client.get("/api/search", params={"q": "ke hoach", "doc_type": "KH"}).json()
    assert {r["doc_type"] for r in api["results"]} == {"KH"} and api["total"] == total


def test_document_page_marks_facts_by_span(client, site):
    kh580 = _doc_id(site[0], "kh_580_ubnd-haiduong_2020.txt")
    r = client.get(f"/doc/{kh580}")
    assert r.status_code == 200
    html = r.text
    assert html.count('class="duty-row"') >= 25  # the duties table
    assert 'id="duty-1"' in html and 'class="duty"' in html  # duty spans in the text
    # the 1696/QĐ-TTg reference is a link to who cites it (not held here)
    assert re.search(r'<a class="ref[^"]*" href="/cited-by\?symbol=1696%2FQ%C4%90-TTg"', html)
    assert '<mark class="date"' in html
    # reports in the index cite KH 580: "what cites it" links to them
    cited = html.split('id="cited-by"')[1]
    assert cited.count('<a href="/doc/') >= 3
    assert 'href="/gaps/kh_580_ubnd-haiduong_2020.html"' in html


def test_citation_page_and_held_links(client, site):
    r = client.get("/cited-by", params={"symbol": "quyet dinh 1696"})
    assert r.status_code == 200 and "580/KH-UBND" in r.text
    r = client.get("/api/cited-by", params={"symbol": "1696/qd-ttg"}).json()
    assert r["schema"] == "vanban.citedby/1"
    assert [c["symbol"] for c in r["cited_by"]] == ["580/KH-UBND"]
    # a report cites KH 580, which is held: its page links straight to it
    report = _doc_id(site[0], "bc_198_snv-haiduong_2020.txt")
    kh580 = _doc_id(site[0], "kh_580_ubnd-haiduong_2020.txt")
    html = client.get(f"/doc/{report}").text
    assert f'class="ref held" href="/doc/{kh580}"' in html


def test_hostile_document_is_escaped(client, site):
    hostile = _doc_id(site[0], "kh_77_hostile_2021.txt")
    for page in (client.get(f"/doc/{hostile}").text,
                 client.get("/", params={"q": "thu nghiem script"}).text,
                 client.get("/", params={"q": "<script>alert(1)</script>"}).text):
        assert "<script" not in page and "<img" not in page and "<iframe" not in page
        assert "<b>" not in page
    assert "&lt;script&gt;" in client.get(f"/doc/{hostile}").text


def test_read_only_and_guarded(client, site):
    for method in ("post", "put", "delete", "patch"):
        assert getattr(client, method)("/").status_code == 405
    assert client.post("/api/search").status_code == 405
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    assert client.get("/gaps/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get("/gaps/nothing.html").status_code == 404
    g = client.get("/gaps/kh_580_ubnd-haiduong_2020.html")
    assert g.status_code == 200 and "script-src" not in g.headers["content-security-policy"]
    assert client.get("/doc/999999").status_code == 404
    assert client.get("/?page=99999999999&year=abc").status_code == 200
    # the database file is opened read-only: nothing the app does can write it
    before = site[0].stat().st_mtime_ns
    client.get("/", params={"q": "bình đẳng giới"})
    assert site[0].stat().st_mtime_ns == before


def test_token(site):
    db, gaps = site
    app = create_app(Settings(db=db, gaps=gaps, token="s3cret"))
    c = TestClient(app, base_url="http://127.0.0.1")
    assert c.get("/").status_code == 401
    assert c.get("/", headers={"authorization": "Bearer wrong"}).status_code == 401
    assert c.get("/", headers={"authorization": "Bearer s3cret"}).status_code == 200
    r = c.get("/", params={"token": "s3cret"})
    assert r.status_code == 200 and "HttpOnly" in r.headers["set-cookie"]
    assert c.get("/api/search").status_code == 200  # the cookie now carries it


# ---- the browser test --------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(site):
    import uvicorn

    db, gaps = site
    port = _free_port()
    config = uvicorn.Config(create_app(Settings(db=db, gaps=gaps)), host="127.0.0.1",
                            port=port, log_level="warning")
    srv = uvicorn.Server(config)
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    t.join(10)


def _navigate(browser, action) -> None:
    """Do ``action`` (a click, a submit) and wait until the next page has replaced this
    one: looking up an element at once could still find the old page, or none."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    old = browser.find_element(By.TAG_NAME, "html")
    action()
    WebDriverWait(browser, 30).until(ec.staleness_of(old))


def test_browser_search_open_follow(browser, server, site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    ARTIFACTS.mkdir(exist_ok=True)
    browser.get(server + "/")
    box = browser.find_element(By.NAME, "q")
    _navigate(browser, lambda: box.send_keys("bình đẳng giới", Keys.ENTER))
    first = browser.find_element(By.CSS_SELECTOR, "li.hit a.title")
    assert "580/KH-UBND" in first.text
    facets = browser.find_elements(By.CSS_SELECTOR, "section.facet li")
    assert facets, "facet counts are shown"
    browser.save_screenshot(str(ARTIFACTS / "web-search.png"))

    _navigate(browser, first.click)  # open the document
    assert "580/KH-UBND" in browser.find_element(By.TAG_NAME, "h1").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "tr.duty-row")) >= 25
    assert browser.find_elements(By.CSS_SELECTOR, "#text span.duty")
    browser.save_screenshot(str(ARTIFACTS / "web-document.png"))

    # follow a citation out: the 1696/QĐ-TTg reference in the text
    ref = next(a for a in browser.find_elements(By.CSS_SELECTOR, "#text a.ref")
               if "1696" in a.text)
    _navigate(browser, ref.click)
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.citer")
    assert any("580/KH-UBND" in r.text for r in rows)
    browser.save_screenshot(str(ARTIFACTS / "web-cited-by.png"))

    # and a citation in: a report that cites KH 580 links back to it
    _navigate(browser, rows[0].find_element(By.TAG_NAME, "a").click)
    browser.find_element(By.CSS_SELECTOR, "a[href='#cited-by']").click()
    citer = browser.find_element(By.CSS_SELECTOR, "#cited-by a")
    _navigate(browser, citer.click)
    held = browser.find_elements(By.CSS_SELECTOR, "#text a.ref.held")
    assert held, "the report's reference to KH 580 is a link to the held document"
    _navigate(browser, held[0].click)
    assert "580/KH-UBND" in browser.find_element(By.TAG_NAME, "h1").text
    # the page keeps to its CSP: no console errors
    errors = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
    assert not errors, errors


def test_browser_runs_nothing_from_a_hostile_document(browser, server, site):
    """The document holding <script>, onerror and a javascript: iframe, opened in
    Chromium: no alert, no element made from its text, the text shown as text."""
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    hostile = _doc_id(site[0], "kh_77_hostile_2021.txt")
    for url in (f"{server}/doc/{hostile}", f"{server}/?q=thu+nghiem+script"):
        browser.get(url)
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018 - raises when there is none
        assert not browser.find_elements(By.CSS_SELECTOR, "main script, main img, main iframe")
        assert "<script>alert('xss')</script>" in browser.find_element(By.TAG_NAME, "main").text
    browser.save_screenshot(str(ARTIFACTS / "web-hostile.png"))
