"""The web app's gap-report pages (issue 20, parts 6 and 7): ``/gaps``, ``/gaps/{name}``
(HTML, XLSX, DOCX; nothing outside the gaps folder), ``/agencies``, ``/agency/{name}`` and
``/find`` (a gap report's quote → the document page at that span).

Over real flow outputs: the extractions, a real SQLite index and two plans checked by the
real :func:`pipeline.reports.archive.check_plan` (KH 580 of Hải Dương against the fixture
reports as of 31/12/2020; the Lâm Đồng drug-control plan against its report as of
31/03/2026), so agencies such as "Công an tỉnh" span plans. HTTP checks with Starlette's
TestClient; the agency pages also in headless Chromium (the ``browser`` fixture).
"""
from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from extractors import extract_json
from conftest import live_server
from pipeline.document import labels
from pipeline.document.collation import vi_key
from pipeline.index.base import store_path
from pipeline.index.ingest import index_paths
from pipeline.index.sqlite.store import connect
from pipeline.outputs import write_json_atomic
from pipeline.readers import read_document, sha256_file
from pipeline.reports.archive import Source, check_plan, save_index
from pipeline.web.app import Settings, create_app
from pipeline.web.guard import CSP, CSP_GAPS

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
REPORTS = ROOT / "tests" / "fixtures" / "reports"
ARTIFACTS = ROOT / "tests" / "artifacts"
KH580 = "kh_580_ubnd-haiduong_2020"
LAMDONG = "kh_dt-tongket-clqg-pcmt_ubnd-lamdong_2025"
LAMDONG_REPORT = "bc_dt-tongket-clqg-pcmt_ubnd-lamdong_2026.docx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ENGLISH = re.compile(r"\b(overdue|pending|done|late|undated|deadline|no_deadline|status|"
                     r"report|reports|agency|agencies|plan|download|none|null|true|false|"
                     r"undefined|error|not found|task|due|stated|period_end|addressed|"
                     r"partial|not_addressed|no_report|coverage)\b", re.IGNORECASE)


# ---- the outputs: what the flow writes for two plans, and the index --------------------

@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict:
    """``<out>/`` as the flow leaves it: extractions, ``index.db`` and ``gaps/``."""
    root = tmp_path_factory.mktemp("webgaps")
    docs, out = root / "docs", root / "out"
    docs.mkdir()
    out.mkdir()
    names = [f"{KH580}.txt", f"{LAMDONG}.doc", LAMDONG_REPORT]
    for n in names:
        shutil.copy2(CORPUS / n, docs / n)
    for p in sorted(REPORTS.glob("*.txt")):
        shutil.copy2(p, docs / p.name)
    sources = {}
    for p in sorted(docs.iterdir()):
        write_json_atomic(out / f"{p.stem}.json", extract_json(read_document(p)))
        sources[p.name] = Source(store_path(p), p.stem, sha256_file(p))
    summary = index_paths([docs], out / "index.db")
    assert not summary.failed, summary.failed
    reports_580 = [sources[p.name] for p in sorted(REPORTS.glob("*.txt"))]
    state = out / ".state"
    entries = {
        sources[f"{KH580}.txt"].path: check_plan(
            sources[f"{KH580}.txt"], reports_580, out, state, "2020-12-31"),
        sources[f"{LAMDONG}.doc"].path: check_plan(
            sources[f"{LAMDONG}.doc"], [sources[LAMDONG_REPORT]], out, state, "2026-03-31")}
    save_index(out, entries)
    gaps = out / "gaps"
    return {"root": root, "out": out, "db": out / "index.db", "gaps": gaps,
            "entries": entries,
            "json": {stem: json.loads((gaps / f"{stem}.json").read_text("utf-8"))
                     for stem in (KH580, LAMDONG)}}


def _client(db: Path, gaps: Path) -> TestClient:
    return TestClient(create_app(Settings(db=db, gaps=gaps)), base_url="http://127.0.0.1",
                      raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client(outputs) -> TestClient:
    return _client(outputs["db"], outputs["gaps"])


def _guarded(r) -> None:
    """Every answer carries a CSP that allows no script, and the other security headers."""
    csp = r.headers.get("content-security-policy", "")
    assert csp.startswith("default-src 'none'") and "script-src" not in csp, (r.url, csp)
    for h in ("x-content-type-options", "referrer-policy", "x-frame-options"):
        assert h in r.headers, (r.url, h)


def _text(html: str) -> str:
    """The words a reader sees in ``<main>``."""
    main = html.split("<main>", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main))).strip()


