"""``vanban serve``: a small read-only web app over the index, in Vietnamese.

Starlette + Jinja2, served by uvicorn: all three are already installed with Prefect, there
is no front-end build and no JavaScript. Pages:

- ``/``: search (words with or without accents, phrases, ``prefix*``, ``-word``, a
  số/ký hiệu in any spelling) with filters and facet counts;
- ``/doc/{id}``: the document text with its extracted facts marked by their spans,
  references linked to the cited documents, what cites it, its duties with owners and
  deadlines, findings, and its gap reports when the flow wrote any;
- ``/cited-by?symbol=``: who cites a document (held or not); ``/not-held``: the cited
  documents the archive lacks, most cited first;
- ``/api/search`` and ``/api/cited-by``: the same as ``vanban search --json`` and
  ``vanban cited-by --json``;
- ``/gaps/{name}``: the gap reports (HTML) the flow wrote next to the index.

Read-only by construction: the database is opened with ``mode=ro``; only GET and HEAD
are routed. Every string from a document is escaped (Jinja autoescape; the text and
snippet HTML is built by :mod:`pipeline.web.doc` and :mod:`pipeline.index.query`, which
escape every document character). Responses carry a Content-Security-Policy that allows
no script at all, and the Host header must be one we serve (against DNS rebinding). With
a token (``--token`` or ``VANBAN_SERVE_TOKEN``) every request must carry it: once as
``?token=`` (then kept in an HttpOnly cookie) or as ``Authorization: Bearer``.
Database work runs on a small pool of threads, each with its own read-only connection.
"""
from __future__ import annotations

import asyncio
import glob
import hmac
import json
import re
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pipeline.document.doctypes import lookup_abbr

PAGE_SIZE = 20
MAX_PAGE = 50  # deeper than 1,000 results: refine the query
MAX_QUERY = 300  # characters
MAX_CITING = 500  # citing documents listed on a page (the API lists all)
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
CSP_GAPS = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
_GAP_NAME = re.compile(r"[\w.-]{1,200}\.html")
_PKG = resources.files("pipeline.web")


@dataclass(frozen=True)
class Settings:
    db: Path
    gaps: Path | None = None  # folder of gap reports (<plan file stem>.html)
    token: str | None = None
    hosts: tuple[str, ...] = ("127.0.0.1", "localhost")
    workers: int = 2


class Index:
    """Read-only connections, one per worker thread."""

    def __init__(self, db: Path, workers: int) -> None:
        self.db = db
        self.local = threading.local()
        self.pool = ThreadPoolExecutor(max_workers=max(1, workers),
                                       thread_name_prefix="vanban-web")

    def conn(self) -> sqlite3.Connection:
        c = getattr(self.local, "conn", None)
        if c is None:
            from pipeline.index.store import connect

            c = self.local.conn = connect(self.db, readonly=True)
        return c

    async def run(self, fn, *args):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, lambda: fn(self.conn(), *args))


