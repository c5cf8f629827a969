"""Gap reports against hand-written gold (``tests/gold/coverage/*.json``).

A gold file names a plan, its reports, an ``as_of`` date and items ``{duty, owner,
coverage, status?}`` where ``duty`` is a quote from the duty's text; an item is matched to
the duty row of the same owner whose text contains the quote (accent-folded). It may also
list ``submissions`` ``{owner, what, due, report, status}`` and ``reports_linked``
``{report, linked_by, consolidated}``. Scores: coverage accuracy and macro-F1 over the
four coverage labels, status accuracy, submissions right, links right.
"""
from __future__ import annotations

import json
import re
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


def same_owner(a: str, b: str) -> bool:
    """Owner names compared as a reader would: case, accents and a trailing "tỉnh …" aside."""
    def norm(x: str) -> str:
        return re.sub(r"\s+(?:tinh|thanh pho)(?:\s.*)?$", "", " ".join(fold(x or "").split()))
    return norm(a) == norm(b)


def _sym(s: str | None) -> str:
    return "".join(fold(s or "").split())


def score_file(gold: dict, gaps: dict) -> list[dict]:
    """One row per gold item: expected, got (``missing`` when no duty row matched)."""
    rows = []
    for item in gold["items"]:
        q = _squash(item["duty"])
        got = next((d for d in gaps["duties"] if same_owner(d["owner"], item["owner"])
                    and q in _squash(d.get("text") or "")), None)
        rows.append({"plan": gold["plan"], "task_id": item.get("task_id"), "owner": item["owner"],
                     "expected": item["coverage"], "got": got["coverage"] if got else "missing",
                     "status": item.get("status"), "got_status": got["status"] if got else None,
                     "reason": got.get("reason") if got else "no duty row for this owner"})
    return rows


def score_submissions(gold: dict, gaps: dict) -> list[dict]:
    """One row per gold submission: right when the same report (or none) and status."""
    rows = []
    for s in gold.get("submissions") or []:
        cands = [x for x in gaps.get("submissions") or []
                 if same_owner(x["owner"], s["owner"]) and (x.get("due") == s.get("due")
                                                              or x.get("what") == s.get("what"))]
        got = next((x for x in cands if x.get("due") == s.get("due")), None) or \
            (cands[0] if cands else None)
        # an undated report has status None; one without a number shows its file name
        got_report = got.get("report") if got and "/" in (got.get("report") or "") else None
        got_status = (got.get("status") or ("undated" if got.get("report") else "")) \
            if got else ""
        ok = got is not None and _sym(got_report) == _sym(s.get("report")) and \
            got_status == (s.get("status") or "")
        rows.append({"plan": gold["plan"], "owner": s["owner"], "due": s.get("due"),
                     "expected": f"{s.get('report')} {s.get('status')}",
                     "got": f"{got.get('report')} {got.get('status')}" if got else "missing",
                     "ok": ok})
    return rows


def score_links(gold: dict, gaps: dict) -> list[dict]:
    rows = []
    for g in gold.get("reports_linked") or []:
        got = next((r for r in gaps.get("reports") or []
                    if _sym(r["report"]) == _sym(g["report"])), None)
        ok = got is not None and got["linked_by"] == g.get("linked_by", got["linked_by"]) and \
            bool(got["consolidated"]) == bool(g.get("consolidated", got["consolidated"]))
        rows.append({"plan": gold["plan"], "report": g["report"], "ok": ok,
                     "got": f"{got['linked_by']} consolidated={got['consolidated']}" if got
                     else "not linked"})
    return rows


def macro_f1(rows: list[dict]) -> float:
    f1s = []
    for lab in LABELS:
        tp = sum(r["expected"] == lab and r["got"] == lab for r in rows)
        fp = sum(r["expected"] != lab and r["got"] == lab for r in rows)
        fn = sum(r["expected"] == lab and r["got"] != lab for r in rows)
        if tp + fp + fn == 0:
            continue
        f1s.append(2 * tp / (2 * tp + fp + fn))
    return sum(f1s) / len(f1s) if f1s else 0.0


