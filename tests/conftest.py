from __future__ import annotations

import itertools
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLDEN = ROOT / "tests" / "golden"

os.environ.setdefault("DO_NOT_TRACK", "1")
# `vanban run` keeps a Prefect server per state folder for 30 minutes by default
# (flows/kept.py): the tests, each with a state folder of its own, would leave one
# behind each. They get the temporary server stopped with each run instead;
# tests/test_kept_server.py tests the kept one.
os.environ.setdefault("VANBAN_SERVER_IDLE", "0")


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".docx", ".doc", ".pdf"))


@lru_cache(maxsize=None)
def extracted(name: str) -> dict:
    """The vanban.document/1 JSON of one corpus file, computed once per test session."""
    from extractors import extract_json
    from pipeline.readers import read_document

    return extract_json(read_document(CORPUS / name))


def plan_tasks(head: list[str], paras: tuple[str, ...],
               cells: list[tuple[int, int, str]] = ()) -> list[dict]:
    """The tasks vanban extracts from a small plan: header lines, paragraphs and the cells
    ``(row, col, text)`` of one table, as a reader would hand them over."""
    from extractors import extract_json
    from pipeline.document.assemble import assemble
    from pipeline.document.model import RawBlock, Source

    raw = [RawBlock(p) for p in [*head, *paras]]
    raw += [RawBlock(t, kind="table_cell", table=0, row=r, col=c) for r, c, t in cells]
    return extract_json(assemble(raw, Source(path="x.txt", sha256="0", format="txt")))["tasks"]


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


# ---- headless Chromium (make test installs chromium + chromium-driver) -----------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        if os.environ.get("VANBAN_REQUIRE_BROWSER"):
            pytest.fail("chromium/chromedriver missing (make test installs them)")
        pytest.skip("chromium and chromium-driver are not installed (make test installs them)")
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager download
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--window-size=1280,1000", "--lang=vi",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()



# ---- a throwaway PostgreSQL (make test installs Debian's postgresql) ---------------------

_PG_NAMES = itertools.count(1)


def pg_database(cluster, hint: str = "t") -> str:
    """A new empty database on ``cluster`` named after ``hint`` (a test or module name);
    returns its URL."""
    slug = re.sub(r"[^a-z0-9]+", "_", hint.lower()).strip("_")
    return cluster.create_database(f"t{next(_PG_NAMES)}_{slug}"[:63])


@pytest.fixture(scope="session")
def pg_cluster():
    """One PostgreSQL cluster for the whole test session (tests/pgcluster.py), stopped and
    removed at the end. Skipped when PostgreSQL is not installed, failed instead when
    VANBAN_REQUIRE_POSTGRES is set (make test sets it and installs postgresql)."""
    from pgcluster import Cluster, available

    if not available():
        if os.environ.get("VANBAN_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL is not installed: no initdb/pg_ctl on PATH or in "
                        "/usr/lib/postgresql/*/bin (make test installs postgresql)")
        pytest.skip("PostgreSQL is not installed (no initdb/pg_ctl; make test installs "
                    "Debian's postgresql)")
    with Cluster() as pg:
        yield pg


@pytest.fixture
def pg_url(pg_cluster, request) -> str:
    """A fresh empty database for one test: ``postgresql://vanban@127.0.0.1:PORT/NAME``.
    Module-scoped fixtures call :func:`pg_database` on ``pg_cluster`` themselves."""
    return pg_database(pg_cluster, request.node.name)


# ---- the index tests on both backends --------------------------------------------------

BACKENDS = ("sqlite", "postgres")
"""The archive index's backends. The tests of search, facets and citations take the
module-scoped ``backend`` fixture and run once on each, on the same corpus data; tests of
SQLite itself (files, WAL, FTS5 tables, migrations) do not take it."""


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request) -> str:
    return request.param


