"""`vanban serve`: the read-only web app over a real index of the corpus.

HTTP-level checks use Starlette's TestClient against the real app and a real SQLite index
(the search, document and citation pages also on the same documents in PostgreSQL);
the browser test drives Debian's headless Chromium through chromedriver against a real
uvicorn server and saves screenshots under tests/artifacts/ (`make test` installs
Chromium and sets VANBAN_REQUIRE_BROWSER=1, so there it fails instead of skipping).
"""
from __future__ import annotations

import json
import re
import socket
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from conftest import build_index, copy_text_corpus, index_location, live_server, navigate
from pipeline.index import open_index
from pipeline.index.ingest import index_paths
from pipeline.index.sqlite.store import connect
from pipeline.web.app import Settings, create_app

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
ARTIFACTS = ROOT / "tests" / "artifacts"
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
    copy_text_corpus(docs, reports=True)
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
def served(request, backend, site) -> tuple[Path | str, Path]:
    """What the client serves: the site's SQLite index, or its documents in PostgreSQL."""
    if backend == "sqlite":
        return site
    db, gaps = site
    location = index_location(request, backend, db.parent)
    build_index([db.parent / "docs"], location)
    return location, gaps


@pytest.fixture(scope="module")
def client(served) -> TestClient:
    db, gaps = served
    return TestClient(create_app(Settings(db=db, gaps=gaps)), base_url="http://127.0.0.1")


def _doc_id(db: Path | str, name: str) -> int:
    with open_index(db, readonly=True) as index:
        (doc_id,) = [i for p, i in index.ids(index.stamps()).items() if p.endswith(f"/{name}")]
    return doc_id


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


def test_document_page_marks_facts_by_span(client, served):
    kh580 = _doc_id(served[0], "kh_580_ubnd-haiduong_2020.txt")
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


def test_citation_page_and_held_links(client, served):
    r = client.get("/cited-by", params={"symbol": "quyet dinh 1696"})
    assert r.status_code == 200 and "580/KH-UBND" in r.text
    r = client.get("/api/cited-by", params={"symbol": "1696/qd-ttg"}).json()
    assert r["schema"] == "vanban.citedby/1"
    assert [c["symbol"] for c in r["cited_by"]] == ["580/KH-UBND"]
    # a report cites KH 580, which is held: its page links straight to it
    report = _doc_id(served[0], "bc_198_snv-haiduong_2020.txt")
    kh580 = _doc_id(served[0], "kh_580_ubnd-haiduong_2020.txt")
    html = client.get(f"/doc/{report}").text
    assert f'class="ref held" href="/doc/{kh580}"' in html


def test_hostile_document_is_escaped(client, served):
    hostile = _doc_id(served[0], "kh_77_hostile_2021.txt")
    for page in (client.get(f"/doc/{hostile}").text,
                 client.get("/", params={"q": "thu nghiem script"}).text,
                 client.get("/", params={"q": "<script>alert(1)</script>"}).text):
        assert "<script" not in page and "<img" not in page and "<iframe" not in page
        assert "<b>" not in page
    assert "&lt;script&gt;" in client.get(f"/doc/{hostile}").text


