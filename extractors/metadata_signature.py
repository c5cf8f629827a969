"""The closing of a document: ``Nơi nhận`` (the recipients) and the signature block
(authority marker ``TM.``/``KT.``/…, position, the signer's name)."""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from extractors.casing import agency_case, head_of
from extractors.metadata_lines import Line, doc_lines
from extractors.vocab import table
from extractors.words import person_names
from pipeline.document.facts import Signer
from pipeline.document.model import Document
from pipeline.document.normalize import fold, is_title_word, is_upper_text
from pipeline.readers.encoding import is_vietnamese_syllable

__all__ = ["leader_signer", "position_of", "signer_and_recipients"]


@lru_cache(maxsize=1)
def _positions() -> list[tuple[str, str]]:
    return sorted(((fold(p), p) for p in table("signature.tsv")["position"]),
                  key=lambda x: -len(x[0]))


def position_of(text: str) -> str | None:
    f = fold(text).strip(" .,")
    for key, pos in _positions():
        if f == key:
            return pos
    return None


MAX_POSITION_WORDS = 8  # the longest position of signature.tsv has fewer words

_MARKER = re.compile(r"(?<![\w.])(TM|KT|TL|TUQ|Q|PP)\s*\.\s*")


class _NameToken:
    """A person-name syllable: capital then lower case (regex classes like [À-Ỹ] would
    also admit lower-case Vietnamese letters)."""

    @staticmethod
    def match(word: str) -> bool:
        return is_title_word(word)


_NAME_TOKEN = _NameToken()


def _split_caps_name(text: str) -> tuple[str, str]:
    """``THỦ TƯỚNG Nguyễn Xuân Phúc`` → (``THỦ TƯỚNG``, ``Nguyễn Xuân Phúc``).

    The name is the last 2 to 5 tokens, so only those four split points are tried (a
    line of n tokens costs O(n), not O(n²) slices and joins)."""
    toks = text.split(" ")
    n = len(toks)
    for k in range(max(1, n - 5), n - 1):
        if all(_NAME_TOKEN.match(t) for t in toks[k:]) and is_upper_text(" ".join(toks[:k])):
            return " ".join(toks[:k]), " ".join(toks[k:])
    return text, ""


def _is_name(text: str) -> bool:
    toks = text.split(" ")
    ranks = {fold(r) for r in table("signature.tsv")["rank"]}
    while toks and fold(" ".join(toks[:2])) in ranks:
        toks = toks[2:]
    while toks and fold(toks[0]) in ranks:
        toks = toks[1:]
    return 2 <= len(toks) <= 5 and all(_NAME_TOKEN.match(t) for t in toks) \
        and head_of(" ".join(toks)) is None


