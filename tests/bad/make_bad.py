"""Broken and hostile inputs, made on demand (nothing large is committed).

    python tests/bad/make_bad.py DIR        # writes every case into DIR and lists them

Each :class:`Case` says what vanban must do with its file: read it (``ok``, optionally
with something the extraction must find) or set it aside with a reason containing
``reason``. ``tests/test_bad_inputs.py`` runs the whole folder as one batch.
"""
from __future__ import annotations

import hashlib
import os
import random
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
FIXTURES = ROOT / "tests" / "fixtures"

XSS_TITLE = '<script>alert("xss")</script> "><img src=x onerror=alert(1)>'
PLAN = """ỦY BAN NHÂN DÂN                CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH HẢI DƯƠNG                     Độc lập - Tự do - Hạnh phúc
Số: {number}/KH-UBND                     Hải Dương, ngày 5 tháng 3 năm 2021

KẾ HOẠCH
{title}

1. Sở Tư pháp chủ trì tuyên truyền {body}, hoàn thành trước ngày 30/6/2021.
2. Sở Y tế báo cáo kết quả trước ngày 15/12/2021.
"""


@dataclass(frozen=True)
class Case:
    name: str  # file name as written (may hold spaces, accents, newlines)
    what: str  # one line for the listing
    expect: str  # "ok" | "error" | "skip" (not an input: neither read nor set aside)
    reason: str = ""  # for errors: a piece of the one-line reason
    finds: str = ""  # for ok: a piece of the extracted JSON (metadata symbol, title …)
    make: Callable[[Path], None] | None = None


def _write(data: bytes | str) -> Callable[[Path], None]:
    def make(p: Path) -> None:
        if isinstance(data, str):
            p.write_text(data, "utf-8")
        else:
            p.write_bytes(data)
    return make


def _copy(src: Path) -> Callable[[Path], None]:
    return lambda p: p.write_bytes(src.read_bytes())


def _truncated_pdf(p: Path) -> None:
    data = (CORPUS / "nd_55_cp_2023.pdf").read_bytes()
    p.write_bytes(data[: len(data) // 2])


def _pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """A PDF from numbered object bodies (1 0 obj …), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R ".encode() + trailer_extra
            + f">>\nstartxref\n{xref}\n%%EOF\n".encode())
    return bytes(out)


def _text_pdf(lines: list[bytes]) -> bytes:
    content = b"BT /F1 12 Tf 72 760 Td 14 TL " + b" ".join(
        b"(" + ln.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b") '"
        for ln in lines) + b" ET"
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ])


def _encrypted_pdf(p: Path) -> None:
    """Standard security handler, RC4 40-bit, with a user password we do not know: the
    /U entry matches no password, so every reader must ask for one."""
    rng = random.Random(7)
    o = bytes(rng.randrange(256) for _ in range(32)).hex().encode()
    u = bytes(rng.randrange(256) for _ in range(32)).hex().encode()
    ident = hashlib.md5(b"vanban").hexdigest().encode()
    body = _text_pdf([b"Secret"])
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <" + o + b"> /U <" + u + b"> /P -44 >>"
    # append the Encrypt dictionary as object 6 and point the trailer at it
    objs = body.split(b"xref\n")[0]
    six = len(objs)
    objs += b"6 0 obj\n" + encrypt + b"\nendobj\n"
    xref_at = len(objs)
    offsets = [body.index(f"{i} 0 obj".encode()) for i in range(1, 6)] + [six]
    objs += b"xref\n0 7\n0000000000 65535 f \n" + b"".join(
        f"{x:010d} 00000 n \n".encode() for x in offsets)
    objs += (b"trailer\n<< /Size 7 /Root 1 0 R /Encrypt 6 0 R /ID [<" + ident + b"> <" + ident
             + b">] >>\nstartxref\n" + str(xref_at).encode() + b"\n%%EOF\n")
    p.write_bytes(objs)


def _pages_pdf(n: int) -> Callable[[Path], None]:
    def make(p: Path) -> None:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument.new()
        for _ in range(n):
            pdf.new_page(595, 842)
        pdf.save(str(p))
        pdf.close()
    return make


def _zip_bomb(p: Path) -> None:
    """A .docx whose document.xml inflates a thousand-fold (60 MB of spaces)."""
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"/>')
        with z.open("word/document.xml", "w") as f:
            chunk = b" " * (1 << 20)
            for _ in range(60):
                f.write(chunk)


def _big_text(p: Path) -> None:
    line = ("Ủy ban nhân dân tỉnh tổ chức tuyên truyền về bình đẳng giới trong các cơ quan, "
            "đơn vị trên địa bàn tỉnh năm 2021.\n").encode()
    with p.open("wb") as f:
        for _ in range(100 * (1 << 20) // len(line) + 1):
            f.write(line)


def _tcvn3(p: Path) -> None:
    p.write_bytes((FIXTURES / "encodings" / "passage.tcvn3.txt").read_bytes())


def _garbage(p: Path) -> None:
    p.write_bytes(random.Random(3).randbytes(200_000))


def _html_doc(p: Path) -> None:
    p.write_text("<html><head><meta charset='utf-8'><title>Kế hoạch</title></head><body>"
                 + "".join(f"<p>{line}</p>" for line in PLAN.format(
                     number="88", title="Về công tác tư pháp năm 2021",
                     body="pháp luật").splitlines()) + "</body></html>", "utf-8")


def _not_zip(p: Path) -> None:
    p.write_bytes(b"This is not a zip archive, although its name ends in .docx\n" * 50)


ENGLISH = """MINISTRY OF JUSTICE
No. 12/2021/MOJ                       Hanoi, 5 March 2021

PLAN
On legal education in 2021

1. The Department of Justice shall lead the campaign before 30 June 2021.
2. Provincial People's Committees shall report by 15 December 2021.
"""


SECRET_ENV = "VANBAN_TEST_SECRET"
"""A variable the batch's run has in its environment: it must not reach any output."""
LONG_NAME = "Kế hoạch triển khai " * 9 + "năm 2026-ab.txt"  # 250 bytes of UTF-8


def _link(target: str) -> Callable[[Path], None]:
    return lambda p: p.symlink_to(target)


def _unreadable(p: Path) -> None:
    p.write_text(PLAN.format(number="61", title="Về pháp luật", body="pháp luật"), "utf-8")
    p.chmod(0)


def _locked_folder(p: Path) -> None:
    p.mkdir()
    (p / "inside.txt").write_text(PLAN.format(number="62", title="Về pháp luật",
                                              body="pháp luật"), "utf-8")
    p.chmod(0)


def huge_pages_pdf(pages: int = 6, side_pt: int = 14_400) -> bytes:
    """1.5 KB: six pages of 200 × 200 inches with no text, so each goes to OCR (rendered
    at 300 dpi, 2.3 GB a page)."""
    draw = f"q {side_pt} 0 0 {side_pt} 0 0 cm /Im0 Do Q".encode()
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    content, image = 3 + pages, 4 + pages
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode()]
    objs += [f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {side_pt} {side_pt}] "
             f"/Contents {content} 0 R /Resources << /XObject << /Im0 {image} 0 R >> >> >>"
             .encode()] * pages
    objs.append(f"<< /Length {len(draw)} >>\nstream\n".encode() + draw + b"\nendstream")
    objs.append(b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace "
                b"/DeviceGray /BitsPerComponent 8 /Length 1 >>\nstream\n\x80\nendstream")
    return _pdf(objs)