def _cell(row: str, cls: str) -> str:
    """The words of the ``<td class="cls">`` of a table row."""
    return _text("<main>" + re.search(rf'<td class="{cls}">(.*?)</td>', row, re.S)[1] + "</main>")


def _by_owner(outputs) -> dict[str, Counter]:
    """Each owner's statuses over both plans, counted from the gap reports' JSON."""
    by: dict[str, Counter] = {}
    for g in outputs["json"].values():
        for d in g["duties"]:
            by.setdefault(d["owner"], Counter())[d["status"]] += 1
    return by


# ---- /gaps and its files --------------------------------------------------------------

def test_flow_writes_the_docx_and_names_it(outputs):
    for entry in outputs["entries"].values():
        stem = entry["stem"]
        assert entry["docx"] == f"{stem}.docx"
        assert (outputs["gaps"] / entry["docx"]).read_bytes()[:2] == b"PK"
        assert entry["html"] == f"{stem}.html" and entry["xlsx"] == f"{stem}.xlsx"
        assert entry["json"] == f"{stem}.json" and entry["counts"] and entry["made_from"]


def test_gaps_lists_every_plan_with_counts_and_files(client, outputs):
    r = client.get("/gaps")
    assert r.status_code == 200
    _guarded(r)
    rows = re.findall(r'<tr class="gap-plan">(.*?)</tr>', r.text, re.S)
    assert len(rows) == 2
    # numbered plans first, in Vietnamese order; the unnumbered one by its title
    assert "580/KH-UBND" in rows[0] and "(chưa có số)" in rows[1]
    for row, stem in zip(rows, (KH580, LAMDONG), strict=True):
        g = outputs["json"][stem]
        counts = Counter(d["status"] for d in g["duties"])
        cells = [int(c) for c in re.findall(r'<td class="num[^"]*">(\d+)</td>', row)]
        assert cells == [counts.get(b, 0) for b in labels.STATUS_SHORT] + [len(g["duties"])]
        text = _text(f"<main>{row}</main>")
        assert labels.vn_date(g["as_of"]) in text and g["plan"]["issuer"] in text
        if g["plan"].get("date"):
            assert labels.vn_date(g["plan"]["date"]) in text
        for suffix in ("html", "xlsx", "docx"):
            assert f'href="/gaps/{stem}.{suffix}"' in row
        assert re.search(r'href="/doc/\d+">Xem văn bản</a>', row)
    assert "/gaps" in client.get("/").text and "/agencies" in client.get("/").text


def test_the_plan_page_links_its_gap_report_files(client):
    page = client.get("/gaps").text
    doc = re.search(r'href="(/doc/\d+)">Xem văn bản</a>', page).group(1)
    html = client.get(doc).text
    for suffix in ("html", "xlsx", "docx"):
        assert f'href="/gaps/{KH580}.{suffix}"' in html
    assert "Xem báo cáo rà soát" in html


@pytest.mark.parametrize(("suffix", "ctype"), [("html", "text/html"), ("xlsx", XLSX),
                                                ("docx", DOCX)])
def test_gap_files_have_their_content_types(client, outputs, suffix, ctype):
    name = f"{KH580}.{suffix}"
    r = client.get(f"/gaps/{name}")
    assert r.status_code == 200 and r.headers["content-type"].startswith(ctype)
    assert r.content == (outputs["gaps"] / name).read_bytes()
    if suffix == "html":
        assert r.headers["content-security-policy"] == CSP_GAPS
        assert "content-disposition" not in r.headers
    else:
        assert r.headers["content-security-policy"] == CSP
        assert r.headers["content-disposition"] == (
            f'attachment; filename="{name}"; filename*=UTF-8\'\'{name}')
        assert r.content[:2] == b"PK"
    _guarded(r)
    head = client.head(f"/gaps/{name}")
    assert head.status_code == 200 and head.headers["content-type"].startswith(ctype)


