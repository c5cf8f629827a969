"""The JSON of ``shared/docs/contract.md`` (``vanban.document/1``), both ways.

:func:`to_json` is what ``vanban extract --json`` prints and ``<name>.json`` holds;
:func:`from_json` gives the typed :class:`~pipeline.document.facts.Extraction` back, so a
later stage (the index, the cross-check) works on the same types extraction made.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from pipeline.document.facts import (CopyOf, DateMention, Extraction, Finding, Metadata,
                                     Reference, Signature, Signer, Task)
from pipeline.document.model import Document, Source

SCHEMA_DOCUMENT = "vanban.document/1"


def plain(obj: Any) -> Any:
    """Dataclasses, tuples and lists → JSON-ready dicts and lists."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [plain(x) for x in obj]
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    return obj


def display_path(path: str) -> str:
    """The path as given when relative, else relative to the working directory if inside it."""
    p = Path(path)
    if not p.is_absolute():
        return p.as_posix()
    try:
        return p.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return p.as_posix()


def to_json(ex: Extraction) -> dict:
    """One extraction → ``vanban.document/1``."""
    meta = plain(ex.metadata)
    spans = meta.pop("spans", {})
    meta["spans"] = {k: list(v) for k, v in spans.items()}
    tasks = plain(list(ex.tasks))
    for t in tasks:
        t.pop("extra", None)
    src = ex.source
    return {
        "schema": SCHEMA_DOCUMENT,
        "source": {"path": display_path(src.path), "sha256": src.sha256,
                   "format": src.format, "pages": src.pages},
        "metadata": meta,
        "references": plain(list(ex.references)),
        "tasks": tasks,
        "findings": plain(list(ex.findings)),
        "dates": plain(list(ex.dates)),
    }


def _build(cls, data: dict, **tuples: bool):
    names = {f.name for f in dataclasses.fields(cls)}
    kw = {k: v for k, v in data.items() if k in names}
    for k in tuples:
        if k in kw and kw[k] is not None:
            kw[k] = tuple(kw[k])
    return cls(**kw)


def from_json(data: dict, document: Document | None = None) -> Extraction:
    """``vanban.document/1`` → the typed extraction (``document`` attached if given)."""
    meta = dict(data.get("metadata") or {})
    meta["signer"] = Signer(**(meta.get("signer") or {}))
    for key, cls in (("signature", Signature), ("copy_of", CopyOf)):
        meta[key] = _build(cls, meta[key]) if meta.get(key) else None
    meta["spans"] = {k: tuple(v) for k, v in (meta.get("spans") or {}).items()}
    src = data.get("source") or {}
    return Extraction(
        source=Source(src.get("path", ""), src.get("sha256", ""), src.get("format", ""),
                      src.get("pages")),
        metadata=_build(Metadata, meta, recipients=True),
        references=tuple(_build(Reference, r) for r in data.get("references") or ()),
        tasks=tuple(_build(Task, t, lead=True, support=True) for t in data.get("tasks") or ()),
        findings=tuple(_build(Finding, f) for f in data.get("findings") or ()),
        dates=tuple(_build(DateMention, d) for d in data.get("dates") or ()),
        document=document,
    )