def test_read_only_and_guarded(client, site, backend):
    for method in ("post", "put", "delete", "patch"):
        assert getattr(client, method)("/").status_code == 405
    assert client.post("/api/search").status_code == 405
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    assert client.get("/gaps/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get("/gaps/nothing.html").status_code == 404
    g = client.get("/gaps/kh_580_ubnd-haiduong_2020.html")
    assert g.status_code == 200 and "script-src" not in g.headers["content-security-policy"]
    assert client.get("/doc/999999").status_code == 404
    assert client.get("/?page=99999999999&year=abc").status_code == 400
    if backend == "sqlite":  # the database file is opened read-only: nothing can write it
        before = site[0].stat().st_mtime_ns
        client.get("/", params={"q": "bình đẳng giới"})
        assert site[0].stat().st_mtime_ns == before


def test_token(site):
    db, gaps = site
    app = create_app(Settings(db=db, gaps=gaps, token="s3cret"))
    c = TestClient(app, base_url="http://127.0.0.1")
    assert c.get("/").status_code == 401
    assert c.get("/", headers={"authorization": "Bearer wrong"}).status_code == 403
    assert c.get("/", headers={"authorization": "Bearer s3cret"}).status_code == 200
    r = c.get("/", params={"token": "s3cret"})
    assert r.status_code == 200 and "HttpOnly" in r.headers["set-cookie"]
    assert c.get("/api/search").status_code == 200  # the cookie now carries it


# ---- hostile requests: every error is Vietnamese, guarded, never a 500 ----------------

SECURITY = ("content-security-policy", "x-content-type-options", "referrer-policy",
            "x-frame-options")
ENGLISH = ("Invalid", "Internal Server Error", "Not Found", "Method Not Allowed",
           "Bad Request", "Traceback", "required")


def _guarded(r) -> None:
    missing = [h for h in SECURITY if h not in r.headers]
    assert not missing, (r.status_code, r.url, missing)
    assert r.headers["content-security-policy"].startswith("default-src 'none'")
    assert not any(w in r.text for w in ENGLISH), r.text[:300]


BAD = [  # (method, url, headers, status, text in the answer)
    ("get", "/doc/9223372036854775808", {}, 400, "Tham số không hợp lệ: doc_id"),
    ("get", "/doc/99999999999999999999999999", {}, 400, "Tham số không hợp lệ: doc_id"),
    ("get", "/doc/-1", {}, 400, "Tham số không hợp lệ: doc_id"),
    ("get", "/doc/%C2%B2", {}, 400, "Tham số không hợp lệ: doc_id"),
    ("get", "/?page=%C2%B2", {}, 400, "Tham số không hợp lệ: page"),
    ("get", "/?page=%D9%A3", {}, 400, "Tham số không hợp lệ: page"),
    ("get", "/?page=0", {}, 400, "Tham số không hợp lệ: page"),
    ("get", "/?page=99999999999999999999", {}, 400, "Tham số không hợp lệ: page"),
    ("get", "/?year=%D9%A2%D9%A0%D9%A2%D9%A0", {}, 400, "Tham số không hợp lệ: year"),
    ("get", "/?year=99999999999999999999", {}, 400, "Tham số không hợp lệ: year"),
    ("get", "/?year=abc", {}, 400, "Tham số không hợp lệ: year"),
    ("get", "/api/search?page=%C2%B2", {}, 400, "Tham số không hợp lệ: page"),
    ("get", "/api/search?year=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%90", {}, 400,
     "Tham số không hợp lệ: year"),
    ("get", "/api/cited-by", {}, 400, "Cần nhập số, ký hiệu"),
    ("get", "/cited-by", {}, 400, "Cần nhập số, ký hiệu"),
    ("get", "/doc/999999", {}, 404, "Không có văn bản số 999999"),
    ("get", "/nothing/here", {}, 404, "Không tìm thấy trang này"),
    ("get", "/static/nothing.css", {}, 404, "Không tìm thấy trang này"),
    ("post", "/", {}, 405, "Chỉ đọc"),
    ("delete", "/api/search", {}, 405, "Chỉ đọc"),
    ("get", "/", {"host": "evil.example"}, 400, "Tên máy (Host) không được phục vụ"),
    ("get", "/static", {"host": "evil.example"}, 400, "Tên máy (Host) không được phục vụ"),
    ("get", "/", {"host": "127.0.0.1.evil.example"}, 400, "Tên máy (Host)"),
]


@pytest.mark.parametrize(("method", "url", "headers", "status", "text"), BAD,
                         ids=[f"{m} {u} {h.get('host', '')}" for m, u, h, *_ in BAD])
def test_bad_requests_answer_in_vietnamese_with_headers(site, method, url, headers, status,
                                                        text):
    db, gaps = site
    c = TestClient(create_app(Settings(db=db, gaps=gaps)), base_url="http://127.0.0.1",
                   raise_server_exceptions=False)
    r = getattr(c, method)(url, headers=headers, follow_redirects=False)
    assert r.status_code == status, r.text[:300]
    assert text in (r.json()["error"] if url.startswith("/api/") else r.text)
    _guarded(r)


def test_good_integers_still_work(client):
    assert client.get("/?page=2&year=2020").status_code == 200
    assert client.get("/?page=&year=").status_code == 200  # empty form fields: no filter
    assert client.get("/api/search", params={"year": "2020"}).json()["total"] >= 1


def test_server_error_and_redirect_are_guarded(site):
    db, gaps = site
    app = create_app(Settings(db=db, gaps=gaps))
    c = TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False)

    class Broken:
        async def run(self, *a):
            raise RuntimeError("disk on fire")

    app.state.vanban.index = Broken()
    r = c.get("/", params={"q": "x"})
    assert r.status_code == 500 and "Lỗi máy chủ" in r.text and "fire" not in r.text
    _guarded(r)
    # Starlette's slash redirect: guarded, and its Location never names a host
    r = c.get("/static", follow_redirects=False)
    assert r.status_code in (301, 307, 308)
    assert r.headers["location"] == "/static/"
    _guarded(r)


