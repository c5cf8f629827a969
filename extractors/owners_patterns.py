"""Agencies found by their shape, not by the gazetteer.

- a head word (``Sở``, ``Trung tâm``, ``Đại sứ quán`` ...) followed by a capitalised
  name, up to a verb, preposition or punctuation (``Trung tâm Bảo tồn di sản Thăng Long
  - Hà Nội``);
- ``UBND``/``HĐND`` + a level + a place and member lists: :mod:`extractors.owners_places`;
- groups (``các sở, ban, ngành liên quan``): :mod:`extractors.owners_groups`.

Scanners work on :class:`Tok` lists of the normalised text (:func:`head_windows`) and
return :class:`Cand`.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from extractors.casing import agency_case
from extractors.owners_data import localities
from extractors.vocab import table
from pipeline.document.normalize import fix_tone_placement, fold, is_upper_text


class Tok(NamedTuple):
    start: int
    end: int
    text: str
    brk: bool  # a line break or tab separates it from the previous token


@dataclass(frozen=True)
class Cand:
    start: int
    end: int
    canonical: str
    kind: str = "agency"
    source: str = "pattern"
    rank: int = 1  # on equal length: lower wins (gazetteer 0)


_TOK = re.compile(r"[^\W_]+(?:&[^\W_]+)*|\S")


_WINDOW = 240  # characters a scanner may look ahead of a head word


def head_windows(text: str) -> list[list[Tok]]:
    """Tokens around the head words, one list per run of nearby heads on a line (or
    table cell): from the head (and a "Phó" before it) to ``_WINDOW`` characters after
    the last head of the run, never past the line's end. Scanners only look forward."""
    spans: list[list[int]] = []
    breaks = [m.start() for m in re.finditer(r"[\n\t]", text)]
    for h in _head_re().finditer(text):
        s = h.start()
        b = bisect.bisect_left(breaks, s)
        line_start = breaks[b - 1] + 1 if b else 0
        if spans and s < spans[-1][1] and spans[-1][2] == line_start:
            spans[-1][1] = min(spans[-1][3], s + _WINDOW)
            continue
        line_end = breaks[b] if b < len(breaks) else len(text)
        back = re.search(r"(?<!\w)[Pp]hó\s+$", text[max(line_start, s - 8):s])
        start = s - len(back.group()) if back else s
        spans.append([start, min(line_end, s + _WINDOW), line_start, line_end])
    out: list[list[Tok]] = []
    new = tuple.__new__
    for start, end, line_start, _ in spans:
        out.append([new(Tok, (m.start(), m.end(), m.group(), m.start() == line_start))
                    for m in _TOK.finditer(text, start, end)])
    return out


@lru_cache(maxsize=1)
def _head_re() -> re.Pattern[str]:
    firsts = {h.split()[0] for h in HEADS}
    firsts |= {f.upper() for f in firsts}
    alt = "|".join(sorted(map(re.escape, firsts), key=len, reverse=True))
    initials = re.escape("".join(sorted({f[0] for f in firsts})))
    # the look-ahead on the first letter lets the engine skip ahead fast
    return re.compile(rf"(?=[{initials}])(?<!\w)(?:{alt})(?!\w)")


HEADS = (
    "Sở", "Bộ Tư lệnh", "Bộ Chỉ huy", "Bộ", "Ban Chỉ đạo", "Ban chỉ đạo", "Ban Quản lý", "Ban",
    "Tổng cục", "Chi cục", "Cục", "Vụ", "Văn phòng", "Thanh tra", "Công an", "Trung tâm",
    "Tổ công tác", "Tổ Công tác", "Tổ", "Hội đồng", "Ủy ban", "Đài", "Báo", "Học viện", "Viện",
    "Đại học", "Trường", "Bệnh viện", "Bảo tàng", "Thư viện", "Nhà hát", "Nhà xuất bản",
    "Hãng phim", "Câu lạc bộ", "Phòng", "Kho bạc", "Ngân hàng", "Tòa án", "Hội", "Liên đoàn",
    "Liên hiệp", "Liên minh", "Thành đoàn", "Tỉnh đoàn", "Huyện đoàn", "Đoàn", "Tổng Công ty",
    "Tổng công ty", "Công ty", "Đại sứ quán", "Tổng Lãnh sự quán", "Lãnh sự quán", "Quỹ",
    "Chi nhánh", "Cơ quan", "Đảng ủy", "Tỉnh ủy", "Thành ủy", "Huyện ủy", "Quân khu",
    "Vườn quốc gia", "Bảo hiểm xã hội", "UBND", "HĐND", "Ủy ban nhân dân", "Hội đồng nhân dân",
)
_NO_NAME_HEADS = {"UBND", "HĐND", "Ủy ban nhân dân", "Hội đồng nhân dân"}
# first words that make "head + word" something else than a body
_BLOCK_FIRST = {"Luật", "Nghị", "Thảo", "Thi", "Diễn", "Chợ", "Cáo", "Hợp", "Án", "Việc", "Hành",
                "Chức", "Quốc", "Chống", "Ngừa", "Trưởng", "Phó", "I", "II", "III", "IV", "V",
                "VI", "VII", "VIII", "IX", "X"}
