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
snippet HTML is built by :mod:`pipeline.web.marks` and :mod:`pipeline.index.query`, which
escape every document character). Responses carry a Content-Security-Policy that allows
no script at all, and the Host header must be one we serve (against DNS rebinding). With
a token (``--token`` or ``VANBAN_SERVE_TOKEN``) every request must carry it: once as
``?token=`` (then kept in an HttpOnly cookie) or as ``Authorization: Bearer``.
Database work runs on a small pool of threads, each with its own read-only connection.

The views, one module per kind of page: :mod:`.search`, :mod:`.document`,
:mod:`.citations`; what they share: :mod:`.site`; headers and token: :mod:`.guard`.
This module wires them into the app.
"""
from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pipeline.index import open_index
from pipeline.web.citations import CitationsView
from pipeline.web.document import DocumentView
from pipeline.web.guard import Guard
from pipeline.web.search import SearchView
from pipeline.web.site import PKG, Settings, Site

__all__ = ["Settings", "create_app"]


async def health(request: Request) -> Response:
    return JSONResponse({"ok": True})


def create_app(settings: Settings) -> Starlette:
    """The ASGI app; the index must exist (``vanban index``)."""
    open_index(settings.db, readonly=True).close()  # fail now, clearly, if missing or old
    site = Site(settings)
    search, doc, cites = SearchView(site), DocumentView(site), CitationsView(site)
    get = ["GET", "HEAD"]
    routes = [
        Route("/", search.page, methods=get),
        Route("/doc/{doc_id:int}", doc.page, methods=get),
        Route("/cited-by", cites.cited_by_page, methods=get),
        Route("/not-held", cites.not_held_page, methods=get),
        Route("/api/search", search.api, methods=get),
        Route("/api/cited-by", cites.api_cited_by, methods=get),
        Route("/gaps/{name}", doc.gap_report, methods=get),
        Route("/healthz", health, methods=get),
        Mount("/static", app=StaticFiles(directory=str(PKG / "static")), name="static"),
    ]

    async def not_found(request: Request, exc) -> Response:
        return site.error(404, "Không tìm thấy trang này.")

    async def not_allowed(request: Request, exc) -> Response:
        return Response("Chỉ đọc: phương thức này không được phép.\n", status_code=405,
                        headers={"Allow": "GET, HEAD"}, media_type="text/plain")

    async def server_error(request: Request, exc) -> Response:
        return site.error(500, "Lỗi máy chủ khi đọc chỉ mục.")

    app = Starlette(routes=routes, middleware=[
        Middleware(Guard, token=settings.token),
        Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.hosts)),
    ], exception_handlers={404: not_found, 405: not_allowed, 500: server_error})
    app.state.vanban = site
    return app