@pytest.mark.parametrize(("token", "kw", "status"), [
    ("s3cret", {}, 401),
    ("s3cret", {"params": {"token": "é"}}, 403),
    ("s3cret", {"headers": {"authorization": "Bearer é".encode()}}, 403),
    ("s3cret", {"headers": {"authorization": b"Bearer \xff\xfe"}}, 403),
    ("s3cret", {"headers": {"cookie": "vanban_token=%C3%A9"}}, 401),
    ("mật-khẩu ñ", {}, 401),
    ("mật-khẩu ñ", {"params": {"token": "mật-khẩu ñ"}}, 200),
    ("mật-khẩu ñ", {"headers": {"authorization": "Bearer mật-khẩu ñ".encode()}}, 200),
    ("mật-khẩu ñ", {"params": {"token": "mat-khau n"}}, 403),
])
def test_tokens_of_any_alphabet(site, token, kw, status):
    db, gaps = site
    c = TestClient(create_app(Settings(db=db, gaps=gaps, token=token)),
                   base_url="http://127.0.0.1", raise_server_exceptions=False)
    r = c.get("/", **kw)
    assert r.status_code == status, r.text[:200]
    _guarded(r)
    if status == 401:
        assert "Cần mã truy cập" in r.text
    if status == 403:
        assert "Mã truy cập không đúng" in r.text
    if "params" in kw and status == 200:  # the cookie it set lets the next request in
        assert "HttpOnly" in r.headers["set-cookie"]
        assert c.get("/api/search").status_code == 200


# ---- `vanban serve` and `vanban search` from the command line -----------------------

def _serve(monkeypatch, *args, env: dict | None = None):
    """Run ``vanban serve ARGS`` up to uvicorn; the app it would serve, and the result."""
    import uvicorn
    from click.testing import CliRunner

    from flows.cli.index import serve_cmd

    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(app=app, **kw))
    res = CliRunner().invoke(serve_cmd, list(args), env=env or {})
    return served.get("app"), res


