"""Where "what cites X?" misses what a plain text search finds (issue 21).

    .venv/bin/python benchmarks/citation_misses.py [--db FILE] [corpus/]

Indexes the folder into a temporary database (or reads ``--db``), then for every symbol
stored in a reference compares ``cited_by(symbol)`` with the documents whose normalised
text holds the number and symbol in any spelling (case, accents, Đ/D, spaces around the
separators, dashes, leading zeros, with or without the year: ``116/NĐ-CP`` also finds
``116/2021/NĐ-CP``). A document's own number is not a citation. Prints each difference
with the text around it and why (another spelling; another document of the same
spelling; no reference read), then the totals: answers found by both, misses, extras.

Measured (issue 21): on corpus/ 164 of 166 (symbol, citing document) pairs before the fix,
166 of 166 after; on corpus/ with tests/fixtures/{more,pairs,reports} 318 of 320 before,
320 of 320 after. Every miss was one kind: Decree 116 cited as ``116/NĐ-CP`` by one
report and ``116/2021/NĐ-CP`` by another, same date.
"""
from __future__ import annotations

import argparse
import re
import sqlite3
import sys
from collections import Counter
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.document.normalize import fold  # noqa: E402
from pipeline.index.sqlite.graph import cited_by  # noqa: E402
from pipeline.index.sqlite.store import connect  # noqa: E402


def spelling_pattern(key: str) -> re.Pattern[str]:
    """Any spelling of a symbol key, on folded (lower case, no accents) text: the year of a
    normative symbol optional both ways, any dash or slash (or none) between the code's
    letters (``1696/QĐTTg``, a Party ``11/NQ-TW`` for ``11-NQ/TW``)."""
    m = re.match(r"^(\d+[A-Z]?)((?:/(?:19|20)\d\d)?)([/-])(.*)$", key)
    if not m or not re.search(r"[A-Z]", m.group(4)):
        raise ValueError(key)
    num, _, _, rest = m.groups()
    letters = re.sub(r"[/-]", "", rest.lower())
    code = r"\s*[-\u2013/]?\s*".join(re.escape(c) for c in letters)
    return re.compile(rf"(?<![\w/.-])0*{re.escape(num.lower())}"
                      rf"(?:\s*/\s*(?:19|20)\d\d)?\s*[-/]\s*{code}(?![\w])")


def text_hits(conn: sqlite3.Connection, key: str) -> dict[int, str]:
    """Documents (not the key's own) whose text spells ``key``: id → first context."""
    pattern = spelling_pattern(key)
    own_mentions = {d for (d,) in conn.execute(  # its own number, read from a citation
        "SELECT doc_id FROM refs WHERE symbol_key = ? AND target_id = doc_id", (key,))}
    out = {}
    for doc_id, text, own in conn.execute("SELECT t.doc_id, t.text, d.symbol_key FROM texts t "
                                          "JOIN documents d ON d.id = t.doc_id"):
        folded = fold(text)
        m = pattern.search(folded)
        if not m:
            continue
        if own == key or doc_id in own_mentions:  # its own number ("kèm theo Kế hoạch số …")
            continue
        out[doc_id] = text[max(0, m.start() - 60):m.end() + 40].replace("\n", " ")
    return out


def miss_kind(conn: sqlite3.Connection, key: str, doc_id: int, res: dict) -> str:
    """Why the citing document is not in the answer: it spells the number another way
    (with or without the year, other dashes), its reference went to another document of the
    same spelling (listed under ``also``), or no reference was read at all."""
    parts = re.match(r"^(\d+[A-Z]?)(?:/(?:19|20)\d\d)?[/-](.*)$", key)
    number, code = parts.group(1), re.sub(r"[-/.]", "", parts.group(2))
    spelled = {k for (k,) in conn.execute(
        "SELECT DISTINCT symbol_key FROM refs WHERE doc_id = ? AND symbol_key IS NOT NULL",
        (doc_id,)) if (m := re.match(r"^(\d+[A-Z]?)(?:/(?:19|20)\d\d)?[/-](.*)$", k))
        and m.group(1) == number and re.sub(r"[-/.]", "", m.group(2)) == code}
    if not spelled:
        return "no reference read"
    if key not in spelled:
        return "other spelling: " + ", ".join(sorted(spelled))
    return "another document of this spelling" if res.get("also") else "other"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", nargs="?", default=str(ROOT / "corpus"))
    ap.add_argument("--db")
    args = ap.parse_args()
    if args.db:
        db = Path(args.db)
    else:
        from pipeline.index.ingest import index_paths
        db = Path(tempfile.mkdtemp()) / "index.db"
        index_paths([Path(args.folder)], db)
    conn = connect(db)
    paths = dict(conn.execute("SELECT id, path FROM documents"))
    keys = sorted({k for (k,) in conn.execute(
        "SELECT DISTINCT symbol_key FROM refs WHERE symbol_key IS NOT NULL")})
    asked = found = missed = extra = 0
    kinds: Counter[str] = Counter()
    for key in keys:
        spelled = conn.execute("SELECT symbol FROM refs WHERE symbol_key = ? AND symbol "
                               "IS NOT NULL LIMIT 1", (key,)).fetchone()
        symbol = spelled[0] if spelled else key
        try:
            hits = text_hits(conn, key)
        except ValueError:
            print(f"?? {key}: not a number/symbol")
            continue
        res = cited_by(conn, symbol)
        got = {c["path"] for c in res["cited_by"]}
        want = {paths[i] for i in hits}
        for i in hits:
            asked += 1
            if paths[i] in got:
                found += 1
            else:
                missed += 1
                kind = miss_kind(conn, key, i, res)
                kinds[kind.split(":")[0]] += 1
                print(f"MISS [{kind}] {symbol}: {paths[i]}\n     …{hits[i]}…")
        for p in sorted(got - want):
            extra += 1
            print(f"EXTRA {symbol}: {p}")
    print(f"\nmisses by kind: {dict(kinds)}")
    print(f"{len(keys)} symbols; {asked} (symbol, citing document) pairs in the text: "
          f"{found} found by cited_by, {missed} missed; {extra} found only by cited_by")


if __name__ == "__main__":
    main()
