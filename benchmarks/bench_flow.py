"""The run end to end with and without Prefect around the same functions.

    python benchmarks/bench_flow.py --copies 100            # the corpus ×100 (≈1,300 docs)
    python benchmarks/bench_flow.py --copies 10 --formats txt,docx

Builds an inbox of the corpus ×N (no scanned PDFs: OCR excluded; each copy edited a
little so every file has its own hash), then runs, each in a fresh process:

* ``plain``: the same plan, worker pool (:func:`flows.work.process_document`), manifest
  and index step as the flow, with no Prefect anywhere;
* ``prefect``: the ``vanban-run`` flow, embedded mode (its temporary server included).

Reports docs/s, wall and CPU time (the whole process tree), peak memory (the tree, and
the parent alone at each quarter of the run: flat means it does not grow with the
number of documents) and Prefect's share of the wall time; with ``--repeat N``, both
variants N times, alternated, and the share between their median wall times.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SCANNED = {"cv_5240_bca-v01_2025.pdf", "kh_996_tctlntw-c04-bca_2026.pdf"}  # need OCR


def _edit_copy(src: Path, dst: Path, i: int) -> None:
    """Copy ``src`` with a small edit that changes its hash, not its content."""
    ext = src.suffix.lower()
    if ext == ".txt":
        dst.write_bytes(src.read_bytes() + f"\n\n(bản sao {i})\n".encode())
    elif ext == ".pdf":  # bytes after %%EOF are ignored by PDF readers
        dst.write_bytes(src.read_bytes() + f"\n% copy {i}\n".encode())
    elif ext == ".docx":  # another "last modified by" in the package properties
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = zin.read(item.filename)
                if item.filename == "docProps/core.xml":
                    data = re.sub(rb"(<cp:lastModifiedBy>)[^<]*", rb"\g<1>copy " +
                                  str(i).encode(), data)
                    if b"copy " not in data:
                        data = data.replace(b"</cp:coreProperties>",
                                            f"<dc:description>copy {i}</dc:description>"
                                            "</cp:coreProperties>".encode())
                zout.writestr(item, data)
    else:  # .doc: trailing bytes after the compound file are ignored
        dst.write_bytes(src.read_bytes() + b"\0" * (i % 512 + 1))


def build_inbox(inbox: Path, copies: int, formats: set[str]) -> list[Path]:
    sources = [p for p in sorted(CORPUS.iterdir()) if p.suffix.lstrip(".") in formats
               and p.name not in SCANNED]
    inbox.mkdir(parents=True, exist_ok=True)
    for i in range(copies):
        for src in sources:
            _edit_copy(src, inbox / f"{src.stem}__{i:04d}{src.suffix}", i)
    return sources


# --- the two variants, each run in its own process -----------------------------------

def run_plain(inbox: str, out: str, workers: int) -> dict:
    """The flow's steps without Prefect: plan, worker pool, manifest, index."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    from flows import report
    from flows.state import Manifest, build_plan, code_version
    from flows.work import process_document, warm_up

    t0 = time.perf_counter()
    out_dir = Path(out).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    state = out_dir / ".state"
    manifest = Manifest(state, code_version())
    plan = build_plan([Path(inbox)], out_dir, manifest)
    manifest.save()
    todo = plan.todo
    texts = str(state / "texts")
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                             initializer=warm_up, initargs=(os.getpid(),)) as pool:
        futs = {pool.submit(process_document, i.path, str(out_dir), i.stem, texts): i
                for i in todo}
        for n, fut in enumerate(as_completed(futs), 1):
            res = fut.result()
            manifest.record(futs[fut], "ok" if res["ok"] else "failed")
            manifest.save(force=False)
            _quarter(n, len(todo))
        manifest.save()
        t_check = time.perf_counter()
        t_extract = t_check - t0
        from concurrent.futures import ThreadPoolExecutor

        from flows.work import check_one
        from pipeline.reports import archive as gaprun

        with ThreadPoolExecutor(1) as side:  # as the flow does: index beside the checks
            indexed = side.submit(report.index_in_child, out_dir, state, manifest.entries)
            sources = [gaprun.Source(p, e["stem"], e["sha256"])
                       for p, e in sorted(manifest.entries.items()) if e.get("status") == "ok"]
            by_stem = {x.stem: x for x in sources}
            links = pool.submit(gaprun.plan_links, sources, out_dir, state).result()
            futs = [pool.submit(check_one, by_stem[p], [by_stem[r] for r in rs], str(out_dir),
                                str(state), "2026-01-01") for p, rs in sorted(links.items())]
            gaps = {by_stem[p].path: f.result() for p, f in zip(sorted(links), futs)}
            gaprun.save_index(out_dir, gaps)
            t_checked = time.perf_counter()
            index = indexed.result()
    return {"documents": len(todo), "seconds": time.perf_counter() - t0,
            "index_seconds": time.perf_counter() - t_check, "index": index,
            "check_seconds": t_checked - t_check, "plans": len(gaps),
            "extract_seconds": t_extract}


