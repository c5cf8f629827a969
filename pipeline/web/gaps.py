"""The gap-report views: ``/gaps`` (every plan's gap report, with its counts and files,
the plan and each report linked to it opening at its page in the archive, ``/doc/{id}``)
and ``/gaps/{name}`` (one file of the gaps folder: the HTML page shown under its own
Content-Security-Policy, the XLSX and DOCX as downloads).

Only a plain file name of the gaps folder with one of those suffixes is ever served: no
folder part, no hidden file, and it must be the folder's own file once every link is
resolved; the last link is not followed when the file is opened (``O_NOFOLLOW``).
"""
from __future__ import annotations

import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from pipeline.crosscheck.model import BUCKETS
from pipeline.document.collation import vi_key
from pipeline.index import Index
from pipeline.index.base import store_path
from pipeline.reports.agencies import plan_entries
from pipeline.reports.decree30 import report_label
from pipeline.web.guard import CSP_GAPS
from pipeline.web.site import Site

GAP_FILE = re.compile(r"\w[\w.-]{0,199}\.(html|xlsx|docx)")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
NO_REPORT = "Không có báo cáo rà soát này."
MAX_BYTES = 64 * 1024 * 1024  # a gap report is a few hundred KB; refuse anything absurd


def gap_file(folder: Path | None, name: str) -> Path | None:
    """The file ``name`` of the gaps ``folder`` when it may be served, else ``None``."""
    if folder is None or not GAP_FILE.fullmatch(name) or ".." in name:
        return None
    path = folder / name
    try:
        real = path.resolve(strict=True)
        if real.parent != folder.resolve(strict=True) or not real.is_file():
            return None
    except (OSError, RuntimeError):
        return None
    return real


def read_nofollow(path: Path, limit: int) -> bytes | None:
    """Up to ``limit + 1`` bytes of ``path`` (so a caller can tell it is larger), not
    following a link put there since it was resolved; None when it cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        return f.read(limit + 1)


def read_own(path: Path) -> bytes | None:
    """The bytes of ``path`` (at most :data:`MAX_BYTES`), not following a link."""
    data = read_nofollow(path, MAX_BYTES)
    return data if data is not None and len(data) <= MAX_BYTES else None


def ascii_name(name: str) -> str:
    """``name`` in plain ASCII letters, digits, ``.``, ``-`` and ``_``, for the
    ``filename=`` of a download (the exact name goes in ``filename*=``)."""
    folded = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9._-]", "_", plain) or "bao-cao"


def attachment(name: str) -> str:
    """A ``Content-Disposition`` that downloads the file as ``name``, safely quoted."""
    return (f'attachment; filename="{ascii_name(name)}"; '
            f"filename*=UTF-8''{quote(name, safe='')}")


def doc_ids(index: Index, paths: Iterable[str]) -> dict[str, int]:
    """The archive's document id of each of ``paths`` (as a gap report names a file)
    that the index holds: stored under that path, or under the path ``vanban index``
    would store it as from here."""
    paths = {p for p in paths if isinstance(p, str) and p}
    found = index.ids(paths)
    rest = {store_path(p): p for p in paths - found.keys()}
    if rest:
        found.update({rest[k]: v for k, v in index.ids(rest).items()})
    return found


def linked_reports(gaps: dict) -> list[dict]:
    """The reports a gap report linked to its plan: their label (``198/BC-SNV``, or
    "báo cáo chưa có số"), date, the agency they answer for and their path; by date."""
    out = [{"label": report_label(r.get("report")) or "báo cáo", "date": r.get("date"),
            "owner": r.get("owner") or r.get("issuer") or "", "path": r.get("path") or ""}
           for r in gaps.get("reports") or [] if isinstance(r, dict)]
    return sorted(out, key=lambda r: (r["date"] or "9", vi_key(r["label"])))


def _counts(entry: dict, gaps: dict) -> dict[str, int]:
    duties = [d for d in gaps.get("duties") or [] if isinstance(d, dict)]
    if duties or not entry.get("counts"):
        c = Counter(d.get("status") for d in duties)
        return {b: c.get(b, 0) for b in BUCKETS}
    return {b: int(entry["counts"].get(b) or 0) for b in BUCKETS}


def gap_reports(folder: Path | None) -> list[dict]:
    """Every plan's gap report in ``folder``: its plan (symbol, title, date, issuer,
    source path), the day it was made for, its counts by status and the links to the
    files that exist; plans in Vietnamese order of symbol, then title."""
    if folder is None or not folder.is_dir():
        return []
    rows = []
    for path, entry, gaps in plan_entries(folder):
        plan = gaps.get("plan") or {}
        files = {kind: f"/gaps/{quote(entry[kind])}" for kind in CONTENT_TYPES
                 if isinstance(entry.get(kind), str) and gap_file(folder, entry[kind])}
        counts = _counts(entry, gaps)
        rows.append({"path": path, "symbol": plan.get("symbol") or entry.get("symbol"),
                     "title": plan.get("title") or entry.get("title"),
                     "date": plan.get("date"), "issuer": plan.get("issuer"),
                     "as_of": gaps.get("as_of") or (entry.get("made_from") or {}).get("as_of"),
                     "counts": counts, "total": sum(counts.values()), "files": files,
                     "reports": linked_reports(gaps)})
    return sorted(rows, key=lambda r: (r["symbol"] is None, vi_key(r["symbol"] or ""),
                                       vi_key(r["title"] or ""), r["path"]))


class GapsView:
    def __init__(self, site: Site) -> None:
        self.site = site

    async def list_page(self, request: Request) -> Response:
        rows = await run_in_threadpool(gap_reports, self.site.s.gaps)
        paths = [r["path"] for r in rows] + [x["path"] for r in rows for x in r["reports"]]
        ids = await self.site.index.run(doc_ids, paths) if paths else {}
        for r in rows:
            r["doc_id"] = ids.get(r["path"])
            for x in r["reports"]:
                x["doc_id"] = ids.get(x["path"])
        return self.site.render("gaps.html", rows=rows)

    async def file(self, request: Request) -> Response:
        name = request.path_params["name"]
        path = gap_file(self.site.s.gaps, name)
        data = await run_in_threadpool(read_own, path) if path else None
        if data is None:
            return self.site.error(404, NO_REPORT)
        kind = name.rsplit(".", 1)[1]
        resp = Response(data, media_type=CONTENT_TYPES[kind])
        if kind == "html":
            resp.headers["Content-Security-Policy"] = CSP_GAPS
        else:
            resp.headers["Content-Disposition"] = attachment(name)
        return resp
