"""The search views: ``/`` (the page, with filters, facet counts, sort order and the
export links) and ``/api/search`` (``vanban.search/1``, as ``vanban search --json``).

A search request is read in one place, :func:`read_search`: the words (``q``), the
filters (``doc_type``, ``issuer``, ``year`` — a year or ``unknown`` —, ``owner``,
``signer``, ``has_findings``, ``open_duties``, ``title_only``, and the date range
``from``/``to``, each ``yyyy-mm-dd`` as a date field sends it or ``dd/mm/yyyy`` as
people write it), the order (``sort``: ``relevance``, ``date_desc``, ``date_asc``) and the
page. Anything malformed is a 400 that says, in Vietnamese, what is wrong. The exports
(:mod:`pipeline.web.export`) read the same request the same way.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pipeline.document.labels import vn_date
from pipeline.index import Filters
from pipeline.index.base import SORTS
from pipeline.index.query import MAX_TERMS
from pipeline.web.site import BadParam, Site, int_param

PAGE_SIZE = 20
MAX_PAGE = 50  # deeper than 1,000 results: refine the query
MAX_QUERY = 300  # characters
MAX_NAME = 300  # characters of an issuer, owner or signer name in a filter
EXPORT_MAX = 5000  # results in one export file
FACET_SHOWN = 15  # values of a facet listed (the "không rõ năm" entry always)
SORT_LABELS = {"relevance": "Liên quan nhất", "date_desc": "Mới nhất", "date_asc": "Cũ nhất"}
DATE_FIELDS = {"from": "Từ ngày", "to": "Đến ngày"}
UNKNOWN_YEAR = "unknown"
UNKNOWN_YEAR_LABEL = "Không rõ năm"
FLAGS = ("has_findings", "open_duties", "title_only")
FACET_PARAMS = ("doc_type", "issuer", "year", "owner", "signer", "has_findings", "open_duties")
"""The filters a facet link sets: kept as hidden fields when the words are searched again."""

_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_VN = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")


def _flag(v: str | None) -> bool:
    return (v or "").lower() in ("1", "true", "on", "yes", "có")


def date_param(value: str | None, name: str) -> str | None:
    """The ISO date of a ``from``/``to`` parameter (``2021-03-05``, ``05/03/2021``,
    ``5/3/2021``), ``None`` when absent or empty; anything else raises BadParam."""
    if value is None or not value.strip():
        return None
    v = value.strip()
    m = _ISO.fullmatch(v)
    parts = (m.group(1), m.group(2), m.group(3)) if m else None
    if parts is None and (m := _VN.fullmatch(v)):
        parts = (m.group(3), m.group(2), m.group(1))
    if parts:
        try:
            return dt.date(int(parts[0]), int(parts[1]), int(parts[2])).isoformat()
        except ValueError:
            pass
    shown = v if len(v) <= 40 else v[:40] + "…"
    raise BadParam(name, f"Ngày không hợp lệ ở ô “{DATE_FIELDS[name]}”: “{shown}”. "
                         "Hãy nhập ngày theo dạng ngày/tháng/năm, ví dụ 05/03/2021.")


def _name(value: str | None) -> str | None:
    return (value or "").strip()[:MAX_NAME] or None


def request_filters(request: Request) -> Filters:
    """The filters of a search request; a bad ``year`` or date raises BadParam (400)."""
    q = request.query_params
    year_raw = q.get("year")
    unknown = (year_raw or "").strip().lower() == UNKNOWN_YEAR
    date_from, date_to = date_param(q.get("from"), "from"), date_param(q.get("to"), "to")
    if date_from and date_to and date_from > date_to:
        raise BadParam("to", f"Khoảng ngày không hợp lệ: “Từ ngày” ({vn_date(date_from)}) "
                             f"sau “Đến ngày” ({vn_date(date_to)}).")
    return Filters(doc_type=_name(q.get("doc_type")), issuer=_name(q.get("issuer")),
                   year=None if unknown else int_param(year_raw, "year", 1000, 9999),
                   owner=_name(q.get("owner")), has_findings=_flag(q.get("has_findings")),
                   open_duties=_flag(q.get("open_duties")), signer=_name(q.get("signer")),
                   year_unknown=unknown, date_from=date_from, date_to=date_to,
                   title_only=_flag(q.get("title_only")))


def request_sort(request: Request) -> str:
    """The order asked for (:data:`SORT_LABELS`); anything else raises BadParam (400)."""
    sort = request.query_params.get("sort") or "relevance"
    if sort not in SORTS:
        raise BadParam("sort", "Cách sắp xếp không hợp lệ: chỉ có “Liên quan nhất”, "
                               "“Mới nhất” hoặc “Cũ nhất”.")
    return sort


def request_page(request: Request) -> int:
    """The page asked for, 1 to :data:`MAX_PAGE`; anything else raises BadParam (400)."""
    return int_param(request.query_params.get("page"), "page", 1, MAX_PAGE) or 1


def request_query(request: Request) -> tuple[str, bool]:
    """The query text, cut to :data:`MAX_QUERY` characters, and whether it was cut."""
    q = request.query_params.get("q", "")
    return q[:MAX_QUERY], len(q) > MAX_QUERY


@dataclass(frozen=True)
class SearchRequest:
    """One search as a request asks it."""

    q: str
    cut: bool  # the words were longer than MAX_QUERY
    filters: Filters
    sort: str
    page: int

    def params(self) -> dict[str, str | int | None]:
        """The request's parameters as its links carry them (empty ones left out)."""
        f = self.filters
        return {"q": self.q, "doc_type": f.doc_type, "issuer": f.issuer,
                "year": UNKNOWN_YEAR if f.year_unknown else f.year, "owner": f.owner,
                "signer": f.signer, "has_findings": "1" if f.has_findings else "",
                "open_duties": "1" if f.open_duties else "",
                "title_only": "1" if f.title_only else "", "from": f.date_from,
                "to": f.date_to, "sort": None if self.sort == "relevance" else self.sort}