def create_server_db() -> float:
    """Start the temporary server once and stop it, so that its database exists: as for
    every `vanban run` after the first (creating it costs the first start 6–8 s more)."""
    from flows.settings import configure

    configure(os.environ.get("VANBAN_STATE_DIR"))
    from flows.server import EmbeddedServer

    server = EmbeddedServer(Path(os.environ["PREFECT_HOME"])).launch()
    try:
        return server.wait()
    finally:
        server.stop()


def run_prefect(inbox: str, out: str, workers: int) -> dict:
    from flows.settings import configure

    configure(os.environ.get("VANBAN_STATE_DIR"))
    t0 = time.perf_counter()
    from flows.server import EmbeddedServer

    server = EmbeddedServer(Path(os.environ["PREFECT_HOME"])).launch()
    from flows import pool  # as `vanban run` does: start the workers, import Prefect,

    pool.prestart(workers)
    from flows import main  # then wait for the server (no prefetch: every document's
    # extraction stays inside its Prefect task, the share measured is the whole of it)
    startup = server.wait()

    main.set_progress(lambda ev, done, total, _d: _quarter(done, total) if ev != "planned"
                      else None)
    st = main.vanban_run([inbox], out, workers=workers, as_of="2026-01-01",
                         return_state=True)
    summary = st.result()
    # as `vanban run` does: stop the server, which records the last task runs as it goes
    summary["settle_seconds"], recorded = server.settle(st.state_details.flow_run_id)
    assert recorded in (None, summary["task_runs"]), (recorded, summary["task_runs"])
    return {"documents": summary["extracted"] + summary["failed"],
            "seconds": time.perf_counter() - t0, "server_seconds": startup,
            "flow_seconds": summary["seconds"], "failed": summary["failed"],
            "settle_seconds": summary.get("settle_seconds"),
            "flow_timings": summary.get("timings")}


_marks: list[tuple[int, float]] = []


def _quarter(done: int, total: int) -> None:
    """The parent's RSS at each quarter of the documents (memory flat or growing?)."""
    while total and len(_marks) < done * 4 // total:
        _marks.append((done, _rss_mb(os.getpid())))


# --- measuring a process tree ----------------------------------------------------------

