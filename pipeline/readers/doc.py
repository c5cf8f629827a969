"""Word 97 (.doc) reader: LibreOffice converts the file to DOCX, then :func:`read_docx`.

Each call converts in its own temporary directory with its own LibreOffice profile, so
conversions may run concurrently (a shared profile would make the second ``soffice``
hand its job to the first). The file's first bytes decide what it really is: a
".doc" that is a DOCX goes straight to the DOCX reader; RTF, HTML and Word 2003 XML
are converted like a Word 97 file. One conversion takes about 2 s on 2 cores.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from pipeline.document.limits import DEFAULT, Limits
from pipeline.document.model import RawBlock, VanbanError
from pipeline.readers.base import BlockReader
from pipeline.readers.common import MB, open_checked
from pipeline.readers.docx import OLE_MAGIC, read_docx

SOFFICE_NAMES = ("soffice", "libreoffice")
# What the first bytes say -> (file suffix LibreOffice should see, extra soffice options).
# HTML must be loaded into Writer proper, else there is no DOCX export filter for it.
CONVERTIBLE: dict[str, tuple[str, tuple[str, ...]]] = {
    "ole": (".doc", ()),
    "rtf": (".rtf", ()),
    "html": (".html", ("--infilter=HTML (StarWriter)",)),
    "wordml": (".xml", ()),
}
HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<p>", b"<div",
                b"<table")
SNIFF_BYTES = 2048
# Stream names looked for in an OLE container's directory (stored as UTF-16LE).
# LibreOffice imports an OLE file without a Word stream as plain text (garbage), so
# such files are refused before conversion.
OLE_STREAMS = {
    "WordDocument": None,
    "EncryptedPackage": "tài liệu Office có mật khẩu (được mã hóa)",
    "Workbook": "bảng tính Excel, không phải văn bản Word",
    "Book": "bảng tính Excel, không phải văn bản Word",
    "PowerPoint Document": "tệp PowerPoint, không phải văn bản Word",
}


def sniff(head: bytes) -> str | None:
    """What a Word-ish file really is: docx, ole, rtf, html, wordml, or None."""
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(OLE_MAGIC):
        return "ole"
    text = head
    for bom in (b"\xef\xbb\xbf",):
        text = text.removeprefix(bom)
    text = text.lstrip().lower()
    if text.startswith(b"{\\rtf"):
        return "rtf"
    if text.startswith(b"<?xml") and (b"word.document" in text or b"wordml" in text):
        return "wordml"
    if text.startswith(b"<") and any(marker in text for marker in HTML_MARKERS):
        return "html"
    return None


def ole_streams(path: Path, chunk: int = MB) -> set[str]:
    """Which of :data:`OLE_STREAMS` appear in an OLE file (a scan, not a parse)."""
    needles = {name: name.encode("utf-16-le") for name in OLE_STREAMS}
    overlap = max(len(n) for n in needles.values())
    found: set[str] = set()
    tail = b""
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            data = tail + block
            found.update(name for name, needle in needles.items() if needle in data)
            tail = data[-overlap:]
    return found


def check_ole_word(path: Path) -> None:
    """Refuse an OLE file that holds no Word 97 document stream."""
    found = ole_streams(path)
    if "WordDocument" in found:
        return
    for name, reason in OLE_STREAMS.items():
        if name in found and reason:
            raise VanbanError(str(path), reason, kind="unsupported")
    raise VanbanError(str(path), "tệp OLE không có luồng WordDocument (tệp hỏng hoặc "
                      "không phải văn bản Word)", kind="unsupported")


def find_soffice() -> str | None:
    """Path of the LibreOffice binary, or None."""
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def convert_to_docx(path: Path, outdir: Path, limits: Limits = DEFAULT,
                    suffix: str = ".doc", options: tuple[str, ...] = ()) -> Path:
    """Convert ``path`` to DOCX inside ``outdir`` with headless LibreOffice."""
    name = str(path)
    soffice = find_soffice()
    if soffice is None:
        raise VanbanError(name, "chưa cài LibreOffice (soffice): không đọc được tệp .doc",
                          kind="unsupported")
    work = Path(tempfile.mkdtemp(prefix="convert-", dir=outdir))
    source = work / f"input{suffix}"
    shutil.copyfile(path, source)  # a plain name: no spaces, dashes or odd suffixes
    profile = work / "profile"
    cmd = [soffice, "--headless", "--norestore", "--nologo", "--nolockcheck",
           f"-env:UserInstallation={profile.as_uri()}", *options,
           "--convert-to", "docx", "--outdir", str(work), str(source)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=limits.convert_seconds)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise VanbanError(name, f"LibreOffice chuyển đổi quá "
                          f"{limits.convert_seconds:g} giây, giới hạn VANBAN_CONVERT_SECONDS",
                          kind="timeout") from None
    result = work / "input.docx"
    if not result.is_file() or result.stat().st_size == 0:
        detail = _last_error(err)
        raise VanbanError(name, "LibreOffice không tạo ra tệp nào (tệp hỏng, có mật khẩu hoặc "
                          f"không được hỗ trợ){': ' + detail if detail else ''}")
    return result


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill soffice and the helpers it started (its own session and process group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if proc.returncode is None:
        proc.communicate()


def _last_error(stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines()
             if ln.strip() and "javaldx" not in ln]
    return lines[-1][:200] if lines else ""


def read_doc(path: Path, limits: Limits = DEFAULT) -> list[RawBlock]:
    """Blocks of a Word 97 .doc (or an RTF/HTML/DOCX file named .doc)."""
    path = Path(path)
    name = str(path)
    head = open_checked(path, limits, SNIFF_BYTES)
    what = sniff(head)
    if what == "docx":
        return read_docx(path, limits)
    if what is None:
        raise VanbanError(name, "không phải văn bản Word (không phải Word 97, DOCX, RTF hay HTML)",
                          kind="unsupported")
    if what == "ole":
        check_ole_word(path)
    suffix, options = CONVERTIBLE[what]
    with tempfile.TemporaryDirectory(prefix="vanban-doc-") as tmp:
        converted = convert_to_docx(path, Path(tmp), limits, suffix, options)
        try:
            return read_docx(converted, limits)
        except VanbanError as exc:
            raise VanbanError(name, f"sau khi chuyển đổi: {exc.reason}", kind=exc.kind) from exc


READER = BlockReader(("doc",), read_doc)
"""The :class:`~pipeline.readers.base.Reader` of Word 97 files (and RTF, Word 2003 XML)."""
