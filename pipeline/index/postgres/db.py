"""The PostgreSQL connection as the index's modules use it, and its storage errors.

:class:`Db` wraps one psycopg connection with the call the SQLite modules make,
``execute(sql, params)`` in SQLite's dialect, translated by :func:`pg_sql`: the citation
graph's SQL (:mod:`pipeline.index.sqlite.graph`, ``.citedocs``, ``.doubtful``) then runs
unchanged on PostgreSQL, one specification for both backends. The translation covers
what that SQL uses and nothing more:

- ``?`` placeholders → ``%s`` (a literal ``%`` doubled);
- ``x GLOB ?`` → ``x ~ %s``, the parameter turned into the regular expression;
- ``x IS ?`` → ``x IS NOT DISTINCT FROM %s``;
- ``group_concat(DISTINCT x)`` / ``group_concat(x, ',')`` → ``string_agg``;
- ``ORDER BY`` items get SQLite's place for NULLs (first ascending, last descending);
- rows SQLite returns in a order the code relies on for ties get that order: groups by
  their key, the documents of a symbol as SQLite's index ranges read them;
- a ``GROUP BY r.doc_id`` that selects the citing document's columns groups by ``d.id`` too.

Text columns are ``COLLATE "C"`` (:mod:`.schema`): comparisons and orders are SQLite's.
:func:`storage_errors` turns psycopg's operational errors (disk full, server gone, out
of connections) into :class:`~pipeline.index.base.StoreError`.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from urllib.parse import urlsplit, urlunsplit

import re
from functools import lru_cache

import psycopg
from psycopg import errors

from pipeline.index.base import StoreError


_GROUP_CONCAT = re.compile(r"group_concat\((DISTINCT )?([\w.]+)(?:, ',')?\)")
_ORDER = re.compile(r"\bORDER BY\b")
_ORDER_END = re.compile(r"\b(LIMIT|OFFSET)\b")
_REWRITES = (("JOIN documents d ON d.id = r.doc_id", "GROUP BY r.doc_id ORDER BY",
              "GROUP BY r.doc_id, d.id ORDER BY"),)  # (when the SQL has, replace, by)


def _order_items(body: str) -> str:
    """``a DESC, b`` → ``a DESC NULLS LAST, b NULLS FIRST`` (SQLite's NULL order)."""
    items, depth, cur = [], 0, ""
    for ch in body:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
        else:
            cur += ch
    items.append(cur)
    out = []
    for item in items:
        core = item.rstrip()
        tail = item[len(core):]
        if core.upper().endswith(" DESC"):
            out.append(f"{core} NULLS LAST{tail}")
        else:
            out.append(f"{core} NULLS FIRST{tail}")
    return ",".join(out)


def _nulls_like_sqlite(sql: str) -> str:
    out, pos = [], 0
    for m in _ORDER.finditer(sql):
        start = m.end()
        depth, end = 0, len(sql)
        for i in range(start, len(sql)):
            depth += (sql[i] == "(") - (sql[i] == ")")
            if depth < 0:
                end = i
                break
        if (lim := _ORDER_END.search(sql, start, end)) is not None:
            end = lim.start()
        out.append(sql[pos:start] + _order_items(sql[start:end].rstrip()) +
                   " " * (end - start - len(sql[start:end].rstrip())))
        pos = end
    out.append(sql[pos:])
    return "".join(out)


_GROUP_BY = re.compile(r"\bGROUP BY ((?:[\w.]+)(?:, [\w.]+)*)\s*$")
_KEY_ORDER = ("FROM documents d WHERE ((d.symbol_key >= ?", "FROM documents WHERE symbol_key = ?")


def _sqlite_order(sql: str) -> str:
    """The order SQLite gives rows that the SQL leaves unordered, where the index's code
    depends on it (ties kept in row order): groups by their key; documents of a symbol by
    key, then id (its index)."""
    if _ORDER.search(sql):
        return sql
    if m := _GROUP_BY.search(sql):
        return f"{sql} ORDER BY {m.group(1)}"
    if _KEY_ORDER[0] in sql and sql.rstrip().endswith(")"):
        # SQLite reads the two ranges of key_prefixes one after the other: "N/…" first
        return (f"{sql} ORDER BY (d.symbol_key ~ '^[0-9]+[A-Z]{{0,1}}/') DESC, "
                "d.symbol_key, d.id")
    if _KEY_ORDER[1] in sql and sql.rstrip().endswith("?"):
        return f"{sql} ORDER BY id"
    return sql


@lru_cache(maxsize=512)
def pg_sql(sql: str) -> tuple[str, tuple[int, ...]]:
    """SQLite's SQL (as the index's modules write it) → psycopg's, and the positions of
    the parameters that are GLOB patterns (to be turned into regular expressions)."""
    for when, a, b in _REWRITES:
        if when in sql:
            sql = sql.replace(a, b)
    sql = _sqlite_order(sql)
    sql = _GROUP_CONCAT.sub(lambda m: f"string_agg({m.group(1) or ''}{m.group(2)}::text, ',')",
                            sql)
    sql = _nulls_like_sqlite(sql)
    sql = sql.replace("%", "%%")
    parts = sql.split("?")
    globs: list[int] = []
    out = [parts[0]]
    for i, part in enumerate(parts[1:]):
        before = out[-1]
        if before.rstrip().upper().endswith(" GLOB"):
            out[-1] = before.rstrip()[:-len("GLOB")] + "~ "
            globs.append(i)
        elif before.rstrip().upper().endswith(" IS"):
            out[-1] = before.rstrip() + " NOT DISTINCT FROM "
        out.append("%s" + part)
    return "".join(out), tuple(globs)


def glob_regex(pattern: str) -> str:
    """A GLOB pattern as an anchored regular expression (``*``, ``?``, ``[…]``)."""
    out, i = ["^"], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[" and (j := pattern.find("]", i + 2)) > 0:
            body = pattern[i + 1:j]
            out.append("[" + ("^" + body[1:] if body.startswith("^") else body)
                       .replace("\\", "\\\\") + "]")
            i = j
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out) + "$"


