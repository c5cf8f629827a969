"""The search views: ``/`` (the page, with filters and facet counts) and ``/api/search``
(``vanban.search/1``, as ``vanban search --json``)."""
from __future__ import annotations

from urllib.parse import urlencode

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pipeline.index import Filters
from pipeline.index.query import MAX_TERMS
from pipeline.web.site import Site, int_param

PAGE_SIZE = 20
MAX_PAGE = 50  # deeper than 1,000 results: refine the query
MAX_QUERY = 300  # characters


def _flag(v: str | None) -> bool:
    return (v or "").lower() in ("1", "true", "on", "yes", "có")


def request_filters(request: Request) -> Filters:
    """The filters of a search request; a bad ``year`` raises BadParam (400)."""
    q = request.query_params
    return Filters(doc_type=q.get("doc_type") or None, issuer=q.get("issuer") or None,
                   year=int_param(q.get("year"), "year", 1000, 9999),
                   owner=q.get("owner") or None, has_findings=_flag(q.get("has_findings")),
                   open_duties=_flag(q.get("open_duties")))


def request_page(request: Request) -> int:
    """The page asked for, 1 to :data:`MAX_PAGE`; anything else raises BadParam (400)."""
    return int_param(request.query_params.get("page"), "page", 1, MAX_PAGE) or 1


def request_query(request: Request) -> tuple[str, bool]:
    """The query text, cut to :data:`MAX_QUERY` characters, and whether it was cut."""
    q = request.query_params.get("q", "")
    return q[:MAX_QUERY], len(q) > MAX_QUERY


def _link(params: dict, **change) -> str:
    merged = {**params, **change}
    return "/?" + urlencode({k: v for k, v in merged.items() if v not in (None, "", False)})


class SearchView:
    def __init__(self, site: Site) -> None:
        self.site = site

    async def page(self, request: Request) -> Response:
        q, cut = request_query(request)
        filters = request_filters(request)
        page = request_page(request)
        data = await self.site.index.run(lambda i: i.search(q, filters, limit=PAGE_SIZE,
                                                            offset=(page - 1) * PAGE_SIZE,
                                                            owner_facet=True))
        params = {"q": q, "doc_type": filters.doc_type, "issuer": filters.issuer,
                  "year": filters.year, "owner": filters.owner,
                  "has_findings": "1" if filters.has_findings else "",
                  "open_duties": "1" if filters.open_duties else ""}
        for r in data["results"]:
            r["snippet_html"] = Markup(r["snippet"])  # escaped by the Highlighter
        pages = (data["total"] + PAGE_SIZE - 1) // PAGE_SIZE
        return self.site.render("search.html", q=q, data=data, params=params, page=page,
                                pages=min(pages, MAX_PAGE),
                                link=lambda **kw: _link(params, **kw), filters=filters,
                                shortened=cut or data.get("shortened", False),
                                max_terms=MAX_TERMS, max_chars=MAX_QUERY)

    async def api(self, request: Request) -> Response:
        q, cut = request_query(request)
        filters = request_filters(request)
        page = request_page(request)
        data = await self.site.index.run(lambda i: i.search(q, filters, limit=PAGE_SIZE,
                                                            offset=(page - 1) * PAGE_SIZE))
        data["shortened"] = cut or data.get("shortened", False)
        return JSONResponse(data)
