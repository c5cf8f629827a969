"""The JSON documents of ``shared/docs/contract.md`` (``vanban.document/1``)."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from pipeline.document.model import Document

SCHEMA_DOCUMENT = "vanban.document/1"


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
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


def document_json(doc: Document, metadata: Any, references: list | tuple = (),
                  tasks: list | tuple = (), findings: list | tuple = ()) -> dict:
    meta = _plain(metadata)
    spans = meta.pop("spans", {})
    meta["spans"] = {k: list(v) for k, v in spans.items()}
    return {
        "schema": SCHEMA_DOCUMENT,
        "source": {"path": display_path(doc.source.path), "sha256": doc.source.sha256,
                   "format": doc.source.format, "pages": doc.source.pages},
        "metadata": meta,
        "references": _plain(list(references)),
        "tasks": _plain(list(tasks)),
        "findings": _plain(list(findings)),
    }