def _one_paragraph(p: Path, size: int = 1_000_000) -> None:
    """A plan whose body is one paragraph of ``size`` characters (no line break): the
    extraction must stay linear in it."""
    head = PLAN.format(number="60", title="Về pháp luật", body="pháp luật")
    sentence = ("Sở Tư pháp chủ trì, phối hợp với Sở Nội vụ, UBND các huyện tuyên truyền "
                "pháp luật cho cán bộ, công chức trước ngày 30/6/2021; ")
    p.write_text(head + (sentence * (size // len(sentence) + 1))[:size] + "\n", "utf-8")


def hostile_cases() -> list[Case]:
    """What an inbox on a shared server may hold besides documents (issue 24)."""
    return [
        Case("link-passwd.txt", "a link to /etc/passwd", "error",
             "liên kết tượng trưng trỏ ra ngoài thư mục đầu vào: không đọc",
             make=_link("/etc/passwd")),
        Case("link-environ.txt", "a link to /proc/self/environ (the run's secrets)", "error",
             "liên kết tượng trưng trỏ ra ngoài thư mục đầu vào: không đọc",
             make=_link("/proc/self/environ")),
        Case("link-inside.txt", "a link to another document of the inbox", "skip",
             make=_link("english.txt")),
        Case("loop-a.txt", "a link that loops (a → b → a)", "error",
             "liên kết tượng trưng vòng lặp: không đọc", make=_link("loop-b.txt")),
        Case("loop-b.txt", "… and its other half", "error",
             "liên kết tượng trưng vòng lặp: không đọc", make=_link("loop-a.txt")),
        Case("unreadable.txt", "a file the process may not read", "error",
             "không đọc được: không có quyền đọc", make=_unreadable),
        Case("locked-folder", "a folder the process may not list", "error",
             "không liệt kê được thư mục: không có quyền đọc", make=_locked_folder),
        Case("pipe.txt", "a named pipe (reading it would block for ever)", "error",
             "ống có tên (named pipe), không phải tệp thường: không đọc", make=os.mkfifo),
        Case("huge-pages.pdf", "1.5 KB PDF of six 200 × 200-inch pages to OCR", "error",
             "VANBAN_MAX_PAGE_MPIXELS", make=lambda p: p.write_bytes(huge_pages_pdf())),
        Case("paragraph-1mb.txt", "one paragraph of 1 MB", "ok", finds="60/KH-UBND",
             make=_one_paragraph),
        Case(LONG_NAME, "a name of 250 bytes (UTF-8)", "ok", finds="63/KH-UBND",
             make=_write(PLAN.format(number="63", title="Về pháp luật", body="pháp luật"))),
    ]


def cases() -> list[Case]:
    return hostile_cases() + [
        Case("empty.txt", "empty text file", "error", "tệp rỗng", make=_write(b"")),
        Case("empty.pdf", "empty PDF", "error", "tệp rỗng", make=_write(b"")),
        Case("empty.docx", "empty DOCX", "error", "tệp rỗng", make=_write(b"")),
        Case("truncated.pdf", "PDF cut in half", "error", "tệp bị cắt cụt",
             make=_truncated_pdf),
        Case("encrypted.pdf", "PDF with an unknown password", "error", "PDF có mật khẩu",
             make=_encrypted_pdf),
        Case("pages-3000.pdf", "PDF of 3,000 pages", "error",
             "vượt giới hạn 2000 trang (VANBAN_MAX_PAGES)",
             make=_pages_pdf(3000)),
        Case("zip-bomb.docx", "DOCX that inflates 1,000-fold", "error",
             "từ chối: phần word/document.xml trong zip giải nén ra gấp",
             make=_zip_bomb),
        Case("not-a-zip.docx", "DOCX that is not a zip", "error", "không phải tệp nén zip",
             make=_not_zip),
        Case("html-named.doc", ".doc that is really HTML", "ok", finds="88/KH-UBND",
             make=_html_doc),
        Case("tcvn3-named.txt", "TCVN3 (ABC) text named .txt", "ok",
             finds='"issuer": "UBND tỉnh Hải Dương"',
             make=_tcvn3),
        Case("huge-100mb.txt", "100 MB of text", "error",
             "vượt giới hạn 20 triệu (VANBAN_MAX_TEXT_MB)", make=_big_text),
        Case("garbage.txt", "binary garbage named .txt", "error",
             "không phải tệp văn bản thuần (dữ liệu nhị phân, không phải chữ: ",
             make=_garbage),
        Case("garbage-layer.pdf", "PDF whose text layer is noise", "error", "lớp chữ bị lỗi mã",
             make=lambda p: p.write_bytes(_garbage_text_layer_bytes())),
        Case("xss.txt", "<script> and onerror in title and body", "ok", finds="<script>",
             make=_write(PLAN.format(number="77", title=XSS_TITLE, body=XSS_TITLE))),
        Case("tên có dấu và khoảng trắng.txt", "accents and spaces in the name", "ok",
             finds="66/KH-UBND", make=_write(PLAN.format(number="66", title="Về pháp luật",
                                                          body="pháp luật"))),
        Case("x..y..txt", "'..' in the name", "ok", finds="65/KH-UBND",
             make=_write(PLAN.format(number="65", title="Về pháp luật", body="pháp luật"))),
        Case("line\nbreak.txt", "a newline in the name", "ok", finds="64/KH-UBND",
             make=_write(PLAN.format(number="64", title="Về pháp luật", body="pháp luật"))),
        Case("english.txt", "an English document", "ok", finds='"doc_type": null',
             make=_write(ENGLISH)),
        Case("picture.png", "a file of a format we do not read", "error",
             "định dạng '.png' không được hỗ trợ (vanban đọc .txt",
             make=_write(b"\x89PNG\r\n\x1a\n" + bytes(100))),
    ]


def _garbage_text_layer_bytes() -> bytes:
    rng = random.Random(5)
    lines = [bytes(rng.choice(range(0xC0, 0xFF)) for _ in range(60)) for _ in range(30)]
    return _text_pdf(lines)


def make_all(folder: Path) -> list[Case]:
    folder.mkdir(parents=True, exist_ok=True)
    out = cases()
    for c in out:
        c.make(folder / c.name)
    return out


def unlock(folder: Path) -> None:
    """Give back the permissions the cases took away, so the folder can be removed."""
    for c in cases():
        p = folder / c.name
        if p.exists() and not p.is_symlink():
            p.chmod(0o755 if p.is_dir() else 0o644)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bad-inputs")
    for c in make_all(target):
        size = os.lstat(target / c.name).st_size
        print(f"{c.name!r:40} {size:>12,} B  {c.what}")