@pytest.mark.parametrize(("args", "env", "ok", "refused"), [
    (["--host", "127.0.0.1"], {},
     ["127.0.0.1", "127.0.0.1:8765", "localhost", "LOCALHOST:1", "[::1]:8765"],
     ["evil.example", socket.gethostname() + ".evil.example", "0.0.0.0", ""]),
    (["--host", "0.0.0.0"], {},
     ["127.0.0.1:8765", "localhost", socket.gethostname(), socket.gethostname() + ":80"],
     ["evil.example", "0.0.0.0", "archive.example"]),
    (["--host", "0.0.0.0", "--allow-host", "archive.example", "--allow-host", "10.0.0.5"],
     {}, ["archive.example", "ARCHIVE.example:8443", "10.0.0.5:8765", "localhost"],
     ["evil.example", "sub.archive.example"]),
    (["--host", "::"], {"VANBAN_ALLOW_HOSTS": "a.example, b.example"},
     ["a.example", "b.example:80", "[::1]"], ["c.example", "a.example.evil"]),
    (["--host", "192.168.1.7"], {}, ["192.168.1.7:8765", "localhost"], ["evil.example"]),
])
def test_serve_host_check_is_always_on(site, monkeypatch, args, env, ok, refused):
    db, _ = site
    app, res = _serve(monkeypatch, "--db", str(db), "--token", "t", *args, env=env)
    assert res.exit_code == 0, res.output
    c = TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False)
    for host in ok:
        r = c.get("/healthz", headers={"host": host, "authorization": "Bearer t"})
        assert r.status_code == 200, host
    for host in refused:
        r = c.get("/static", headers={"host": host, "authorization": "Bearer t"},
                  follow_redirects=False)
        assert r.status_code == 400, host
        assert "Tên máy (Host) không được phục vụ" in r.text and "location" not in r.headers
        _guarded(r)


def test_serve_refuses_a_wildcard_host(site, monkeypatch):
    app, res = _serve(monkeypatch, "--db", str(site[0]), "--allow-host", "*")
    assert app is None and res.exit_code == 2
    assert res.stderr.count("\n") == 1 and "--allow-host" in res.stderr


@pytest.fixture(scope="module")
def not_indexes(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("notindex")
    (root / "notes.txt").write_text("không phải chỉ mục\n", "utf-8")
    (root / "empty.db").write_bytes(b"")
    (root / "folder").mkdir()
    (root / "garbage.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 84)
    return [root / "notes.txt", root / "empty.db", root / "folder", root / "garbage.db"]


@pytest.mark.parametrize("which", range(4), ids=["text", "empty", "directory", "garbage"])
@pytest.mark.parametrize("command", ["serve", "search", "cited-by"])
def test_not_an_index_is_one_line_and_exit_2(monkeypatch, not_indexes, which, command):
    from click.testing import CliRunner

    from flows.cli.index import cited_by_cmd, search_cmd

    path = not_indexes[which]
    before = path.read_bytes() if path.is_file() else None
    if command == "serve":
        app, res = _serve(monkeypatch, "--db", str(path))
        assert app is None
    else:
        cmd = search_cmd if command == "search" else cited_by_cmd
        res = CliRunner().invoke(cmd, ["x", "--db", str(path)])
    assert res.exit_code == 2, res.output
    assert res.stdout == ""
    assert res.stderr.startswith(f"vanban: {path}: không phải chỉ mục vanban (")
    assert res.stderr.count("\n") == 1 and res.stderr.endswith(")\n"), res.stderr
    if before is not None:
        assert path.read_bytes() == before  # looked at, never written
    assert not [p for p in path.parent.iterdir() if p.name.endswith(("-wal", "-shm"))]


def test_db_path_with_uri_characters(tmp_path):
    from click.testing import CliRunner

    from flows.cli.index import index_cmd, search_cmd

    for name in ("a?mode=rw#b", "c%41d", "e#f%3Fg?h"):
        folder = tmp_path / name
        folder.mkdir()
        db = folder / "index.db"
        runner = CliRunner()
        res = runner.invoke(index_cmd, [str(CORPUS / "kh_580_ubnd-haiduong_2020.txt"),
                                        "--db", str(db), "-q"])
        assert res.exit_code == 0, res.output
        res = runner.invoke(search_cmd, ["bình đẳng giới", "--db", str(db), "--json"])
        assert res.exit_code == 0, res.output
        data = json.loads(res.stdout)
        assert [Path(r["path"]).name for r in data["results"]] == ["kh_580_ubnd-haiduong_2020.txt"]
        app = create_app(Settings(db=db))
        r = TestClient(app, base_url="http://127.0.0.1").get("/api/search",
                                                             params={"q": "binh dang gioi"})
        assert r.json()["total"] == 1
    # nothing was opened at the wrong name (the part of the path before ? or #)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["a?mode=rw#b", "c%41d",
                                                                 "e#f%3Fg?h"])


