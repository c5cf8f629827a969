"""Find the work before paying for Prefect: what ``vanban run`` has to do, in plain Python.

Starting Prefect's temporary server costs a run about 10 s. A daily run over an inbox
that did not change, or an empty folder, has nothing to do: :func:`look` finds that out
from the state folder's stamps (the manifest's hashes, and ``last_run.json`` that the
flow writes when a run ends) in well under a second, and the CLI then prints one line
and exits without importing Prefect. Anything else (a new, changed or vanished file, a
new day for the statuses, new code, an output deleted by hand) runs the flow as before.

Also the snapshots the closing summary compares: the overdue duties of the gap reports
(by agency) and the documents set aside, before and after the run.
"""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.document import version
from pipeline.inbox import scan
from pipeline.outputs import write_json_atomic
from pipeline.readers import sha256_file

LAST_RUN = "last_run.json"
LAST_RUN_SCHEMA = "vanban.last_run/1"
GAPS = "gaps"  # pipeline.reports.archive.GAPS, without importing the cross-check


def state_for(out: Path) -> Path:
    """Where the flow keeps its manifest when it is not given a state dir."""
    return Path(out).resolve() / ".state"


def stamps() -> dict[str, str]:
    return {"code": version.code_version(version.EXTRACTION),
            "gap_code": version.code_version(version.GAP_REPORTS)}


@dataclass
class Look:
    """What :func:`look` found."""

    files: int = 0
    set_aside: int = 0
    todo: list[str] = field(default_factory=list)  # new or changed paths
    hashes: dict[str, str] = field(default_factory=dict)  # path → sha256 of every input
    current: bool = False  # the last run's outputs stand as they are
    why: str = ""  # why the flow must run (for --verbose and the tests)
    as_of: str = ""  # the day statuses are judged on
    last: dict[str, Any] | None = None

    @property
    def todo_hashes(self) -> list[tuple[str, str]]:
        """(path, sha256) of the new or changed files that could be read."""
        return [(p, self.hashes[p]) for p in self.todo if p in self.hashes]

    @property
    def empty(self) -> bool:
        return self.files == 0 and self.set_aside == 0


def read_last(state: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((state / LAST_RUN).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if data.get("schema") == LAST_RUN_SCHEMA else None


def write_last(state: Path, inputs: dict[str, str], set_aside: list[dict[str, str]],
               as_of: str, out: Path, gaps: dict[str, Any] | None) -> None:
    """Called by the flow when a run ends: what it was made from."""
    write_json_atomic(state / LAST_RUN, {
        "schema": LAST_RUN_SCHEMA, **stamps(), "as_of": as_of, "inputs": inputs,
        "set_aside": set_aside, "out": str(out),
        "at": _dt.datetime.now().isoformat(timespec="seconds"),
        "plans": (gaps or {}).get("plans", 0), "duties": (gaps or {}).get("duties", {})})


def look(inboxes: list[str], out: str, as_of: str | None = None,
         state: Path | None = None) -> Look:
    """Scan and hash the inboxes and compare with the last run (no Prefect)."""
    out_dir = Path(out).resolve()
    found = scan([Path(i).resolve() for i in inboxes], exclude=[out_dir])
    files = list(dict.fromkeys(found.files))
    res = Look(files=len(files), set_aside=len(found.set_aside))
    if res.empty:
        return res
    state = state or state_for(out_dir)
    res.last = last = read_last(state)
    manifest: dict[str, dict[str, Any]] = {}
    try:
        data = json.loads((state / "manifest.json").read_text("utf-8"))
        manifest = data.get("entries", {}) if isinstance(data, dict) else {}
    except (OSError, ValueError):
        pass
    code = stamps()["code"]
    inputs = res.hashes
    for p in files:
        key = str(p)
        try:
            inputs[key] = sha = sha256_file(p)
        except OSError:
            res.todo.append(key)
            continue
        e = manifest.get(key)
        if (not e or e.get("status") == "pending" or e.get("sha256") != sha
                or e.get("code") != code
                or (e.get("status") == "ok" and not (out_dir / f"{e['stem']}.json").exists())):
            res.todo.append(key)
    as_of = res.as_of = as_of or _dt.date.today().isoformat()
    if res.todo:
        res.why = f"{len(res.todo)} văn bản mới hoặc đã sửa"
    elif last is None:
        res.why = "chưa có lần chạy nào xong"
    elif last.get("inputs") != inputs:
        res.why = "có tệp đã bị xoá hoặc chuyển đi"
    elif sorted(s["path"] for s in last.get("set_aside", [])) != sorted(
            s.path for s in found.set_aside):
        res.why = "các tệp để riêng đã khác"
    elif last.get("as_of") != as_of:
        res.why = (f"tình trạng nhiệm vụ được xét vào ngày {as_of}, lần chạy trước vào ngày "
                   f"{last.get('as_of')}")
    elif {k: last.get(k) for k in stamps()} != stamps():
        res.why = "vanban đã đổi phiên bản"
    elif not _gaps_there(out_dir):
        res.why = "thiếu báo cáo tình hình thực hiện"
    else:
        res.current = True
    return res


def _gaps_there(out: Path) -> bool:
    try:
        index = json.loads((out / GAPS / "index.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return all((out / GAPS / e.get("html", "")).is_file() and
               (out / GAPS / e.get("json", "")).is_file() for e in index.values())


def overdue(out: Path) -> dict[tuple[str, str], str]:
    """(plan, duty) → owning agency, for every overdue duty of the gap reports in ``out``."""
    folder = Path(out) / GAPS
    try:
        index = json.loads((folder / "index.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    found: dict[tuple[str, str], str] = {}
    for path, e in index.items():
        try:
            data = json.loads((folder / e["json"]).read_text("utf-8"))
        except (OSError, ValueError, KeyError):
            continue
        for i, d in enumerate(data.get("duties") or []):
            if d.get("status") == "overdue":
                found[(path, str(d.get("task_id") or i))] = d.get("owner") or "?"
    return found


def newly_overdue(before: dict[tuple[str, str], str], after: dict[tuple[str, str], str]
                  ) -> list[tuple[str, int]]:
    """Agencies with duties overdue now that were not before, most first."""
    counts: dict[str, int] = {}
    for key, owner in after.items():
        if key not in before:
            counts[owner] = counts.get(owner, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def failed_before(state: Path) -> dict[str, str]:
    """path → sha256 of the documents the manifest holds as set aside, plus the entries
    the last run's scan set aside (a link, a file it may not read …)."""
    try:
        data = json.loads((state / "manifest.json").read_text("utf-8"))
        entries = data.get("entries", {})
    except (OSError, ValueError, AttributeError):
        entries = {}
    got = {p: e.get("sha256", "") for p, e in entries.items() if e.get("status") == "failed"}
    for s in (read_last(state) or {}).get("set_aside", []):
        got.setdefault(s["path"], "")
    return got
