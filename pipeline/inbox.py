"""What vanban may read from an inbox: regular files that really lie inside it.

An inbox is input from other people, often a folder on a shared server. So the scan
resolves every entry and checks that it stays inside the inbox before anything opens it:

- a regular file inside the inbox is an input;
- a symbolic link is never followed out of the inbox: a link to a file outside it (or to
  ``/proc``, ``/etc``, a device) is set aside with its reason, and nothing of the target is
  read, copied or stored;
- a link to a file inside the inbox is not read a second time: its target is an input under
  its own name (a link to a folder inside it likewise);
- a link that loops, a named pipe, a socket or a device, a folder that cannot be listed:
  each is set aside with its reason, and the scan goes on.

Every failure of one entry becomes a :class:`SetAside` (one line naming the entry and why);
the scan itself never raises for a bad entry. Files and folders whose name starts with a
dot are not inputs (editor lock files, ``.DS_Store``), nor are our own notes.
"""
from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.document.model import os_error_vi

IGNORED_NAMES = ("SOURCES.md", "README.md")


@dataclass(frozen=True)
class SetAside:
    """A document that could not be read or extracted, and why (one line)."""

    path: str
    reason: str
    kind: str


@dataclass
class Scan:
    """The inputs found under some roots, in a stable order, and the entries set aside."""

    files: list[Path] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)


_KINDS = ((stat.S_ISFIFO, "ống có tên (named pipe)"), (stat.S_ISSOCK, "socket"),
          (stat.S_ISCHR, "thiết bị ký tự"), (stat.S_ISBLK, "thiết bị khối"))


def _what(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "mục không rõ loại")


def _within(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


_error = os_error_vi


def classify(path: Path, roots: tuple[str, ...]) -> SetAside | str | None:
    """One directory entry: ``"file"`` (an input), ``"dir"`` (walk into it), None (skip:
    a link whose target is read under its own name), or why it is set aside."""
    p = str(path)
    try:
        st = os.lstat(p)
    except OSError as err:
        return SetAside(p, f"không đọc được: {_error(err)}", "unreadable")
    if stat.S_ISLNK(st.st_mode):
        try:
            target = os.path.realpath(p, strict=True)
        except OSError as err:
            if err.errno == errno.ELOOP:
                return SetAside(p, "liên kết tượng trưng vòng lặp: không đọc", "link")
            return SetAside(p, "liên kết tượng trưng trỏ tới tệp không còn tồn tại: không đọc",
                            "link")
        except RuntimeError:  # pathlib's "Symlink loop" on some versions
            return SetAside(p, "liên kết tượng trưng vòng lặp: không đọc", "link")
        if not _within(target, roots):
            return SetAside(p, "liên kết tượng trưng trỏ ra ngoài thư mục đầu vào: không đọc",
                            "outside")
        return None  # inside the inbox: read once, under the target's own name
    if stat.S_ISDIR(st.st_mode):
        return "dir"
    if stat.S_ISREG(st.st_mode):
        return "file"
    return SetAside(p, f"{_what(st.st_mode)}, không phải tệp thường: không đọc", "special")


def scan(paths: Iterable[Path], exclude: Iterable[Path] = ()) -> Scan:
    """Every input under ``paths`` (folders walked, files taken as given), in a stable
    order; entries inside ``exclude`` (an output folder) are left out silently."""
    out = Scan()
    paths = [Path(p) for p in paths]
    roots = tuple(os.path.realpath(p) for p in paths)
    skip = tuple(os.path.realpath(e) for e in exclude)
    for given in paths:
        if not given.is_dir():
            # A file named on the command line is the user's own choice: it is read even
            # when it is a link, but never when it is not a regular file.
            try:
                st = os.stat(given)
            except OSError as err:
                out.set_aside.append(SetAside(str(given), f"không đọc được: {_error(err)}",
                                              "unreadable"))
                continue
            if stat.S_ISREG(st.st_mode):
                out.files.append(given)
            else:
                out.set_aside.append(SetAside(str(given), f"{_what(st.st_mode)}, không phải "
                                              "tệp thường: không đọc", "special"))
            continue
        _walk(given, roots, skip, out)
    return out


def _walk(folder: Path, roots: tuple[str, ...], skip: tuple[str, ...], out: Scan) -> None:
    try:
        with os.scandir(folder) as it:
            names = sorted(e.name for e in it)
    except OSError as err:
        out.set_aside.append(SetAside(str(folder), f"không liệt kê được thư mục: {_error(err)}",
                                      "unreadable"))
        return
    subdirs = []
    for name in names:
        if name.startswith(".") or name in IGNORED_NAMES:
            continue
        path = folder / name
        if skip and _within(os.path.realpath(path), skip):
            continue
        kind = classify(path, roots)
        if kind == "file":
            out.files.append(path)
        elif kind == "dir":
            subdirs.append(path)
        elif isinstance(kind, SetAside):
            out.set_aside.append(kind)
    for d in subdirs:  # files of a folder before those of its subfolders, as os.walk
        _walk(d, roots, skip, out)


def still_a_file(path: Path) -> SetAside | None:
    """Checked again right before a file is opened: it may have been replaced by a link
    or a pipe since the scan."""
    try:
        st = os.lstat(path)
    except OSError as err:
        return SetAside(str(path), f"không đọc được: {_error(err)}", "unreadable")
    if stat.S_ISLNK(st.st_mode):
        return None  # a link given by name on the command line: the caller chose it
    if not stat.S_ISREG(st.st_mode):
        return SetAside(str(path), f"{_what(st.st_mode)}, không phải tệp thường: không đọc",
                        "special")
    return None