def index_location(request, backend: str, folder: Path, name: str = "index.db") -> str:
    """Where a new, empty index goes: ``folder/name`` for SQLite, a fresh database of the
    session's cluster (:func:`pg_cluster`) for PostgreSQL."""
    if backend == "sqlite":
        return str(folder / name)
    if not _opens_urls():
        pytest.fail("open_index() does not open postgresql:// URLs (the PostgreSQL backend "
                    "is not there): it would make an SQLite file of that name")
    return pg_database(request.getfixturevalue("pg_cluster"), request.node.name)


@lru_cache(maxsize=None)
def _opens_urls() -> bool:
    """Whether :func:`pipeline.index.open_index` takes a ``postgresql://`` URL for a
    database, not for an SQLite file name: tried once, from an empty temporary folder, on
    a port where nothing listens."""
    import tempfile

    from pipeline.index import open_index
    from pipeline.index.sqlite import SQLiteIndex

    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            index = open_index("postgresql://vanban@127.0.0.1:1/probe")
        except Exception:  # a server backend that found nothing listening
            return not os.listdir(tmp)
        else:  # a backend that connects later, or an SQLite file of that name
            is_file = isinstance(index, SQLiteIndex)
            index.close()
            return not is_file and not os.listdir(tmp)
        finally:
            os.chdir(here)


def build_index(paths: list[Path], location: str) -> dict[str, int]:
    """``vanban index`` ``paths`` into ``location``; nothing may fail. Returns the counts."""
    from pipeline.index.ingest import index_paths

    summary = index_paths(paths, location)
    assert not summary.failed, summary.failed
    return summary.counts()


@pytest.fixture
def new_location(request, backend, tmp_path):
    """``new_location()``: one more new, empty index location on this test's backend."""
    made = itertools.count()
    return lambda: index_location(request, backend, tmp_path, f"index{next(made)}.db")



def pytest_terminal_summary(terminalreporter):
    """Print the bad-input listing (tests/test_bad_inputs.py) when that test ran."""
    listing = ROOT / "tests" / "artifacts" / "bad-inputs.txt"
    ran = any(r.nodeid.startswith("tests/test_bad_inputs.py")
              for rs in terminalreporter.stats.values() for r in rs if hasattr(r, "nodeid"))
    if ran and listing.exists():
        terminalreporter.write_sep("-", "bad inputs: each case and its outcome")
        terminalreporter.write(listing.read_text("utf-8"))


# ---- the web app served for real (uvicorn in a thread), for the Chromium tests ----------

@contextmanager
def live_server(app) -> Iterator[str]:
    """Serve the ASGI ``app`` with uvicorn on a free local port in a thread; yields its base
    URL and stops the server on exit."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        t.join(10)


def navigate(browser, action) -> None:
    """Do ``action`` (a click, a submit) and wait until the next page has replaced this one:
    looking up an element at once could still find the old page, or none. Chromium may
    answer a look at the old page's node mid-navigation with "Node … does not belong to the
    document" instead of a stale element: that too means the page was replaced."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    old = browser.find_element(By.TAG_NAME, "html")
    action()

    def replaced(_driver) -> bool:
        try:
            old.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as err:
            if "does not belong to the document" in str(err):
                return True
            raise
        return False

    WebDriverWait(browser, 30).until(replaced)


# ---- the corpus copied for an index ------------------------------------------------------

SCANNED = frozenset({"cv_5240_bca-v01_2025.pdf", "kh_996_tctlntw-c04-bca_2026.pdf"})
"""The corpus's scans: OCR takes minutes, so the index tests leave them out."""


REPORTS = ROOT / "tests" / "fixtures" / "reports"
"""Reports on KH 580 written for the cross-check's tests."""


def copy_text_corpus(dest: Path, reports: bool = False) -> Path:
    """Copy the corpus documents that have a text layer (not :data:`SCANNED`), and with
    ``reports`` the files of :data:`REPORTS`, into ``dest``; returns ``dest``."""
    for p in sorted(CORPUS.iterdir()):
        if p.is_file() and p.suffix in (".txt", ".docx", ".doc", ".pdf") and p.name not in SCANNED:
            shutil.copy2(p, dest / p.name)
    for p in sorted(REPORTS.iterdir()) if reports else ():
        shutil.copy2(p, dest / p.name)
    return dest
