"""Index benchmark (issue 4): build an index of N documents made by varying the real corpus,
then time 300 mixed searches.

The corpus is extracted once (cached next to the database). Each synthetic document is a
corpus document with another number, date and issuing province (also replaced in its
text), some lines dropped, swapped or borrowed from another document, some references
renumbered or pointed at other synthetic documents, and its deadlines moved with its
date. Reported: build documents/s (``pipeline.index.sqlite.store.bulk``: FTS merges once
at the end), database size, search latency p50/p95 of 300 mixed queries (full
``search()``: matching ids, filters, facets, ranking, snippets; each query cold, the match
cache cleared) per query kind, ``cited_by`` time, and a follow-up search (a facet
clicked, the next page) that reuses the previous query's matches, as the web page would.

    python benchmarks/bench_index.py            # 100,000 documents
    python benchmarks/bench_index.py --n 20000 --db /tmp/bench.db

With PostgreSQL (``--db postgresql://…``, or ``--pg``: a throwaway durable cluster of
``tests/pgcluster.py`` started for the run), the same documents go into PostgreSQL and,
beside it in the same run, a fresh SQLite file (``--sqlite``), both through the
:class:`~pipeline.index.base.Index` interface, one transaction per document as ``vanban
index`` and ``vanban run`` store them: the first half by one writer process, the second
half by four writer processes at once (the documents are made and written to files
beforehand, so only storing is timed; about 60 kB of disk per document meanwhile).
Reported per backend: build documents/s with 1 and with 4 writers, size on disk (the
file, or ``pg_database_size``), and the same queries' p50/p95 over the whole archive
(and the queries whose totals differ between the two, if any).

    python benchmarks/bench_index.py --n 2000 --pg
    python benchmarks/bench_index.py --n 2000 --db postgresql://vanban@127.0.0.1:5432/bench
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.index import Filters  # noqa: E402
from pipeline.index.sqlite.facets import clear_match_cache  # noqa: E402
from pipeline.index.sqlite.graph import cited_by  # noqa: E402
from pipeline.index.sqlite.schema import SCHEMA_VERSION  # noqa: E402
from pipeline.index.sqlite.search import search  # noqa: E402
from pipeline.index.sqlite.store import (  # noqa: E402
    CODE_VERSION,
    bulk,
    connect,
    index_document,
    transaction,
)

PROVINCES = ["Hải Dương", "Lâm Đồng", "Hà Nội", "Đà Nẵng", "Nghệ An", "Thanh Hóa", "Quảng Ninh",
             "Cần Thơ", "Đắk Lắk", "Khánh Hòa", "Bắc Ninh", "Huế", "Gia Lai", "Lào Cai",
             "An Giang", "Đồng Nai", "Tây Ninh", "Cà Mau", "Hưng Yên", "Ninh Bình"]
WORDS = ["binh dang gioi", "ma tuy", "chuyen doi so", "ke hoach", "phong chong", "bao cao",
         "ngan sach", "tuyen truyen", "phu nu", "tre em", "an ninh", "kiem tra", "dan so",
         "nguoi co cong", "thue", "cai nghien", "bao luc gia dinh", "hoc sinh", "y te", "dat dai"]
ACCENTED = ["bình đẳng giới", "ma túy", "chuyển đổi số", "kế hoạch", "phòng, chống",
            "báo cáo", "ngân sách", "tuyên truyền", "phụ nữ", "trẻ em", "an ninh", "kiểm tra",
            "người có công", "thuế", "cai nghiện", "bạo lực gia đình", "học sinh", "y tế",
            "đất đai", "Đề án 06"]
PHRASES = ['"bình đẳng giới"', '"phòng, chống ma túy"', '"ủy ban nhân dân"', '"chuyen doi so"',
           '"ngân sách nhà nước"', '"tiến bộ phụ nữ"', '"cai nghiện ma túy"', '"người có công"',
           '"bạo lực gia đình"', '"thủ tướng chính phủ"']
PREFIXES = ["binh*", "chuyen*", "tuyen truyen*", "ngan*", "phu nu*", "nghi*", "cai ngh*",
            "bao cao*", "kiem*", "hoc sin*"]
CITED = ["1696/QĐ-TTg", "quyet dinh 1696", "QĐ 1696", "36-CT/TW", "chi thi 36", "93/NQ-CP",
         "2351/qd-ttg", "11-NQ/TW", "55/2023/NĐ-CP", "1696"]
# accents that decide: phrases whose words exist in other accents (đẳng/đảng), phrases
# found nowhere as typed (the words apart), and accents found nowhere (searched again
# without them)
ACCENT_PAIRS = ["cao đẳng", "đảng viên", "thẻ đảng viên", "án phạt", "chứng nhận",
                "chúng nhân dân", "tặng cờ", "hoà giải", "bình đảng giới", "binh đẳng gioi",
                "bình đẵng giới", "tiến bộ phụ nữ"]


def extract_corpus(corpus: Path, cache: Path) -> list[dict]:
    """[{result, text, blocks}] of every readable corpus file, cached per code version."""
    if cache.exists():
        data = json.loads(cache.read_text("utf-8"))
        if data.get("code_version") == CODE_VERSION:
            return data["docs"]
    from pipeline.outputs import iter_inputs
    from extractors import extract_json
    from pipeline.readers import read_document

    docs = []
    for p in iter_inputs([corpus]):
        try:
            doc = read_document(p)
        except Exception as exc:  # noqa: BLE001 - a benchmark skips what it cannot read
            print(f"skip {p}: {exc}", file=sys.stderr)
            continue
        docs.append({"result": extract_json(doc), "text": doc.text,
                     "blocks": [[b.kind, b.start, b.end, b.page, b.table, b.row, b.col]
                                for b in doc.blocks]})
        print(f"extracted {p}", file=sys.stderr)
    cache.write_text(json.dumps({"code_version": CODE_VERSION, "docs": docs},
                                ensure_ascii=False), "utf-8")
    return docs


def _shift(date: str | None, years: int) -> str | None:
    if not date:
        return None
    y = int(date[:4]) + years
    return f"{y:04d}{date[4:]}" if date[5:] != "02-29" else f"{y:04d}-02-28"


def vary(base: dict, i: int, rng: random.Random, donors: list[dict],
         symbols: list[str]) -> tuple[dict, str, list]:
    """One synthetic document from ``base``: (result, text, blocks)."""
    from pipeline.document.model import Block

    res = json.loads(base["result_json"])
    meta = res["metadata"]
    text: str = base["text"]
    number = str(rng.randint(1, 9999))
    dtype = meta.get("doc_type") or "CV"
    old_sym = meta.get("symbol")
    suffix = old_sym.split("/", 1)[1] if old_sym and "/" in old_sym else f"{dtype}-UBND"
    suffix = re.sub(r"^(19|20)\d\d/", "", suffix)
    year = rng.randint(2015, 2026)
    sym = f"{number}/{year}/{suffix}" if dtype in ("NĐ", "TT") else f"{number}/{suffix}"
    date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    years = year - int((meta.get("date") or date)[:4])
    province = rng.choice(PROVINCES)
    place = meta.get("place")
    if place and place in text:
        text = text.replace(place, province)
    if old_sym:
        text = text.replace(old_sym, sym)
    lines = text.split("\n")
    for _ in range(max(1, len(lines) // 20)):  # drop, swap and borrow a few lines
        k = rng.randrange(len(lines))
        op = rng.random()
        if op < 0.3:
            lines[k] = ""
        elif op < 0.6:
            j = rng.randrange(len(lines))
            lines[k], lines[j] = lines[j], lines[k]
        else:
            donor = rng.choice(donors)["text"].split("\n")
            lines[k] = rng.choice(donor)
    lines.append(f"Mã lưu trữ {i:06d} {rng.choice(WORDS)}.")
    text = "\n".join(lines)
    issuer = meta.get("issuer") or "UBND tỉnh"
    meta.update(number=number, symbol=sym, date=date, place=province,
                issuer=issuer.replace(place, province) if place else issuer)
    for r in res["references"]:
        if r.get("number") and rng.random() < 0.25:
            if symbols and rng.random() < 0.3:
                r["symbol"] = symbols[rng.randrange(max(0, len(symbols) - 5000), len(symbols))]
                r["number"] = r["symbol"].split("/")[0]
            else:
                n = str(rng.randint(1, 9999))
                r["symbol"] = (n + r["symbol"][len(r["number"]):]) if r.get("symbol") else None
                r["number"] = n
    for t in res["tasks"]:
        t["deadline"] = _shift(t.get("deadline"), years)
        if t.get("period"):
            t["period"] = {k: _shift(v, years) for k, v in t["period"].items()}
    res["source"] = {"path": f"synthetic/{i:06d}.txt", "sha256": None, "format": "txt",
                     "pages": None}
    blocks = [Block(b[0], "", b[1], b[2], b[3], b[4], b[5], b[6]) for b in base["blocks"]]
    return res, text, blocks


Query = tuple[str, str, Filters, str]  # kind, words, filters, sort


def queries(rng: random.Random, symbols: list[str], owners: list[str],
            signers: list[str]) -> list[Query]:
    """300 (kind, query, filters, sort): the 200 of the first benchmark (same seed, same
    queries), then 100 of issue 21: accents that decide, title only, sorted by date, a
    date range (with a signer now and then)."""
    out: list[Query] = []
    for _ in range(25):
        out.append(("words", rng.choice(WORDS), Filters()))
        out.append(("accented", rng.choice(ACCENTED), Filters()))
        out.append(("phrase", rng.choice(PHRASES), Filters()))
        out.append(("prefix", rng.choice(PREFIXES), Filters()))
        sym = rng.choice(symbols)
        out.append(("symbol", rng.choice([sym, sym.lower(), " ".join(sym.split("/")[:1])
                                          + " " + sym.split("/")[-1].split("-")[0]]), Filters()))
        out.append(("cited", rng.choice(CITED), Filters()))
        f = rng.choice([Filters(doc_type="KH"), Filters(year=rng.randint(2015, 2026)),
                        Filters(issuer=f"UBND tỉnh {rng.choice(PROVINCES)}"),
                        Filters(owner=rng.choice(owners)), Filters(has_findings=True),
                        Filters(open_duties=True, as_of="2024-01-01")])
        out.append(("filtered", rng.choice(WORDS + ACCENTED), f))
        out.append(("filters only", "", f))
    out = [(k, q, f, "relevance") for k, q, f in out]
    more = random.Random(rng.random())
    for _ in range(25):
        out.append(("accent pairs", more.choice(ACCENT_PAIRS), Filters(), "relevance"))
        out.append(("title only", more.choice(WORDS + ACCENTED + ACCENT_PAIRS),
                    Filters(title_only=True), "relevance"))
        out.append(("by date", more.choice(WORDS + ACCENTED + [""]), Filters(),
                    more.choice(["date_desc", "date_asc"])))
        y = more.randint(2015, 2025)
        f = Filters(date_from=f"{y}-{more.randint(1, 12):02d}-01", date_to=f"{y + 1}-06-30",
                    signer=more.choice(signers) if signers and more.random() < 0.3 else None)
        out.append(("date range", more.choice(WORDS + ACCENTED + [""]), f,
                    more.choice(["relevance", "date_desc"])))
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def is_url(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--db", default="/tmp/vanban-bench/index.db",
                    help="an SQLite file, or a postgresql:// URL (compared with SQLite)")
    ap.add_argument("--pg", action="store_true",
                    help="start a throwaway PostgreSQL cluster (tests/pgcluster.py, durable) "
                         "and compare it with SQLite")
    ap.add_argument("--sqlite", type=Path, default=Path("/tmp/vanban-bench/compare.db"),
                    help="the SQLite file built beside PostgreSQL (replaced)")
    ap.add_argument("--writers", type=int, default=4,
                    help="concurrent writer processes of the second half (PostgreSQL runs)")
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--batch", type=int, default=500, help="documents per transaction")
    ap.add_argument("--reuse", action="store_true",
                    help="keep an existing database (with PostgreSQL: both, the documents "
                         "already stored skipped: a cut build finished, or only timed again)")
    ap.add_argument("--seed", type=int, default=4)
    args = ap.parse_args()
    if args.pg or is_url(args.db):
        compare(args)
        return
    args.db = Path(args.db)
    args.db.parent.mkdir(parents=True, exist_ok=True)
    base = extract_corpus(args.corpus, args.db.parent / "corpus-extracted.json")
    for b in base:
        b["result_json"] = json.dumps(b["result"], ensure_ascii=False)
    rng = random.Random(args.seed)
    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    conn = connect(args.db)
    have = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    symbols: list[str] = []
    t0 = time.perf_counter()
    made = 0
    optimize = 0.0
    if have < args.n:
        with bulk(conn):
            while have + made < args.n:
                with transaction(conn):
                    for _ in range(min(args.batch, args.n - have - made)):
                        i = have + made
                        res, text, blocks = vary(base[i % len(base)], i, rng, base, symbols)
                        index_document(conn, res, text, blocks=blocks)
                        symbols.append(res["metadata"]["symbol"])
                        made += 1
                if made % 10_000 < args.batch:
                    rate = made / (time.perf_counter() - t0)
                    print(f"  {have + made} documents, {rate:.0f} docs/s", file=sys.stderr)
            t1 = time.perf_counter()
        optimize = time.perf_counter() - t1
        conn.execute("PRAGMA optimize")
    build = time.perf_counter() - t0
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    n_docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    size = sum(os.path.getsize(f"{args.db}{s}") for s in ("", "-wal")
               if os.path.exists(f"{args.db}{s}"))
    if not symbols:
        symbols = [s for (s,) in conn.execute("SELECT symbol FROM documents WHERE symbol IS "
                                              "NOT NULL ORDER BY random() LIMIT 5000")]
    owners = [o for (o,) in conn.execute("SELECT owner FROM doc_owners GROUP BY owner_key "
                                         "ORDER BY count(*) DESC LIMIT 30")]
    signers = [s for (s,) in conn.execute("SELECT signer_name FROM documents WHERE "
                                          "signer_name IS NOT NULL GROUP BY signer_name "
                                          "ORDER BY count(*) DESC LIMIT 20")]
    qs = queries(random.Random(args.seed + 1), symbols, owners, signers)
    search(conn, "khởi động", owner_facet=False)  # warm the page cache a little
    times: dict[str, list[float]] = {}
    first200: list[float] = []  # the first benchmark's queries, for comparisons
    totals = []
    for n, (kind, q, f, order) in enumerate(qs):
        clear_match_cache()  # every query cold: no help from an earlier identical query
        t = time.perf_counter()
        res = search(conn, q, f, limit=20, sort=order)
        times.setdefault(kind, []).append((time.perf_counter() - t) * 1000)
        if n < 200:
            first200.append(times[kind][-1])
        totals.append(res["total"])
    clicks: list[float] = []  # the web page: same words, then a facet clicked / next page
    for kind, q, f, _ in qs[:80]:
        if kind in ("words", "accented", "phrase", "prefix"):
            clear_match_cache()
            first = search(conn, q, f, limit=20)
            for follow in ({"filters": Filters(doc_type=next(iter(first["facets"]["doc_type"]),
                                                                  None))},
                           {"filters": f, "offset": 20}):
                t = time.perf_counter()
                search(conn, q, follow["filters"], limit=20, offset=follow.get("offset", 0))
                clicks.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    for s in CITED:
        cited_by(conn, s)
    cb_ms = (time.perf_counter() - t) * 1000 / len(CITED)
    every = [x for v in times.values() for x in v]
    report = {
        "documents": n_docs, "schema": SCHEMA_VERSION, "built_now": made,
        "build_seconds": round(build, 1),
        "build_docs_per_s": round(made / build, 1) if made else None,
        "of_which_fts_merge_seconds": round(optimize, 1),
        "db_bytes": size, "db_gb": round(size / 1e9, 2),
        "queries": len(every), "p50_ms": round(pct(every, 50), 1),
        "p95_ms": round(pct(every, 95), 1), "max_ms": round(max(every), 1),
        "first_200_p50_p95_ms": [round(pct(first200, 50), 1), round(pct(first200, 95), 1)],
        "median_total_hits": statistics.median(totals),
        "by_kind_p50_p95_ms": {k: [round(pct(v, 50), 1), round(pct(v, 95), 1)]
                               for k, v in times.items()},
        "cited_by_mean_ms": round(cb_ms, 1),
        "facet_click_or_next_page_p50_p95_ms": [round(pct(clicks, 50), 1),
                                                round(pct(clicks, 95), 1)] if clicks else None,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))



# ── PostgreSQL beside SQLite ─────────────────────────────────────────────────────────────

def synthetic(base: list[dict], n: int, seed: int):
    """The ``n`` synthetic documents of this seed, in order: ``(i, result, text, blocks)``.
    Deterministic, so every writer process makes the same documents and stores its own."""
    rng = random.Random(seed)
    symbols: list[str] = []
    for i in range(n):
        res, text, blocks = vary(base[i % len(base)], i, rng, base, symbols)
        symbols.append(res["metadata"]["symbol"])
        yield i, res, text, blocks


def load_base(corpus: Path, cache: Path) -> list[dict]:
    base = extract_corpus(corpus, cache)
    for b in base:
        b["result_json"] = json.dumps(b["result"], ensure_ascii=False)
    return base


def write_shares(base: list[dict], n: int, seed: int, writers: int, folder: Path
                 ) -> tuple[list[str], list[Path], list[Path]]:
    """Make the ``n`` documents once, before anything is timed, as streams of pickles the
    writer processes read: the first half in one file, the second half dealt round-robin
    into ``writers`` files. Returns (every symbol, first-half files, second-half files)."""
    import pickle

    folder.mkdir(parents=True, exist_ok=True)
    half = n // 2
    first = [folder / "first-0.pickle"]
    second = [folder / f"second-{w}.pickle" for w in range(writers)]
    outs = [f.open("wb") for f in first + second]
    symbols: list[str] = []
    try:
        for i, res, text, blocks in synthetic(base, n, seed):
            symbols.append(res["metadata"]["symbol"])
            out = outs[0] if i < half else outs[1 + i % writers]
            pickle.dump((res, text, blocks), out, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        for f in outs:
            f.close()
    return symbols, first, second


def write_share(location: str, share: str) -> tuple[float, float, int]:
    """One writer process: store every document of the file ``share``, one
    :meth:`Index.store` (one transaction) each. Returns (first store began, last store
    ended, documents stored), wall-clock seconds; reading the file is not timed."""
    import pickle

    from pipeline.index import open_index
    from pipeline.index.base import store_path

    stored = 0
    began = ended = 0.0
    spent_reading = 0.0
    with open_index(location) as index, open(share, "rb") as f:
        done = set(index.stamps())  # connected before the clock starts; --reuse: skipped
        began = time.time()
        while True:
            t = time.perf_counter()
            try:
                res, text, blocks = pickle.load(f)
            except EOFError:
                break
            spent_reading += time.perf_counter() - t
            if store_path(res["source"]["path"]) in done:
                continue
            index.store(res, text, blocks=blocks)
            stored += 1
        ended = time.time() - spent_reading
    return began, ended, stored


def build(location: str, shares: list[list[Path]]) -> dict:
    """Each list of ``shares`` in turn, its files stored by as many processes at once."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    out = {}
    for files in shares:
        k = len(files)
        with ProcessPoolExecutor(k, mp_context=get_context("spawn")) as pool:
            parts = [pool.submit(write_share, location, str(f)) for f in files]
            got = [f.result() for f in parts]
        docs = sum(c for _, _, c in got)
        seconds = (max(e for _, e, _ in got) - min(b for b, _, c in got if c)) if docs else 0.0
        out["1_writer" if k == 1 else f"{k}_writers"] = {
            "documents": docs, "seconds": round(seconds, 1),
            "docs_per_s": round(docs / seconds, 1) if seconds else None}
        print(f"  {location_name(location)}: {docs} documents by {k} writer(s) "
              f"in {seconds:.1f} s", file=sys.stderr)
    return out