def test_a_vietnamese_file_name_downloads_safely(outputs, tmp_path):
    gaps = tmp_path / "gaps"
    gaps.mkdir()
    name = "kế-hoạch_đặc-biệt.xlsx"
    shutil.copy2(outputs["gaps"] / f"{KH580}.xlsx", gaps / name)
    r = _client(outputs["db"], gaps).get("/gaps/" + quote(name))
    assert r.status_code == 200
    cd = r.headers["content-disposition"]
    assert cd == ('attachment; filename="ke-hoach_dac-biet.xlsx"; '
                  f"filename*=UTF-8''{quote(name, safe='')}")
    assert cd.isascii()


TRAVERSAL = ["/gaps/..%2F..%2Fetc%2Fpasswd", "/gaps/..%2Findex.db", "/gaps/%2E%2E%2Findex.db",
             "/gaps/..%5C..%5Cindex.db", "/gaps/%252e%252e%252findex.db",
             "/gaps/..%2Fdocs%2Fkh_580_ubnd-haiduong_2020.txt", "/gaps/index.json",
             f"/gaps/{KH580}.json", "/gaps/%2Fetc%2Fpasswd", "/gaps/..html",
             "/gaps/.hidden.html", "/gaps/outside.html", "/gaps/outside.xlsx",
             "/gaps/loop.html", "/gaps/dir.html", "/gaps/nothing.docx",
             f"/gaps/{KH580}.html%00.txt", "/gaps/" + "a" * 300 + ".html",
             f"/gaps/{KH580}.HTML", "/gaps/x.html/..%2F..%2Findex.db"]


def test_nothing_outside_the_gaps_folder_is_served(outputs):
    root, gaps = outputs["root"], outputs["gaps"]
    secret = root / "secret.html"
    secret.write_text("<p>bí mật</p>", "utf-8")
    (gaps / ".hidden.html").write_text("<p>bí mật</p>", "utf-8")
    links = {"outside.html": secret, "outside.xlsx": outputs["db"], "loop.html": gaps / "loop.html"}
    for name, target in links.items():
        (gaps / name).symlink_to(target)
    (gaps / "dir.html").mkdir()
    try:
        c = _client(outputs["db"], gaps)
        for url in TRAVERSAL:
            r = c.get(url, follow_redirects=False)
            assert r.status_code in (404, 307), (url, r.status_code)
            if r.status_code == 307:  # Starlette's slash redirect: to a path of ours
                r = c.get(url, follow_redirects=True)
                assert r.status_code == 404, url
            assert "bí mật" not in r.text and "SQLite" not in r.text, url
            assert "Không" in r.text, url
            _guarded(r)
        # a link to a file of the folder itself is that file
        (gaps / "same.html").symlink_to(gaps / f"{KH580}.html")
        assert c.get("/gaps/same.html").status_code == 200
    finally:
        for name in (*links, "same.html", ".hidden.html"):
            (gaps / name).unlink(missing_ok=True)
        (gaps / "dir.html").rmdir()


def test_no_gaps_folder_is_an_empty_list(outputs, tmp_path):
    c = _client(outputs["db"], tmp_path / "none")
    for url in ("/gaps", "/agencies"):
        r = c.get(url)
        assert r.status_code == 200 and "Chưa có báo cáo rà soát nào" in r.text
        _guarded(r)
    r = c.get("/agency/" + quote("Công an tỉnh"))
    assert r.status_code == 404 and "Không có cơ quan, đơn vị này" in r.text


# ---- /agencies and /agency/{name} -----------------------------------------------------

def _agency_rows(html: str) -> list[tuple[str, str, list[int]]]:
    out = []
    for row in re.findall(r'<tr class="agency-row">(.*?)</tr>', html, re.S):
        href, name = re.search(r'<a href="([^"]+)">([^<]*)</a>', row).groups()
        out.append((unescape(name), unescape(href),
                    [int(n) for n in re.findall(r'<td class="num[^"]*">(\d+)</td>', row)]))
    return out


def test_agencies_count_what_the_gap_reports_say(client, outputs):
    r = client.get("/agencies")
    assert r.status_code == 200
    _guarded(r)
    rows = _agency_rows(r.text)
    by = _by_owner(outputs)
    assert [n for n, _, _ in rows] == sorted(by, key=vi_key)
    other = [b for b in labels.STATUS_SHORT if b != "overdue"]
    for name, href, cells in rows:
        c = by[name]
        assert href == "/agency/" + quote(name, safe="")
        plans = sum(1 for g in outputs["json"].values()
                    if any(d["owner"] == name for d in g["duties"]))
        assert cells == [c["overdue"], *(c[b] for b in other), sum(c.values()), plans]
    # "Công an tỉnh" answers both plans
    assert next(cells for n, _, cells in rows if n == "Công an tỉnh")[-1] == 2


def test_agencies_sorted_by_overdue(client, outputs):
    rows = _agency_rows(client.get("/agencies", params={"sort": "overdue"}).text)
    keys = [(-cells[0], vi_key(n)) for n, _, cells in rows]
    assert keys == sorted(keys) and len(rows) == len(_by_owner(outputs))
    r = client.get("/agencies", params={"sort": "name; drop"})
    assert r.status_code == 400 and "Tham số không hợp lệ: sort" in r.text
    _guarded(r)


def _agency_page_rows(html: str) -> list[str]:
    return re.findall(r'<tr class="agency-duty[^"]*">(.*?)</tr>', html, re.S)


def test_agency_page_lists_its_duties_overdue_first(client, outputs):
    name = "Công an tỉnh"
    r = client.get("/agency/" + quote(name, safe=""))
    assert r.status_code == 200
    _guarded(r)
    rows = _agency_page_rows(r.text)
    duties = [(stem, d) for stem, g in outputs["json"].items() for d in g["duties"]
              if d["owner"] == name]
    assert len(rows) == len(duties)
    statuses = [_cell(row, "status") for row in rows]
    overdue = labels.STATUS["overdue"]
    n = sum(1 for _, d in duties if d["status"] == "overdue")
    assert n and all(s.startswith(overdue) for s in statuses[:n])
    assert not any(s.startswith(overdue) for s in statuses[n:])
    for row in rows:  # each row links to its plan's gap report page
        assert re.search(rf'href="/gaps/({KH580}|{LAMDONG})\.html"', row)
        due = _cell(row, "due")
        assert re.fullmatch(r"\d{2}/\d{2}/\d{4}( \(.+\))?|—", due), due
    task_ids = {d["task_id"] for _, d in duties}
    places = [_text(f"<main>{p}</main>") for p in
              re.findall(r'<td class="place">(.*?)</td>', r.text, re.S)]
    assert not task_ids & set(places)  # the place ("Mục …"), never the task id


def test_unknown_agency_is_a_vietnamese_404(client):
    for url in ("/agency/" + quote("Sở Không Có"), "/agency/", "/agency/%2F..%2F..",
                "/agency/" + quote("Công an tỉnh ")):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "Không" in r.text and not ENGLISH.search(_text(r.text)), url
        _guarded(r)


@pytest.fixture
def odd_names(outputs, tmp_path) -> tuple[Path, dict[str, str]]:
    """A copy of the gaps folder where two owners have names with ``/``, ``?``, ``#``,
    ``%`` and spaces, and KH 580's rows lack the fields the contract is still growing."""
    gaps = tmp_path / "gaps"
    shutil.copytree(outputs["gaps"], gaps)
    rename = {"Sở Tư pháp": "Phòng Văn hóa/Thông tin huyện #2 ?a=1 100%",
              "Báo Hải Dương": "Ủy ban  nhân dân xã Ân Thi / Hưng Yên"}
    path = gaps / f"{KH580}.json"
    g = json.loads(path.read_text("utf-8"))
    for d in g["duties"]:
        d["owner"] = rename.get(d["owner"], d["owner"])
        for k in ("place", "due_source", "evidence", "reason", "coverage"):
            d.pop(k, None)
    path.write_text(json.dumps(g, ensure_ascii=False), "utf-8")
    return gaps, rename


def test_names_with_slashes_and_vietnamese_letters_round_trip(outputs, odd_names):
    gaps, rename = odd_names
    c = _client(outputs["db"], gaps)
    rows = {n: href for n, href, _ in _agency_rows(c.get("/agencies").text)}
    for old, new in rename.items():
        assert new in rows and old not in rows
        r = c.get(rows[new])
        assert r.status_code == 200, rows[new]
        assert unescape(re.search(r'<h1 class="agency-name">(.*?)</h1>', r.text).group(1)) == new
        n = sum(1 for d in outputs["json"][KH580]["duties"] if d["owner"] == old)
        assert len(_agency_page_rows(r.text)) == n
        assert "—" in r.text  # no place in these rows: a dash, not an id