_BLOCK_AFTER = {"Bộ": {"Tiêu", "Chỉ", "Quy", "Tài", "Hồ", "Nguyên", "Công", "Câu", "Sách"}}
# "Cơ quan" starts a name only before these words
_CHAIN_ONLY = {"Cơ quan": {"Báo", "Đài", "Cảnh", "An", "Thi", "Điều"}}
_LOWER_OK = {"Câu lạc bộ"}  # heads whose name may start in lower case
LEVELS = ("thành phố", "thị xã", "thị trấn", "đặc khu", "tỉnh", "huyện", "quận", "xã", "phường",
          "tp", "tp.")
FIELDS_AFTER_COMMA = {("Truyền", "hình"), ("Thể", "thao"), ("Khen", "thưởng"), ("Thương", "binh")}
_MAX_LOWER = 6
_MAX_TOKENS = 16

_STOP = (
    "có", "là", "tại", "theo", "để", "với", "trong", "trên", "đã", "đang", "sẽ", "được", "bị",
    "cho", "từ", "đến", "khi", "nếu", "thì", "mà", "này", "đó", "các", "những", "năm", "ngày",
    "tháng", "nhằm", "trước", "sau", "hoặc", "cùng", "thuộc", "của", "do", "gồm", "phải",
    "cần", "chịu", "giao", "cử", "mời", "làm", "trình", "tặng", "xét", "lập", "đề", "nêu",
    "chủ trì", "phối hợp", "thực hiện", "tổ chức", "xây dựng", "triển khai", "tham mưu",
    "hướng dẫn", "báo cáo", "chỉ đạo", "đề nghị", "ban hành", "tổng hợp", "kiểm tra", "theo dõi",
    "đôn đốc", "căn cứ", "gửi", "nghiên cứu", "đề xuất", "xem xét", "tiếp tục", "tăng cường",
    "đẩy mạnh", "rà soát", "phát động", "cung cấp", "bảo đảm", "đảm bảo", "tham gia", "hỗ trợ",
    "lựa chọn", "quy định", "phê duyệt", "tiến hành", "đối với", "thường xuyên", "đăng tải",
    "trực tiếp", "quyết định", "phụ trách", "chuẩn bị", "giám sát", "chủ động", "thông báo",
    "tuyên truyền", "định hướng", "quán triệt", "phổ biến", "xử lý", "bố trí", "đăng ký",
    "ghi nhận", "thẩm định", "công bố", "phát hành", "vận động", "khen thưởng", "trân trọng",
    "kính", "về việc", "thành lập", "hủy bỏ", "phát hiện", "ngay", "luôn", "vẫn", "cũng",
    "đồng thời", "nhất là", "trong đó", "như", "nhưng", "vì vậy", "qua", "bằng", "yêu cầu",
    "phát huy", "tham dự", "đóng", "tiếp nhận", "trả lời", "giải quyết", "nhận",
)


@lru_cache(maxsize=1)
def _stop_phrases() -> frozenset[tuple[str, ...]]:
    words = set(_STOP) | set(table("duty_cues.tsv").get("verb", ()))
    return frozenset(tuple(w.lower().split()) for w in words)


@lru_cache(maxsize=1)
def _heads() -> tuple[tuple[str, ...], ...]:
    return tuple(sorted((tuple(h.split()) for h in HEADS), key=len, reverse=True))


