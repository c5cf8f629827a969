"""``vanban index``, ``search``, ``cites``, ``cited-by`` and ``not-held``: the archive index
from the command line. Register with ``for c in COMMANDS: main.add_command(c)``."""
from __future__ import annotations

import html
import json
import os
import re
import sys
import time
from pathlib import Path

import click

from flows.cli.errors import Command
from flows.cli.types import DATE
from pipeline.document.model import VanbanError

DB_ENV = "VANBAN_DB"
"""The environment variable every ``--db`` option reads when it is not given."""
_URL = re.compile(r"postgres(?:ql)?://", re.IGNORECASE)


def is_url(db: str | os.PathLike) -> bool:
    """``db`` names a PostgreSQL database (``postgresql://…``), not an index file."""
    return isinstance(db, str) and bool(_URL.match(db))


def shown(db: str | os.PathLike) -> str:
    """``db`` for messages: a URL without its password, a path as given."""
    if not is_url(db):
        return str(db)
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(str(db))
    if parts.password is None:
        return str(db)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class DbType(click.ParamType):
    """Where the index is: a file path (SQLite) or a ``postgresql://`` URL (also
    ``postgres://``, made ``postgresql://``). ``dir_okay=False``: a folder is a usage
    mistake at once (the writing commands)."""

    name = "TỆP|URL"

    def __init__(self, dir_okay: bool = True) -> None:
        self.dir_okay = dir_okay

    def convert(self, value, param, ctx):
        text = os.fspath(value) if isinstance(value, os.PathLike) else str(value)
        if is_url(text):
            return "postgresql://" + text.split("://", 1)[1]
        if not text.strip():
            self.fail("chưa chỉ tệp chỉ mục hay URL postgresql://", param, ctx)
        if "://" in text:
            self.fail(f"“{shown(text)}”: chỉ nhận một tệp chỉ mục hoặc URL postgresql://…",
                      param, ctx)
        if not self.dir_okay and Path(text).is_dir():
            self.fail(f"“{text}” là một thư mục, không phải tệp chỉ mục", param, ctx)
        return text


DB = DbType()
_DB_HELP = ("Chỉ mục: một tệp SQLite hoặc URL postgresql://người_dùng@máy/csdl "
            f"(biến môi trường {DB_ENV}).")
DB_OPTION = click.option("--db", default="outputs/index.db", show_default=True,
                         envvar=DB_ENV, type=DbType(dir_okay=False), help=_DB_HELP)
# reading commands: a directory given as --db is "not a vanban index", one line, exit 2
READ_DB_OPTION = click.option("--db", default="outputs/index.db", show_default=True,
                              envvar=DB_ENV, type=DB, help=_DB_HELP)
_MARK = re.compile(r"<mark>(.*?)</mark>")


def _open(db: str):
    """The index read-only; one made by an older vanban is upgraded first. Anything else
    (no file, not an index, a newer vanban's): one line ``vanban: DB: reason``, exit 2."""
    # deliberately lazy, as every import of the index below: the vanban commands that do
    # not use the index do not load it (numpy, the database driver) at start-up
    from pipeline.index import StoreError, open_index

    try:
        try:
            return open_index(db, readonly=True)
        except VanbanError as err:
            if err.kind != "schema":
                raise
            open_index(db).close()  # apply the migrations, then read as usual
            return open_index(db, readonly=True)
    except VanbanError as err:
        click.echo(f"vanban: {err}", err=True)
        sys.exit(2)
    except (RuntimeError, StoreError) as err:
        click.echo(f"vanban: {shown(db)}: {err}", err=True)
        sys.exit(2)


