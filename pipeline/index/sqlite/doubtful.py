"""Documents whose own number could not be read, found by what cites them.

A scan whose own number OCR could not read ("52ø/BCA-V01": a ``doubtful_number`` finding)
is found by what cites it: a dated reference that no symbol resolves, with the same code
("BCA-V01"), the same date, and a number that fits the digits that were read ("52" then
one or two more), resolves to it when exactly one such document is held; the document
then gets a ``number_from_citations`` finding naming the number others cite.
:func:`pipeline.index.sqlite.graph.resolve_references` calls these.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from pipeline.document.collation import vi_key
from pipeline.index.keys import symbol_key


@dataclass(frozen=True)
class Doubtful:
    doc_id: int
    raw: str  # as read: "52ø/BCA-V01"
    code: str  # the key's code part: "BCA-V01"
    date: str
    number: re.Pattern[str]


def number_pattern(raw: str) -> re.Pattern[str] | None:
    """Digits read stay as they are; each other character stands for one or two digits.
    None when fewer than two digits were read (too little to go on)."""
    if sum(c.isdigit() for c in raw) < 2:
        return None
    return re.compile("".join(re.escape(c) if c.isdigit() else r"\d{1,2}" for c in raw))


_DOUBTFUL_SQL = ("SELECT f.doc_id, f.text, d.date FROM documents d JOIN findings f "
                 "ON f.doc_id = d.id WHERE f.kind = 'doubtful_number' AND d.date IS NOT NULL "
                 "AND d.symbol_key IS NULL AND ")


def doubtful_documents(conn: sqlite3.Connection, where: str, param: object) -> list[Doubtful]:
    """Held documents whose own number was not read, by ``where`` (on an index: their
    date, or their id), so that resolving a reference never scans every finding."""
    out = []
    for doc_id, raw, date in conn.execute(_DOUBTFUL_SQL + where, (param,)):
        key = symbol_key(raw) or ""
        num, _, code = key.partition("/")
        pattern = number_pattern(num)
        if code and pattern:
            out.append(Doubtful(doc_id, raw, code, date, pattern))
    return out


def doubtful_keys(conn: sqlite3.Connection, doc_id: int) -> set[str]:
    """The symbol keys of references that may mean ``doc_id``, a document whose own number
    was not read: to resolve again when it is stored."""
    keys: set[str] = set()
    for d in doubtful_documents(conn, "d.id = ?", doc_id):
        keys.update(k for (k,) in conn.execute(
            "SELECT DISTINCT symbol_key FROM refs WHERE symbol_key LIKE ? AND date_eff = ?",
            (f"%/{d.code}", d.date)))
    return keys


def by_citation(doubtful: list[Doubtful], key: str) -> int | None:
    """The one doubtful document of the reference's date whose code and digits fit."""
    num, _, code = key.partition("/")
    fits = {d.doc_id for d in doubtful if d.code == code and d.number.fullmatch(num)}
    return fits.pop() if len(fits) == 1 else None


def note_numbers(conn: sqlite3.Connection, doubtful: list[Doubtful],
                  doc_ids: set[int]) -> None:
    """The ``number_from_citations`` finding of each doubtful document in ``doc_ids``:
    which number the references that resolve to it print."""
    for d in doubtful:
        if d.doc_id not in doc_ids:
            continue
        conn.execute("DELETE FROM findings WHERE doc_id = ? AND kind = 'number_from_citations'",
                     (d.doc_id,))
        cited = conn.execute(
            "SELECT DISTINCT r.symbol, coalesce(c.symbol, c.path) FROM refs r "
            "JOIN documents c ON c.id = r.doc_id WHERE r.target_id = ? AND r.doc_id != ? "
            "AND r.symbol IS NOT NULL ORDER BY 1, 2", (d.doc_id, d.doc_id)).fetchall()
        if not cited:
            continue
        (span,) = conn.execute("SELECT start, \"end\", seq FROM findings WHERE doc_id = ? AND "
                               "kind = 'doubtful_number'", (d.doc_id,)).fetchall()[:1] or [None]
        seq = conn.execute("SELECT coalesce(max(seq), -1) + 1 FROM findings WHERE doc_id = ?",
                           (d.doc_id,)).fetchone()[0]
        symbols = sorted({s for s, _ in cited})
        by = "; ".join(sorted({c for _, c in cited}, key=vi_key))
        y, m, dd = d.date.split("-")
        msg = (f"Số, ký hiệu đọc được là '{d.raw}'; văn bản khác trích dẫn "
               f"{', '.join(symbols)} cùng ngày {dd}/{m}/{y} ({by}): nhiều khả năng là số của "
               "văn bản này")
        conn.execute('INSERT INTO findings(doc_id, seq, kind, message, text, start, "end") '
                     "VALUES (?, ?, 'number_from_citations', ?, ?, ?, ?)",
                     (d.doc_id, seq, msg, d.raw, span[0] if span else 0,
                      span[1] if span else 0))