def is_cap(w: str) -> bool:
    return bool(w) and (w[0].isupper() or bool(re.fullmatch(r"[A-ZĐ]{1,3}\d{1,3}", w)))


def is_word(w: str) -> bool:
    return bool(w) and w[0].isalpha() or bool(re.fullmatch(r"[A-ZĐ]{1,3}\d{1,3}", w))


def _same(tok: str, word: str) -> bool:
    return tok == word or (tok.isupper() and len(tok) > 1 and tok == word.upper())


@lru_cache(maxsize=1)
def _heads_by_first() -> dict[str, tuple[tuple[str, ...], ...]]:
    d: dict[str, list[tuple[str, ...]]] = {}
    for h in _heads():
        for first in {h[0], h[0].upper()}:
            d.setdefault(first, []).append(h)
    return {k: tuple(v) for k, v in d.items()}


_HEADS_BY_FIRST: dict[str, tuple[tuple[str, ...], ...]] = {}


def head_at(toks: list[Tok], i: int) -> int:
    """Number of tokens of the head word that starts at ``i`` (0: none)."""
    cands = _HEADS_BY_FIRST.get(toks[i].text)
    if cands is None:
        if _HEADS_BY_FIRST:
            return 0
        _HEADS_BY_FIRST.update(_heads_by_first())
        cands = _HEADS_BY_FIRST.get(toks[i].text, ())
    for h in cands:
        n = len(h)
        if i + n <= len(toks) and all(_same(toks[i + k].text, h[k]) for k in range(n)) \
                and not any(toks[i + k].brk for k in range(1, n)):
            return n
    return 0


def stop_at(toks: list[Tok], i: int) -> bool:
    """A verb or function word at ``i`` ends a name, unless it ends the line: a line that
    is only a name ("Phòng Công nghệ thông tin" heading its duties) keeps its last words."""
    phrases = _stop_phrases()
    w = toks[i].text.lower()
    if (w,) in phrases:
        return not (i > 1 and (i + 1 == len(toks) or toks[i + 1].brk))
    if i + 1 < len(toks) and not toks[i + 1].brk and (w, toks[i + 1].text.lower()) in phrases:
        return not (i > 1 and (i + 2 == len(toks) or toks[i + 2].brk))
    return False


def level_at(toks: list[Tok], i: int) -> int:
    """Tokens of a locality level word (``tỉnh``, ``thành phố``, ``TP.``) at ``i``."""
    if i >= len(toks):
        return 0
    w = toks[i].text.lower()
    if i + 1 < len(toks) and not toks[i + 1].brk:
        two = f"{w} {toks[i + 1].text.lower()}"
        if two in LEVELS:
            return 2
        if w == "tp" and toks[i + 1].text == ".":
            return 2
    return 1 if w in LEVELS else 0


# --- tidying --------------------------------------------------------------------------------

@lru_cache(maxsize=8192)
def tidy(text: str) -> str:
    """A mention as a name: NFC, one tone placement, one space, ``" - "`` between name
    parts, ``Ủy ban nhân dân`` → ``UBND``, ``TP`` → ``thành phố``, capitals → sentence case."""
    s = fix_tone_placement(unicodedata.normalize("NFC", text))
    s = re.sub(r"\s+", " ", s).strip(" ,;:.-–—")
    s = re.sub(r"\s*[–—]\s*", " - ", s)
    s = re.sub(r"(?<=\w)\s+-\s*(?=\w)|(?<=\w)\s*-\s+(?=\w)", " - ", s)
    if is_upper_text(s):
        s = agency_case(s)
    s = re.sub(r"(?i)(?<!\w)(Ủy|Uỷ) ban nhân dân(?!\w)", "UBND", s)
    s = re.sub(r"(?i)(?<!\w)Hội đồng nhân dân(?!\w)", "HĐND", s)
    s = re.sub(r"(?<!\w)(?:TP|Tp|T\.P)\.?\s+(?=\w)", "thành phố ", s)
    return s


def _and_continues(toks: list[Tok], j: int, gaz_starts: frozenset[int] | set[int]) -> bool:
    """After "và" at ``j - 1``: the name goes on (``Ban Tuyên giáo và Dân vận``,
    ``Hãng phim Tài liệu và khoa học Trung ương``), no second body starts."""
    for k in range(j, min(j + 4, len(toks))):
        t = toks[k]
        if t.brk or not is_word(t.text) or head_at(toks, k) or t.start in gaz_starts \
                or stop_at(toks, k):
            return False
        if is_cap(t.text):
            return True
    return False