def _dump(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _plain(snippet: str) -> str:
    """HTML snippet → terminal text with the matches in bold."""
    return html.unescape(_MARK.sub(lambda m: click.style(m.group(1), bold=True), snippet))


def _doc_line(d: dict) -> str:
    parts = [d.get("symbol") or f"({d.get('doc_type') or '?'}, no number)", d.get("date") or "",
             d.get("issuer") or ""]
    return "  ".join(p for p in parts if p) + f"\n      {d.get('path')}"


@click.command("index", cls=Command)
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@DB_OPTION
@click.option("--from", "source", metavar="TỆP", type=click.Path(dir_okay=False),
              help="Chép mọi văn bản của chỉ mục SQLite này (văn bản, bố cục, đường dẫn, "
                   "dấu sha256/phiên bản) vào --db, không trích xuất lại.")
@click.option("--quiet", "-q", is_flag=True, help="Chỉ in dòng tổng kết.")
def index_cmd(paths: tuple[str, ...], db: str, source: str | None, quiet: bool) -> None:
    """Lưu các văn bản trong PATHS vào chỉ mục (tệp không đổi được bỏ qua); với --from,
    trước hết chép một chỉ mục SQLite vào --db (một URL PostgreSQL chẳng hạn)."""
    from pipeline.index import StoreError  # lazy: see _open

    if not paths and not source:
        raise click.UsageError("chưa chỉ tệp hay thư mục nào (PATHS), hoặc --from TỆP")
    if source:
        _copy(source, db, quiet)
        if not paths:
            return
    from pipeline.index.ingest import index_paths  # lazy: readers and extractors too

    try:
        summary = index_paths([Path(p) for p in paths], db,
                              progress=None if quiet else click.echo)
    except VanbanError as err:
        click.echo(f"vanban: {err}", err=True)
        sys.exit(2)
    except StoreError as err:  # opening or upgrading the index
        click.echo(f"vanban: {shown(db)}: {err}", err=True)
        sys.exit(2)
    click.echo(summary.describe())
    sys.exit(1 if summary.failed and not (summary.new or summary.changed or summary.skipped)
             else 0)


def _copy(source: str, db: str, quiet: bool) -> None:
    """``vanban index --from SOURCE``: every document of the SQLite index SOURCE into
    ``db``; a Vietnamese summary line; exit 2 when it cannot be done at all."""
    from pipeline.index import StoreError, open_index
    from pipeline.index.copy import copy_index

    def fail(message: str) -> None:
        click.echo(f"vanban: {message}", err=True)
        sys.exit(2)

    if is_url(source):
        fail(f"--from {shown(source)}: chỉ chép được từ một tệp chỉ mục SQLite "
             "(outputs/index.db, …)")
    if not is_url(db) and Path(db).resolve() == Path(source).resolve():
        fail(f"--from và --db là cùng một tệp: {db}")
    _open(source).close()  # one line and exit 2 when it is not an index; upgrades an old one
    try:
        target = open_index(db)
    except VanbanError as err:
        fail(str(err))
    except (RuntimeError, StoreError) as err:
        fail(f"{shown(db)}: {err}")
    last = [0.0]

    def progress(done: int, total: int, path: str) -> None:
        now = time.monotonic()
        if done == total or now - last[0] >= 1.0:  # a line a second at most
            last[0] = now
            click.echo(f"[{done}/{total}] {path}")

    try:
        with target:
            summary = copy_index(source, target, progress=None if quiet else progress,
                                 target_name=shown(db))
    except VanbanError as err:
        fail(str(err))
    except StoreError as err:
        fail(f"{shown(db)}: {err} (các văn bản đã chép vẫn được giữ; chạy lại để chép tiếp)")
    click.echo(summary.describe())
    if summary.failed and not (summary.copied or summary.current):
        sys.exit(1)


@click.command("search", cls=Command)
@click.argument("query", required=False, default="")
@READ_DB_OPTION
@click.option("--type", "doc_type", help="Loại văn bản: KH, QĐ (hoặc qd), BC, …")
@click.option("--issuer", help="Cơ quan ban hành, có dấu hay không: 'UBND tỉnh Hải Dương'.")
@click.option("--year", "year_text", metavar="NĂM",
              help="Năm của văn bản, hoặc 'unknown' / 'không rõ': văn bản không rõ năm.")
@click.option("--signer", help="Người ký (không phân biệt hoa thường; gõ dấu thì đúng dấu).")
@click.option("--from", "date_from", metavar="NGÀY", type=DATE,
              help="Văn bản từ ngày này: 2020-03-02 hoặc 02/03/2020.")
@click.option("--to", "date_to", metavar="NGÀY", type=DATE,
              help="Văn bản đến ngày này: 2020-12-31 hoặc 31/12/2020.")
@click.option("--title-only", is_flag=True, help="Chỉ tìm các từ trong trích yếu (tên văn bản).")
@click.option("--sort", default="relevance", show_default=True, metavar="[relevance|date_desc|"
              "date_asc]", help="Thứ tự: liên quan nhất, mới nhất hoặc cũ nhất trước.")
@click.option("--owner", help="Cơ quan chủ trì hoặc phối hợp một nhiệm vụ.")
@click.option("--has-findings", is_flag=True, help="Chỉ văn bản có phát hiện (lỗi thể thức…).")
@click.option("--open-duties", is_flag=True,
              help="Chỉ văn bản có nhiệm vụ còn hạn từ ngày --as-of.")
@click.option("--as-of", type=DATE, metavar="NGÀY",
              help="Ngày cho --open-duties: dd/mm/yyyy hoặc yyyy-mm-dd (mặc định hôm nay).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(0, 1000),
              help="Số kết quả in ra.")
@click.option("--offset", default=0, type=click.IntRange(0), help="Bỏ qua chừng này kết quả đầu.")
@click.option("--json", "as_json", is_flag=True, help="In JSON vanban.search/1.")
def search_cmd(query: str, db: str, doc_type: str | None, issuer: str | None,
               year_text: str | None, signer: str | None, date_from: str | None,
               date_to: str | None, title_only: bool, sort: str, owner: str | None,
               has_findings: bool, open_duties: bool, as_of: str | None, limit: int,
               offset: int, as_json: bool) -> None:
    """Tìm trong kho: các từ (có dấu thì tìm đúng dấu), "cụm từ", tiền tố*, -loại trừ,
    hoặc số, ký hiệu viết kiểu nào cũng được (1696/QĐ-TTg, QĐ 1696, quyet dinh 1696).
    Các từ gõ liền nhau được tìm trước hết như một cụm, rồi ở bất kỳ chỗ nào."""
    from pipeline.document.labels import vn_date  # lazy: see _open
    from pipeline.index import Filters
    from pipeline.index.base import SORTS, parse_day
    from pipeline.index.query import MAX_QUERY_CHARS, MAX_TERMS

    def fail(message: str) -> None:
        click.echo(f"vanban: {message}", err=True)
        sys.exit(2)

    year, year_unknown = None, False
    if year_text is not None:
        word = " ".join(year_text.lower().split())
        if word in ("unknown", "không rõ", "khong ro", "không rõ năm", "khong ro nam"):
            year_unknown = True
        elif word.isdigit() and 1 <= int(word) <= 9999:
            year = int(word)
        else:
            fail(f"--year: “{year_text}” không phải một năm (ví dụ 2020) hay “không rõ”.")
    days = {}
    for name, value in (("--from", date_from), ("--to", date_to), ("--as-of", as_of)):
        try:
            days[name] = parse_day(value) if value else None
        except ValueError:
            fail(f"{name}: ngày “{value}” không hợp lệ; hãy viết 2020-03-02 hoặc 02/03/2020.")
    if days["--from"] and days["--to"] and days["--from"] > days["--to"]:
        fail(f"--from ({vn_date(days['--from'])}) sau --to ({vn_date(days['--to'])}).")
    if sort not in SORTS:
        fail(f"--sort: “{sort}” không có; chọn một trong {', '.join(SORTS)}.")
    filters = Filters(doc_type=doc_type, issuer=issuer, year=year, owner=owner,
                      has_findings=has_findings, open_duties=open_duties, as_of=days["--as-of"],
                      signer=signer, year_unknown=year_unknown, date_from=days["--from"],
                      date_to=days["--to"], title_only=title_only)
    res = _open(db).search(query, filters, limit=limit, offset=offset, owner_facet=as_json,
                           sort=sort)
    if res.get("shortened"):
        click.echo(f"vanban: câu tìm đã được rút gọn còn {MAX_TERMS} từ đầu "
                   f"(tối đa {MAX_QUERY_CHARS:,} ký tự): {res['query']}"[:200], err=True)
    if as_json:
        _dump(res)
        return
    click.echo(f"{res['total']} văn bản")
    if res.get("accents_ignored"):
        click.echo("Không có kết quả đúng dấu đã gõ; kết quả dưới đây bỏ qua dấu.")
    why = {"symbol": "đúng số, ký hiệu", "cites": "trích dẫn văn bản được tìm"}
    for i, r in enumerate(res["results"], offset + 1):
        head = [r.get("symbol") or "(không số)", vn_date(r.get("date"), missing=""),
                r.get("issuer") or ""]
        note = f"  · {why[r['match']]}" if r.get("match") in why else ""
        click.echo(f"{i:>3}. [{r['doc_type'] or '?'}] " + "  ".join(p for p in head if p) + note)
        click.echo(f"      {r['path']}")
        if r.get("title"):
            click.echo(f"      {r['title']}")
        click.echo(f"      {_plain(r['snippet'])}")
    labels = {"doc_type": "Loại", "year": "Năm", "issuer": "Cơ quan ban hành",
              "signer": "Người ký"}
    for name, label in labels.items():
        counts = res["facets"].get(name) or {}
        if counts:
            shown = ", ".join(f"{'không rõ năm' if k == 'unknown' else k} {v}"
                              for k, v in list(counts.items())[:8])
            click.echo(f"{label}: {shown}")


def _cited_line(d: dict) -> str:
    """A held document for the citation commands: number, date, issuer, then its path."""
    from pipeline.document.labels import vn_date

    parts = [d.get("symbol") or "(không số)", vn_date(d.get("date"), missing=""),
             d.get("issuer") or ""]
    return "  ".join(p for p in parts if p) + f"\n      {d.get('path')}"


def _vn_dates(dates: list[str], most: int = 5) -> str:
    from pipeline.document.labels import vn_date

    shown = ", ".join(vn_date(d) for d in dates[:most])
    return shown + (f" (+{len(dates) - most})" if len(dates) > most else "")


@click.command("cites", cls=Command)
@click.argument("symbol")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="In JSON vanban.cites/1.")
def cites_cmd(symbol: str, db: str, as_json: bool) -> None:
    """Văn bản SYMBOL (viết kiểu nào cũng được, hoặc đường dẫn) dẫn chiếu những văn bản nào."""
    res = _open(db).cites(symbol)
    if as_json:
        _dump(res)
        return
    if res["held"] is None:
        click.echo(f"{symbol}: không có trong kho")
        sys.exit(1)
    click.echo(_cited_line(res["held"]))
    for c in res["cites"]:
        name = c["symbol"] or c["text"]
        where = c["held"]["path"] if c["held"] else "chưa có trong kho"
        click.echo(f"  {name:<28} {c['mentions']:>3} lần  {_vn_dates(c['dates_cited'], 3):<24} "
                   f"{where}")
        others = [s for s in c.get("spellings", []) if s != c["symbol"]]
        if others:
            click.echo(f"      còn viết: {', '.join(others)}")


