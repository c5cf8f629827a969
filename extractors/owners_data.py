"""The agency gazetteer and group table (``extractors/data/agencies.tsv``,
``agency_groups.tsv``), loaded once: rows, generated spelling variants and a lookup by
normalised key. Matching itself lives in :mod:`extractors.owners`."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from extractors.vocab import lines
from pipeline.document.normalize import fix_tone_placement, fold


@dataclass(frozen=True)
class Agency:
    """One gazetteer row (or the city sibling generated from a provincial row)."""

    canonical: str
    variants: tuple[str, ...]
    kind: str = "agency"
    valid_from: str | None = None
    valid_to: str | None = None
    level: str | None = None  # central | province | district | None
    successor: str | None = None
    note: str = ""

    def valid_on(self, on: str) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and \
            (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class Group:
    """One family of group owners and what it expands to."""

    canonical: str
    variants: tuple[str, ...]
    members: tuple[str, ...]
    valid_from: str | None = None
    valid_to: str | None = None
    note: str = ""


_SEP = re.compile(r"[-–—,&.;:/()\"“”'‘’]+")


def key(text: str) -> str:
    """Normalised lookup key: NFC, one tone placement, lower case, separators and
    punctuation dropped, ``Ủy ban nhân dân`` → ``ubnd`` and the like."""
    s = fix_tone_placement(unicodedata.normalize("NFC", text)).lower()
    s = _SEP.sub(" ", s)
    s = re.sub(r"\s+", " ", s).strip()
    for long, short in _KEY_SHORT:
        s = re.sub(rf"(?<!\w){long}(?!\w)", short, s)
    return s


# Long forms that keys (and generated variants) abbreviate. (long, short) pairs, lower case.
_KEY_SHORT = (
    ("ủy ban nhân dân", "ubnd"),
    ("hội đồng nhân dân", "hđnd"),
    ("mặt trận tổ quốc việt nam", "mttq việt nam"),
    ("mttqvn", "mttq việt nam"),
    ("tp", "thành phố"),
    ("t p", "thành phố"),
    ("tw", "trung ương"),
)

# Surface abbreviations added as variants of every name that contains the long form.
_SURFACE_SUBS = (
    ("UBND", ("Ủy ban nhân dân",)),
    ("HĐND", ("Hội đồng nhân dân",)),
    ("Mặt trận Tổ quốc Việt Nam", ("MTTQ Việt Nam", "MTTQVN", "MTTQ")),
    ("Ủy ban MTTQ", ("UBMTTQ",)),
    ("Trung ương", ("TW", "TƯ")),
    ("thành phố", ("TP", "TP.", "Thành phố")),
    ("Liên hiệp Phụ nữ", ("LHPN",)),
    ("Bảo hiểm xã hội", ("BHXH",)),
    ("Cựu chiến binh", ("CCB",)),
    ("Việt Nam", ("VN",)),
)

_SEPARATORS = (" - ", ", ", " – ", " ")
_SEP_SLOT = re.compile(r"\s*(?:[-–—]|,)\s*")


def _separator_forms(name: str, limit: int = 3) -> set[str]:
    """``Sở Văn hóa, Thể thao và Du lịch`` → also ``... - Thể thao ...``, ``... Thể thao ...``."""
    parts = _SEP_SLOT.split(name)
    if len(parts) == 1 or len(parts) - 1 > limit:
        return {name}
    out = {""}
    for i, part in enumerate(parts):
        if i == 0:
            out = {part}
            continue
        out = {o + sep + part for o in out for sep in _SEPARATORS}
    return out | {name}


def surface_forms(name: str) -> set[str]:
    """Spellings of ``name`` the matcher should know: abbreviations and separators."""
    forms = {name}
    for long, shorts in _SURFACE_SUBS:
        for f in list(forms):
            if long in f:
                forms.update(f.replace(long, s) for s in shorts)
            if long == "UBND" and "UBND" in f:
                forms.add(f.replace("UBND", "Ủy ban nhân dân"))
            if long == "HĐND" and "HĐND" in f:
                forms.add(f.replace("HĐND", "Hội đồng nhân dân"))
    out: set[str] = set()
    for f in forms:
        out |= _separator_forms(f)
    return out


def _city(name: str) -> str:
    s = re.sub(r"(?<!\w)tỉnh(?!\w)", "thành phố", name)
    s = s.replace("Tỉnh ủy", "Thành ủy").replace("Tỉnh đoàn", "Thành đoàn")
    return s


def _note_fields(note: str) -> tuple[str | None, str | None]:
    level = re.search(r"(?<!\w)level=(\w+)", note)
    succ = re.search(r"(?<!\w)successor=([^;]+)", note)
    return (level.group(1) if level else None, succ.group(1).strip() if succ else None)


def _read(name: str) -> list[list[str]]:
    raw = resources.files("extractors.data").joinpath(name).read_text("utf-8")
    rows = []
    for ln in raw.splitlines():
        if not ln.strip() or ln.startswith("#"):
            continue
        cells = ln.split("\t")
        rows.append(cells + [""] * (6 - len(cells)))
    return rows


@lru_cache(maxsize=1)
def agencies() -> tuple[Agency, ...]:
    """Gazetteer rows in file order, then the city siblings of provincial rows."""
    rows: list[Agency] = []
    for canon, variants, kind, vfrom, vto, note in _read("agencies.tsv"):
        level, succ = _note_fields(note)
        vs = tuple(v.strip() for v in variants.split("|") if v.strip())
        rows.append(Agency(canon.strip(), vs, kind.strip() or "agency", vfrom.strip() or None,
                           vto.strip() or None, level, succ, note.strip()))
    known = {r.canonical for r in rows}
    siblings = []
    for r in rows:
        if r.level != "province":
            continue
        city = _city(r.canonical)
        if city == r.canonical or city in known:
            continue
        vs = tuple(dict.fromkeys(_city(v) for v in r.variants if _city(v) != v))
        succ = _city(r.successor) if r.successor else None
        siblings.append(Agency(city, vs, r.kind, r.valid_from, r.valid_to, r.level, succ,
                               r.note))
        known.add(city)
    return tuple(rows + siblings)


@lru_cache(maxsize=1)
def groups() -> tuple[Group, ...]:
    out = []
    for canon, variants, members, vfrom, vto, note in _read("agency_groups.tsv"):
        out.append(Group(canon.strip(), tuple(v.strip() for v in variants.split("|") if v.strip()),
                         tuple(m.strip() for m in members.split("|") if m.strip()),
                         vfrom.strip() or None, vto.strip() or None, note.strip()))
    return tuple(out)


@lru_cache(maxsize=1)
def agency_index() -> dict[str, tuple[Agency, ...]]:
    """Normalised key of every spelling → the rows it names (file order)."""
    idx: dict[str, list[Agency]] = {}
    for a in agencies():
        for name in (a.canonical, *a.variants):
            for form in surface_forms(name):
                lst = idx.setdefault(key(form), [])
                if a not in lst:
                    lst.append(a)
    return {k: tuple(v) for k, v in idx.items()}


@lru_cache(maxsize=1)
def by_canonical() -> dict[str, Agency]:
    return {a.canonical: a for a in agencies()}


@lru_cache(maxsize=1)
def group_index() -> dict[str, Group]:
    idx: dict[str, Group] = {}
    for g in groups():
        for name in (g.canonical, *g.variants):
            for form in surface_forms(name):
                idx.setdefault(key(form), g)
    return idx


@lru_cache(maxsize=1)
def localities() -> tuple[tuple[str, str], ...]:
    """(folded name, name) of provinces and centrally-run cities, longest first."""
    names = set(lines("localities.txt")) | {"Thừa Thiên - Huế", "Đăk Lăk", "Đăk Nông"}
    return tuple(sorted(((fold(n), n) for n in names), key=lambda p: -len(p[0])))


CITIES = frozenset({"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế"})
