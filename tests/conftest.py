from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLDEN = ROOT / "tests" / "golden"

os.environ.setdefault("DO_NOT_TRACK", "1")


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".docx", ".doc", ".pdf"))


@lru_cache(maxsize=None)
def extracted(name: str) -> dict:
    """The vanban.document/1 JSON of one corpus file, computed once per test session."""
    from pipeline.extract import extract_document
    from pipeline.ingest import read_document

    return extract_document(read_document(CORPUS / name))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS
