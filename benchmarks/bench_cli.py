"""Wall time of one ``vanban search`` / ``vanban cited-by`` call (issue 21): an archivist's
script calls them hundreds of times, so start-up (the imports) is most of each call.

The code of a "before" and an "after" commit run on the same machine, in the same run,
against the same index: each is checked out in a temporary git worktree (removed at the
end; ``--after checkout`` uses this checkout as it is, uncommitted edits included), and
each call is ``python -m flows.cli …`` in a fresh process with its tree as the working
directory and ``PYTHONPATH``. The calls alternate between the two trees so that both see
the same load. The index is built once, with the after tree's code, from ``corpus/`` (or
given with ``--db``). Whether each query's output is the same in both trees is reported
(it differs when the commits between them changed what the command prints). Reported per
command: p50, p95 and mean wall time of N calls of each of its queries (after one call
per tree and query that is not timed: it writes the worktree's ``.pyc`` files), and the
median CPU time (user + system) of a call, which depends less on the machine's other
load than the wall time does.

    .venv/bin/python benchmarks/bench_cli.py              # 0fc59d9 against HEAD, N = 20
    .venv/bin/python benchmarks/bench_cli.py --before HEAD~3 --after checkout --n 50 \
        --db /tmp/index.db
"""
from __future__ import annotations

import argparse
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

QUERIES = {
    "search": [["bình đẳng"], ["binh dang gioi"], ["1696/QĐ-TTg"], ["phòng chống ma túy"],
               ["báo cáo", "--type", "BC"]],
    "cited-by": [["1696/QĐ-TTg"], ["QĐ 1696"], ["580/KH-UBND"]],
}


def call(tree: Path, args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """One ``python -m flows.cli ARGS`` with ``tree``'s code: (wall seconds, CPU seconds
    (user + system), stdout)."""
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=tree,
                         env={**env, "PYTHONPATH": str(tree)}, capture_output=True, text=True)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if res.returncode != 0:
        raise SystemExit(f"{tree}: vanban {' '.join(args)}: exit {res.returncode}\n"
                         f"{res.stderr[-2000:]}")
    return took, after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime, res.stdout


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def build(db: Path, corpus: Path, tree: Path) -> None:
    print(f"building {db} from {corpus} with the after tree's code …", flush=True)
    subprocess.run([sys.executable, "-m", "flows.cli", "index", str(corpus), "--db", str(db),
                    "--quiet"], cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
                   check=True)


def worktree(rev: str, where: Path) -> tuple[Path, str]:
    """``rev`` checked out at ``where``: (the tree, its short hash)."""
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(where), rev],
                   cwd=ROOT, check=True)
    sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=where, check=True,
                         capture_output=True, text=True).stdout.strip()
    return where, sha


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", default="0fc59d9", help="the commit to compare with")
    ap.add_argument("--after", default="HEAD",
                    help="the commit to measure, or 'checkout' for this checkout as it is")
    ap.add_argument("--n", type=int, default=20, help="timed calls per query and tree")
    ap.add_argument("--db", type=Path, help="an existing index (default: build one)")
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                    help="set for every call of both trees (repeatable), e.g. "
                         "OPENBLAS_NUM_THREADS=1")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="vanban-bench-cli-"))
    made: list[Path] = []
    try:
        before, sha = worktree(args.before, work / "before")
        made.append(before)
        if args.after == "checkout":
            after, label = ROOT, "after (checkout)"
        else:
            after, after_sha = worktree(args.after, work / "after")
            made.append(after)
            label = f"after ({after_sha})"
        db = args.db.resolve() if args.db else work / "index.db"
        if not args.db:
            build(db, args.corpus.resolve(), after)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env.update(kv.split("=", 1) for kv in args.env)
        trees = {f"before ({sha})": before, label: after}
        times: dict[tuple[str, str], list[float]] = {}
        cpus: dict[tuple[str, str], list[float]] = {}
        differ: list[str] = []
        print(f"{args.n} calls per query and tree, {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.2f}"
              + (f", with {' '.join(args.env)}" if args.env else ""), flush=True)
        for command, queries in QUERIES.items():
            for query in queries:
                argv = [command, *query, "--db", str(db)]
                outputs = {name: call(tree, argv, env)[2] for name, tree in trees.items()}
                if len(set(outputs.values())) != 1:
                    differ.append(" ".join([command, *query]))
                for _ in range(args.n):
                    for name, tree in trees.items():
                        wall, cpu, _ = call(tree, argv, env)
                        times.setdefault((command, name), []).append(wall)
                        cpus.setdefault((command, name), []).append(cpu)
        print(f"\n{'command':<10} {'code':<24} {'calls':>5} {'p50':>8} {'p95':>8} {'mean':>8}"
              f" {'CPU p50':>8}")
        for (command, name), values in times.items():
            print(f"{command:<10} {name:<24} {len(values):>5} "
                  f"{statistics.median(values) * 1000:>6.0f}ms {pct(values, 95) * 1000:>6.0f}ms "
                  f"{statistics.fmean(values) * 1000:>6.0f}ms "
                  f"{statistics.median(cpus[command, name]) * 1000:>6.0f}ms")
        print(f"(load average at the end {os.getloadavg()[0]:.2f}; outputs "
              + (f"differ for: {'; '.join(differ)})" if differ else "identical)"))
    finally:
        for tree in made:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT,
                           check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