class Db:
    """One connection, queried in SQLite's dialect (see the module's docstring)."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    @staticmethod
    def _args(sql: str, params: Sequence | None) -> tuple[str, tuple]:
        query, globs = pg_sql(sql)
        args = tuple(a.replace("\x00", "") if isinstance(a, str) and "\x00" in a else a
                     for a in params or ())  # PostgreSQL text has no NUL: it matches nothing
        if globs:
            args = tuple(glob_regex(a) if i in globs else a for i, a in enumerate(args))
        return query, args

    def execute(self, sql: str, params: Sequence | None = None) -> psycopg.Cursor:
        return self.conn.execute(*self._args(sql, params))

    def executemany(self, sql: str, rows: Sequence[Sequence]) -> None:
        if rows:
            query, _ = pg_sql(sql)
            with self.conn.cursor() as cur:
                cur.executemany(query, [self._args(sql, r)[1] for r in rows])

    def copy(self, table: str, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
        """``COPY table (columns) FROM STDIN``: many rows in one round trip."""
        if rows:
            cols = ", ".join(f'"{c}"' for c in columns)
            with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)

    def transaction(self):
        return self.conn.transaction()

    def within_transaction(self):
        """The transaction already open (a search's snapshot), else a new one: for
        ``SET LOCAL`` around a statement, without a savepoint's two round trips."""
        if self.conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
            return nullcontext()
        return self.conn.transaction()


def storage_full(exc: BaseException) -> bool:
    """PostgreSQL's way of saying the disk is full (SQLSTATE 53100) or out of memory."""
    return isinstance(exc, errors.DiskFull | errors.OutOfMemory) or \
        "no space left on device" in str(exc).lower()


RETRY = (errors.DeadlockDetected, errors.SerializationFailure, errors.LockNotAvailable)
"""Errors of two writers meeting: the transaction is run again."""


@contextmanager
def storage_errors() -> Iterator[None]:
    """psycopg's operational errors (disk full, connection lost, pool exhausted) and
    data the server refuses to store as :class:`StoreError`."""
    from psycopg_pool import PoolTimeout

    try:
        yield
    except (psycopg.OperationalError, psycopg.DataError, psycopg.InternalError,
            PoolTimeout) as exc:
        raise StoreError(storage_reason(exc), full=storage_full(exc)) from exc


_REASONS = (  # (class, or a pattern of libpq's / the server's message; the reason)
    (errors.TooManyConnections, "máy chủ PostgreSQL đã hết chỗ cho kết nối mới"),
    (errors.AdminShutdown, "máy chủ PostgreSQL đã dừng hoặc cắt kết nối"),
    (errors.ReadOnlySqlTransaction, "không được ghi vào cơ sở dữ liệu này (chỉ đọc)"),
    (errors.InvalidPassword, "máy chủ PostgreSQL từ chối đăng nhập (sai mật khẩu)"),
    (errors.InvalidAuthorizationSpecification, "máy chủ PostgreSQL từ chối đăng nhập"),
    (errors.InvalidCatalogName, "máy chủ PostgreSQL không có cơ sở dữ liệu này"),
    ("password authentication failed", "máy chủ PostgreSQL từ chối đăng nhập (sai mật khẩu)"),
    (r'database "[^"]*" does not exist', "máy chủ PostgreSQL không có cơ sở dữ liệu này"),
    (r'role "[^"]*" does not exist', "máy chủ PostgreSQL không có người dùng này"),
    ("connection refused", "không kết nối được máy chủ PostgreSQL (không có máy chủ nào "
                           "nghe ở địa chỉ này)"),
    ("timeout", "quá thời gian chờ máy chủ PostgreSQL"),
    ("timed out", "quá thời gian chờ máy chủ PostgreSQL"),
    ("could not translate host name", "không tìm thấy máy chủ PostgreSQL theo tên này"),
    ("server closed the connection", "mất kết nối tới máy chủ PostgreSQL"),
    ("connection is lost", "mất kết nối tới máy chủ PostgreSQL"),
    ("consuming input failed", "mất kết nối tới máy chủ PostgreSQL"),
    ("connection failed", "không kết nối được máy chủ PostgreSQL"),
)


def storage_reason(exc: BaseException) -> str:
    """PostgreSQL's error as a user reads it: the reason in Vietnamese, then the server's
    (or libpq's) own words in brackets, for whoever looks after the server."""
    from psycopg_pool import PoolTimeout

    text = " ".join(str(exc).split())
    low = text.lower()
    if storage_full(exc):
        reason = "ổ đĩa của máy chủ PostgreSQL đã đầy hoặc máy chủ hết bộ nhớ"
    elif isinstance(exc, PoolTimeout):
        reason = "hết thời gian chờ một kết nối tới máy chủ PostgreSQL"
    elif isinstance(exc, psycopg.DataError):
        reason = "máy chủ PostgreSQL không nhận dữ liệu này"
    else:
        reason = next((vi for what, vi in _REASONS
                       if (isinstance(what, str) and re.search(what, low)) or
                       (isinstance(what, type) and isinstance(exc, what))),
                      "lỗi của máy chủ PostgreSQL")
    return f"{reason} ({text})" if text else reason


def without_password(url: str) -> str:
    """``postgresql://user:secret@host/db`` → ``postgresql://user@host/db`` (for messages)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{user}@{host}" if user else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