def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _tree(pid: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def _cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return -1.0


def _role(pid: int, root: int) -> str:
    if pid == root:
        return "parent"
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "other"
    if b"uvicorn" in cmd or (b"server" in cmd and b"prefect" in cmd):
        return "prefect server"
    if b"spawn_main" in cmd:
        return "workers"
    return "other: " + cmd.replace(b"\0", b" ").decode(errors="replace")[:60]


def measure(args: list[str], env: dict[str, str]) -> dict:
    """Run ``args``; return its JSON result, wall time, CPU time of the tree (total and
    by role: parent, workers, Prefect server) and peak RSS of the tree."""
    before = os.times()
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    peak = [0.0]
    at_peak: dict[str, float] = {}  # what the tree held at its peak, by role
    cpu: dict[int, tuple[str, float]] = {}

    def sample() -> None:
        while proc.poll() is None:
            pids = _tree(proc.pid)
            rss = {p: _rss_mb(p) for p in pids}
            for p in pids:
                c = _cpu_s(p)
                if c >= 0:
                    cpu[p] = (cpu[p][0] if p in cpu else _role(p, proc.pid), c)
            if sum(rss.values()) > peak[0]:
                peak[0] = sum(rss.values())
                at_peak.clear()
                for p, mb in rss.items():
                    role = cpu[p][0] if p in cpu else "other"
                    at_peak[role] = round(at_peak.get(role, 0.0) + mb)
            time.sleep(0.5)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    stdout, _ = proc.communicate()
    wall = time.perf_counter() - t0
    th.join()
    after = os.times()
    if proc.returncode:
        raise SystemExit(f"{args[2:4]} failed with status {proc.returncode}")
    result = json.loads(stdout.strip().splitlines()[-1])
    total = (after.children_user - before.children_user) + (after.children_system
                                                             - before.children_system)
    roles: dict[str, float] = {}
    for role, c in cpu.values():
        roles[role] = roles.get(role, 0.0) + c
    result.update(wall=wall, cpu=total, cpu_by_role={k: round(v, 1) for k, v in roles.items()},
                  peak_tree_mb=peak[0], peak_by_role=at_peak)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--copies", type=int, default=10)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--formats", default="txt,docx,pdf,doc")
    ap.add_argument("--dir", help="work here (kept) instead of a temp dir")
    ap.add_argument("--only", choices=("plain", "prefect"))
    ap.add_argument("--repeat", type=int, default=1,
                    help="run both variants this many times, alternated, and report the "
                         "median share (one run's workers vary by ±5%% on a shared VM)")
    ap.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                    help="extra environment for the runs (e.g. a Prefect setting)")
    a = ap.parse_args()
    work = Path(a.dir) if a.dir else Path(tempfile.mkdtemp(prefix="vanban-bench-flow-"))
    inbox = work / "inbox"
    if not inbox.exists():
        sources = build_inbox(inbox, a.copies, set(a.formats.split(",")))
        print(f"inbox: {len(sources)} files ×{a.copies} = {len(sources) * a.copies} documents")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "VANBAN_STATE_DIR": str(work / "state"),
           **dict(kv.split("=", 1) for kv in a.env)}
    runs: dict[str, list[dict]] = {"plain": [], "prefect": []}
    if a.only != "plain" and not (work / "state" / "prefect" / "prefect.db").exists():
        subprocess.run([sys.executable, __file__, "_serverdb"], env=env, cwd=ROOT, check=True)
        print("the temporary server's database created (not timed)")
    estimates: list[float] = []
    for rep in range(a.repeat):  # alternated, so a slow spell of the VM hits both
        for variant in ("plain", "prefect"):
            if a.only and a.only != variant:
                continue
            out = work / f"out-{variant}"
            shutil.rmtree(out, ignore_errors=True)
            r = measure([sys.executable, __file__, "_" + variant, str(inbox), str(out),
                         str(a.workers)], env)
            runs[variant].append(r)
            print(f"{variant:8} {r['documents']} docs  {r['wall']:.1f} s wall  "
                  f"{r['documents'] / r['wall']:.2f} docs/s  cpu {r['cpu']:.0f} s  "
                  f"peak {r['peak_tree_mb']:.0f} MB (tree)  parent RSS by quarter "
                  f"{[round(m) for _, m in r['marks']]} MB\n         cpu by process: "
                  f"{r['cpu_by_role']}\n         at the peak, MB by process: "
                  f"{r['peak_by_role']}", flush=True)
        if runs["plain"] and runs["prefect"]:
            p, q = runs["plain"][-1], runs["prefect"][-1]
            share = (q["wall"] - p["wall"]) / q["wall"]
            steady = (q["wall"] - q["server_seconds"] - p["wall"]) / q["wall"]
            # Prefect's own CPU (the run's process beyond the plain run's, and the
            # server), spread over the cores, as a share of the wall: steadier than the
            # wall times, whose workers vary by ±5% from run to run on a shared VM
            own = (q["cpu_by_role"].get("parent", 0) - p["cpu_by_role"].get("parent", 0)
                   + q["cpu_by_role"].get("prefect server", 0))
            estimates.append(own / a.workers / q["wall"])
            print(f"run {rep + 1}: Prefect's share of the wall time: {share:.1%} "
                  f"({steady:.1%} without the {q['server_seconds']:.1f} s server start); "
                  f"extra CPU {q['cpu'] - p['cpu']:.0f} s; Prefect's own CPU {own:.0f} s, "
                  f"{estimates[-1]:.1%} of the wall on {a.workers} cores", flush=True)
    if a.repeat > 1 and runs["plain"] and runs["prefect"]:
        p_wall = statistics.median(r["wall"] for r in runs["plain"])
        q_wall = statistics.median(r["wall"] for r in runs["prefect"])
        print(f"median of {a.repeat}: plain {p_wall:.1f} s, Prefect {q_wall:.1f} s: "
              f"Prefect's share {(q_wall - p_wall) / q_wall:.1%}; by its own CPU "
              f"{statistics.median(estimates):.1%}")
    rows = {k: (v[0] if len(v) == 1 else v) for k, v in runs.items() if v}
    (work / "bench_flow.json").write_text(json.dumps(rows, indent=1))
    print(f"results: {work / 'bench_flow.json'}")


if __name__ == "__main__":
    if sys.argv[1:] == ["_serverdb"]:
        create_server_db()
    elif len(sys.argv) > 1 and sys.argv[1] in ("_plain", "_prefect"):
        fn = run_plain if sys.argv[1] == "_plain" else run_prefect
        res = fn(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        res["marks"] = _marks
        print(json.dumps(res))
    else:
        main()
