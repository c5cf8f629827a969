"""``vanban index``, ``search``, ``cites``, ``cited-by`` and ``not-held``: the archive index
from the command line. Register with ``for c in COMMANDS: main.add_command(c)``."""
from __future__ import annotations

import html
import json
import os
import re
import sys
from pathlib import Path

import click

from pipeline.document.model import VanbanError

DB_OPTION = click.option("--db", default="outputs/index.db", show_default=True,
                         type=click.Path(dir_okay=False), help="The index file.")
# reading commands: a directory given as --db is "not a vanban index", one line, exit 2
READ_DB_OPTION = click.option("--db", default="outputs/index.db", show_default=True,
                              type=click.Path(), help="The index file.")
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
        click.echo(f"vanban: {db}: {err}", err=True)
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


@click.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@DB_OPTION
@click.option("--quiet", "-q", is_flag=True, help="Only the summary line.")
def index_cmd(paths: tuple[str, ...], db: str, quiet: bool) -> None:
    """Store documents under PATHS in the index (unchanged files are skipped)."""
    from pipeline.index import StoreError  # lazy: see _open
    from pipeline.index.ingest import index_paths  # lazy: readers and extractors too

    try:
        summary = index_paths([Path(p) for p in paths], db,
                              progress=None if quiet else click.echo)
    except VanbanError as err:
        click.echo(f"vanban: {err}", err=True)
        sys.exit(2)
    except StoreError as err:  # opening or upgrading the index
        click.echo(f"vanban: {db}: {err}", err=True)
        sys.exit(2)
    click.echo(summary.describe())
    sys.exit(1 if summary.failed and not (summary.new or summary.changed or summary.skipped)
             else 0)


@click.command("search")
@click.argument("query", required=False, default="")
@READ_DB_OPTION
@click.option("--type", "doc_type", help="Document type: KH, QĐ (or qd), BC, …")
@click.option("--issuer", help="Issuing body, any accents: 'UBND tỉnh Hải Dương'.")
@click.option("--year", type=click.IntRange(1, 9999), help="Year of the document's date.")
@click.option("--owner", help="An agency named as lead or support of a duty.")
@click.option("--has-findings", is_flag=True, help="Only documents with findings.")
@click.option("--open-duties", is_flag=True,
              help="Only documents with a duty due on or after --as-of.")