@click.command("cited-by", cls=Command)
@click.argument("symbol")
@READ_DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="In JSON vanban.citedby/1.")
def cited_by_cmd(symbol: str, db: str, as_json: bool) -> None:
    """Văn bản nào trong kho dẫn chiếu SYMBOL (1696/QĐ-TTg, 1696/qd-ttg, QĐ 1696, 1696)."""
    from pipeline.document.labels import vn_date

    res = _open(db).cited_by(symbol)
    if as_json:
        _dump(res)
        return
    held = res["held"]
    click.echo(f"{res['symbol']}: " + (f"có trong kho, {held['path']}" if held
                                       else "chưa có trong kho"))
    if not res["cited_by"]:
        click.echo("  Chưa có văn bản nào trong kho trích dẫn văn bản này.")
    for c in res["cited_by"]:
        click.echo(f"  {c['symbol'] or '(không số)':<24} {vn_date(c['date'], missing=''):<10} "
                   f"{c['mentions']:>3} lần  {_vn_dates(c['dates_cited'], 3):<24} {c['path']}")
    for other in res.get("also", []):
        held_note = ", có trong kho" if other["held"] else ""
        click.echo(f"  cùng cách viết, văn bản khác: {other['symbol']} "
                   f"({other['cited_by']} văn bản trích dẫn{held_note})")


