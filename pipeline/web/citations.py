"""The citation views: ``/cited-by?symbol=`` (who cites a document, held or not),
``/not-held`` (the cited documents the archive lacks, most cited first) and
``/api/cited-by`` (``vanban.citedby/1``, as ``vanban cited-by --json``)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pipeline.index import Index
from pipeline.web.search import MAX_QUERY
from pipeline.web.site import Site

NEED_SYMBOL = "Cần nhập số, ký hiệu văn bản (ví dụ 1696/QĐ-TTg)."
MAX_CITING = 500  # citing documents listed on a page (the API lists all)


def cited_by_with_ids(index: Index, symbol: str) -> tuple[dict, dict[str, int]]:
    """``vanban.citedby/1`` cut to :data:`MAX_CITING` (``more``: how many were cut), and
    the ids of the documents it names, for links."""
    data = index.cited_by(symbol)
    data["more"] = max(0, len(data["cited_by"]) - MAX_CITING)
    data["cited_by"] = data["cited_by"][:MAX_CITING]
    paths = [x["path"] for x in data["cited_by"]]
    if data["held"]:
        paths.append(data["held"]["path"])
    return data, index.ids(paths)


class CitationsView:
    def __init__(self, site: Site) -> None:
        self.site = site

    async def cited_by_page(self, request: Request) -> Response:
        symbol = request.query_params.get("symbol", "")[:MAX_QUERY].strip()
        if not symbol:
            return self.site.error(400, NEED_SYMBOL)
        data, ids = await self.site.index.run(cited_by_with_ids, symbol)
        return self.site.render("citedby.html", symbol=symbol, data=data, ids=ids)

    async def not_held_page(self, request: Request) -> Response:
        rows = await self.site.index.run(lambda i: i.not_held(200))
        return self.site.render("notheld.html", rows=rows)

    async def api_cited_by(self, request: Request) -> Response:
        symbol = request.query_params.get("symbol", "")[:MAX_QUERY].strip()
        if not symbol:
            return JSONResponse({"error": NEED_SYMBOL}, status_code=400)
        return JSONResponse(await self.site.index.run(lambda i: i.cited_by(symbol)))
