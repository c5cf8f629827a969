"""Broken and hostile inputs (tests/bad/make_bad.py) as one batch, the way an inbox
brings them: each is read correctly or set aside with a one-line reason naming it, the
batch goes on, memory stays bounded. The listing of every case and its outcome is
printed at the end of the test run and kept in tests/artifacts/bad-inputs.txt.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "bad"))

from make_bad import cases, make_all  # noqa: E402

from pipeline.outputs import safe_stem  # noqa: E402

ARTIFACTS = ROOT / "tests" / "artifacts"
MAX_RSS_MB = 1500  # the batch's peak memory, 100 MB text and 3,000 pages included
CASES = {c.name: c for c in cases()}


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> dict:
    """Run ``vanban extract-all`` over every case in a child process; its output lines,
    exit status and peak memory, and the outcome of each file."""
    root = tmp_path_factory.mktemp("bad")
    folder, out = root / "in", root / "out"
    make_all(folder)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run([sys.executable, "-m", "flows.cli", "extract-all", str(folder),
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)
    peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    outcomes = {}
    for name in CASES:
        stem = safe_stem(folder / name)
        done, why = out / f"{stem}.json", out / "quarantine" / f"{stem}.reason.json"
        if done.exists():
            outcomes[name] = ("ok", done.read_text("utf-8"))
        elif why.exists():
            outcomes[name] = ("error", json.loads(why.read_text("utf-8"))["reason"])
        else:
            outcomes[name] = ("missing", "")
    listing = [f"{'case':<34} {'outcome':<8} detail"]
    for name, (kind, detail) in outcomes.items():
        shown = detail if kind != "ok" else "read"
        listing.append(f"{name!r:<34} {kind:<8} {shown.splitlines()[0] if shown else ''}")
    listing.append(f"peak memory of the batch: {peak_mb:.0f} MB; exit status {proc.returncode}")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "bad-inputs.txt").write_text("\n".join(listing) + "\n", "utf-8")
    return {"proc": proc, "peak_mb": peak_mb, "outcomes": outcomes, "folder": folder}


@pytest.mark.parametrize("name", list(CASES))
def test_case(batch, name):
    case = CASES[name]
    kind, detail = batch["outcomes"][name]
    assert kind == case.expect, f"{name!r}: {kind}: {detail[:300]}"
    if kind == "error":
        assert case.reason in detail
        assert "\n" not in detail.strip() and "Traceback" not in detail
        assert "internal error" not in detail
    else:
        assert case.finds in detail


def test_batch_goes_on_and_names_each_file(batch):
    proc = batch["proc"]
    assert proc.returncode == 0, proc.stderr[-2000:]
    oks = sum(1 for k, _ in batch["outcomes"].values() if k == "ok")
    errors = sum(1 for k, _ in batch["outcomes"].values() if k == "error")
    assert oks + errors == len(CASES)
    assert f"{oks} documents extracted, {errors} set aside" in proc.stdout
    for name, (kind, detail) in batch["outcomes"].items():
        if kind == "error":  # one line naming the file and the reason
            assert any(detail.splitlines()[0] in line and "set aside" in line
                       for line in proc.stdout.splitlines()), name


def test_memory_stays_bounded(batch):
    assert batch["peak_mb"] < MAX_RSS_MB


def test_hostile_text_is_kept_as_text(batch):
    """The <script> of a document is data: extracted verbatim, never interpreted here
    (the web app escapes it; tests/test_web.py shows nothing runs in a browser)."""
    data = json.loads(batch["outcomes"]["xss.txt"][1])
    assert '<script>alert("xss")</script>' in data["metadata"]["title"]
    assert data["metadata"]["symbol"] == "77/KH-UBND"


def test_limits_are_configurable(tmp_path):
    """A lower page limit set through the environment refuses what the default reads."""
    import os

    from make_bad import _pages_pdf

    pdf = tmp_path / "ten.pdf"
    _pages_pdf(10)(pdf)
    env = {**os.environ, "VANBAN_MAX_PAGES": "5"}
    proc = subprocess.run([sys.executable, "-m", "flows.cli", "extract", str(pdf)],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    assert "exceeds the limit of 5 pages (VANBAN_MAX_PAGES)" in proc.stderr