@click.option("--as-of", help="Date for --open-duties (YYYY-MM-DD, default today).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(0, 1000))
@click.option("--offset", default=0, type=click.IntRange(0))
@click.option("--json", "as_json", is_flag=True, help="Print vanban.search/1 JSON.")
def search_cmd(query: str, db: str, doc_type: str | None, issuer: str | None,
               year: int | None, owner: str | None, has_findings: bool, open_duties: bool,
               as_of: str | None, limit: int, offset: int, as_json: bool) -> None:
    """Search the index: words (accents optional), "phrases", prefix*, -exclude, or a
    number/symbol in any spelling (1696/QĐ-TTg, QĐ 1696, quyet dinh 1696)."""
    from pipeline.index import Filters  # lazy: see _open
    from pipeline.index.query import MAX_QUERY_CHARS, MAX_TERMS

    filters = Filters(doc_type=doc_type, issuer=issuer, year=year, owner=owner,
                      has_findings=has_findings, open_duties=open_duties, as_of=as_of)
    res = _open(db).search(query, filters, limit=limit, offset=offset, owner_facet=True)
    if res.get("shortened"):
        click.echo(f"vanban: query shortened to its first {MAX_TERMS} terms "
                   f"({MAX_QUERY_CHARS:,} characters at most): {res['query']}"[:200], err=True)
    if as_json:
        _dump(res)
        return
    click.echo(f"{res['total']} documents")
    for i, r in enumerate(res["results"], offset + 1):
        click.echo(f"{i:>3}. [{r['doc_type'] or '?'}] {_doc_line(r)}")
        if r.get("title"):
            click.echo(f"      {r['title']}")
        click.echo(f"      {_plain(r['snippet'])}")
    for name in ("doc_type", "year", "issuer"):
        counts = res["facets"].get(name) or {}
        if counts:
            shown = ", ".join(f"{k} {v}" for k, v in list(counts.items())[:8])
            click.echo(f"{name}: {shown}")


@click.command("cites")
@click.argument("symbol")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print vanban.cites/1 JSON.")
def cites_cmd(symbol: str, db: str, as_json: bool) -> None:
    """What the document SYMBOL (any spelling, or its path) cites, held or not."""
    res = _open(db).cites(symbol)
    if as_json:
        _dump(res)
        return
    if res["held"] is None:
        click.echo(f"{symbol}: not in the index")
        sys.exit(1)
    click.echo(_doc_line(res["held"]))
    for c in res["cites"]:
        name = c["symbol"] or c["text"]
        where = c["held"]["path"] if c["held"] else "not held"
        dates = ", ".join(c["dates_cited"])
        click.echo(f"  {name:<28} ×{c['mentions']:<3} {dates:<24} {where}")


@click.command("cited-by")
@click.argument("symbol")
@READ_DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print vanban.citedby/1 JSON.")
def cited_by_cmd(symbol: str, db: str, as_json: bool) -> None:
    """Which indexed documents cite SYMBOL (1696/QĐ-TTg, 1696/qd-ttg, QĐ 1696, 1696)."""
    res = _open(db).cited_by(symbol)
    if as_json:
        _dump(res)
        return
    held = res["held"]
    click.echo(f"{res['symbol']}: " + (f"held, {held['path']}" if held else "not held"))
    for c in res["cited_by"]:
        click.echo(f"  {c['symbol'] or '(no number)':<24} {c['date'] or '':<10} "
                   f"×{c['mentions']:<3} {', '.join(c['dates_cited']):<24} {c['path']}")
    for other in res.get("also", []):
        click.echo(f"  also matches {other['symbol']} ({other['cited_by']} citing documents)")


@click.command("not-held")
@DB_OPTION
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1))
@click.option("--json", "as_json", is_flag=True)
def not_held_cmd(db: str, limit: int, as_json: bool) -> None:
    """Documents that indexed documents cite but the index does not hold."""
    rows = _open(db).not_held(limit)
    if as_json:
        _dump({"schema": "vanban.notheld/1", "documents": rows})
        return
    for r in rows:
        click.echo(f"{r['symbol']:<40} cited by {r['cited_by']:>4} documents, "
                   f"{r['mentions']:>4} mentions  {', '.join(r['dates_cited'][:3])}")


@click.command("serve")
@READ_DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback exposes the archive: set "
                   "--token too.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option("--gaps", type=click.Path(file_okay=False), default=None,
              help="Folder of gap reports to link from plans [default: gaps/ beside --db].")
@click.option("--token", envvar="VANBAN_SERVE_TOKEN", default=None,
              help="Require this token (?token=… once, or Authorization: Bearer). "
                   "Also read from VANBAN_SERVE_TOKEN.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="A Host header name to answer besides loopback (the name clients use, "
                   "behind a proxy say); repeatable. Also VANBAN_ALLOW_HOSTS, comma-separated. "
                   "With --host 0.0.0.0 and none given: loopback and this machine's host name.")
def serve_cmd(db: str, host: str, port: int, gaps: str | None, token: str | None,
              allow_hosts: tuple[str, ...]) -> None:
    """Read-only web app over the index: search, documents, citations (Vietnamese UI)."""
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
    try:
        app = create_app(Settings(db=Path(db), gaps=Path(gaps) if gaps else
                                  Path(db).parent / "gaps", token=token, hosts=hosts))
    except VanbanError as err:
        click.echo(f"vanban: {err}", err=True)
        sys.exit(2)
    click.echo(f"vanban: serving {db} read-only on http://{host}:{port}/ "
               f"(Host names answered: {', '.join(hosts)})")
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


COMMANDS = (index_cmd, search_cmd, cites_cmd, cited_by_cmd, not_held_cmd, serve_cmd)
