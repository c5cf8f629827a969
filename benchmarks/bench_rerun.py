"""`vanban run` day after day on the corpus: the four runs a daily job meets.

    python benchmarks/bench_rerun.py                     # this checkout
    python benchmarks/bench_rerun.py --code /tmp/base    # another checkout's flows/

In a temp folder, each run a fresh `vanban run` process (`python -m flows.cli run`),
timed from outside (process start to exit):

1. first run: the corpus (15 documents), a new output folder and a new Prefect home (the
   temporary server creates its database);
2. rerun, inbox unchanged;
3. rerun after one file changed (a line added to ``kh_580_ubnd-haiduong_2020.txt``);
4. an empty folder.

Prints one row each: wall seconds, the part the run says it spent starting Prefect's
temporary server (``-`` when none was started), and the first line it printed.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
CHANGED = "kh_580_ubnd-haiduong_2020.txt"
_SERVER = re.compile(r"(?:trong đó|of which) ([\d.,]+) (?:giây|s) (?:khởi động|starting)")


def _run(code: Path, inbox: Path, work: Path) -> tuple[float, str | None, str]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    for key in ("PREFECT_API_URL", "PREFECT_HOME", "VANBAN_STATE_DIR"):
        env.pop(key, None)
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", "from flows.cli import main; main()", "run", str(inbox), "--out",
                          str(work / "out"), "--state-dir", str(work / "state"),
                          "--no-progress"], cwd=code, env=env, capture_output=True,
                         text=True, timeout=600)
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        raise SystemExit(f"exit {res.returncode}\n{res.stdout}\n{res.stderr}")
    m = _SERVER.search(res.stdout)
    first = res.stdout.splitlines()[0] if res.stdout else ""
    return wall, m.group(1).replace(",", ".") if m else None, first


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--code", type=Path, default=ROOT,
                    help="the checkout whose flows/ and pipeline/ run (default: this one)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="repeat rows 2-4 N times and print their medians")
    args = ap.parse_args()
    code = args.code.resolve()
    with tempfile.TemporaryDirectory(prefix="vanban-rerun-") as tmp:
        work = Path(tmp)
        inbox = work / "inbox"
        shutil.copytree(CORPUS, inbox, ignore=shutil.ignore_patterns("*.md"))
        empty = work / "empty"
        empty.mkdir()
        rows: list[tuple[str, float, str | None, str]] = []
        unchanged, changed, nothing = [], [], []
        try:
            rows.append(("first run", *_run(code, inbox, work)))
            for i in range(args.repeat):
                unchanged.append(_run(code, inbox, work))
                f = inbox / CHANGED
                f.write_bytes(f.read_bytes() + f"\n(sửa lần {i + 1})\n".encode())
                changed.append(_run(code, inbox, work))
                nothing.append(_run(code, empty, work / "e"))
        finally:  # the Prefect server the runs kept (a checkout before it has none)
            subprocess.run([sys.executable, "-m", "flows.cli", "server", "stop",
                            "--state-dir", str(work / "state")], cwd=code,
                           env={**os.environ, "PYTHONPATH": str(code)}, capture_output=True)
        for name, runs in (("rerun, unchanged", unchanged), ("rerun, one file changed", changed),
                           ("empty folder", nothing)):
            wall = statistics.median(r[0] for r in runs)
            rows.append((name, wall, runs[-1][1], runs[-1][2]))
    print(f"code: {code}  ({len(list(CORPUS.glob('*.*'))) - 1} documents, "
          f"{os.cpu_count()} cores, median of {args.repeat} for rows 2-4)")
    print(f"{'run':<26}{'wall s':>8}{'server s':>10}  first line printed")
    for name, wall, server, first in rows:
        print(f"{name:<26}{wall:>8.1f}{server or '-':>10}  {first[:90]}")


if __name__ == "__main__":
    main()
