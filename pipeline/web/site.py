"""What every page of the web app shares: its settings, the index (read on a small pool
of threads, each with its own read-only handle), the Jinja2 templates and the one check
of every integer a request carries (:func:`int_param`)."""
from __future__ import annotations

import asyncio
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from pipeline.document import labels
from pipeline.index import Index, open_index

PKG = resources.files("pipeline.web")
ROOTS_ENV = "VANBAN_ARCHIVE_ROOTS"


def default_roots() -> tuple[Path, ...]:
    """The folders whose files ``/doc/{id}/original`` may serve when none are given:
    ``VANBAN_ARCHIVE_ROOTS`` (folders separated by ``os.pathsep``), else the working
    directory (``vanban index`` stores the paths inside it relative to it)."""
    env = [Path(p) for p in os.environ.get(ROOTS_ENV, "").split(os.pathsep) if p.strip()]
    return tuple(env) or (Path.cwd(),)


@dataclass(frozen=True)
class Settings:
    db: Path | str  # an index file, or a postgresql:// URL
    gaps: Path | None = None  # folder of gap reports (<plan file stem>.html)
    token: str | None = None
    hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")
    workers: int = 2
    roots: tuple[Path, ...] = field(default_factory=default_roots)
    """Only files inside these folders are ever served as a document's original."""


class BadParam(Exception):
    """A request parameter that is not what the page takes: a 400 naming it, or saying
    what is wrong with it (``text``, in Vietnamese)."""

    def __init__(self, name: str, text: str | None = None) -> None:
        super().__init__(name)
        self.name = name
        self.text = text

    @property
    def message(self) -> str:
        return self.text or f"Tham số không hợp lệ: {self.name}"


_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: str.isdigit() takes ², ٣, ２ too
INT64_MAX = 2**63 - 1


def int_param(value: str | None, name: str, lo: int = 1, hi: int = INT64_MAX) -> int | None:
    """``value`` as an integer in ``lo..hi`` (ASCII digits only), ``None`` when absent or
    empty; anything else raises :class:`BadParam` (the app answers 400)."""
    if value is None or value == "":
        return None
    if not _DIGITS.fullmatch(value):
        raise BadParam(name)
    n = int(value)
    if not lo <= n <= hi:
        raise BadParam(name)
    return n


class Reader:
    """Read-only index handles, one per worker thread."""

    def __init__(self, db: Path | str, workers: int) -> None:
        self.db = db
        self.local = threading.local()
        self.pool = ThreadPoolExecutor(max_workers=max(1, workers),
                                       thread_name_prefix="vanban-web")

    def index(self) -> Index:
        i = getattr(self.local, "index", None)
        if i is None:
            i = self.local.index = open_index(self.db, readonly=True)
        return i

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(index, *args)`` on a worker thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, lambda: fn(self.index(), *args))


def vn_date(iso: str | None) -> str:
    """The page's date: ``dd/mm/yyyy``, nothing for none."""
    return labels.vn_date(iso, missing="")


def templates() -> Environment:
    env = Environment(loader=FileSystemLoader(str(PKG / "templates")),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["vndate"] = vn_date
    env.filters["typename"] = labels.doc_type
    env.globals["typename"] = labels.doc_type
    env.globals["status_counted"] = labels.STATUS_COUNTED
    env.globals["status_short"] = labels.STATUS_SHORT
    env.globals["status_long"] = labels.STATUS
    return env


class Site:
    """The settings, the index reader and the templates, handed to every view."""

    def __init__(self, settings: Settings) -> None:
        self.s = settings
        self.index = Reader(settings.db, settings.workers)
        self.env = templates()

    def render(self, name: str, status: int = 200, **ctx) -> HTMLResponse:
        return HTMLResponse(self.env.get_template(name).render(**ctx), status_code=status)

    def error(self, status: int, message: str) -> HTMLResponse:
        return self.render("error.html", status=status, message=message, code=status)