@click.command("not-held", cls=Command)
@DB_OPTION
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1))
@click.option("--json", "as_json", is_flag=True)
def not_held_cmd(db: str, limit: int, as_json: bool) -> None:
    """Văn bản được dẫn chiếu nhưng kho chưa có."""
    from pipeline.document.labels import vn_date

    rows = _open(db).not_held(limit)
    if as_json:
        _dump({"schema": "vanban.notheld/1", "documents": rows})
        return
    if not rows:
        click.echo("Không có văn bản nào được trích dẫn mà chưa có trong kho.")
    for r in rows:
        name = f"{r['type_name']} số {r['number']}" if r["number"] else r["symbol"]
        if r["date"]:
            name += f" ngày {vn_date(r['date'])}"
        if r["issuer"]:
            name += f" của {r['issuer']}"
        click.echo(f"{r['cited_by']:>4} văn bản trích dẫn, {r['mentions']:>3} lần  {name}")
        if r["title"] and r["number"]:
            click.echo(f"{'':>28}{r['title']}")
        others = [s for s in r.get("spellings", []) if s != r["number"]]
        if others:
            click.echo(f"{'':>28}còn viết: {', '.join(others)}")
        if len(r["dates_cited"]) > 1:
            click.echo(f"{'':>28}ngày được ghi khi trích: {_vn_dates(r['dates_cited'])}")


