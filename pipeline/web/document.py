"""The document views: ``/doc/{id}`` (the text with its facts marked, its citations,
duties and findings, and its gap reports when the flow wrote any; ``?start=&end=`` marks
a span and scrolls to it) and ``/find?path=&start=&end=`` (the document the index holds
at ``path``, at that span: where a gap report's quote sends a reader)."""
from __future__ import annotations

import glob
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from pipeline.index import Index
from pipeline.index.base import store_path
from pipeline.reports.agencies import read_index
from pipeline.web.doc import FOUND, load_view
from pipeline.web.gaps import gap_file
from pipeline.web.site import BadParam, Site, int_param

NO_DOCUMENT = "Không có văn bản này trong kho."
MAX_PATH = 4096


def span_params(request: Request) -> tuple[int | None, int | None]:
    """``start`` and ``end`` of a request (offsets into a document's text): each an
    integer ≥ 0 or absent; an end before the start is a 400."""
    q = request.query_params
    start = int_param(q.get("start"), "start", 0)
    end = int_param(q.get("end"), "end", 0)
    if start is not None and end is not None and end < start:
        raise BadParam("end")
    return start, end


def doc_id_of(index: Index, path: str) -> int | None:
    """The id of the document stored at ``path``, as the index records it (or as
    ``vanban index`` would record that path from here)."""
    ids = index.ids([path]) or index.ids([store_path(path)])
    return next(iter(ids.values()), None)


class DocumentView:
    def __init__(self, site: Site) -> None:
        self.site = site

    async def page(self, request: Request) -> Response:
        raw = int_param(request.path_params["doc_id"], "doc_id") or 0
        start, end = span_params(request)
        view = await self.site.index.run(load_view, raw, start, end)
        if view is None:
            return self.site.error(404, f"Không có văn bản số {raw} trong kho.")
        for b in view.blocks:
            if b["kind"] == "p":
                b["html"] = Markup(b["html"])
            else:
                b["rows"] = [[Markup(c) for c in row] for row in b["rows"]]
        return self.site.render("doc.html", v=view, m=view.meta, found_id=FOUND,
                                gaps=self.gap_links(view.meta))

    async def find(self, request: Request) -> Response:
        path = request.query_params.get("path", "")
        start, end = span_params(request)
        if not path.strip() or len(path) > MAX_PATH or "\x00" in path:
            return self.site.error(404, NO_DOCUMENT)
        doc_id = await self.site.index.run(doc_id_of, path)
        if doc_id is None:
            return self.site.error(404, NO_DOCUMENT)
        target = f"/doc/{doc_id}"
        if start is not None:
            target += f"?start={start}" + (f"&end={end}" if end is not None else "")
            target += f"#{FOUND}"
        return RedirectResponse(target, status_code=303)

    def gap_links(self, meta: dict) -> list[dict]:
        """The gap reports of this plan: from ``gaps/index.json`` (written by the flow,
        keyed by source path), else any ``<file stem>*.html`` there."""
        gaps = self.site.s.gaps
        if not gaps or not gaps.is_dir():
            return []
        here = Path(meta["path"]).resolve()
        for path, e in read_index(gaps).items():
            if isinstance(e, dict) and Path(path).resolve() == here \
                    and gap_file(gaps, e.get("html") or ""):
                counts = e.get("counts") or {}
                files = {k: f"/gaps/{quote(e[k])}" for k in ("xlsx", "docx")
                         if isinstance(e.get(k), str) and gap_file(gaps, e[k])}
                return [{"name": "Xem báo cáo rà soát", "href": f"/gaps/{quote(e['html'])}",
                         "files": files, "counts": counts,
                         "as_of": (e.get("made_from") or {}).get("as_of")}]
        stem = Path(meta["path"]).stem
        return [{"name": p.name, "href": f"/gaps/{quote(p.name)}", "files": {}}
                for p in sorted(gaps.glob(f"{glob.escape(stem)}*.html"))
                if gap_file(gaps, p.name)]
