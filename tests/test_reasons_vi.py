"""Every reason a user reads for a document set aside is Vietnamese, and says what is wrong:
the limit and its variable, the system's refusal in words (quyền, tệp, thư mục), the exact
format. The ``kind`` stays the English id it was."""
from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest

from flows.state import RunLock
from pipeline import outputs
from pipeline.document.model import VanbanError, os_error_vi
from pipeline.inbox import scan
from pipeline.outputs import Summary, attempt
from pipeline.timelimit import time_limit


def test_extraction_time_limit_names_the_limit_and_its_variable() -> None:
    with pytest.raises(VanbanError) as err:
        with time_limit(0.05, "kh.txt"):
            time.sleep(2)
    assert err.value.reason == "trích xuất quá 0.05 giây, giới hạn VANBAN_EXTRACT_SECONDS"
    assert err.value.kind == "timeout"
    assert str(err.value) == "kh.txt: trích xuất quá 0.05 giây, giới hạn VANBAN_EXTRACT_SECONDS"


@pytest.mark.parametrize(("code", "text", "said"), [
    (errno.EACCES, "Permission denied", "không có quyền đọc"),
    (errno.ENOENT, "No such file or directory", "không tìm thấy tệp"),
    (errno.EISDIR, "Is a directory", "là thư mục"),
    (errno.EIO, "Input/output error", "input/output error"),  # others: the system's text
])
def test_system_refusals_in_words(code: int, text: str, said: str) -> None:
    assert os_error_vi(OSError(code, text, "x.txt")) == said


def test_scan_sets_aside_links_and_pipes_in_vietnamese(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "loop-a.txt").symlink_to("loop-b.txt")
    (inbox / "loop-b.txt").symlink_to("loop-a.txt")
    (inbox / "gone.txt").symlink_to("nothing-here.txt")
    (inbox / "passwd.txt").symlink_to("/etc/passwd")
    os.mkfifo(inbox / "pipe.txt")
    found = {Path(e.path).name: (e.reason, e.kind) for e in scan([inbox]).set_aside}
    assert found == {
        "loop-a.txt": ("liên kết tượng trưng vòng lặp: không đọc", "link"),
        "loop-b.txt": ("liên kết tượng trưng vòng lặp: không đọc", "link"),
        "gone.txt": ("liên kết tượng trưng trỏ tới tệp không còn tồn tại: không đọc", "link"),
        "passwd.txt": ("liên kết tượng trưng trỏ ra ngoài thư mục đầu vào: không đọc",
                       "outside"),
        "pipe.txt": ("ống có tên (named pipe), không phải tệp thường: không đọc", "special"),
    }
    missing = scan([tmp_path / "missing.txt"]).set_aside
    assert [(e.reason, e.kind) for e in missing] == [("không đọc được: không tìm thấy tệp",
                                                      "unreadable")]


def test_attempt_reasons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    png = tmp_path / "scan.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    res = attempt(png)
    assert (res.reason, res.kind) == (
        "định dạng '.png' không được hỗ trợ (vanban đọc .txt, .html, .htm, .docx, .doc, .pdf)",
        "unsupported")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert (attempt(empty).reason, attempt(empty).kind) == ("tệp rỗng", "empty")

    locked = tmp_path / "locked.txt"
    locked.write_text("KẾ HOẠCH", "utf-8")

    def refuse(path, limits=None):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(outputs, "read_document", refuse)
    res = attempt(locked)
    assert (res.reason, res.kind) == ("không đọc được: không có quyền đọc", "unreadable")

    def bug(path, limits=None):
        raise KeyError("title")

    monkeypatch.setattr(outputs, "read_document", bug)
    res = attempt(locked)
    assert (res.reason, res.kind) == ("lỗi nội bộ: KeyError: 'title'", "internal")


def test_extract_all_summary_is_vietnamese() -> None:
    s = Summary(ok=["a.txt"], failed=[("b.txt", "tệp rỗng")], seconds=1.5)
    assert s.describe() == ("1 văn bản đã trích xuất, 1 để riêng, trong 1,5 giây\n"
                            "  để riêng: b.txt: tệp rỗng")


def test_a_second_run_is_told_what_to_do(tmp_path: Path) -> None:
    state = tmp_path / ".state"
    with RunLock(state):
        with pytest.raises(RuntimeError) as err:
            with RunLock(state):
                pass
    assert str(err.value) == (f"một lần chạy vanban khác đang dùng {state}; "
                              "hãy chờ lần chạy đó xong rồi chạy lại")