def read_search(request: Request) -> SearchRequest:
    """Everything a search request asks, checked (BadParam for what is malformed)."""
    q, cut = request_query(request)
    return SearchRequest(q, cut, request_filters(request), request_sort(request),
                         request_page(request))


def link(path: str, params: dict, **change) -> str:
    """``path`` with ``params`` changed by ``change`` (``None`` drops one)."""
    merged = {**params, **change}
    return f"{path}?" + urlencode({k: v for k, v in merged.items()
                                   if v not in (None, "", False)})


def active_filters(s: SearchRequest) -> list[tuple[str, str]]:
    """(parameter, what the chip says) of every filter in force, in Vietnamese."""
    f = s.filters
    out: list[tuple[str, str]] = []
    for key, label, value in (("doc_type", "Loại", f.doc_type), ("issuer", "Cơ quan", f.issuer),
                              ("year", "Năm", "không rõ" if f.year_unknown else f.year),
                              ("owner", "Chủ trì/phối hợp", f.owner),
                              ("signer", "Người ký", f.signer),
                              ("from", "Từ ngày", vn_date(f.date_from, "")),
                              ("to", "Đến ngày", vn_date(f.date_to, ""))):
        if value:
            out.append((key, f"{label}: {value}"))
    for key, on, label in (("has_findings", f.has_findings, "Có vấn đề cần xem"),
                           ("open_duties", f.open_duties, "Còn nhiệm vụ chưa đến hạn"),
                           ("title_only", f.title_only, "Chỉ tìm trong trích yếu")):
        if on:
            out.append((key, label))
    return out


def facet_items(values: dict | None, keep: tuple[str, ...] = ()) -> list[tuple[str, int]]:
    """The first :data:`FACET_SHOWN` values of a facet, and the ``keep`` ones however
    far down they are (the "không rõ năm" entry)."""
    items = list((values or {}).items())
    shown = [kv for kv in items if kv[0] not in keep][:FACET_SHOWN]
    return shown + [kv for kv in items if kv[0] in keep and kv[1]]


def year_label(value: str) -> str:
    return UNKNOWN_YEAR_LABEL if str(value) == UNKNOWN_YEAR else str(value)


class SearchView:
    def __init__(self, site: Site) -> None:
        self.site = site

    async def page(self, request: Request) -> Response:
        s = read_search(request)
        data = await self.site.index.run(lambda i: i.search(
            s.q, s.filters, limit=PAGE_SIZE, offset=(s.page - 1) * PAGE_SIZE,
            owner_facet=True, sort=s.sort))
        params = s.params()
        for r in data["results"]:
            r["snippet_html"] = Markup(r["snippet"])  # escaped by the Highlighter
        pages = (data["total"] + PAGE_SIZE - 1) // PAGE_SIZE
        facets = data.get("facets") or {}
        export = {k: link(f"/export.{k}", params) for k in ("csv", "xlsx")}
        return self.site.render(
            "search.html", q=s.q, data=data, params=params, page=s.page,
            pages=min(pages, MAX_PAGE), link=lambda **kw: link("/", params, **kw),
            filters=s.filters, sort=s.sort, sorts=SORT_LABELS, active=active_filters(s),
            facet_params=FACET_PARAMS, export=export, export_max=EXPORT_MAX,
            facet_lists={k: facet_items(facets.get(k), (UNKNOWN_YEAR,) if k == "year" else ())
                         for k in ("doc_type", "issuer", "year", "signer", "owner")},
            year_label=year_label, shortened=s.cut or data.get("shortened", False),
            max_terms=MAX_TERMS, max_chars=MAX_QUERY)

    async def api(self, request: Request) -> Response:
        s = read_search(request)
        data = await self.site.index.run(lambda i: i.search(
            s.q, s.filters, limit=PAGE_SIZE, offset=(s.page - 1) * PAGE_SIZE, sort=s.sort))
        data["shortened"] = s.cut or data.get("shortened", False)
        return JSONResponse(data)
