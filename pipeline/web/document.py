"""The document views: ``/doc/{id}`` (the text with its facts marked, its citations,
duties and findings, and its gap reports when the flow wrote any) and ``/gaps/{name}``
(a gap report, served as written)."""
from __future__ import annotations

import glob
import re
from pathlib import Path

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from pipeline.reports.archive import load_index
from pipeline.web.doc import load_view
from pipeline.web.guard import CSP_GAPS
from pipeline.web.site import Site, int_param

GAP_NAME = re.compile(r"[\w.-]{1,200}\.html")


class DocumentView:
    def __init__(self, site: Site) -> None:
        self.site = site

    async def page(self, request: Request) -> Response:
        raw = int_param(request.path_params["doc_id"], "doc_id") or 0
        view = await self.site.index.run(load_view, raw)
        if view is None:
            return self.site.error(404, f"Không có văn bản số {raw} trong kho.")
        for b in view.blocks:
            if b["kind"] == "p":
                b["html"] = Markup(b["html"])
            else:
                b["rows"] = [[Markup(c) for c in row] for row in b["rows"]]
        return self.site.render("doc.html", v=view, m=view.meta,
                                gaps=self.gap_links(view.meta))

    def gap_links(self, meta: dict) -> list[dict]:
        """The gap reports of this plan: from ``gaps/index.json`` (written by the flow,
        keyed by source path), else any ``<file stem>*.html`` there."""
        gaps = self.site.s.gaps
        if not gaps or not gaps.is_dir():
            return []
        here = Path(meta["path"]).resolve()
        for path, e in load_index(gaps.parent).items():
            if Path(path).resolve() == here and GAP_NAME.fullmatch(e.get("html", "")):
                counts = e.get("counts") or {}
                return [{"name": e["html"], "href": f"/gaps/{e['html']}",
                         "counts": counts, "as_of": (e.get("made_from") or {}).get("as_of")}]
        stem = Path(meta["path"]).stem
        return [{"name": p.name, "href": f"/gaps/{p.name}"}
                for p in sorted(gaps.glob(f"{glob.escape(stem)}*.html"))
                if GAP_NAME.fullmatch(p.name)]

    async def gap_report(self, request: Request) -> Response:
        name = request.path_params["name"]
        gaps = self.site.s.gaps
        if not gaps or not GAP_NAME.fullmatch(name):
            return self.site.error(404, "Không có báo cáo rà soát này.")
        path = gaps / name
        if not path.is_file() or path.resolve().parent != gaps.resolve():
            return self.site.error(404, "Không có báo cáo rà soát này.")
        resp = FileResponse(path, media_type="text/html; charset=utf-8")
        resp.headers["Content-Security-Policy"] = CSP_GAPS
        return resp