def evaluate_coverage(gold_dir: Path = GOLD_DIR, root: Path | None = None,
                      echo: Callable[[str], None] | None = print) -> dict:
    """Run ``check`` for every gold file; print and return the scores and the confusion
    table. Paths in gold files are relative to ``root`` (the project folder by default)."""
    root = root or gold_dir.resolve().parent.parent.parent
    rows: list[dict] = []
    subs: list[dict] = []
    links: list[dict] = []
    per_file = {}
    for f in sorted(Path(gold_dir).glob("*.json")):
        gold = json.loads(f.read_text("utf-8"))
        gaps = check(root / gold["plan"], [root / r for r in gold["reports"]], gold.get("as_of"))
        got = score_file(gold, gaps)
        rows += got
        subs += score_submissions(gold, gaps)
        links += score_links(gold, gaps)
        per_file[f.stem] = {"n": len(got), "accuracy": _acc(got), "macro_f1": macro_f1(got)}
    n = len(rows)
    ok = sum(r["expected"] == r["got"] for r in rows)
    with_status = [r for r in rows if r["status"]]
    confusion = Counter((r["expected"], r["got"]) for r in rows)
    result = {"n": n, "correct": ok, "accuracy": ok / n if n else 0.0,
              "macro_f1": macro_f1(rows), "per_file": per_file,
              "status": {"n": len(with_status),
                         "correct": sum(r["status"] == r["got_status"] for r in with_status)},
              "submissions": {"n": len(subs), "correct": sum(s["ok"] for s in subs)},
              "links": {"n": len(links), "correct": sum(x["ok"] for x in links)},
              "confusion": {f"{e}->{g}": c for (e, g), c in sorted(confusion.items())},
              "errors": [r for r in rows if r["expected"] != r["got"]],
              "status_errors": [r for r in with_status if r["status"] != r["got_status"]],
              "submission_errors": [s for s in subs if not s["ok"]],
              "link_errors": [x for x in links if not x["ok"]]}
    if echo:
        echo(format_report(result, confusion))
    return result


def _acc(rows: list[dict]) -> float:
    return sum(r["expected"] == r["got"] for r in rows) / len(rows) if rows else 0.0


def format_report(result: dict, confusion: Counter) -> str:
    cols = LABELS + ("missing",)
    st, sb, lk = result["status"], result["submissions"], result["links"]
    lines = [f"coverage accuracy {result['accuracy']:.3f} ({result['correct']}/{result['n']}), "
             f"macro-F1 {result['macro_f1']:.3f}; status {st['correct']}/{st['n']}; "
             f"submissions {sb['correct']}/{sb['n']}; links {lk['correct']}/{lk['n']}"]
    for name, f in result["per_file"].items():
        lines.append(f"  {name}: accuracy {f['accuracy']:.3f}, macro-F1 {f['macro_f1']:.3f} "
                     f"({f['n']} items)")
    lines.append("gold \\ got".ljust(16) + "".join(c[:13].rjust(14) for c in cols))
    for e in LABELS:
        lines.append(e.ljust(16) + "".join(str(confusion.get((e, g), 0)).rjust(14) for g in cols))
    for r in result["errors"]:
        lines.append(f"  miss {r['task_id']} {r['owner']}: {r['expected']} → {r['got']} "
                     f"({r['reason']})")
    for r in result["status_errors"]:
        lines.append(f"  status {r['task_id']} {r['owner']}: {r['status']} → {r['got_status']}")
    for s in result["submission_errors"]:
        lines.append(f"  submission {s['owner']} {s['due']}: {s['expected']} → {s['got']}")
    for x in result["link_errors"]:
        lines.append(f"  link {x['report']}: {x['got']}")
    return "\n".join(lines)


if __name__ == "__main__":
    evaluate_coverage()
