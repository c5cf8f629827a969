"""What a run has to do: the manifest of finished documents and the plan built from it.

Plain Python (no Prefect). The manifest maps each input path to the content hash and
code version its output was made from. It is rewritten atomically (temp file +
``os.replace``) and only after a document's output is on disk, so a run killed at
any point leaves at worst documents that are done but not yet recorded: the next run
redoes those, writing the same output file again (never a second one).
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.document import version
from pipeline.inbox import SetAside, os_error_vi, scan
from pipeline.outputs import safe_stem, write_atomic
from pipeline.readers import sha256_file

MANIFEST_SCHEMA = "vanban.manifest/1"


def code_version() -> str:
    """The version of what makes a document's output in a run: reading and extraction
    (the same version the index keeps, so a change to gap reports or the index re-extracts
    nothing)."""
    return version.code_version(version.EXTRACTION)


@dataclass
class Item:
    """One input file this run looked at."""

    path: str
    sha256: str
    stem: str
    status: str  # "new" | "changed" | "skipped"


@dataclass
class Plan:
    items: list[Item] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)

    @property
    def todo(self) -> list[Item]:
        return [i for i in self.items if i.status != "skipped"]

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)


class Manifest:
    """``<state>/manifest.json``: path → {sha256, code, stem, status, ...}."""

    def __init__(self, state: Path, code: str) -> None:
        self.state = state
        self.file = state / "manifest.json"
        self.code = code
        self.entries: dict[str, dict[str, Any]] = {}
        self._dirty = False
        self._saved_at = 0.0
        try:
            data = json.loads(self.file.read_text("utf-8"))
        except FileNotFoundError:
            data = {}
        except ValueError:  # not ours or damaged by hand: start over (all documents due)
            data = {}
        if data.get("schema") == MANIFEST_SCHEMA:
            self.entries = data.get("entries", {})

    def save(self, force: bool = True, every: float = 2.0) -> None:
        """Write atomically; with ``force=False`` at most once per ``every`` seconds."""
        if not self._dirty or (not force and time.monotonic() - self._saved_at < every):
            return
        data = {"schema": MANIFEST_SCHEMA, "code": self.code, "entries": self.entries}
        write_atomic(self.file, json.dumps(data, ensure_ascii=False, indent=1), durable=True)
        self._dirty = False
        self._saved_at = time.monotonic()

    def record(self, item: Item, status: str, **extra: Any) -> None:
        """Record a finished document (call only once its output is written)."""
        self.entries[item.path] = {"sha256": item.sha256, "code": self.code,
                                   "stem": item.stem, "status": status,
                                   "at": time.strftime("%Y-%m-%dT%H:%M:%S"), **extra}
        self._dirty = True

    def reserve(self, path: str, stem: str) -> None:
        """Keep a new document's output name stable across interrupted runs."""
        if path not in self.entries:
            self.entries[path] = {"stem": stem, "status": "pending"}
            self._dirty = True

    def forget_stem(self, stem: str) -> None:
        """Drop the entries of vanished files whose output name is given to another."""
        for p in [p for p, e in self.entries.items() if e.get("stem") == stem]:
            del self.entries[p]
            self._dirty = True

    def classify(self, path: str, sha: str, out: Path) -> str:
        e = self.entries.get(path)
        if not e or e.get("status") == "pending":
            return "new"
        if e.get("sha256") != sha or e.get("code") != self.code:
            return "changed"
        if e.get("status") == "ok" and not (out / f"{e['stem']}.json").exists():
            return "changed"  # output deleted by hand: make it again
        return "skipped"


def build_plan(inboxes: list[Path], out: Path, manifest: Manifest) -> Plan:
    """Hash every input and sort it into new / changed / skipped; reserve output names.
    An entry that cannot be an input (a link out of the inbox, a pipe, a file the process
    may not read …) goes to ``plan.set_aside`` with its reason; the scan goes on."""
    found = scan([Path(i).resolve() for i in inboxes], exclude=[out.resolve()])
    plan = Plan(set_aside=list(found.set_aside))
    inputs = list(dict.fromkeys(found.files))  # an inbox named twice: each file once
    current = {str(p) for p in inputs}
    # A name stays taken while its file exists; a moved or deleted file frees it.
    taken = {e["stem"]: p for p, e in manifest.entries.items()
             if "stem" in e and (p in current or Path(p).exists())}
    for path in inputs:
        key = str(path)
        try:
            sha = sha256_file(path)
        except OSError as err:
            plan.set_aside.append(SetAside(key, f"không đọc được: {os_error_vi(err)}",
                                           "unreadable"))
            continue
        stem = manifest.entries.get(key, {}).get("stem")
        if stem is None:
            stem = safe_stem(path)
            if taken.get(stem, key) != key:  # same file name in another folder
                stem = f"{stem}-{hashlib.sha1(key.encode()).hexdigest()[:8]}"
            taken[stem] = key
            manifest.forget_stem(stem)
            manifest.reserve(key, stem)
        plan.items.append(Item(key, sha, stem, manifest.classify(key, sha, out)))
    return plan


@dataclass
class RunLock:
    """An exclusive lock on the state dir: two runs never write the same outputs.
    The kernel drops it when the process dies, SIGKILL included."""

    state: Path
    _fh: Any = None

    def __enter__(self) -> RunLock:
        self.state.mkdir(parents=True, exist_ok=True)
        self._fh = (self.state / "run.lock").open("w")
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._fh.close()
            raise RuntimeError(f"một lần chạy vanban khác đang dùng {self.state}; "
                               "hãy chờ lần chạy đó xong rồi chạy lại") from None
        return self

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self._fh, fcntl.LOCK_UN)
        self._fh.close()