def test_huge_query_is_capped_everywhere(site):
    from click.testing import CliRunner

    from flows.cli.index import search_cmd

    db, gaps = site
    words = " ".join(f"w{i}" for i in range(10_000))
    t = time.perf_counter()
    res = CliRunner().invoke(search_cmd, [words, "--db", str(db), "--json"])
    took = time.perf_counter() - t
    assert res.exit_code == 0, res.output
    assert took < 1.5, took
    assert res.stderr.count("\n") == 1 and "rút gọn" in res.stderr
    data = json.loads(res.stdout)
    assert data["shortened"] is True and data["total"] == 0
    assert len(data["query"].split()) == 32
    # the web page says so in Vietnamese
    c = TestClient(create_app(Settings(db=db, gaps=gaps)), base_url="http://127.0.0.1")
    page = c.get("/", params={"q": " ".join(["bình"] * 40) + " đẳng giới"})
    assert page.status_code == 200 and "đã được rút gọn" in page.text
    assert c.get("/", params={"q": "bình đẳng giới"}).text.count("rút gọn") == 0
    assert c.get("/api/search", params={"q": words}).json()["shortened"] is True


# ---- the browser test --------------------------------------------------------------

@pytest.fixture(scope="module")
def server(site):
    db, gaps = site
    with live_server(create_app(Settings(db=db, gaps=gaps))) as url:
        yield url



def test_browser_search_open_follow(browser, server, site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    ARTIFACTS.mkdir(exist_ok=True)
    browser.get(server + "/")
    box = browser.find_element(By.NAME, "q")
    navigate(browser, lambda: box.send_keys("bình đẳng giới", Keys.ENTER))
    first = browser.find_element(By.CSS_SELECTOR, "li.hit a.title")
    assert "580/KH-UBND" in first.text
    facets = browser.find_elements(By.CSS_SELECTOR, "section.facet li")
    assert facets, "facet counts are shown"
    browser.save_screenshot(str(ARTIFACTS / "web-search.png"))

    navigate(browser, first.click)  # open the document
    assert "580/KH-UBND" in browser.find_element(By.TAG_NAME, "h1").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "tr.duty-row")) >= 25
    assert browser.find_elements(By.CSS_SELECTOR, "#text span.duty")
    browser.save_screenshot(str(ARTIFACTS / "web-document.png"))

    # follow a citation out: the 1696/QĐ-TTg reference in the text
    ref = next(a for a in browser.find_elements(By.CSS_SELECTOR, "#text a.ref")
               if "1696" in a.text)
    navigate(browser, ref.click)
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.citer")
    assert any("580/KH-UBND" in r.text for r in rows)
    browser.save_screenshot(str(ARTIFACTS / "web-cited-by.png"))

    # and a citation in: a report that cites KH 580 links back to it
    navigate(browser, rows[0].find_element(By.TAG_NAME, "a").click)
    browser.find_element(By.CSS_SELECTOR, "a[href='#cited-by']").click()
    citer = browser.find_element(By.CSS_SELECTOR, "#cited-by a")
    navigate(browser, citer.click)
    held = browser.find_elements(By.CSS_SELECTOR, "#text a.ref.held")
    assert held, "the report's reference to KH 580 is a link to the held document"
    navigate(browser, held[0].click)
    assert "580/KH-UBND" in browser.find_element(By.TAG_NAME, "h1").text
    # the page keeps to its CSP: no console errors
    errors = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
    assert not errors, errors


def test_browser_bad_parameter_page(browser, server):
    """A bad parameter in a real browser: a Vietnamese error page, its stylesheet loaded
    under the CSP, no console error but the 400 itself."""
    from selenium.webdriver.common.by import By

    browser.get(server + "/?page=%C2%B2")
    assert "Tham số không hợp lệ: page" in browser.find_element(By.TAG_NAME, "main").text
    assert browser.find_element(By.TAG_NAME, "h1").text == "Lỗi 400"


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