def _templates() -> Environment:
    env = Environment(loader=FileSystemLoader(str(_PKG / "templates")),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["vndate"] = vn_date
    env.filters["typename"] = type_name
    env.globals["typename"] = type_name
    return env


def vn_date(iso: str | None) -> str:
    """``2020-03-02`` → ``02/03/2020``; partial dates as far as they go."""
    if not iso:
        return ""
    parts = iso.split("-")
    return "/".join(reversed(parts)) if all(p.isdigit() for p in parts) else iso


def type_name(abbr: str | None) -> str:
    t = lookup_abbr(abbr) if abbr else None
    return t.name.capitalize() if t else (abbr or "")


def _flag(v: str | None) -> bool:
    return (v or "").lower() in ("1", "true", "on", "yes", "có")


def _filters(request: Request):
    from pipeline.index.search import Filters

    q = request.query_params
    year = q.get("year", "")
    return Filters(doc_type=q.get("doc_type") or None, issuer=q.get("issuer") or None,
                   year=int(year) if year.isdigit() and len(year) == 4 else None,
                   owner=q.get("owner") or None, has_findings=_flag(q.get("has_findings")),
                   open_duties=_flag(q.get("open_duties")))


def _page(request: Request) -> int:
    p = request.query_params.get("page", "1")
    return min(MAX_PAGE, max(1, int(p))) if p.isdigit() and len(p) < 6 else 1


def _link(params: dict, **change) -> str:
    merged = {**params, **change}
    return "/?" + urlencode({k: v for k, v in merged.items() if v not in (None, "", False)})


class App:
    def __init__(self, settings: Settings) -> None:
        self.s = settings
        self.index = Index(settings.db, settings.workers)
        self.env = _templates()

    def render(self, name: str, status: int = 200, **ctx) -> HTMLResponse:
        return HTMLResponse(self.env.get_template(name).render(**ctx), status_code=status)

    def error(self, status: int, message: str) -> HTMLResponse:
        return self.render("error.html", status=status, message=message, code=status)

    async def search_page(self, request: Request) -> Response:
        from pipeline.index.search import search

        q = request.query_params.get("q", "")[:MAX_QUERY]
        filters = _filters(request)
        page = _page(request)
        data = await self.index.run(lambda c: search(c, q, filters, limit=PAGE_SIZE,
                                                     offset=(page - 1) * PAGE_SIZE,
                                                     owner_facet=True))
        params = {"q": q, "doc_type": filters.doc_type, "issuer": filters.issuer,
                  "year": filters.year, "owner": filters.owner,
                  "has_findings": "1" if filters.has_findings else "",
                  "open_duties": "1" if filters.open_duties else ""}
        for r in data["results"]:
            r["snippet_html"] = Markup(r["snippet"])  # escaped by the Highlighter
        pages = (data["total"] + PAGE_SIZE - 1) // PAGE_SIZE
        return self.render("search.html", q=q, data=data, params=params, page=page,
                           pages=min(pages, MAX_PAGE), link=lambda **kw: _link(params, **kw),
                           filters=filters)

    async def doc_page(self, request: Request) -> Response:
        from pipeline.web.doc import load_view

        raw = request.path_params["doc_id"]
        view = await self.index.run(load_view, raw)
        if view is None:
            return self.error(404, f"Không có văn bản số {raw} trong kho.")
        for b in view.blocks:
            if b["kind"] == "p":
                b["html"] = Markup(b["html"])
            else:
                b["rows"] = [[Markup(c) for c in row] for row in b["rows"]]
        return self.render("doc.html", v=view, m=view.meta, gaps=self.gap_links(view.meta))

    def gap_links(self, meta: dict) -> list[dict]:
        """The gap reports of this plan: from ``gaps/index.json`` (written by the flow,
        keyed by source path), else any ``<file stem>*.html`` there."""
        if not self.s.gaps or not self.s.gaps.is_dir():
            return []
        from pipeline.reports.archive import load_index

        here = Path(meta["path"]).resolve()
        for path, e in load_index(self.s.gaps.parent).items():
            if Path(path).resolve() == here and _GAP_NAME.fullmatch(e.get("html", "")):
                counts = e.get("counts") or {}
                return [{"name": e["html"], "href": f"/gaps/{e['html']}",
                         "counts": counts, "as_of": (e.get("made_from") or {}).get("as_of")}]
        stem = Path(meta["path"]).stem
        return [{"name": p.name, "href": f"/gaps/{p.name}"}
                for p in sorted(self.s.gaps.glob(f"{glob.escape(stem)}*.html"))
                if _GAP_NAME.fullmatch(p.name)]

    async def cited_by_page(self, request: Request) -> Response:
        from pipeline.index.graph import cited_by

        symbol = request.query_params.get("symbol", "")[:MAX_QUERY].strip()
        if not symbol:
            return self.error(400, "Cần nhập số, ký hiệu văn bản (ví dụ 1696/QĐ-TTg).")

        def work(c):
            data = cited_by(c, symbol)
            data["more"] = max(0, len(data["cited_by"]) - MAX_CITING)
            data["cited_by"] = data["cited_by"][:MAX_CITING]
            paths = [x["path"] for x in data["cited_by"]]
            if data["held"]:
                paths.append(data["held"]["path"])
            ids = dict(c.execute("SELECT path, id FROM documents WHERE path IN "
                                 "(SELECT value FROM json_each(?))", (json.dumps(paths, ensure_ascii=False),)))
            return data, ids

        data, ids = await self.index.run(work)
        return self.render("citedby.html", symbol=symbol, data=data, ids=ids)

    async def not_held_page(self, request: Request) -> Response:
        from pipeline.index.graph import not_held

        rows = await self.index.run(lambda c: not_held(c, 200))
        return self.render("notheld.html", rows=rows)

    async def api_search(self, request: Request) -> Response:
        from pipeline.index.search import search

        q = request.query_params.get("q", "")[:MAX_QUERY]
        filters = _filters(request)
        page = _page(request)
        data = await self.index.run(lambda c: search(c, q, filters, limit=PAGE_SIZE,
                                                     offset=(page - 1) * PAGE_SIZE))
        return JSONResponse(data)

    async def api_cited_by(self, request: Request) -> Response:
        from pipeline.index.graph import cited_by

        symbol = request.query_params.get("symbol", "")[:MAX_QUERY].strip()
        if not symbol:
            return JSONResponse({"error": "symbol is required"}, status_code=400)
        return JSONResponse(await self.index.run(cited_by, symbol))

    async def gap_report(self, request: Request) -> Response:
        name = request.path_params["name"]
        if not self.s.gaps or not _GAP_NAME.fullmatch(name):
            return self.error(404, "Không có báo cáo rà soát này.")
        path = self.s.gaps / name
        if not path.is_file() or path.resolve().parent != self.s.gaps.resolve():
            return self.error(404, "Không có báo cáo rà soát này.")
        resp = FileResponse(path, media_type="text/html; charset=utf-8")
        resp.headers["Content-Security-Policy"] = CSP_GAPS
        return resp

    async def health(self, request: Request) -> Response:
        return JSONResponse({"ok": True})


class Guard:
    """Security headers on every response; the token check when one is set."""

    def __init__(self, app, token: str | None) -> None:
        self.app = app
        self.token = token

    def _authorised(self, scope) -> tuple[bool, bool]:
        """(allowed, came as ?token= and should be kept in a cookie)"""
        if not self.token:
            return True, False
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        auth = headers.get("authorization", "")
        if auth.startswith("Bearer ") and hmac.compare_digest(auth[7:], self.token):
            return True, False
        for part in headers.get("cookie", "").split(";"):
            k, _, v = part.strip().partition("=")
            if k == "vanban_token" and hmac.compare_digest(v, self.token):
                return True, False
        from urllib.parse import parse_qs

        qs = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = (qs.get("token") or [""])[0]
        if given and hmac.compare_digest(given, self.token):
            return True, True
        return False, False

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ok, set_cookie = self._authorised(scope)

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = [(b"x-content-type-options", b"nosniff"),
                         (b"referrer-policy", b"no-referrer"),
                         (b"x-frame-options", b"DENY"),
                         (b"cache-control", b"no-store")]
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", CSP.encode()))
                if set_cookie:
                    extra.append((b"set-cookie", f"vanban_token={self.token}; HttpOnly; "
                                  "SameSite=Strict; Path=/".encode("latin-1")))
                message = {**message, "headers": headers + extra}
            await send(message)

        if not ok:
            resp = HTMLResponse("<!doctype html><meta charset=utf-8><title>401</title>"
                                "<p>Cần mã truy cập (token).</p>", status_code=401)
            await resp(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


def create_app(settings: Settings) -> Starlette:
    """The ASGI app; the index must exist (``vanban index``)."""
    from pipeline.index.store import connect

    connect(settings.db, readonly=True).close()  # fail now, clearly, if it is missing or old
    a = App(settings)
    get = ["GET", "HEAD"]
    routes = [
        Route("/", a.search_page, methods=get),
        Route("/doc/{doc_id:int}", a.doc_page, methods=get),
        Route("/cited-by", a.cited_by_page, methods=get),
        Route("/not-held", a.not_held_page, methods=get),
        Route("/api/search", a.api_search, methods=get),
        Route("/api/cited-by", a.api_cited_by, methods=get),
        Route("/gaps/{name}", a.gap_report, methods=get),
        Route("/healthz", a.health, methods=get),
        Mount("/static", app=StaticFiles(directory=str(_PKG / "static")), name="static"),
    ]

    async def not_found(request: Request, exc) -> Response:
        return a.error(404, "Không tìm thấy trang này.")

    async def not_allowed(request: Request, exc) -> Response:
        return Response("Chỉ đọc: phương thức này không được phép.\n", status_code=405,
                        headers={"Allow": "GET, HEAD"}, media_type="text/plain")

    async def server_error(request: Request, exc) -> Response:
        return a.error(500, "Lỗi máy chủ khi đọc chỉ mục.")

    app = Starlette(routes=routes, middleware=[
        Middleware(Guard, token=settings.token),
        Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.hosts)),
    ], exception_handlers={404: not_found, 405: not_allowed, 500: server_error})
    app.state.vanban = a
    return app

