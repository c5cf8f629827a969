"""A document's files for download: ``/doc/{id}/original`` (the file it was read from)
and ``/doc/{id}/text`` (its normalised text, UTF-8).

The original is served only from the path the index stored, only when that file, every
link resolved, lies inside one of the folders the app was given
(:attr:`~pipeline.web.site.Settings.roots`), is a regular file opened without following a
last link put there since (``O_NOFOLLOW``) and still has the bytes that were indexed (its
SHA-256); otherwise a Vietnamese page says why. Nothing a request carries names a path:
only the document's id.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePath

from starlette.requests import Request
from starlette.responses import Response

from pipeline.index import Index
from pipeline.web.gaps import attachment, read_nofollow
from pipeline.web.site import Site, int_param

MAX_ORIGINAL = 512 * 1024 * 1024  # a scanned plan is tens of MB; refuse anything absurd
MEDIA = {".pdf": "application/pdf",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         ".doc": "application/msword", ".html": "text/html", ".htm": "text/html",
         ".txt": "text/plain", ".md": "text/markdown"}


@dataclass(frozen=True)
class Original:
    """What a request for a document's original gets: its bytes and name, or why not
    (``status`` and a Vietnamese ``message``)."""

    data: bytes | None = None
    name: str = ""
    media: str = "application/octet-stream"
    status: int = 200
    message: str = ""


def media_type(path: PurePath, data: bytes) -> str:
    """The Content-Type of an original: by its suffix; a text file in UTF-8 says so."""
    media = MEDIA.get(path.suffix.lower(), "application/octet-stream")
    if media.startswith("text/"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return media
        return media + "; charset=utf-8"
    return media


def inside(path: Path, roots: tuple[Path, ...]) -> bool:
    """Whether the real ``path`` lies inside one of ``roots`` (each resolved too)."""
    for root in roots:
        try:
            if path.is_relative_to(root.resolve(strict=True)):
                return True
        except (OSError, RuntimeError):
            continue
    return False


def read_original(stored: str, sha256: str | None, roots: tuple[Path, ...]) -> Original:
    """The original of a document stored under ``stored`` (a path as the index keeps
    it: relative to the working directory, or absolute)."""
    gone = Original(status=404, message=f"Tệp gốc không còn ở đường dẫn “{stored}”: tệp đã "
                                        "bị chuyển đi, đổi tên hoặc xóa sau khi lập chỉ mục.")
    try:
        real = Path(stored).resolve(strict=True)
    except (OSError, RuntimeError):
        return gone
    if not inside(real, roots):
        return Original(status=403, message="Tệp gốc của văn bản này nằm ngoài các thư mục "
                                            "được phép tải về.")
    if not real.is_file():
        return gone
    data = read_nofollow(real, MAX_ORIGINAL)
    if data is None:
        return gone
    if len(data) > MAX_ORIGINAL:
        return Original(status=403, message="Tệp gốc quá lớn để tải về qua trang này.")
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        return Original(status=404, message=f"Tệp ở đường dẫn “{stored}” đã thay đổi sau khi "
                                            "lập chỉ mục, nên không còn là bản gốc của văn "
                                            "bản này. Hãy lập chỉ mục lại.")
    name = PurePath(stored).name
    return Original(data, name, media_type(PurePath(name), data))


def _meta_and_text(index: Index, doc_id: int) -> tuple[dict, str] | None:
    rec = index.document(doc_id)
    return (rec.meta, rec.text) if rec is not None else None


class FilesView:
    def __init__(self, site: Site) -> None:
        self.site = site

    async def _doc(self, request: Request) -> tuple[int, tuple[dict, str] | None]:
        doc_id = int_param(request.path_params["doc_id"], "doc_id") or 0
        return doc_id, await self.site.index.run(_meta_and_text, doc_id)

    async def original(self, request: Request) -> Response:
        doc_id, found = await self._doc(request)
        if found is None:
            return self.site.error(404, f"Không có văn bản số {doc_id} trong kho.")
        meta = found[0]
        got = await self.site.index.run(lambda _i: read_original(
            meta["path"], meta.get("sha256"), self.site.s.roots))
        if got.data is None:
            return self.site.error(got.status, got.message)
        return Response(got.data, media_type=got.media,
                        headers={"Content-Disposition": attachment(got.name)})

    async def text(self, request: Request) -> Response:
        doc_id, found = await self._doc(request)
        if found is None:
            return self.site.error(404, f"Không có văn bản số {doc_id} trong kho.")
        meta, text = found
        name = (PurePath(meta["path"]).stem or f"van-ban-{doc_id}") + ".chuan-hoa.txt"
        return Response(text.encode("utf-8"), media_type="text/plain; charset=utf-8",
                        headers={"Content-Disposition": attachment(name)})
