"""Coverage accuracy against hand-written gold (``tests/gold/coverage/*.json``).

A gold file names a plan, its reports, an ``as_of`` date and items ``{duty, owner,
coverage}`` where ``duty`` is a quote from the duty's text. An item is matched to the
duty row of the same owner whose text contains the quote (accent-folded).
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from pipeline.crosscheck.check import check
from pipeline.crosscheck.model import Coverage
from pipeline.document.normalize import fold

LABELS = tuple(c.value for c in Coverage)
GOLD_DIR = Path(__file__).resolve().parents[2] / "tests" / "gold" / "coverage"


def _squash(s: str) -> str:
    return " ".join(fold(s or "").split())


def score_file(gold: dict, gaps: dict) -> list[dict]:
    """One row per gold item: expected, got (``missing`` when no duty row matched)."""
    rows = []
    for item in gold["items"]:
        q = _squash(item["duty"])
        got = next((d for d in gaps["duties"] if d["owner"] == item["owner"]
                    and q in _squash(d.get("text") or "")), None)
        rows.append({"plan": gold["plan"], "task_id": item.get("task_id"), "owner": item["owner"],
                     "expected": item["coverage"], "got": got["coverage"] if got else "missing",
                     "reason": got.get("reason") if got else "no duty row for this owner"})
    return rows


def evaluate_coverage(gold_dir: Path = GOLD_DIR, root: Path | None = None,
                      echo: Callable[[str], None] | None = print) -> dict:
    """Run ``check`` for every gold file; print and return accuracy and the confusion table.
    Paths in gold files are relative to ``root`` (the project folder by default)."""
    root = root or gold_dir.resolve().parent.parent.parent
    rows: list[dict] = []
    for f in sorted(Path(gold_dir).glob("*.json")):
        gold = json.loads(f.read_text("utf-8"))
        gaps = check(root / gold["plan"], [root / r for r in gold["reports"]], gold.get("as_of"))
        rows += score_file(gold, gaps)
    n = len(rows)
    ok = sum(r["expected"] == r["got"] for r in rows)
    confusion = Counter((r["expected"], r["got"]) for r in rows)
    result = {"n": n, "correct": ok, "accuracy": ok / n if n else 0.0,
              "confusion": {f"{e}->{g}": c for (e, g), c in sorted(confusion.items())},
              "errors": [r for r in rows if r["expected"] != r["got"]]}
    if echo:
        echo(format_report(result, confusion))
    return result


def format_report(result: dict, confusion: Counter) -> str:
    cols = LABELS + ("missing",)
    lines = [f"coverage accuracy {result['accuracy']:.3f} ({result['correct']}/{result['n']})",
             "gold \\ got".ljust(16) + "".join(c[:13].rjust(14) for c in cols)]
    for e in LABELS:
        lines.append(e.ljust(16) + "".join(str(confusion.get((e, g), 0)).rjust(14) for g in cols))
    for r in result["errors"]:
        lines.append(f"  miss {r['task_id']} {r['owner']}: {r['expected']} → {r['got']} "
                     f"({r['reason']})")
    return "\n".join(lines)


if __name__ == "__main__":
    evaluate_coverage()
