"""``vanban serve``: a small read-only web app over the index, in Vietnamese.

Starlette + Jinja2, served by uvicorn: all three are already installed with Prefect, there
is no front-end build and no JavaScript. Pages:

- ``/``: search (words with or without accents, phrases, ``prefix*``, ``-word``, a
  số/ký hiệu in any spelling; in the title only if asked) with filters (type, issuer,
  year or no known year, owner, signer, a date range) and facet counts, sorted by
  relevance or by date; ``/export.csv`` and ``/export.xlsx``: the same results as a file;
- ``/doc/{id}``: the document text with its extracted facts marked by their spans,
  references linked to the cited documents (each cited document listed once), what
  cites it, its duties with owners and deadlines, findings, and its gap reports when the
  flow wrote any; ``/doc/{id}/original`` and ``/doc/{id}/text``: its file and its
  normalised text for download (the original only from inside ``Settings.roots``);
- ``/cited-by?symbol=``: who cites a document (held or not); ``/not-held``: the cited
  documents the archive lacks, most cited first;
- ``/api/search`` and ``/api/cited-by``: the same as ``vanban search --json`` and
  ``vanban cited-by --json``;
- ``/find?path=&start=&end=``: the document the index holds at ``path``, that span
  marked and scrolled to (a gap report's quotes link here);
- ``/gaps``: every gap report the flow wrote next to the index (each plan with its date,
  issuer, as-of day and counts by status); ``/gaps/{name}``: one of its files, the HTML
  page as written, the XLSX and DOCX as downloads;
- ``/agencies``: each agency's duties over every plan, counted by status (``?sort=overdue``
  most overdue first); ``/agency/{name}``: that agency's duties, overdue first.

Read-only by construction: the index is opened with ``readonly=True`` (SQLite: ``mode=ro``;
``Settings.db`` may be a ``postgresql://`` URL); only GET and HEAD are routed. Every
string from a document is escaped (Jinja autoescape; the text and snippet HTML is built
by :mod:`pipeline.web.marks` and :mod:`pipeline.index.query`, which escape every document
character). Responses carry a Content-Security-Policy that allows
no script at all, and the Host header must be one we serve (against DNS rebinding), always.
With a token (``--token`` or ``VANBAN_SERVE_TOKEN``) every request must carry it: once as
``?token=`` (then kept in an HttpOnly cookie) or as ``Authorization: Bearer``. Every
answer, errors included, is in Vietnamese and carries the same headers: :class:`Guard`
wraps the whole app, outside Starlette's own error handling. Every integer a request
carries is checked in one place (:func:`pipeline.web.site.int_param`): a bad one is a 400.
Database work runs on a small pool of threads, each with its own read-only connection.

The views, one module per kind of page: :mod:`.search`, :mod:`.document`,
:mod:`.citations`, :mod:`.gaps`, :mod:`.agencies`; what they share: :mod:`.site`;
headers and token: :mod:`.guard`. This module wires them into the app.
"""
from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pipeline.index import open_index
from pipeline.web.agencies import AgenciesView
from pipeline.web.citations import CitationsView
from pipeline.web.document import DocumentView
from pipeline.web.export import ExportView
from pipeline.web.files import FilesView
from pipeline.web.gaps import GapsView
from pipeline.web.guard import Guard
from pipeline.web.search import SearchView
from pipeline.web.site import PKG, BadParam, Settings, Site

__all__ = ["Settings", "create_app"]


async def health(request: Request) -> Response:
    return JSONResponse({"ok": True})


MESSAGES = {400: "Yêu cầu không hợp lệ.", 401: "Cần mã truy cập (token).",
            403: "Không được phép.", 404: "Không tìm thấy trang này.",
            405: "Chỉ đọc: phương thức này không được phép.",
            500: "Lỗi máy chủ khi đọc chỉ mục."}


class GuardedApp(Starlette):
    """Starlette with :class:`Guard` outside everything, its error pages included."""

    def __init__(self, *args, settings: Settings, **kwargs) -> None:
        self.settings = settings
        super().__init__(*args, **kwargs)

    def build_middleware_stack(self):
        return Guard(super().build_middleware_stack(), token=self.settings.token,
                     hosts=self.settings.hosts)


def create_app(settings: Settings) -> Starlette:
    """The ASGI app; the index must exist (``vanban index``)."""
    open_index(settings.db, readonly=True).close()  # fail now, clearly, if missing or old
    site = Site(settings)
    search, doc, cites = SearchView(site), DocumentView(site), CitationsView(site)
    gaps, agencies = GapsView(site), AgenciesView(site)
    files, export = FilesView(site), ExportView(site)
    get = ["GET", "HEAD"]
    routes = [
        Route("/", search.page, methods=get),
        Route("/doc/{doc_id}", doc.page, methods=get),
        Route("/doc/{doc_id}/original", files.original, methods=get),
        Route("/doc/{doc_id}/text", files.text, methods=get),
        Route("/export.csv", export.csv, methods=get),
        Route("/export.xlsx", export.xlsx, methods=get),
        Route("/cited-by", cites.cited_by_page, methods=get),
        Route("/not-held", cites.not_held_page, methods=get),
        Route("/api/search", search.api, methods=get),
        Route("/api/cited-by", cites.api_cited_by, methods=get),
        Route("/find", doc.find, methods=get),
        Route("/gaps", gaps.list_page, methods=get),
        Route("/gaps/{name}", gaps.file, methods=get),
        Route("/agencies", agencies.list_page, methods=get),
        Route("/agency/{name:path}", agencies.page, methods=get),
        Route("/healthz", health, methods=get),
        Mount("/static", app=StaticFiles(directory=str(PKG / "static")), name="static"),
    ]

    def answer(request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=status)
        return site.error(status, message)

    async def bad_param(request: Request, exc: BadParam) -> Response:
        return answer(request, 400, exc.message)

    async def http_error(request: Request, exc: HTTPException) -> Response:
        resp = answer(request, exc.status_code,
                      MESSAGES.get(exc.status_code, MESSAGES[400 if exc.status_code < 500
                                                             else 500]))
        if exc.status_code == 405:
            resp.headers["Allow"] = "GET, HEAD"
        return resp

    async def server_error(request: Request, exc) -> Response:
        return answer(request, 500, MESSAGES[500])

    app = GuardedApp(routes=routes, settings=settings, exception_handlers={
        BadParam: bad_param, HTTPException: http_error, 500: server_error})
    app.state.vanban = site
    return app