def location_name(location: str) -> str:
    if is_url(location):
        from urllib.parse import urlsplit

        p = urlsplit(location)
        return f"postgresql://{p.hostname}:{p.port}{p.path}"
    return location


def size_on_disk(location: str) -> int:
    if is_url(location):
        import psycopg

        with psycopg.connect(location) as conn:
            return int(conn.execute("SELECT pg_database_size(current_database())"
                                    ).fetchone()[0])
    conn = connect(location)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return sum(os.path.getsize(f"{location}{s}") for s in ("", "-wal")
               if os.path.exists(f"{location}{s}"))


def _clear_caches() -> None:
    """Every query cold: no help from an earlier identical query, on either backend
    (SQLite's id sets; PostgreSQL's id sets and score tables, pipeline.index.postgres.
    matching, which has no clearing function of its own yet). The facet tables, one per
    index state, stay on both, as in the SQLite-only run."""
    clear_match_cache()
    mod = sys.modules.get("pipeline.index.postgres.matching")
    if mod is not None:
        if hasattr(mod, "clear_match_cache"):
            mod.clear_match_cache()
        elif hasattr(mod, "_CACHE"):
            with mod._LOCK:
                mod._CACHE.clear()


def time_queries(location: str, qs: list[Query]) -> dict:
    from pipeline.index import open_index

    times: list[float] = []
    by_kind: dict[str, list[float]] = {}
    totals: list[int] = []
    with open_index(location, readonly=True) as index:
        index.search("khởi động")  # connect, warm the caches a little
        for kind, q, f, order in qs:
            _clear_caches()
            t = time.perf_counter()
            res = index.search(q, f, limit=20, sort=order)
            ms = (time.perf_counter() - t) * 1000
            times.append(ms)
            by_kind.setdefault(kind, []).append(ms)
            totals.append(res["total"])
        t = time.perf_counter()
        for s in CITED:
            index.cited_by(s)
        cb_ms = (time.perf_counter() - t) * 1000 / len(CITED)
    return {"queries": len(times), "p50_ms": round(pct(times, 50), 1),
            "p95_ms": round(pct(times, 95), 1), "max_ms": round(max(times), 1),
            "median_total_hits": statistics.median(totals),
            "by_kind_p50_p95_ms": {k: [round(pct(v, 50), 1), round(pct(v, 95), 1)]
                                   for k, v in by_kind.items()},
            "cited_by_mean_ms": round(cb_ms, 1), "totals": totals}