def test_an_inferred_due_date_says_so(outputs, tmp_path):
    gaps = tmp_path / "gaps"
    shutil.copytree(outputs["gaps"], gaps)
    path = gaps / f"{LAMDONG}.json"
    g = json.loads(path.read_text("utf-8"))
    for d in g["duties"]:
        d["due_source"], d["deadline"], d["place"] = "plan_reporting_deadline", None, "Mục III.1"
    path.write_text(json.dumps(g, ensure_ascii=False), "utf-8")
    r = _client(outputs["db"], gaps).get("/agency/" + quote("UBND cấp xã"))
    text = _text(r.text)
    assert f"({labels.DUE_SOURCE['plan_reporting_deadline']})" in text
    assert "Mục III.1" in text and "III.1 " not in text.replace("Mục III.1", "")


# ---- /find: a gap report's quote, in the archive -------------------------------------

def _quote_of(outputs) -> tuple[str, dict]:
    """A quote of KH 580's gap report and the path of the report it comes from."""
    g = outputs["json"][KH580]
    paths = {r["report"]: r["path"] for r in g.get("reports") or []}
    ev = next(e for d in g["duties"] for e in d["evidence"]
              if e.get("path") or e["report"] in paths)
    return ev.get("path") or paths[ev["report"]], ev


def test_find_goes_to_the_marked_span(client, outputs):
    path, ev = _quote_of(outputs)
    r = client.get("/find", params={"path": path, "start": ev["start"], "end": ev["end"]},
                   follow_redirects=False)
    assert r.status_code == 303
    _guarded(r)
    loc = r.headers["location"]
    m = re.fullmatch(r"/doc/(\d+)\?start=(\d+)&end=(\d+)#doan-trich", loc)
    assert m and (int(m[2]), int(m[3])) == (ev["start"], ev["end"]), loc
    page = client.get(loc)
    assert page.status_code == 200
    c = connect(outputs["db"], readonly=True)
    try:
        text = c.execute("SELECT t.text FROM texts t JOIN documents d ON d.id = t.doc_id "
                         "WHERE d.path = ?", (path,)).fetchone()[0]
    finally:
        c.close()
    shown = _found_text(page.text)
    assert shown == text[ev["start"]:ev["end"]]
    assert shown.split()[:8] == (ev["text"] or "").split()[:8]
    assert page.text.count('id="doan-trich"') == 1
    assert len(set(re.findall(r'id="([^"]+)"', page.text))) == len(
        re.findall(r'id="([^"]+)"', page.text))  # no id given twice