def _is_place(words: list[str]) -> bool:
    f = fold(" ".join(words))
    return any(f == lf for lf, _ in localities())


def _name_end(text: str, toks: list[Tok], i: int, gaz_starts: frozenset[int] | set[int]) -> int:
    """Index after the last token of the name that starts at token ``i`` (the head
    word is before ``i``). Lower-case words go on a sentence-case name (``Giao thông
    vận tải``) but not after an abbreviation or a place (``... Lâm Đồng đóng``)."""
    end = i
    lower_run = 0
    cap_run: list[str] = []
    placed = False
    j = i
    while j < len(toks) and j - i < _MAX_TOKENS:
        t = toks[j]
        if t.brk:
            break
        w = t.text
        nxt = toks[j + 1] if j + 1 < len(toks) and not toks[j + 1].brk else None
        if w in ("-", "–", "—", "&"):
            if nxt and is_cap(nxt.text) and not head_at(toks, j + 1) \
                    and nxt.start not in gaz_starts:
                j += 1
                continue
            break
        if w == ",":
            if nxt and j + 2 < len(toks) and (nxt.text, toks[j + 2].text) in FIELDS_AFTER_COMMA:
                j += 1
                continue
            break
        if w.lower() == "và":
            if j > i and nxt and _and_continues(toks, j + 1, gaz_starts):
                j += 1
                continue
            break
        lv = level_at(toks, j)
        if lv and j + lv < len(toks) and is_cap(toks[j + lv].text) and not toks[j + lv].brk:
            j += lv
            placed = True
            cap_run = []
            continue
        if not is_word(w) and not (j == i and w.isdigit()):
            break
        if is_cap(w) or w.isdigit():
            lower_run = 0
            cap_run.append(w)
        else:
            if stop_at(toks, j) or lower_run >= _MAX_LOWER or placed or \
                    (cap_run and (cap_run[-1].isupper() and len(cap_run[-1]) > 1
                                  or _is_place(cap_run))):
                break
            lower_run += 1
            cap_run = []
        end = j + 1
        j += 1
    return end


def head_lens(toks: list[Tok]) -> list[int]:
    """:func:`head_at` for every token (computed once per text)."""
    return [head_at(toks, i) for i in range(len(toks))]


def scan_named(text: str, toks: list[Tok], gaz_starts: frozenset[int] | set[int],
               hl: list[int]) -> list[Cand]:
    """Head word + capitalised name, for bodies the gazetteer does not know."""
    out: list[Cand] = []
    i = 0
    while i < len(toks):
        n = hl[i]
        if not n:
            i += 1
            continue
        head = " ".join(t.text for t in toks[i:i + n])
        caps = head.isupper() and head not in ("UBND", "HĐND")
        if toks[i].start in gaz_starts or head in _NO_NAME_HEADS or \
                head.title() in _NO_NAME_HEADS or \
                (caps and not toks[i].brk):
            i += n
            continue
        k = i + n
        if k >= len(toks) or toks[k].brk:
            i += 1
            continue
        first = toks[k].text
        lv = level_at(toks, k)
        ok = is_cap(first) and first.capitalize() not in _BLOCK_FIRST \
            and first.capitalize() not in _BLOCK_AFTER.get(head.capitalize(), ()) or lv > 0 \
            or (head.lower() == "ban chỉ đạo" and first.isdigit())
        if head in _LOWER_OK and first.isalpha() and first.islower() and not stop_at(toks, k):
            ok = True
        chain = _CHAIN_ONLY.get(head)
        if chain is not None and first not in chain:
            ok = False
        if i > 0 and toks[i - 1].text in ("Phó", "phó"):
            ok = False
        if not ok:
            i += 1
            continue
        end = k + lv
        if k + lv < len(toks) and (not lv or is_cap(toks[k + lv].text)):
            end = max(end, _name_end(text, toks, k + lv, gaz_starts))
        if lv and end == k + lv and head not in ("Công an", "Ban Chỉ đạo", "Ban chỉ đạo"):
            i += 1
            continue
        s, e = toks[i].start, toks[end - 1].end
        out.append(Cand(s, e, tidy(text[s:e])))
        i = end
    return out