def compare(args: argparse.Namespace) -> None:
    """PostgreSQL and SQLite side by side, the same documents and queries."""
    cluster = None
    url = args.db if is_url(args.db) else None
    if url is None:
        sys.path.insert(0, str(ROOT / "tests"))
        from pgcluster import Cluster

        cluster = Cluster(durable=True).start()
        url = cluster.url
        print(f"started a PostgreSQL cluster on port {cluster.port} ({cluster.base})",
              file=sys.stderr)
    try:
        from pipeline.index import open_index

        with open_index(url) as index:  # the schema; the database must hold no documents
            if index.stamps() and not args.reuse:
                raise SystemExit(f"{location_name(url)} already holds documents: give an "
                                 "empty database, or --reuse to finish a cut build")
        args.sqlite.parent.mkdir(parents=True, exist_ok=True)
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{args.sqlite}{suffix}").unlink(missing_ok=True)
        open_index(args.sqlite).close()
        base = load_base(args.corpus, args.sqlite.parent / "corpus-extracted.json")
        folder = args.sqlite.parent / "shares"
        # --reuse: the same seed makes the same documents; each writer skips those stored
        # (a cut build is finished, a finished one only timed again; its build rates then
        # count only the documents stored this time)
        symbols, first, second = write_shares(base, args.n, args.seed, args.writers, folder)
        report: dict = {"documents": args.n, "writers": args.writers}
        for name, location in (("sqlite", str(args.sqlite)), ("postgresql", url)):
            built = build(location, [first, second])
            report[name] = {"location": location_name(location), "build": built,
                            "db_bytes": size_on_disk(location)}
            report[name]["db_mb"] = round(report[name]["db_bytes"] / 1e6, 1)
        conn = connect(args.sqlite, readonly=True)
        owners = [o for (o,) in conn.execute("SELECT owner FROM doc_owners GROUP BY owner_key "
                                             "ORDER BY count(*) DESC LIMIT 30")]
        signers = [s for (s,) in conn.execute("SELECT signer_name FROM documents WHERE "
                                              "signer_name IS NOT NULL GROUP BY signer_name "
                                              "ORDER BY count(*) DESC LIMIT 20")]
        conn.close()
        qs = queries(random.Random(args.seed + 1), symbols[-5000:], owners, signers)
        for name, location in (("sqlite", str(args.sqlite)), ("postgresql", url)):
            report[name]["search"] = time_queries(location, qs)
        a, b = (report[k]["search"].pop("totals") for k in ("sqlite", "postgresql"))
        report["queries"] = len(qs)
        report["same_totals"] = sum(x == y for x, y in zip(a, b, strict=True))
        report["other_totals"] = [  # where the two backends disagree: worth a look
            {"kind": k, "query": q, "filters": {f: v for f, v in vars(fl).items() if v},
             "sort": order, "sqlite": x, "postgresql": y}
            for (k, q, fl, order), x, y in zip(qs, a, b, strict=True) if x != y][:20]
        print(json.dumps(report, ensure_ascii=False, indent=2))
        width = 18
        print(f"\n{'':<{width + 2}}{'SQLite':>16}{'PostgreSQL':>16}")
        rows = [("build 1 writer", lambda r: f"{r['build']['1_writer']['docs_per_s']} doc/s"),
                (f"build {args.writers} writers",
                 lambda r: f"{r['build'][f'{args.writers}_writers']['docs_per_s']} doc/s"),
                ("query p50/p95 ms",
                 lambda r: f"{r['search']['p50_ms']}/{r['search']['p95_ms']}"),
                ("size on disk", lambda r: f"{r['db_mb']} MB")]
        for label, cell in rows:
            print(f"{label:<{width + 2}}{cell(report['sqlite']):>16}"
                  f"{cell(report['postgresql']):>16}")
    finally:
        import shutil

        shutil.rmtree(args.sqlite.parent / "shares", ignore_errors=True)
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