def _strip_rank(text: str) -> str:
    ranks = sorted((fold(r) for r in table("signature.tsv")["rank"]), key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for r in ranks:
            if fold(text).startswith(r + " "):
                text = text[len(r) + 1:]
                changed = True
    return text


def _starts_with_position(text: str) -> bool:
    f = fold(text)
    return any(f == k or f.startswith(k + " ") for k, _ in _positions())


def _split_position(body: str) -> tuple[str, str | None]:
    """``ỦY BAN NHÂN DÂN CHỦ TỊCH`` → (``ỦY BAN NHÂN DÂN``, ``Chủ tịch``)."""
    fb = fold(body)
    for key, pos in _positions():
        if fb.endswith(key) and (len(fb) == len(key) or fb[-len(key) - 1] in " ,"):
            return body[: len(body) - len(key)].strip(" ,"), pos
    return body, None


def _split_cells(ln: Line) -> list[Line]:
    """A one-line table row (``Nơi nhận: ... | THỦ TƯỚNG Nguyễn Xuân Phúc``) split at bars."""
    out, pos = [], ln.start
    for part in ln.text.split("|"):
        stripped = part.strip()
        if stripped:
            out.append(Line(stripped, pos + part.index(stripped), ln.block))
        pos += len(part) + 1
    return out


def _is_noise(text: str) -> bool:
    """A line of OCR noise: few letters, no word of three, or mostly not Vietnamese
    syllables."""
    words = re.findall(r"[^\W\d_]+", text)
    if sum(len(w) for w in words) < 4 or max(len(w) for w in words) <= 2:
        return True  # "V2 r", "Nà) độ": strokes of the seal, not a syllable of 3 letters
    good = sum(1 for w in words if is_vietnamese_syllable(w.lower()))
    return good / len(words) < 0.6


def _mostly_capitals(text: str) -> bool:
    """Seven letters in ten or more are capitals, with a word of three letters: a capital
    line with seal strokes in it, never a name."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.7 * len(letters) \
        and any(len(w) >= 3 for w in re.findall(r"[^\W\d_]+", text))


def _despeck(text: str) -> str:
    """A signature line without the OCR specks and strokes at its ends (``-. CHỦ TỊCH
    h`` → ``CHỦ TỊCH``, ``—niauL—— Trần Hoàng Tuấn`` → ``Trần Hoàng Tuấn``): leading
    words that hold a character other than a letter, or are not a syllable, when a
    name or a capital line follows; a trailing lone letter or mark."""
    toks = text.split()
    while len(toks) > 1 and (len(toks[-1]) == 1 and not toks[-1].isupper()
                             or not any(c.isalnum() for c in toks[-1])):
        toks.pop()
    k = 0
    while k < len(toks) - 1 and (not toks[k].isalpha() or not is_vietnamese_syllable(toks[k])) \
            and not _MARKER.match(toks[k]):
        k += 1
    rest = " ".join(toks[k:])
    j = k
    while j < len(toks) - 1 and not toks[j].isupper():
        j += 1
    if j > k and is_upper_text(" ".join(toks[j:])) and position_of(" ".join(toks[j:])):
        return " ".join(toks[j:])  # "J Z7 cô THỦ TƯỚNG": the seal's strokes before it
    if k and (_is_name(rest) or is_upper_text(rest) and _split_caps_name(rest)[1] == ""):
        return rest
    for j in range(min(len(toks) - 1, MAX_POSITION_WORDS), 0, -1):  # "PHÓ CHỦ TỊCH xi tauL"
        head = " ".join(toks[:j])
        if is_upper_text(head) and position_of(head) and not is_upper_text(" ".join(toks[j:])) \
                and not _is_name(" ".join(toks[j:])):
            return head
    return " ".join(toks)


_QUOTES = "\"'`“”„‘’"


@lru_cache(maxsize=1)
def _surnames() -> dict[str, str]:
    return dict(tuple(x.split(" ", 1)) for x in table("signature.tsv").get("surname_ocr", ()))


@lru_cache(maxsize=1)
def _deputies() -> dict[str, str]:
    return dict(tuple(x.split("|", 1)) for x in table("signature.tsv").get("deputy", ()))


def _surname(name: str) -> str:
    """A name whose family name OCR misread (signature.tsv ``surname_ocr``: ``Trân`` →
    ``Trần``) put right; the family name is the name's first word."""
    first, _, rest = name.partition(" ")
    return f"{_surnames().get(first, first)} {rest}".strip() if rest else name


@lru_cache(maxsize=1)
def _leaders() -> dict[str, str]:
    """Name → position of the Government's leaders (``leaders.tsv``)."""
    return {name: position for position, names in table("leaders.tsv").items()
            for name in names}


def leader_named(partial: str) -> str | None:
    """The one leader whose name ends with the words of ``partial`` (``Minh Chính`` →
    ``Phạm Minh Chính``), or None: none, or several (``Chính``)."""
    words = partial.split()
    if not words or not all(w[:1].isupper() and w.isalpha() for w in words):
        return None
    found = [n for n in _leaders() if n.split()[-len(words):] == words]
    return found[0] if len(found) == 1 else None


_GOVERNMENT = re.compile(r"-(TTg|CP)$")


def leader_signer(signer: Signer, symbol: str | None, issuer: str | None) -> Signer:
    """A document of the Prime Minister or the Government (symbol ``-TTg``/``-CP``, or
    that issuer) whose signer's name OCR read in part, completed from ``leaders.tsv``; a
    Deputy Prime Minister's position and ``KT. Thủ tướng`` put right when the seal hid
    ``PHÓ``."""
    if not signer.name or not (symbol and _GOVERNMENT.search(symbol)
                               or issuer in ("Thủ tướng Chính phủ", "Chính phủ")):
        return signer
    name = leader_named(signer.name) or signer.name
    position = _leaders().get(name)
    if position == "Phó Thủ tướng" and signer.position in (None, "Thủ tướng"):
        return replace(signer, name=name, position=position, authority="KT. Thủ tướng")
    return replace(signer, name=name, position=signer.position or position)


def _is_signature_line(text: str) -> bool:
    t = text.strip()
    return bool(is_upper_text(t) or _MARKER.match(t) or _is_name(t)
                or re.match(r"^\(?(Đã ký|Chữ ký)", t))


def _case_role(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ,.")
    pos = position_of(text)
    if pos:
        return pos
    return agency_case(text, abbreviate_ubnd=False)


# the "Nơi nhận:" heading: with its colon, or alone on its line (OCR may lose the colon);
# never a sentence about it ("Nơi nhận xác định những cơ quan …", in a circular on form)
_RECIP_HEAD = re.compile(r"^\W*Nơi\s*nhận\s*(?::|\W*$|[-–+•]\s)", re.I)
# an annex after the body: "PHỤ LỤC" (or "Phụ lục I") opening a block, in capitals or alone
_ANNEX = re.compile(r"^\s*(?:PHỤ LỤC|Phụ lục\s*[IVX\d]*\s*$)")

_RECIP_PURPOSE = re.compile(
    r"\s*\((?:(?:để|đê|đề|de)\b[^)]*|(?:b/c|t/h|p/h|th|ph|b/cáo|th/hiện|ph/hợp|t/d|c/đ)[^)]{0,10}"
    r"|(?:báo cáo|biết|thực hiện|phối hợp|chỉ đạo|theo dõi)\b[^)]{0,30})\)",
    re.I)


def signer_and_recipients(doc: Document, spans: dict) -> tuple[Signer, list[str]]:
    """Recipients and signer. The first ``Nơi nhận`` anchors both (a decision may be
    followed by the plan it issues, a circular by its appendices); without one, the
    signature is looked for at the end."""
    n = len(doc.blocks)
    nb = next((i for i, b in enumerate(doc.blocks)
               if any(_RECIP_HEAD.match(t) for t in b.text.split("\n"))), None)
    if nb is not None:
        lines = doc_lines(doc, nb - 12, nb + 45)
    else:  # no recipients: the signature closes the body, before any annex, else the end
        annex = next((i for i, b in enumerate(doc.blocks) if i > n // 3
                      and _ANNEX.match(b.text) and any(
                          _MARKER.match(ln.text.strip()) for ln in doc_lines(doc, i - 12, i))),
                     None)
        lines = doc_lines(doc, annex - 40, annex) if annex else doc_lines(doc, n - 40, n)
    recipients: list[str] = []
    lone_names = []
    ni = next((k for k, ln in enumerate(lines) if _RECIP_HEAD.match(ln.text)), None)
    if ni is None:  # the heading unreadable (OCR): the items just above "- Lưu:"
        lu = next((k for k in range(len(lines) - 1, -1, -1)
                   if re.match(r"^[-–+•]\s*Lưu\s*:", lines[k].text)), None)
        if lu is not None:
            k = lu
            while k > 0 and re.match(r"^[-–+•]\s", lines[k - 1].text):
                k -= 1
            if lu - k >= 2:
                ni = k - 1 if k > 0 else None
                if ni is not None and re.match(r"^[-–+•]\s", lines[ni].text):
                    ni = None
    if ni is not None:
        m = re.match(r"^\W*(?:Nơi\s*nhận\s*:?\s*)?", lines[ni].text, re.I)
        tail = lines[ni].text[m.end():]
        rec_lines = ([tail] if tail else []) + [ln.text for ln in lines[ni + 1:ni + 60]]
        items: list[str] = []
        lone_names: list[str] = []
        for raw in rec_lines:
            raw = raw.strip()
            if not raw:
                continue
            pieces = re.split(r"[;.,]\s*[-–+•]\s+", raw)
            first = pieces[0]
            if first[:1] in _QUOTES and _is_name(first.strip(_QUOTES)):
                first = first.strip(_QUOTES)  # a speck of the seal before the name
            if re.match(r"^[-–+•]\s", first) or not items and not _is_signature_line(first):
                items.append(re.sub(r"^[-–+•]\s*", "", first))
            elif _is_signature_line(first):
                if _is_name(_despeck(first.strip(_QUOTES))):
                    lone_names.append(_despeck(first.strip(_QUOTES)))
                continue  # the signature column interleaved with the list
            elif items and not items[-1].rstrip().endswith(";"):
                items[-1] += " " + first
            else:
                continue
            items.extend(pieces[1:])
            if re.match(r"^\W*Lưu\b", items[-1]):
                break
        for it in items:
            it = it.strip()
            if re.match(r"^Lưu\b", it):
                break
            it = _RECIP_PURPOSE.sub("", it).strip().rstrip(";.,:").strip()
            if it:
                recipients.append(it)
        spans["recipients"] = (lines[ni].start, lines[min(ni + len(items), len(lines) - 1)].end)

    # signature: the last marker or position line, the capitals after it, then a name
    sig_lines = [ln2 for ln in lines for ln2 in _split_cells(ln)]
    idx = None
    for k in range(len(sig_lines) - 1, -1, -1):
        t = sig_lines[k].text.strip().lstrip(_QUOTES)
        if _MARKER.match(t) and is_upper_text(t):
            idx = k
            # walk up while the line above is another marker/caps authority line
            while idx > 0 and _MARKER.match(sig_lines[idx - 1].text.strip()) \
                    and is_upper_text(sig_lines[idx - 1].text):
                idx -= 1
            break
    if idx is None:
        for k in range(len(sig_lines) - 1, -1, -1):
            caps, _name = _split_caps_name(_despeck(sig_lines[k].text.strip()))
            if position_of(caps):
                idx = k
                break
    if idx is None:
        # OCR lost the capitals under the seal: the name alone, read among the recipients
        name = _surname(_strip_rank(lone_names[-1])) if len(lone_names) == 1 else None
        return Signer(name=name), recipients
    caps: list[str] = []
    name = None
    name_line = None
    skipped = 0
    for ln in sig_lines[idx: idx + 14]:
        t = re.sub(r"^\(?(Đã ký|đã ký|Chữ ký[^)]*)\)?\s*", "", ln.text.strip().lstrip(_QUOTES))
        if not t or re.match(r"^[-–+•]\s|^Lưu\b|^Nơi\s*nhận", t):
            continue  # the recipients column interleaved with the signature
        t = _despeck(t)
        head, nm = _split_caps_name(t)
        if nm:
            caps.append(head)
            name, name_line = _strip_rank(nm), ln
            break
        if is_upper_text(t) or _MARKER.match(t):
            if caps and not _MARKER.match(t) and _MARKER.match(caps[-1]) \
                    and not _starts_with_position(t):
                caps[-1] += " " + t  # "TM. ỦY BAN NHÂN" / "DÂN"
            else:
                caps.append(t)
            continue
        if _is_name(t):
            name, name_line = _strip_rank(t), ln
        elif any("THỦ TƯỚNG" in c for c in caps) and (full := leader_named(t)):
            name, name_line = full, ln  # "Phớc": the rest of the name under the seal
        elif caps and skipped < 4 and (_is_noise(t) or _mostly_capitals(t)):
            skipped += 1  # seal or signature strokes read by OCR, or a second title
            continue  # garbled by them ("CUỤC CẢNH SÁT ĐTTP VẺ MA TÚY cố mA+")
        elif len(t) <= 60:  # where the rules stop: underthesea's NER for a person name
            found = person_names(t)
            if found and len(found[0].split()) >= 2 and \
                    all(w.isalpha() and w[:1].isupper() for w in found[0].split()):
                name, name_line = _strip_rank(found[0]), ln
        break
    markers = [c for c in caps if _MARKER.match(c)]
    rest = [c for c in caps if not _MARKER.match(c)]
    authority = position = None
    if markers:
        last = markers[-1]
        m = _MARKER.match(last)
        body = last[m.end():]
        if not rest:  # "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH" on one line
            body, position = _split_position(body)
            if not body and position and m.group(1) == "KT":
                # "KT. THỦ TƯỚNG" and the deputy's line lost (under the seal, on a scan):
                # whoever signs for a head is the deputy the data names (signature.tsv)
                body, position = position, _deputies().get(position)
        if body:
            authority = f"{m.group(1)}. {_case_role(body)}"
    if rest and position is None:
        position = _case_role(rest[0])
        if markers and authority == f"KT. {position}" and _deputies().get(position):
            position = _deputies()[position]  # "KT. THỦ TƯỚNG" / "THỦ TƯỚNG": "PHÓ" lost
    if name is None and len(lone_names) == 1:
        name = _strip_rank(lone_names[0])
    if name_line is not None:
        spans["signer"] = (sig_lines[idx].start, name_line.end)
    name = _surname(name) if name else name
    return Signer(name=name, position=position, authority=authority), recipients