class _Found(HTMLParser):
    """The text inside the ``mark.found`` elements of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth, self.parts = 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif tag == "mark" and "found" in (dict(attrs).get("class") or "").split():
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def _found_text(html: str) -> str:
    p = _Found()
    p.feed(html.split('<section id="text"', 1)[1].split("</section>", 1)[0])
    return "".join(p.parts)


BAD_FIND = [({}, 404, "Không có văn bản này"), ({"path": ""}, 404, "Không có văn bản này"),
            ({"path": "corpus/khong-co.txt", "start": "1"}, 404, "Không có văn bản này"),
            ({"path": "../../etc/passwd"}, 404, "Không có văn bản này"),
            ({"path": "x\x00y"}, 404, "Không có văn bản này"),
            ({"path": "x", "start": "-1"}, 400, "Tham số không hợp lệ: start"),
            ({"path": "x", "start": "²"}, 400, "Tham số không hợp lệ: start"),
            ({"path": "x", "end": "abc"}, 400, "Tham số không hợp lệ: end"),
            ({"path": "x", "start": "9", "end": "3"}, 400, "Tham số không hợp lệ: end"),
            ({"path": "x", "start": "99999999999999999999"}, 400, "Tham số không hợp lệ")]


@pytest.mark.parametrize(("params", "status", "text"), BAD_FIND)
def test_find_refuses_in_vietnamese(client, params, status, text):
    r = client.get("/find", params=params, follow_redirects=False)
    assert r.status_code == status and text in r.text
    assert not ENGLISH.search(_text(r.text))
    _guarded(r)


def test_document_page_span_beyond_the_text_is_harmless(client, outputs):
    path, _ = _quote_of(outputs)
    doc = client.get("/find", params={"path": path}, follow_redirects=False)
    assert doc.status_code == 303 and "#" not in doc.headers["location"]
    r = client.get(doc.headers["location"] + "?start=99999999&end=999999999")
    assert r.status_code == 200 and 'class="found' not in r.text


def _ids(outputs) -> dict[str, int]:
    c = connect(outputs["db"], readonly=True)
    try:
        return dict(c.execute("SELECT path, id FROM documents"))
    finally:
        c.close()


def test_gaps_list_links_plans_and_linked_reports_to_the_archive(client, outputs):
    ids = _ids(outputs)
    page = client.get("/gaps").text
    rows = re.findall(r'<tr class="gap-plan">(.*?)</tr>', page, re.S)
    assert len(rows) == 2
    for row, stem in zip(rows, sorted(outputs["json"], key=lambda s: (
            outputs["json"][s]["plan"].get("symbol") is None,
            vi_key(outputs["json"][s]["plan"].get("symbol") or ""))), strict=True):
        g = outputs["json"][stem]
        assert f'href="/doc/{ids[g["plan"]["path"]]}">Xem văn bản</a>' in row
        linked = re.findall(r'<a class="linked-report" href="/doc/(\d+)">([^<]*)</a>', row)
        assert f"{len(g['reports'])} báo cáo đã gắn" in row
        assert sorted(int(i) for i, _ in linked) == sorted(ids[r["path"]] for r in g["reports"])
        for i, label in linked:
            r = next(r for r in g["reports"] if ids[r["path"]] == int(i))
            assert unescape(label) == (r["report"] if "/" in r["report"]
                                       else "báo cáo chưa có số")


def test_agency_page_links_plans_and_quotes_to_their_spans(client, outputs):
    ids = _ids(outputs)
    name = "Sở Lao động - Thương binh và Xã hội"
    html = client.get("/agency/" + quote(name, safe="")).text
    assert not ENGLISH.search(_text(html))
    rows = _agency_page_rows(html)
    g = outputs["json"][KH580]
    plan = ids[g["plan"]["path"]]
    assert rows and all(f'<a class="plan-doc" href="/doc/{plan}">Xem kế hoạch</a>' in r
                        for r in rows)
    quotes = [e for d in g["duties"] if d["owner"] == name for e in d["evidence"]
              if e.get("text")]
    hrefs = [unescape(h) for h in re.findall(r'<a class="evidence" href="([^"]+)"', html)]
    assert quotes and len(hrefs) == len(quotes) == html.count('<div class="ev">')
    assert sorted(hrefs) == sorted(f"/doc/{ids[e['path']]}?start={e['start']}&end={e['end']}"
                                   "#doan-trich" for e in quotes)
    # a quote's link opens the report with that passage marked
    e = quotes[0]
    page = client.get(f"/doc/{ids[e['path']]}", params={"start": e["start"], "end": e["end"]})
    assert _found_text(page.text).split()[:8] == e["text"].split()[:8]
    # its words are marked in the quote, every character escaped
    assert "<mark>" in html.split('<div class="ev">', 1)[1].split("</div>", 1)[0]


# ---- in Chromium ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(outputs):
    with live_server(create_app(Settings(db=outputs["db"], gaps=outputs["gaps"]))) as url:
        yield url


def _no_english(browser) -> None:
    from selenium.webdriver.common.by import By

    body = browser.find_element(By.TAG_NAME, "body").text
    found = ENGLISH.findall(body)
    assert not found, (browser.current_url, found)


def test_browser_agencies(browser, server, outputs):
    from selenium.webdriver.common.by import By

    ARTIFACTS.mkdir(exist_ok=True)
    browser.get_log("browser")  # drain: the session's browser kept earlier tests' entries
    browser.get(server + "/")
    browser.find_element(By.LINK_TEXT, "Cơ quan, đơn vị").click()
    assert browser.current_url == server + "/agencies"
    _no_english(browser)
    by = _by_owner(outputs)
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.agency-row")
    names = [r.find_element(By.CSS_SELECTOR, "td.agency").text for r in rows]
    assert names == sorted(by, key=vi_key)
    assert names.index("Công an tỉnh") < names.index("Đài Phát thanh - Truyền hình tỉnh") \
        < names.index("Hội Liên hiệp Phụ nữ tỉnh") < names.index("Sở Y tế") \
        < names.index("UBND các huyện, thị xã, thành phố") \
        < names.index("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh")
    head = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "table.agencies th")]
    assert head[1] == "Quá hạn"
    for r, name in zip(rows, names, strict=True):
        cells = [int(td.text) for td in r.find_elements(By.CSS_SELECTOR, "td.num")]
        assert cells[0] == by[name]["overdue"] and cells[-2] == sum(by[name].values())
    browser.save_screenshot(str(ARTIFACTS / "web-agencies.png"))

    browser.find_element(By.LINK_TEXT, "xếp theo số nhiệm vụ quá hạn").click()
    overdue = [int(r.find_element(By.CSS_SELECTOR, "td.overdue-col").text)
               for r in browser.find_elements(By.CSS_SELECTOR, "tr.agency-row")]
    assert overdue == sorted(overdue, reverse=True)
    assert "sort=overdue" in browser.current_url

    browser.get(server + "/agencies")
    browser.find_element(By.LINK_TEXT, "Công an tỉnh").click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Công an tỉnh"
    _no_english(browser)
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.agency-duty")
    assert len(rows) == sum(by["Công an tỉnh"].values())
    status = [r.find_element(By.CSS_SELECTOR, "td.status").text for r in rows]
    n = by["Công an tỉnh"]["overdue"]
    assert all(s.startswith(labels.STATUS["overdue"]) for s in status[:n])
    assert not any(s.startswith(labels.STATUS["overdue"]) for s in status[n:])
    plans = {r.find_element(By.CSS_SELECTOR, "td.plan a").get_attribute("href") for r in rows}
    assert plans == {f"{server}/gaps/{KH580}.html", f"{server}/gaps/{LAMDONG}.html"}
    browser.save_screenshot(str(ARTIFACTS / "web-agency.png"))

    # the plan's gap report opens from the agency page; the gaps list links back to it
    rows[0].find_element(By.CSS_SELECTOR, "td.plan a").click()
    assert "/gaps/" in browser.current_url
    browser.get(server + "/gaps")
    _no_english(browser)
    assert len(browser.find_elements(By.CSS_SELECTOR, "tr.gap-plan")) == 2
    errors = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
    assert not errors, errors


def test_browser_find_scrolls_to_the_quote(browser, server, outputs):
    from selenium.webdriver.common.by import By

    path, ev = _quote_of(outputs)
    browser.get(f"{server}/find?path={quote(path, safe='')}&start={ev['start']}&end={ev['end']}")
    assert browser.current_url.endswith("#doan-trich")
    mark = browser.find_element(By.CSS_SELECTOR, "mark.found")
    assert mark.is_displayed() and mark.text.split()[:5] == ev["text"].split()[:5]
    assert browser.execute_script("return window.scrollY") > 0  # scrolled to it
    _no_english(browser)
    browser.save_screenshot(str(ARTIFACTS / "web-find.png"))


def test_browser_quote_on_the_agency_page_opens_its_span(browser, server, outputs):
    from selenium.webdriver.common.by import By

    browser.get(server + "/agency/" + quote("Sở Lao động - Thương binh và Xã hội", safe=""))
    link = browser.find_element(By.CSS_SELECTOR, "td.what .ev a.evidence")
    quoted = link.find_element(By.XPATH, "..").find_element(By.CSS_SELECTOR, ".q").text
    link.click()
    assert "#doan-trich" in browser.current_url and "start=" in browser.current_url
    mark = browser.find_element(By.CSS_SELECTOR, "mark.found")
    assert mark.is_displayed() and mark.text.split()[:6] == quoted.split()[:6]
    _no_english(browser)
    browser.back()
    browser.find_element(By.CSS_SELECTOR, "a.plan-doc").click()
    assert "580/KH-UBND" in browser.find_element(By.TAG_NAME, "h1").text