@click.command("serve", cls=Command)
@READ_DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Địa chỉ lắng nghe. Khác 127.0.0.1 là mở kho ra mạng: đặt cả --token.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option("--gaps", type=click.Path(file_okay=False), default=None,
              help="Thư mục báo cáo tình hình để liên kết từ kế hoạch [mặc định: gaps/ cạnh --db; "
                   "outputs/gaps với --db postgresql://].")
@click.option("--token", envvar="VANBAN_SERVE_TOKEN", default=None,
              help="Đòi mã này (?token=… một lần, hoặc Authorization: Bearer). "
                   "Cũng đọc từ VANBAN_SERVE_TOKEN.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Một tên Host được trả lời ngoài 127.0.0.1 (tên máy khách dùng, ví dụ sau "
                   "proxy); lặp lại được. Cũng VANBAN_ALLOW_HOSTS, cách nhau bằng dấu phẩy. "
                   "Với --host 0.0.0.0 mà không có: 127.0.0.1 và tên máy này.")
def serve_cmd(db: str, host: str, port: int, gaps: str | None, token: str | None,
              allow_hosts: tuple[str, ...]) -> None:
    """Ứng dụng web chỉ đọc trên kho: tìm kiếm, văn bản, dẫn chiếu."""
    import uvicorn

    from pipeline.web.app import Settings, create_app
    from pipeline.web.guard import LOOPBACK, allowed_hosts

    env = [h.strip() for h in os.environ.get("VANBAN_ALLOW_HOSTS", "").split(",") if h.strip()]
    try:
        hosts = allowed_hosts(host, allow_hosts + tuple(env))
    except ValueError as err:
        click.echo(f"vanban: {err}", err=True)
        sys.exit(2)
    if host not in LOOPBACK and not token:
        click.echo(f"vanban: serving on {host} without --token: anyone who can reach this "
                   "machine can read the archive", err=True)
    _open(db).close()  # one line and exit 2 when it is not an index; upgrades an old one
    if gaps:
        folder = Path(gaps)
    elif is_url(db):  # no folder beside a database server: the flow's default outputs
        folder = Path("outputs") / "gaps"
    else:
        folder = Path(db).parent / "gaps"
    try:
        app = create_app(Settings(db=db if is_url(db) else Path(db), gaps=folder, token=token,
                                  hosts=hosts))
    except VanbanError as err:
        click.echo(f"vanban: {err}", err=True)
        sys.exit(2)
    click.echo(f"vanban: serving {shown(db)} read-only on http://{host}:{port}/ "
               f"(Host names answered: {', '.join(hosts)})")
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


COMMANDS = (index_cmd, search_cmd, cites_cmd, cited_by_cmd, not_held_cmd, serve_cmd)
